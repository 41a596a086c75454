"""load → validate → link (→ completeness): the one way to get a knowledge base."""

from __future__ import annotations

from pathlib import Path

from . import charcheck, completeness, markup
from .cache import Cache
from .diagnostics import ContentError
from .linker import KnowledgeBase, link
from .loader import load
from .publish import compilation, study

CACHE_FOLDER = "cache"  # in the work dir


def load_knowledge_base(
    root: Path, *, strict: bool = False, work_dir: Path | None = None, store: Cache | None = None
) -> KnowledgeBase:
    """The linked knowledge base under ``root``; raises ``ContentError`` with every error.

    With ``work_dir``, what depends on one entry file alone (parsing, validating, checking
    its Markdown) is kept there in a cache and redone only for files that changed. ``store``:
    that cache, kept in memory from one load to the next (`build.py serve`)."""
    store = store or Cache(work_dir / CACHE_FOLDER if work_dir else None)
    loaded = load(root, store)
    kb, link_errors = link(loaded.entries, loaded.broken)
    kb.sources = loaded.sources
    errors = loaded.errors + link_errors
    for entry in loaded.entries:
        errors += store.memo("markup", entry.key, lambda e=entry: markup.check_entries([e]))
    store.save()  # every entry file was visited: the cache keeps exactly these
    kb.editions = compilation.resolve(kb)
    errors.extend(kb.editions.errors)
    kb.warnings.extend(kb.editions.warnings)
    kb.studies = study.resolve(kb)
    errors.extend(kb.studies.errors)
    if strict and not errors:
        errors.extend(completeness.check(kb))
        errors.extend(charcheck.check(root, sorted(e.path for e in loaded.entries)))
    if errors:
        raise ContentError(errors)
    return kb
