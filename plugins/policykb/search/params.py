"""A search request from what a user typed: the one check the CLI and the API share."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .backend import SORTS, QueryError, SearchQuery

MAX_PER_PAGE = 50
# Far past the end of any knowledge base (such a page is empty), and short enough that
# int() never meets a number of thousands of digits.
MAX_PAGE = 1_000_000
MAX_FILTER_CHARS = 100
FIELDS = (
    "q",
    "kind",
    "region",
    "problem",
    "year",
    "page",
    "per_page",
    "level",
    "issuer",
    "doctype",
    "sort",
    "correct",
)


def search_query(
    values: Mapping[str, str | None],
    *,
    kinds: set[str],
    name: Callable[[str], str] = str,
) -> SearchQuery:
    """``values`` by API parameter name (``FIELDS``), as typed; ``name`` spells a parameter
    in messages as the caller's user knows it (``--limit`` on the command line)."""
    one = {key: (values.get(key) or "").strip() for key in FIELDS}
    if not one["q"]:
        raise QueryError(f"{name('q')} (the query) is required")
    kind = one["kind"] or None
    if kind and kind not in kinds:
        raise QueryError(f"{name('kind')} must be one of {', '.join(sorted(kinds))}")
    year = one["year"] or None
    if year and not (len(year) == 4 and year.isascii() and year.isdigit()):
        raise QueryError(f"{name('year')} must be four digits, e.g. 2024")
    sort = one["sort"] or "relevance"
    if sort not in SORTS:
        raise QueryError(f"{name('sort')} must be one of {', '.join(SORTS)}")
    if one["correct"] not in ("", "0", "1"):
        raise QueryError(f"{name('correct')} must be 0 or 1")
    for key in ("region", "problem", "level", "issuer", "doctype"):
        if len(one[key]) > MAX_FILTER_CHARS:
            raise QueryError(f"{name(key)} must be at most {MAX_FILTER_CHARS} characters")
    return SearchQuery(
        text=one["q"],
        kind=kind,
        region=one["region"] or None,
        problem=one["problem"] or None,
        year=year,
        page=_whole(one["page"], name("page"), default=1, most=MAX_PAGE),
        per_page=_whole(one["per_page"], name("per_page"), default=10, most=MAX_PER_PAGE),
        level=one["level"] or None,
        issuer=one["issuer"] or None,
        doctype=one["doctype"] or None,
        sort=sort,
        correct=one["correct"] != "0",
    )


def _whole(value: str, label: str, *, default: int, most: int) -> int:
    if not value:
        return default
    # isascii: str.isdigit() also accepts ² and ৩, which int() refuses or misreads
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(most))
    if not digits or not 1 <= int(value) <= most:
        raise QueryError(f"{label} must be a whole number from 1 to {most}")
    return int(value)
