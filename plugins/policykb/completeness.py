"""Content rules a published knowledge base must meet (``strict``), beyond valid links."""

from __future__ import annotations

from .diagnostics import Diagnostic
from .linker import KnowledgeBase


def check(kb: KnowledgeBase) -> list[Diagnostic]:
    errors: list[Diagnostic] = []

    def report(entry, field: str, message: str) -> None:
        errors.append(entry.doc.diagnostic((field,) if field else (), message, key=True))

    for problem in kb.of_kind("problem"):
        if not kb.incoming(problem, "remedy"):
            report(problem, "title", "problem has no remedy: no remedy lists it in 'problems'")
        if not kb.cases(problem) and not any(kb.cases(c) for c in kb.children(problem)):
            report(problem, "title", "problem has no case: no case lists it in 'problems'")
    for remedy in kb.of_kind("remedy"):
        if not kb.cases(remedy):
            report(remedy, "title", "remedy has no case: no case lists it in 'remedies'")
    for entry in kb.entries.values():
        kind = entry.kind.name
        if kind == "negative" and entry.data.source is None:
            report(entry, "", "negative-list item has no 'source'")
        if kind in {"problem", "remedy"} and not entry.data.sources:
            report(entry, "", f"{kind} has no 'sources'")
        if (
            kind not in {"problem", "compilation", "study"}
            and not kb.incoming(entry)
            and not kb.outgoing(entry)
        ):
            report(entry, "", f"orphan {kind}: it links to nothing and nothing links to it")
    return errors
