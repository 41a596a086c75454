"""An edit under `build.py serve`, live in stages.

0. The knowledge base loaded again from the files changed since the last good load alone
   (``LiveSite.load``; the other entries are that load's), linked anew.
1. The changed entries' own pages and search documents, within seconds: rendered through the
   same Renderer and MkDocs page functions as a build, with the state the last complete
   build kept (its MkDocs config, files, nav and theme; the plugin's segmenter and search
   documents), each page written beside the site and renamed into it, the whoosh index
   updated in place for those documents; then the version moves. A deleted entry's page
   and document go in this stage, an added one's come.
2. The other pages and files the edit changes (``followers``): every page whose source is
   no longer the one its served page was made of (the entries linking to and from the
   edited ones, the indexes and lists of cases showing them, the home page …) and the
   entry pages whose neighbours in their index changed, rendered as in stage 1; the search
   documents of the entries that read the edited ones; the in-browser index files whose
   bytes change. Published together, then the version moves: each of these files is then
   as a complete build writes it.
3. The complete update (``Project.update``: a dirty build of the whole site, which also
   writes the publications, the feed, the exports and the sitemap, and makes the whoosh
   index afresh), in a thread of its own, then the version moves again. A newer edit
   supersedes it: it stops at its next check (as each stage begins) and starts over with
   the newest content.

A reader's page reloads when its own bytes changed (``server.page_version``): once per edit
that changed it, not once per stage.

A broken edit (YAML, schema, links) prints its ``path:line:col`` errors and changes nothing.
The quick stages and the complete update write the live site in turns (``LiveSite.lock``),
so an older update never overwrites what a newer edit put there.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import progress
from .diagnostics import ContentError
from .project import Project, ProjectError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from .cache import Cache
    from .linker import KnowledgeBase
    from .loader import Entry
    from .plugin import PolicyKBPlugin
    from .server import SiteVersion

SCRATCH = ".live-"  # beside the site folder: `.site.live-*`, pages on their way in


class Superseded(Exception):
    """A newer edit came while this update ran: its own update follows."""


class Turn:
    """One complete update's right to change the live site: lost once a newer edit comes.
    From the first live write (the search index) to the last file it holds the site."""

    def __init__(self, live: LiveSite, generation: int):
        self.live = live
        self.generation = generation
        self._holding = False

    def check(self, *args: object, **kwargs: object) -> None:
        if self.live.generation != self.generation:
            raise Superseded

    def post_build(self, **kwargs: object) -> None:
        self.begin_live_writes()

    def begin_live_writes(self) -> None:
        if not self._holding:
            self.live.lock.acquire()
            self._holding = True
        self.check()

    def end_live_writes(self) -> None:
        if self._holding:
            self._holding = False
            self.live.lock.release()


@dataclass
class _Wanted:
    kb: KnowledgeBase
    generation: int


class LiveSite:
    """The served site of ``project`` and the state its last build kept; ``changed(paths)``
    (from the watcher, one call at a time) brings it up to date."""

    def __init__(
        self,
        project: Project,
        version: SiteVersion,
        *,
        strict: bool | None,
        warn: Callable[[KnowledgeBase], None] = lambda kb: None,
    ):
        self.project = project
        self.version = version
        self.strict = strict
        self.warn = warn
        self.generation = 0  # moves with every edit
        self.lock = threading.Lock()  # the live site and its search index: one writer
        self.kept: tuple[MkDocsConfig, PolicyKBPlugin] | None = None
        self._wanted: _Wanted | None = None
        self._waiting = threading.Condition()
        self._names: set[str] = set()  # the edits the next complete update covers
        self._started: tuple[float, float] | None = None
        self._store: Cache | None = None
        self._loaded: KnowledgeBase | None = None  # the last good load
        self._unloaded: set[Path] = set()  # the paths changed since

    def load(self, changed: Iterable[Path] = ()) -> KnowledgeBase:
        """The knowledge base as it is now, with the per-entry cache kept in memory (not
        read from disk again at every edit): after the last good load only the paths
        changed since are read again (those of broken edits too)."""
        from .cache import Cache
        from .pipeline import CACHE_FOLDER

        self._unloaded |= set(changed)
        work_dir = self.project.settings()[1]
        if self._store is None or self._store.directory != work_dir / CACHE_FOLDER:
            self._store, self._loaded = Cache(work_dir / CACHE_FOLDER), None
        kb = self.project.load(
            strict=self.strict, store=self._store, since=self._loaded, changed=self._unloaded
        )
        self._loaded, self._unloaded = kb, set()
        return kb

    def build(self) -> Path:
        """The first complete build (or one over the last site: only what changed)."""
        kb = self.load()
        self.warn(kb)
        site = self.project.build(kb)
        self.kept = getattr(self.project, "last_build", None)
        if self.kept is not None:
            _term_counts(self.kept[1])
        self.site = site
        _freeze_heap()
        _remove_scratch(site)
        threading.Thread(target=self._complete, name="policykb-live", daemon=True).start()
        return site

    def changed(self, paths: Iterable[Path]) -> None:
        paths = set(paths)
        root = self.project.root
        names = ", ".join(sorted(_shown(root, p) for p in paths))
        started = progress.mark()
        config_changed = any(p.resolve() == self.project.config_file.resolve() for p in paths)
        if config_changed:  # every setting may have changed: loaded afresh
            self.project.forget_config()
            self._loaded = None
        try:
            kb = self.load(paths)
        except ContentError as exc:
            for diagnostic in exc.diagnostics:
                print(diagnostic, file=sys.stderr)
            n = len(exc.diagnostics)
            print(
                f"Error: {n} error{'s' if n != 1 else ''} in the knowledge base after {names}; "
                "still serving the last good site",
                file=sys.stderr,
                flush=True,
            )
            return
        except ProjectError as exc:
            print(f"Error: {exc}; still serving the last good site", file=sys.stderr, flush=True)
            return
        # a complete update under way stops at its next check (not for a broken edit:
        # that one's update brings the site to the last good content)
        self.generation += 1
        self.warn(kb)
        entries_only = not config_changed and all(p.suffix in (".yaml", ".yml") for p in paths)
        if entries_only and self.kept is not None:
            try:
                self._quick_stages(kb, started, names)
            except Exception:  # a bug here must not stop serving: the complete update follows
                traceback.print_exc()
        with self._waiting:
            self._names |= {_shown(root, p) for p in paths}
            self._started = self._started or started
            self._wanted = _Wanted(kb, self.generation)
            self._waiting.notify()

    def _quick_stages(self, kb: KnowledgeBase, started: tuple[float, float], names: str) -> None:
        """Stage 1, the changed entries' own pages; then the other pages and the in-browser
        index files the edit changes (``followers``). Each published, then the version
        moves. What they make and look up (page sources, postings, pinyin) goes to the
        cache, as a build's: the complete update after them reads it."""
        from . import pinyin
        from .cache import Cache
        from .pipeline import CACHE_FOLDER

        assert self.kept is not None
        store = Cache(self.kept[1].work_dir / CACHE_FOLDER)
        pinyin.remember_in(store)
        try:
            self._stages(kb, store, started, names)
        finally:
            pinyin.remember_in(None)
            store.save(prune=False)

    def _stages(
        self, kb: KnowledgeBase, store: Cache, started: tuple[float, float], names: str
    ) -> None:
        from . import followers, urls
        from .plugin import EXCLUDE_FROM_MATERIAL

        assert self.kept is not None
        config, plugin = self.kept
        assert plugin.kb is not None
        old_kb, old_orders = plugin.kb, plugin.reading_orders
        before = {e.id: e for e in plugin.entry_pages.values()}  # old_kb's published ones
        plugin.hold(kb)  # the kept state made to hold ``kb`` (the complete update's replaces it)
        after = {e.id: e for e in plugin.entry_pages.values()}
        changed = [e for i, e in after.items() if i not in before or before[i].key != e.key]
        removed = [e for i, e in before.items() if i not in after]
        if not changed and not removed:
            return
        renderer = plugin.renderer(config)
        own = {  # an edition's pages are made otherwise: the next stage's
            urls.page_path(e): EXCLUDE_FROM_MATERIAL + renderer.entry_page(e).markdown
            for e in changed
            if e.kind.name != "compilation"
        }
        with progress.stage("their search documents", len(changed)):
            write_index = search_update(plugin, kb, changed, removed)
        pages = self._publish(own, [urls.page_path(e) for e in removed], write_index)
        removal = f", {len(removed)} removed" if removed else ""
        self._said(f"Live {pages} page(s){removal} and their search documents", started, names)

        touched = {e.id for e in [*changed, *removed]}
        with progress.stage("page sources"):
            sources = followers.page_sources(plugin, config, store)
        differ, gone = followers.changed_pages(plugin.files, sources)
        moved = followers.moved_neighbours(old_orders, plugin.reading_orders)
        paths = set(differ) | {urls.page_path(after[i]) for i in moved if i in after}
        paths &= sources.keys()
        readers = followers.readers(old_kb, kb, touched)
        with progress.stage("their search documents", len(readers)):
            write_index = search_update(plugin, kb, readers, [])
        pages = self._publish({path: sources[path] for path in sorted(paths)}, gone, write_index)
        removal = f", {len(gone)} removed" if gone else ""
        self._said(f"Live {pages} page(s) next to them{removal}", started, names)

        # the pages first: a reader's page is back in a second or two, the search box's
        # files (all of them when a document came or went) after
        index, index_gone = self._browser_index(kb, store)
        self._publish({}, [], lambda: None, files=index, gone_files=index_gone)
        removal = f", {len(index_gone)} removed" if index_gone else ""
        self._said(f"Live {len(index)} in-browser index file(s){removal}", started, names)

    def _said(self, what: str, started: tuple[float, float], names: str) -> None:
        """A stage published: the version moves (readers' pages reload) and it says so."""
        self.version.bump()
        wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
        print(f"{what}, {wall:.2f} s (CPU {cpu:.2f} s) after {names}", flush=True)

    def _browser_index(self, kb: KnowledgeBase, store: Cache) -> tuple[dict[str, str], list[str]]:
        """The in-browser index files whose bytes change, from the search documents as they
        are now, and those no longer made. None when the glossary changed: every document
        is cut anew then, which is the complete update's."""
        from . import followers
        from .search import browser_index, whoosh_index
        from .search.segment import glossary
        from .site_config import uses_directory_urls

        assert self.kept is not None
        config, plugin = self.kept
        assert plugin.segmenter is not None
        if glossary(kb) != plugin.segmenter.words:
            return {}, []
        with progress.stage("in-browser index"):
            index = browser_index.build(
                plugin.documents,
                plugin.segmenter,
                whoosh_index.alias_table(kb),
                use_directory_urls=uses_directory_urls(config),
                store=store,
            )
        return followers.changed_files(plugin.files, index.files, browser_index.FOLDER)

    def _publish(
        self,
        pages: dict[str, str],
        gone_pages: list[str],
        write_index: Callable[[], None],
        files: dict[str, str] | None = None,
        gone_files: Sequence[str] = (),
    ) -> int:
        """``pages`` (sources by path) rendered and published with ``files`` (contents by
        site path) and the search index's write, each file written beside the site and
        renamed into it; the ``gone`` ones taken out. Returns the number of pages written."""
        assert self.kept is not None
        config, plugin = self.kept
        files = files or {}
        # the version the site link points at now (a complete update writes into it too)
        site = self.site.resolve()
        scratch = Path(tempfile.mkdtemp(prefix=f".{self.site.name}{SCRATCH}", dir=self.site.parent))
        try:
            with progress.stage("pages", len(pages)):
                written = render_pages(config, plugin, pages, scratch) if pages else []
                written += write_files(config, plugin, files, scratch)
                gone = forget_files(plugin, [*gone_pages, *gone_files])
            with self.lock, progress.stage("whoosh update and publish", len(written)):
                write_index()
                for uri in written:
                    destination = site / uri
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(scratch / uri, destination)
                for uri in gone:
                    (site / uri).unlink(missing_ok=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return len(written) - len(files)

    def _complete(self) -> None:
        """Stage 3, in its own thread: the complete update, for the newest edit."""
        while True:
            with self._waiting:
                while self._wanted is None:
                    self._waiting.wait()
                wanted, self._wanted = self._wanted, None
            turn = Turn(self, wanted.generation)
            try:
                written = self.project.update(wanted.kb, turn)
            except Superseded:
                continue  # the newer edit is wanted already
            except ProjectError as exc:
                print(
                    f"Error: {exc}; still serving the last good site", file=sys.stderr, flush=True
                )
                continue
            except Exception:
                traceback.print_exc()
                print("Error: the update failed; still serving the last good site", flush=True)
                continue
            built = self.project.last_build
            _term_counts(built[1])  # counted before it is the kept state a quick stage reads
            with self.lock:
                if self.generation == wanted.generation:
                    self.kept = built
            self.version.bump()
            _freeze_heap()
            with self._waiting:
                names, self._names = ", ".join(sorted(self._names)), set()
                started, self._started = self._started, None
            assert started is not None
            wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
            print(
                f"Updated {len(written)} file(s), {len(self.project.rendered)} page(s) "
                f"rendered, {wall:.2f} s (CPU {cpu:.2f} s) after {names}",
                flush=True,
            )


def render_pages(
    config: MkDocsConfig, plugin: PolicyKBPlugin, sources: dict[str, str], scratch: Path
) -> list[str]:
    """The pages of ``sources`` (path → source as a build gives it to MkDocs) written under
    ``scratch`` as the build writes them (through MkDocs' page functions, with the kept nav
    and theme, the kept state holding the knowledge base they were made of), each page's
    file then holding its new source's hash. Returns the site paths written."""
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.pages import Page

    from .site_output import TrackedFile, content_hash

    files = plugin.files
    pages = []
    for path, content in sources.items():
        file = files.get_file_from_path(path)
        if file is None:
            file = TrackedFile.generated(config, path, content=content)
            files.append(file)
            Page(None, file, config)
        else:
            file.content_string = content
            if path not in plugin.nav_titled:  # a title set for a page not read: read now
                vars(file.page).pop("title", None)
        file.source = content_hash(content)
        pages.append(file.page)
    plugin.around = plugin._around(only=[page.file.src_uri for page in pages])
    documentation = files.documentation_pages()
    written = []
    # every page read before any is written: a page shows the titles of the pages around it
    for page in pages:
        page.file.abs_dest_path = str(scratch / page.file.dest_uri)
        _populate_page(page, config, files)
    for page in pages:
        _build_page(page, config, documentation, plugin.nav, plugin.env)
        written.append(page.file.dest_uri)
    return written


def write_files(
    config: MkDocsConfig, plugin: PolicyKBPlugin, contents: dict[str, str], scratch: Path
) -> list[str]:
    """Generated files that are not pages written under ``scratch`` (at their site paths),
    as the build writes them; their kept files then hold their new keys."""
    from .site_output import TrackedFile, content_hash

    for path, content in contents.items():
        file = plugin.files.get_file_from_path(path)
        if file is None:
            file = TrackedFile.generated(config, path, content=b"")
            plugin.files.append(file)
        file.key = file.source = content_hash(content)
        destination = scratch / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content.encode("utf-8"))
    return list(contents)


