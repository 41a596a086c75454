"""Highlighted snippets from segmented text, marking the segments a query matched."""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Iterable

from .segment import SEPARATOR


def snippet(segmented: str, matches: Callable[[str], bool], *, width: int = 90) -> str:
    """About ``width`` characters around the densest run of matching segments, as HTML."""
    segments = [s for s in segmented.split(SEPARATOR)]
    hit_at = [i for i, s in enumerate(segments) if s.strip() and matches(s)]
    start = 0
    if hit_at:
        # Start a little before the first match of the window holding the most matches.
        best = max(hit_at, key=lambda i: sum(1 for j in hit_at if i <= j < i + 30))
        start = best
        chars = 0
        while start > 0 and chars < width // 4 and "\n" not in segments[start - 1]:
            start -= 1
            chars += len(segments[start])
    out: list[str] = []
    used = 0
    for i in range(start, len(segments)):
        if used >= width:
            out.append("…")
            break
        seg = segments[i].replace("\n", " ")
        used += len(seg)
        text = html.escape(seg)
        out.append(f"<mark>{text}</mark>" if i in hit_at else text)
    prefix = "…" if start > 0 else ""
    return prefix + "".join(out).strip()


def matcher(
    query_terms: Collection[str], expand: Callable[[str], Iterable[str]]
) -> Callable[[str], bool]:
    """True for a segment equal to a query term or containing one as a subword."""
    wanted = {t.lower() for t in query_terms}

    def matches(segment: str) -> bool:
        seg = segment.lower()
        if seg in wanted:
            return True
        # a subword is a substring: most segments hold no query term at all, and saying so
        # is far cheaper than listing their subwords (which made snippets 40% of a query)
        if not any(term in seg for term in wanted):
            return False
        return any(sub in wanted for sub in expand(seg))

    return matches
