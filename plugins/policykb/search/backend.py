"""The search interface every backend implements (whoosh here; a cluster engine elsewhere)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol

FACETS = ("kind", "problems", "region", "year")
# Only this much of a query is searched (search.js cuts at the same length): a pasted page
# of text must not turn into a query of thousands of terms.
MAX_QUERY_CHARS = 200


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


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    url: str
    score: float
    snippet: str  # HTML: escaped text with <mark> around matched words


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # display names of facet values that are ids: {"problems": {"dujiankao-guoduo": "督查…"}}
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

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
        }


class SearchBackend(Protocol):
    def search(self, query: SearchQuery) -> SearchResults: ...
