"""The publications' files inside the site: every edition's .docx and .pdf, the feed, the CSV.

A .docx or .pdf is a function of its document (the blocks every writer reads), the format
and the links' base: kept in the cache under a hash of those, it is written again only
when one of them changed (an edition whose cases did not change keeps its files).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from .. import cache, progress, urls
from ..cache import Cache
from ..linker import KnowledgeBase
from . import compilation, exports, feed, study
from .document import Document
from .fonts import FontError, print_fonts
from .print_html import Href
from .writers import WRITERS

NAMESPACE = "publications"  # in the cache

log = logging.getLogger("mkdocs.plugins.policykb")


def formats(enabled: bool) -> tuple[str, ...]:
    """The publication formats the site carries: none when turned off, no PDF without a font."""
    if not enabled:
        return ()
    try:
        print_fonts()
    except FontError as exc:
        log.warning("policykb: PDFs left out of the site: %s", exc)
        return ("docx",)
    return ("docx", "pdf")


def site_href(site_url: str | None, *, use_directory_urls: bool) -> Href:
    """Links inside a downloaded file: absolute addresses when the site's address is known."""

    def href(target: str) -> str | None:
        if "://" in target or target.startswith("mailto:"):
            return target
        if not site_url:
            return None
        path, _, anchor = target.partition("#")
        address = (
            site_url.rstrip("/") + "/" + urls.site_url(path, use_directory_urls=use_directory_urls)
        )
        return address + (f"#{anchor}" if anchor else "")

    return href


def files(
    kb: KnowledgeBase,
    downloads: tuple[str, ...],
    *,
    site_url: str | None,
    use_directory_urls: bool,
    feed_size: int = 50,
    store: Cache | None = None,
) -> dict[str, str | bytes]:
    """Site path → content of every generated file that is not a page; ``store`` keeps the
    publications' files between builds (the caller saves it, which keeps only those of this
    build)."""
    store = store or Cache(None)
    href = site_href(site_url, use_directory_urls=use_directory_urls)
    links = f"{site_url or ''}\0{use_directory_urls}"

    def write(fmt: str, document: Document) -> str | bytes:
        progress.check()  # an edition's PDF takes seconds: a superseded update stops between
        inputs = cache.key(fmt, links, _fonts(fmt), repr(document))
        return store.memo(NAMESPACE, inputs, lambda: _written(fmt, document, href))

    with _collecting_each() if downloads else nullcontext():
        return _files(kb, downloads, write, site_url, use_directory_urls, feed_size)


@contextmanager
def _collecting_each() -> Iterator[None]:
    """While files are written, what a writer leaves behind is freed before the next one
    (see ``_written``); the objects from before are frozen, so each collection looks at the
    writer's objects only, not at the whole knowledge base again."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _written(fmt: str, document: Document, href: Href) -> str | bytes:
    """A WeasyPrint layout (or a Word document's XML tree) is a web of cycles that only a
    full collection frees: without one, every edition's layout lived until the build's end
    (hundreds of MB at 1,000 entries)."""
    try:
        return WRITERS[fmt].write(document, href=href)
    finally:
        gc.collect()


def _files(
    kb: KnowledgeBase,
    downloads: tuple[str, ...],
    write: Callable[[str, Document], str | bytes],
    site_url: str | None,
    use_directory_urls: bool,
    feed_size: int,
) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for edition in kb.editions.newest_first():
        document = compilation.document(kb, edition)
        stem = urls.page_path(edition.entry)[: -len(".md")]
        for fmt in downloads:
            out[stem + WRITERS[fmt].extension] = write(fmt, document)
    for pack in kb.studies.published():
        for name, document in (
            ("handout", study.handout(kb, pack)),
            (study.KEY, study.key(kb, pack)),
        ):
            if name == study.KEY and not pack.public_key:
                continue  # a private key is exported by `build.py study`, never put on the site
            for fmt in downloads:
                out[study.file_stem(pack, name) + WRITERS[fmt].extension] = write(fmt, document)
    out[feed.PATH] = feed.atom(
        kb, site_url=site_url, use_directory_urls=use_directory_urls, size=feed_size
    )
    out[exports.CSV_PATH] = exports.entries_csv(kb, use_directory_urls=use_directory_urls)
    out.update(exports.entries_files(kb, use_directory_urls=use_directory_urls))
    return out


def _fonts(fmt: str) -> str:
    """The fonts a PDF embeds (found on this machine: installing one changes the file)."""
    if fmt != "pdf":
        return ""
    try:
        return repr(print_fonts())
    except FontError:
        return ""
