"""load → validate → link (→ completeness): the one way to get a knowledge base."""

from __future__ import annotations

from pathlib import Path

from . import charcheck, completeness, markup
from .diagnostics import ContentError
from .linker import KnowledgeBase, link
from .loader import load
from .publish import compilation, study


def load_knowledge_base(root: Path, *, strict: bool = False) -> KnowledgeBase:
    """The linked knowledge base under ``root``; raises ``ContentError`` with every error."""
    loaded = load(root)
    kb, link_errors = link(loaded.entries, loaded.broken)
    errors = loaded.errors + link_errors + markup.check_entries(loaded.entries)
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
