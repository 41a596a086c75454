"""A long edition read online in pages: its cases, a fixed number a page, each with a pager.

The edition's document (compilation.document) is the one its Word and PDF files print
whole; online, an edition of 600 cases would be a page of megabytes. Past CASES_PER_PAGE
cases the first page keeps the front matter (编者按, 与上期相比) and a 目录 of the groups
with links to the pages they start on; the cases follow, a group running over a page break
going on under its heading marked （续）. Page k is at compilations/<id>/k.md (listing).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import listing
from .publish.document import Block, Contents, Document, Heading, Link, ListBlock, Paragraph, Text

CASES_PER_PAGE = 40  # a case is 2–3 KB of HTML: a page stays near 150 KB


@dataclass(frozen=True)
class Part:
    page: listing.ListPage
    document: Document


def split(document: Document, first: str, case_ids: set[str], group_ids: set[str]) -> list[Part]:
    """The document's pages; one page (the document itself) when it is short."""
    blocks = list(document.blocks)
    at = next((i + 1 for i, b in enumerate(blocks) if isinstance(b, Contents)), 0)
    front, rest = blocks[:at], blocks[at:]
    units: list[tuple[Heading | None, list[Block]]] = []  # (its group, a case's blocks)
    group: Heading | None = None
    pending: list[Block] = []
    for block in rest:
        if isinstance(block, Heading) and block.anchor in group_ids:
            group, pending = block, [block]
        elif isinstance(block, Heading) and block.anchor in case_ids:
            units.append((group, [*pending, block]))
            pending = []
        elif units:
            units[-1][1].append(block)
        else:
            front.append(block)
    per_page = CASES_PER_PAGE
    if len(units) <= per_page:
        return [Part(listing.split(first, [(None, units)], per_page)[0], document)]
    pages = listing.split(first, [(None, units)], per_page)
    starts = {}  # the anchor of each group heading: the page it begins on
    for p in pages:
        for g, unit in p.groups[0].items:
            if g is not None and unit[0] is g:
                starts[g.anchor] = p.path
    parts = []
    for p in pages:
        body: list[Block] = []
        if p.number == 1:
            for b in front:
                body.extend(_contents(b, starts, pages) if isinstance(b, Contents) else [b])
        items = p.groups[0].items
        g, unit = items[0]
        if g is not None and unit[0] is not g:  # a group going on from the page before
            body.append(replace(g, text=g.text + "（续）", anchor=""))
        for _, unit in items:
            body.extend(unit)
        title = document.title if p.number == 1 else f"{document.title}（第 {p.number} 页）"
        parts.append(Part(p, replace(document, title=title, blocks=body)))
    return parts


def _contents(
    block: Contents, starts: dict[str, str], pages: list[listing.ListPage]
) -> list[Block]:
    """The 目录 of a split edition: its groups linked where they begin, or its pages."""
    items: list[tuple[Link]] = []
    if starts:
        labels = {g.anchor: g.label for p in pages for g, _ in p.groups[0].items if g}
        items = [(Link(labels[a], f"{path}#{a}"),) for a, path in starts.items()]
    else:
        for p in pages:
            units = p.groups[0].items
            span = f"{_number(units[0][1])}–{_number(units[-1][1])}"
            items.append((Link(f"第 {p.number} 页（第 {span} 个案例）", p.path),))
    return [Paragraph((Text(block.title, strong=True),)), ListBlock(tuple(items))]


def _number(unit: list[Block]) -> str:
    """The case's number (12 of "12. 标题")."""
    heading = next(b for b in unit if isinstance(b, Heading) and b.number.endswith("."))
    return heading.number.removesuffix(".")