def forget_files(plugin: PolicyKBPlugin, paths: list[str]) -> list[str]:
    """The kept files of ``paths`` (generated pages and files no longer made) taken out of
    the kept state; returns their site paths, to remove."""
    gone = []
    for path in paths:
        file = plugin.files.get_file_from_path(path)
        if file is not None:
            plugin.files.remove(file)
            gone.append(file.dest_uri)
    return gone


def search_update(
    plugin: PolicyKBPlugin, kb: KnowledgeBase, changed: list[Entry], removed: list[Entry]
) -> Callable[[], None]:
    """The changed entries' search documents (segmented with the kept segmenter, their
    segments kept in the cache for the complete update); returns the write of the whoosh index, for
    the documents that changed (a neighbour's often did not)."""
    from .cache import Cache
    from .pipeline import CACHE_FOLDER
    from .search import whoosh_index
    from .search.documents import build_documents

    assert plugin.segmenter is not None
    store = Cache(plugin.work_dir / CACHE_FOLDER)
    gone = {e.id for e in removed}
    by_id = {d.id: d for d in plugin.documents}
    fresh = [
        doc
        for doc in build_documents(kb, plugin.segmenter, store, only={e.id for e in changed})
        if doc.id not in by_id or by_id[doc.id].content_hash() != doc.content_hash()
    ]
    store.save(prune=False)
    if not fresh and not gone:
        return lambda: None
    counts = _term_counts(plugin)
    for doc_id in [*gone, *(d.id for d in fresh)]:
        if (old := by_id.pop(doc_id, None)) is not None:  # the document gone, or replaced
            for term, _ in old.weights:
                counts[term] -= 1
                if not counts[term]:
                    del counts[term]
    for doc in fresh:
        for term, _ in doc.weights:
            counts[term] += 1
    by_id.update((d.id, d) for d in fresh)
    plugin.documents = [by_id[i] for i in sorted(by_id)]

    def write() -> None:
        whoosh_index.update_entries(
            kb,
            plugin.work_dir / "index",
            plugin.documents,
            changed=fresh,
            removed=sorted(gone),
            words=plugin.segmenter.words,
            terms=counts.keys(),
        )

    return write


def _term_counts(plugin: PolicyKBPlugin) -> Counter[str]:
    """How many of the kept state's search documents have each term, counted once and then
    kept up to date edit by edit: the lexicon needs every term, and counting them in every
    document was a third of an edit's index update."""
    if plugin.term_counts is None:
        plugin.term_counts = Counter(term for doc in plugin.documents for term, _ in doc.weights)
    return plugin.term_counts


def _freeze_heap() -> None:
    """What a build leaves (its pages, files and nav, kept for the next edit) out of the
    garbage collector's way: an edit's collections then look only at what it made, not
    at the hundreds of thousands of objects kept (each pass over them took a good part of
    stage 1). What the builds before left is collected first."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _remove_scratch(site: Path) -> None:
    """What a killed server left beside the site."""
    for path in site.parent.glob(f".{site.name}{SCRATCH}*"):
        shutil.rmtree(path, ignore_errors=True)


def _shown(root: Path, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
