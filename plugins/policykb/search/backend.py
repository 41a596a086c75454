"""The search interface every backend implements (whoosh here; a cluster engine elsewhere)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol

from .engine import MAX_QUERY_CHARS  # noqa: F401  (re-exported: callers cut queries alike)

FACETS = ("kind", "problems", "region", "year", "level", "issuer", "doctype")
SORTS = ("relevance", "date")


class QueryError(ValueError):
    """A search request the user must correct (unknown filter value, bad page…)."""


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kind: str | None = None
    region: str | None = None
    problem: str | None = None
    year: str | None = None
    page: int = 1
    per_page: int = 10
    level: str | None = None
    issuer: str | None = None
    doctype: str | None = None
    sort: str = "relevance"
    correct: bool = True  # False: search what was typed, even when it finds nothing

    def filters(self) -> dict[str, str]:
        names = ("kind", "problem", "region", "year", "level", "issuer", "doctype")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    url: str
    score: float
    snippet: str  # HTML: escaped plain text with <mark> around matched words
    region: str = ""
    date: str = ""
    level: str = ""
    issuer: str = ""
    doctype: str = ""
    status: str = ""  # 已修订 / 已废止, else empty


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # display names of facet values that are ids: {"problems": {"dujiankao-guoduo": "督查…"}}
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)  # the words searched (to highlight)
    corrected: str | None = None  # the query searched instead, when the typed one finds nothing

    @property
    def pages(self) -> int:
        return -(-self.total // self.query.per_page)

    def to_json(self) -> dict[str, object]:
        return {
            "query": asdict(self.query),
            "total": self.total,
            "pages": self.pages,
            "hits": [asdict(h) for h in self.hits],
            "facets": self.facets,
            "labels": self.labels,
            "terms": self.terms,
            "corrected": self.corrected,
        }


class SearchBackend(Protocol):
    def search(self, query: SearchQuery) -> SearchResults: ...
