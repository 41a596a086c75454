"""What an edit changes beyond its own pages, for `build.py serve`'s second quick stage.

The edited entries show on other pages: the entries linking to and from them list their
titles, an index or a list of cases by year shows them, a page before or after them in their
index links to them. Which of those pages change is read off their sources, not guessed: the
source of every page is made again (``page_sources``, the build's own Renderer, whose entry
pages come from the cache unless what they show changed, see ``page_inputs``) and compared
with the one the served page was made of (``TrackedFile.source``, kept for each page of the
site). The same for the in-browser index: its files made again from the search documents
(the edited entries' and those of the entries that read them), written when their bytes
differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .site_output import TrackedFile, content_hash

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    from .cache import Cache
    from .linker import KnowledgeBase
    from .loader import Entry
    from .plugin import PolicyKBPlugin


def page_sources(plugin: PolicyKBPlugin, config: MkDocsConfig, store: Cache) -> dict[str, str]:
    """Every generated page's source as a build gives it to MkDocs, by its path."""
    from .plugin import EXCLUDE_FROM_MATERIAL

    pages = plugin.page_sources(config, store)
    return {page.path: EXCLUDE_FROM_MATERIAL + page.markdown for page in pages}


def changed_pages(files: Files, sources: dict[str, str]) -> tuple[list[str], list[str]]:
    """The paths of the pages whose source is not the one their served page was made of
    (or that are new), and those of the generated pages no longer made."""
    changed = []
    for path, content in sources.items():
        file = files.get_file_from_path(path)
        if not isinstance(file, TrackedFile) or file.source != content_hash(content):
            changed.append(path)
    gone = [
        f.src_uri
        for f in files.documentation_pages()
        if isinstance(f, TrackedFile) and f.src_uri not in sources
    ]
    return changed, gone


def changed_files(
    files: Files, made: dict[str, str], folder: str
) -> tuple[dict[str, str], list[str]]:
    """Of ``made`` (the files under ``folder``, by site path), those whose bytes differ from
    the served ones (or that are new); and the served files under ``folder`` no longer made."""
    changed = {}
    for path, content in made.items():
        file = files.get_file_from_path(path)
        if not isinstance(file, TrackedFile) or file.key != content_hash(content):
            changed[path] = content
    gone = [
        f.src_uri
        for f in files
        if isinstance(f, TrackedFile)
        and f.src_uri.startswith(folder + "/")
        and f.src_uri not in made
    ]
    return changed, gone


def moved_neighbours(before: dict[str, list[Entry]], after: dict[str, list[Entry]]) -> set[str]:
    """The ids of the entries whose previous or next entry in their index (each kind's
    reading order, ``before`` and ``after`` the edit) is another one or has another title:
    their pages' links to them change, not their sources."""
    was, now = _neighbours(before), _neighbours(after)
    return {entry_id for entry_id, around in now.items() if was.get(entry_id) != around}


def _neighbours(orders: dict[str, list[Entry]]) -> dict[str, tuple]:
    out = {}
    for entries in orders.values():
        for at, entry in enumerate(entries):
            previous = entries[at - 1] if at > 0 else None
            following = entries[at + 1] if at + 1 < len(entries) else None
            out[entry.id] = tuple(
                (e.id, e.title) if e is not None else None for e in (previous, following)
            )
    return out


def readers(old_kb: KnowledgeBase, kb: KnowledgeBase, touched: Iterable[str]) -> list[Entry]:
    """The published entries of ``kb`` whose search documents read the ``touched`` ones
    (their titles, kinds, facts, parents: see ``documents._document_key``): those linking
    to them, before or after the edit."""
    touched = set(touched)
    found: set[str] = set()
    for knowledge in (old_kb, kb):
        for entry_id in touched:
            entry = knowledge.entries.get(entry_id)
            if entry is not None:
                found.update(e.id for e in knowledge.incoming(entry))
    published = {e.id for e in kb.published()}
    return [kb.entries[i] for i in sorted(found - touched) if i in published]
