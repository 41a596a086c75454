"""Which cases a publication takes: one selection rule for compilations and study packs."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

from ..linker import KnowledgeBase
from ..loader import Entry
from ..schema import Select, region_path

Day = tuple[int, int, int]


def span(date: str) -> tuple[Day, Day]:
    """The first and last day a partial date covers: 2024-07 → (2024-07-01, 2024-07-31)."""
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return (year, 1, 1), (year, 12, 31)
    month = parts[1]
    if len(parts) == 2:
        return (year, month, 1), (year, month, calendar.monthrange(year, month)[1])
    return (year, month, parts[2]), (year, month, parts[2])


def in_region(case: Entry, wanted: str) -> bool:
    """A region and everything inside it: 湖北省 takes [湖北省, 咸宁市] and 湖北省咸宁市."""
    path = region_path(case.data.region)
    return wanted in path or "".join(path).startswith(wanted)


@dataclass
class Selection:
    cases: list[Entry]  # date ascending, then id
    # cases left out because their date straddles `from` or `to`: (case, which bound)
    straddling: list[tuple[Entry, str]] = field(default_factory=list)


def select(kb: KnowledgeBase, rule: Select) -> Selection:
    wanted_problems = descendants(kb, rule.problems)
    first = span(rule.from_)[0] if rule.from_ else None
    last = span(rule.to)[1] if rule.to else None
    has_filter = any((rule.kinds, first, last, rule.problems, rule.regions, rule.levels, rule.tags))
    picked: dict[str, Entry] = {}
    straddling: list[tuple[Entry, str]] = []
    # no filter key: nothing matches, and the edition is its `ids` alone
    for case in kb.of_kind("case") if has_filter else ():
        data = case.data
        if rule.kinds and data.kind not in rule.kinds:
            continue
        if wanted_problems and not wanted_problems & set(data.problems):
            continue
        if rule.regions and not any(in_region(case, r) for r in rule.regions):
            continue
        if rule.levels and data.level not in rule.levels:
            continue
        if rule.tags and not set(rule.tags) & set(data.tags):
            continue
        start, end = span(data.date)
        if first and start < first:
            if end >= first:
                straddling.append((case, "from"))
            continue
        if last and end > last:
            if start <= last:
                straddling.append((case, "to"))
            continue
        picked[case.id] = case
    for case_id in rule.ids:
        found = kb.entries.get(case_id)
        if found is not None and found.kind.name == "case":
            picked.setdefault(case_id, found)
    for case_id in rule.exclude:
        picked.pop(case_id, None)
    cases = sorted(picked.values(), key=date_order)
    return Selection(cases, sorted(straddling, key=lambda s: date_order(s[0])))


def date_order(case: Entry) -> tuple:
    return (span(case.data.date)[0], case.id)


def descendants(kb: KnowledgeBase, problem_ids: list[str]) -> set[str]:
    """The problems named and all their sub-problems."""
    found: set[str] = set()
    todo = [p for p in problem_ids if p in kb.entries]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(child.id for child in kb.children(kb.get(current)))
    return found
