"""The order in which a kind's index lists its entries, and prev/next walks them."""

from __future__ import annotations

from .linker import KnowledgeBase
from .loader import Entry
from .pinyin import lazy_pinyin
from .schema import CASE_KIND_LABELS


def pinyin_key(text: str) -> tuple[list[str], str]:
    """Sorts like a Chinese dictionary: 层层加码 before 督查检查考核 before 一票否决."""
    return lazy_pinyin(text, tone3=True), text


def by_pinyin(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (pinyin_key(e.title), e.id))


def problem_tree(kb: KnowledgeBase, parent: str | None = None) -> list[tuple[Entry, int]]:
    """Every problem under ``parent`` with its depth, parents before their children."""
    out: list[tuple[Entry, int]] = []
    for p in by_pinyin([p for p in kb.of_kind("problem") if p.data.parent == parent]):
        out.append((p, 0))
        out.extend((child, depth + 1) for child, depth in problem_tree(kb, p.id))
    return out


def cases(kb: KnowledgeBase, case_kind: str) -> list[Entry]:
    """Newest first, as a news page lists them."""
    found = [c for c in kb.of_kind("case") if c.data.kind == case_kind]
    return sorted(found, key=lambda e: (e.data.date, e.id), reverse=True)


def reading_order(kb: KnowledgeBase, kind: str) -> list[Entry]:
    """A kind's entries in the order its index page lists them."""
    if kind == "problem":
        return [p for p, _ in problem_tree(kb)]
    if kind == "rule":
        return [r for _, rules in kb.rules_by_source() for r in rules]
    if kind == "case":
        return [c for case_kind in CASE_KIND_LABELS for c in cases(kb, case_kind)]
    if kind == "negative":
        return sorted(kb.of_kind("negative"), key=lambda e: (e.data.list, e.id))
    if kind == "source":
        return sorted(kb.of_kind("source"), key=lambda e: e.data.date, reverse=True)
    if kind == "compilation":
        return [edition.entry for edition in kb.editions.newest_first()]
    if kind == "study":
        return sorted((p.entry for p in kb.studies.published()), key=lambda e: e.data.title)
    return by_pinyin(kb.of_kind(kind))
