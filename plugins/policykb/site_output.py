"""Incremental site output: which pages and files of a build differ from the last build's.

Every build (``build.py build`` and an edit under ``build.py serve`` alike) runs MkDocs with
``dirty=True`` into a staging copy of the last good site made of hard links (see
``fsutil``). MkDocs then reads, renders and writes only the files whose ``is_modified()``
is true; ours is true when the file's *key* differs from the one it had in the last build:

- a page's key hashes its Markdown source and what the theme puts around it: the nav (with
  every nav page's title), its previous and next pages, the index whose tab it activates,
  and the fingerprint of config, theme and packages;
- a generated file's key hashes its bytes.

A full build is this same build from an empty state: every key is new.

Hard links are only safe if nothing writes into an existing file (that would change the
live site too): before MkDocs writes anything, ``unlink_outputs`` removes every destination
this build is going to write, so each write makes a new inode.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from importlib import metadata, resources
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import clean_directory

FORMAT = "policykb-site-output-2"  # bump when what a key covers changes
STATE_FILE = "site-output.json"
# Written by on_post_build hooks (Material's search and offline plugins) straight into
# site_dir, in place: removed first like every other output.
POST_BUILD_OUTPUTS = ("search/search_index.json", "search/search_index.js")
PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")


class TrackedFile(File):
    """A file MkDocs writes only when ``changed`` (its key differs from the last build's)
    and not ``written`` already (see ``SiteOutput.write_files``)."""

    changed: bool = True
    written: bool = False
    source: str = ""  # the hash of its content (a page's: of its Markdown)
    key: str = ""  # the hash of all it is made from

    def is_modified(self) -> bool:
        return self.changed and not self.written


@dataclass
class OutputState:
    """What the last build put in a site: the key of each output, and each page's title
    (the nav and the prev/next links of the pages rendered show the titles of pages that
    are not)."""

    site: str = ""  # the site directory (resolved) these outputs are in
    fingerprint: str = ""
    keys: dict[str, str] = field(default_factory=dict)  # dest_uri → key
    sources: dict[str, str] = field(default_factory=dict)  # src_uri → hash of a page's source
    titles: dict[str, str] = field(default_factory=dict)  # src_uri → page title

    @classmethod
    def load(cls, work_dir: Path, site: Path) -> OutputState:
        """The state of ``site``'s last build; empty (everything is built) if there is none,
        it is unreadable or it describes another directory."""
        try:
            raw = json.loads((work_dir / STATE_FILE).read_text(encoding="utf-8"))
            if raw.pop("format") != FORMAT:
                return cls()
            state = cls(**raw)
        except (OSError, ValueError, TypeError, KeyError):
            return cls()
        return state if state.site == str(site.resolve()) else cls()

    def save(self, work_dir: Path, site: Path) -> None:
        work_dir.mkdir(parents=True, exist_ok=True)
        self.site = str(site.resolve())
        path = work_dir / STATE_FILE
        scratch = path.with_name(path.name + ".new")
        scratch.write_text(
            json.dumps({"format": FORMAT, **asdict(self)}, ensure_ascii=False, sort_keys=True),
            encoding="utf-8",
        )
        os.replace(scratch, path)

    @staticmethod
    def forget(work_dir: Path) -> None:
        """Before the live site is changed file by file: a build interrupted half-way must
        not be trusted by the next one (it renders everything)."""
        (work_dir / STATE_FILE).unlink(missing_ok=True)


def _hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def content_hash(content: str | bytes) -> str:
    """The hash a build keeps of a generated file's content (``TrackedFile.source``: a
    page's Markdown; a file's bytes, which are its key too)."""
    return _hash(content)


def fingerprint(config: MkDocsConfig) -> str:
    """What every page's HTML depends on besides its own source: the project's config, the
    plugin's code, templates, theme and assets, other theme folders, and package versions."""
    parts: list[str | bytes] = [FORMAT]
    parts.append(Path(config.config_file_path).read_bytes() if config.config_file_path else b"")
    parts.append(json.dumps(config.extra, ensure_ascii=False, sort_keys=True, default=str))
    for name in PACKAGES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} missing")
    package = Path(str(resources.files("policykb")))
    folders = [package] + [
        Path(d) for d in config.theme.dirs if "site-packages" not in Path(d).parts
    ]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [str(path.relative_to(folder)), path.read_bytes()]
    return _hash(*parts)


