"""What each document is, apart from its words: kind, region, date, level, issuer, 文种,
status and problems; the filters, facets and date order over them.

The whoosh side keeps these rows in ``table.json`` next to its index, the browser in
``search/kb/f.js``; search.js filters, counts and sorts with the same rules as here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .backend import FACETS

if TYPE_CHECKING:
    from .documents import SearchDocument

# A filter parameter → the facet it narrows.
FILTERS = {
    "kind": "kind",
    "problem": "problems",
    "region": "region",
    "year": "year",
    "level": "level",
    "issuer": "issuer",
    "doctype": "doctype",
}


@dataclass(frozen=True)
class Row:
    id: str
    kind: str
    title: str
    page: str
    region: str
    date: str
    level: str
    issuer: str
    doctype: str
    status: str
    problems: tuple[str, ...]

    @classmethod
    def of(cls, doc: SearchDocument) -> Row:
        return cls(
            doc.id,
            doc.kind,
            doc.title,
            doc.page,
            doc.region,
            doc.date,
            doc.level,
            doc.issuer,
            doc.doctype,
            doc.status,
            doc.problems,
        )

    def values(self, facet: str) -> tuple[str, ...]:
        if facet == "problems":
            return self.problems
        value = self.date[:4] if facet == "year" else getattr(self, facet)
        return (value,) if value else ()


def allowed(rows: list[Row], filters: dict[str, str]) -> Callable[[int], bool] | None:
    """A test of a row number for the filters given (``None``: no filter)."""
    tests = [(FILTERS[k], v) for k, v in filters.items() if v]
    if not tests:
        return None

    def ok(n: int) -> bool:
        row = rows[n]
        for facet, value in tests:
            if facet == "region":
                # 兰州 finds 甘肃省 · 兰州市 · 兰州新区
                if value not in row.region:
                    return False
            elif value not in row.values(facet):
                return False
        return True

    return ok


def facets(rows: list[Row], matched: Iterable[int]) -> dict[str, dict[str, int]]:
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for n in matched:
        for name in FACETS:
            counters[name].update(rows[n].values(name))
    return {name: _sorted_counts(c) for name, c in counters.items()}


def _sorted_counts(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def by_date(rows: list[Row], ranked: list[int]) -> list[int]:
    """Newest first (YYYY-MM-DD strings sort as their dates), undated last; the same date
    in rank order (a stable sort, as JavaScript's is)."""
    return sorted(ranked, key=lambda n: rows[n].date, reverse=True)
