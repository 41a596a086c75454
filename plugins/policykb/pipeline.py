"""load → validate → link (→ completeness): the one way to get a knowledge base."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import charcheck, completeness, markup
from .cache import Cache
from .diagnostics import ContentError
from .linker import KnowledgeBase, link
from .loader import Loaded, load
from .publish import compilation, study

CACHE_FOLDER = "cache"  # in the work dir


def load_knowledge_base(
    root: Path,
    *,
    strict: bool = False,
    work_dir: Path | None = None,
    store: Cache | None = None,
    since: KnowledgeBase | None = None,
    changed: Iterable[Path] = (),
) -> KnowledgeBase:
    """The linked knowledge base under ``root``; raises ``ContentError`` with every error.

    With ``work_dir``, what depends on one entry file alone (parsing, validating, checking
    its Markdown, finding its references) is kept there in a cache and redone only for
    files that changed. ``store``: that cache, kept in memory from one load to the next
    (`build.py serve`). ``since``: the knowledge base loaded so (same root and strictness)
    before only the ``changed`` paths changed: only those files are read and checked again,
    and the whole is linked anew (see ``loader.load``)."""
    store = store or Cache(work_dir / CACHE_FOLDER if work_dir else None)
    before = None
    if since is not None:  # a knowledge base is a load without errors
        before = Loaded(list(since.entries.values()), [], set(), since.sources)
    loaded = load(root, store, since=before, changed=changed)
    # the entries kept from ``since`` passed every check of their own there
    fresh = [e for e in loaded.entries if since is None or since.entries.get(e.id) is not e]
    kb, link_errors = link(loaded.entries, loaded.broken, store)
    kb.sources = loaded.sources
    errors = loaded.errors + link_errors
    for entry in fresh:
        errors += store.memo("markup", entry.key, lambda e=entry: markup.check_entries([e]))
    # a full load visited every entry file: the cache keeps exactly these (an edit's load
    # asks for the changed ones only; the next full load prunes what they replaced)
    store.save(prune=since is None)
    kb.editions = compilation.resolve(kb)
    errors.extend(kb.editions.errors)
    kb.warnings.extend(kb.editions.warnings)
    kb.studies = study.resolve(kb)
    errors.extend(kb.studies.errors)
    if strict and not errors:
        errors.extend(completeness.check(kb))
        errors.extend(charcheck.check(root, sorted(e.path for e in fresh)))
    if errors:
        raise ContentError(errors)
    return kb
