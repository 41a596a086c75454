"""Long lists split into pages, so that no page grows with the knowledge base.

A list is a sequence of groups (a heading and its items; one group without a heading for a
flat list). Its first page keeps the list's address (cases/index.md); page k lives beside
it (cases/pages/k.md, or cases/by-year/2024/k.md for cases/by-year/2024.md): a folder,
so no page number can take an entry's address (entries are files, cases/<id>.md). A group
that runs over a page break goes on under its heading marked （续）, its total shown only
where it begins.

A list of the site breaks its pages where its items say (``_by_items``), not every
PAGE_SIZE items: one case added near the top of 5,000 would otherwise move an item onto
every later page, and each of them would be made again and reload in its readers'
browsers. The same items always give the same pages.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from . import urls
from .pinyin import lazy_pinyin

PAGE_SIZE = 200  # the most items a list page holds: about 35 KB, a sixth of them the theme
HUB_LIMIT = 20  # items of one kind an entry's page lists before linking to all of them
END_LABEL = "分页（页末）"  # the pager below the list
PAGER_WINDOW = 2  # page numbers shown either side of the current one

T = TypeVar("T")


@dataclass(frozen=True)
class Group(Generic[T]):
    """A group's share of one page: its items there, and how many it has in all."""

    key: object  # the group's heading (a name, an entry), None for a flat list
    items: list[T]
    total: int | None  # its items in all, where it begins (None on the pages it goes on)
    continued: bool  # it began on an earlier page


@dataclass(frozen=True)
class ListPage(Generic[T]):
    first: str  # the path of the list's first page
    path: str
    number: int  # from 1
    count: int  # pages of the list
    groups: list[Group[T]]


def page_path(first: str, number: int) -> str:
    """The Markdown path of page ``number`` of the list whose first page is ``first``."""
    if number == 1:
        return first
    stem = first.removesuffix(".md")
    folder = stem.removesuffix("/index") + "/pages" if stem.endswith("/index") else stem
    if stem == "index":
        folder = "pages"
    return f"{folder}/{number}.md"


def split(
    first: str, groups: Sequence[tuple[object, Sequence[T]]], size: int | None = None
) -> list[ListPage[T]]:
    """The list's pages, at least one: ``size`` items each, the last fewer (an edition's,
    whose cases are numbered on pages of their own); without ``size``, the pages of a list
    of entries, as ``_by_items`` breaks them."""
    flat = [(at, item) for at, (_, items) in enumerate(groups) for item in items]
    if size:
        chunks = [flat[i : i + size] for i in range(0, len(flat), size)] or [[]]
    else:
        chunks = _by_items(flat)
    pages: list[ListPage[T]] = []
    started: set[int] = set()  # groups by position: a key (an entry) need not be hashable
    for number, chunk in enumerate(chunks, 1):
        page_groups: list[Group[T]] = []
        last = None
        for at, item in chunk:
            if at != last:
                key, items = groups[at]
                total = None if at in started else len(items)
                page_groups.append(Group(key, [], total, at in started))
                started.add(at)
                last = at
            page_groups[-1].items.append(item)
        if not chunk:  # an empty list still shows its (empty) groups on its one page
            page_groups = [Group(key, [], 0, False) for key, _ in groups]
        pages.append(ListPage(first, page_path(first, number), number, len(chunks), page_groups))
    return pages


def _by_items(flat: list[tuple[int, T]]) -> list[list[tuple[int, T]]]:
    """A long list's items in pages of PAGE_SIZE / 2 to PAGE_SIZE: a page ends, once it
    holds the half, after an item whose id hashes to a multiple of PAGE_SIZE / 4 (about
    140 items a page). An item added or taken out moves the items of its own page only
    (the pages after it break at the same items), not every page after it."""
    if len(flat) <= PAGE_SIZE:
        return [flat]
    least, spread = PAGE_SIZE // 2, max(1, PAGE_SIZE // 4)
    chunks, page = [], []
    for at, item in flat:
        page.append((at, item))
        if len(page) >= PAGE_SIZE or (len(page) >= least and _mark(item) % spread == 0):
            chunks.append(page)
            page = []
    return [*chunks, page] if page else chunks


def _mark(item: object) -> int:
    """A number fixed by the item's entry (an entry, an edition or study pack by its entry,
    a problem of a tree with its depth), the same in every build."""
    entry = item[0] if isinstance(item, tuple) else item
    entry = getattr(entry, "entry", entry)
    return zlib.crc32(entry.id.encode("utf-8"))


def page_of(pages: Sequence[ListPage[T]], key: str | None) -> ListPage[T]:
    """The page on which the group ``key`` begins."""
    for p in pages:
        if any(g.key == key and not g.continued for g in p.groups):
            return p
    return pages[0]


def pager(page: ListPage, label: str = "分页") -> str:
    """上一页 · 1 … 4 5 [6] 7 8 … 70 · 下一页, as Markdown in a labelled nav (empty for one page);
    a page has one above its list and one below it, labelled apart (landmarks are unique).

    Links are Markdown links to the pages' .md paths, so MkDocs writes them for either URL
    style (cases/pages/2.html over file://, cases/pages/2/ over http)."""
    if page.count <= 1:
        return ""

    def link(number: int, text: str) -> str:
        return f"[{text}]({urls.relative(page.path, page_path(page.first, number))})"

    parts = []
    if page.number > 1:
        parts.append(link(page.number - 1, "上一页"))
    shown = sorted(
        {1, page.count}
        | set(
            range(
                max(1, page.number - PAGER_WINDOW), min(page.count, page.number + PAGER_WINDOW) + 1
            )
        )
    )
    previous = 0
    for number in shown:
        if number > previous + 1:
            parts.append("…")
        if number == page.number:
            parts.append(f'**{number}**{{: aria-current="page" }}')
        else:
            parts.append(link(number, str(number)))
        previous = number
    if page.number < page.count:
        parts.append(link(page.number + 1, "下一页"))
    status = f"第 {page.number} 页，共 {page.count} 页"
    return (
        f'<nav class="kb-pager" aria-label="{label}" markdown="1">\n\n'
        + " ".join(parts)
        + f' <span class="kb-pager__status">{status}</span>\n\n</nav>\n'
    )


def slug(name: str) -> str:
    """A file name for a group (a province, a level) as ASCII: its pinyin with tones, and a
    hash of the name when the pinyin is long or says nothing (hu2-bei3-sheng3)."""
    text = "-".join(lazy_pinyin(name, tone3=True))
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not text or len(text) > 40 or not re.fullmatch(r"[\u4e00-\u9fff0-9a-zA-Z]+", name):
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        text = f"{text[:32].rstrip('-')}-{digest}".lstrip("-")
    return text