class SiteOutput:
    """One build's decisions: made in on_files (from the sources), completed in on_env
    (once every page's title is known), saved by whoever publishes the site."""

    def __init__(self, previous: OutputState, config: MkDocsConfig):
        self.previous = previous
        self.config = config
        self.fingerprint = fingerprint(config)
        self.fresh = previous.fingerprint != self.fingerprint  # everything is rebuilt
        self.rendered: list[str] = []  # src_uris of the pages rendered, in order

    def _changed(self, key: str, previous: str | None, file: File) -> bool:
        return (
            self.fresh
            or previous != key
            or not os.path.isfile(os.path.join(file.dest_dir, file.dest_uri))
        )

    def sources_read(self, files: Files) -> None:
        """Marks the files whose source changed: MkDocs reads and renders only those pages.
        Hand-written pages are always rendered (there are few; Material's search indexes
        them as they are rendered, and their mtime cannot tell a nav change)."""
        if self.fresh:
            # nothing in the staging copy is known to be current: a clean build
            clean_directory(self.config.site_dir)
        for file in files:
            if not isinstance(file, TrackedFile):
                if file.is_documentation_page():
                    file.is_modified = _always  # type: ignore[method-assign]
                continue
            file.source = content_hash(file.content_bytes)
            if file.is_documentation_page():
                file.changed = self._changed(
                    file.source, self.previous.sources.get(file.src_uri), file
                )
            else:
                file.key = file.source
                file.changed = self._changed(file.key, self.previous.keys.get(file.dest_uri), file)

    def write_files(self, files: Files) -> None:
        """Writes the changed generated files that are not pages (entries.json, the CSV, the
        in-browser index…) and releases every generated file's content: MkDocs would copy
        them only after reading every page, and ten thousand pages' Markdown and HTML are
        held in memory then. Each destination is removed first (a new inode, see above)."""
        for file in files:
            if not isinstance(file, TrackedFile) or file.is_documentation_page():
                continue
            if file.is_modified():
                Path(file.abs_dest_path).unlink(missing_ok=True)
                file.copy_file()
                file.written = True
            file.content_bytes = b""

    def complete(
        self, files: Files, nav: Navigation, neighbours: dict[str, tuple[Page | None, ...]]
    ) -> list[Page]:
        """Every page's key, now that every title is known (the pages rendered have theirs;
        the others keep last build's, their source being the same). Returns the pages whose
        output changed although their source did not (a neighbour's title, the nav): they
        still need reading."""
        for file in files.documentation_pages():
            page = file.page
            if page is not None and page.content is None and file.src_uri in self.previous.titles:
                # MkDocs has no title for a page it did not read (a weak property: settable)
                page.title = self.previous.titles[file.src_uri]
        nav_key = _hash(json.dumps(_nav_outline(nav.items), ensure_ascii=False))
        unread = []
        for file in files.documentation_pages():
            if not isinstance(file, TrackedFile) or file.page is None:
                continue
            around = neighbours.get(file.src_uri) or (
                file.page.previous_page,
                file.page.next_page,
            )
            outline = [[p.url, p.title] if p else None for p in around]
            file.key = _hash(file.source, nav_key, json.dumps(outline, ensure_ascii=False))
            changed = self._changed(file.key, self.previous.keys.get(file.dest_uri), file)
            if changed and file.page.content is None:
                unread.append(file.page)
            file.changed = changed
        return unread

    def unlink_outputs(self, files: Files) -> None:
        """Removes from the staging site every file this build writes (so that the write
        makes a new inode and the live site's hard-linked copy stays as it was) and every
        output of the last build that this one no longer has (a deleted entry's page)."""
        site_dir = Path(self.config.site_dir)
        written = [f.dest_uri for f in files if f.is_modified()]
        for name in self.config.theme.static_templates:
            written += [name, name + ".gz"]
        current = {f.dest_uri for f in files}
        gone = [uri for uri in self.previous.keys if uri not in current]
        for uri in [*written, *POST_BUILD_OUTPUTS, *gone]:
            (site_dir / uri).unlink(missing_ok=True)
        self.rendered = [f.src_uri for f in files.documentation_pages() if f.is_modified()]

    def state(self, files: Files) -> OutputState:
        return OutputState(
            fingerprint=self.fingerprint,
            keys={f.dest_uri: f.key for f in files if isinstance(f, TrackedFile)},
            sources={
                f.src_uri: f.source
                for f in files.documentation_pages()
                if isinstance(f, TrackedFile)
            },
            titles={
                f.src_uri: f.page.title
                for f in files.documentation_pages()
                if f.page is not None and f.page.title is not None
            },
        )


def _always() -> bool:
    return True


def _nav_outline(items: list) -> list:
    """The nav as the theme shows it on every page: titles, addresses, nesting."""
    outline: list = []
    for item in items:
        if isinstance(item, Section):
            outline.append(["section", item.title, _nav_outline(item.children)])
        elif isinstance(item, Link):
            outline.append(["link", item.title, item.url])
        else:
            outline.append(["page", item.title, item.url])
    return outline
