"""Snippets: a window of an entry's own plain sentences, the query's words marked."""

from __future__ import annotations

import html
from collections.abc import Iterable


def marks(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Where the terms occur in ``text`` (case-insensitively), longest term first, never
    overlapping: the same rule as search.js's highlight()."""
    lower = text.lower()
    found: list[tuple[int, int]] = []
    for term in sorted({t for t in terms if t and not t.startswith("@")}, key=lambda t: -len(t)):
        start = 0
        while (at := lower.find(term, start)) >= 0:
            end = at + len(term)
            if not any(at < e and s < end for s, e in found):
                found.append((at, end))
            start = end
    return sorted(found)


def highlight(text: str, terms: Iterable[str]) -> str:
    out, last = [], 0
    for start, end in marks(text, terms):
        marked = html.escape(text[start:end])
        out.append(f"{html.escape(text[last:start])}<mark>{marked}</mark>")
        last = end
    return "".join(out) + html.escape(text[last:])


def snippet(text: str, terms: Iterable[str], *, width: int = 90) -> str:
    """About ``width`` characters of ``text`` around its densest run of matches, as HTML."""
    terms = list(terms)
    found = marks(text, terms)
    start = 0
    if found:
        best = max(found, key=lambda m: sum(1 for s, _ in found if m[0] <= s < m[0] + width))
        start = max(0, best[0] - width // 4)
        # begin at a sentence or a clause when one starts shortly before
        for stop in "。；，":
            cut = text.rfind(stop, start, best[0])
            if cut >= 0:
                start = cut + 1
                break
    window = text[start : start + width]
    more = "…" if start + width < len(text) else ""
    return ("…" if start else "") + highlight(window, terms) + more
