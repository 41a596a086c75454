"""Authors' Markdown fields as document blocks (markdown-it-py; raw HTML stays text)."""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..linker import WIKILINK
from .document import Block, Inline, Link, ListBlock, Paragraph, Quote, Table, Text

# A writer may only ever see these: a link to anything else is shown as its text.
SAFE_SCHEMES = ("http://", "https://", "mailto:")

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")

Resolve = Callable[[str], Link]  # an entry id → the link to it, with its title


def blocks(text: str | None, resolve: Resolve) -> list[Block]:
    if not text:
        return []
    kept = _KEPT.get(text)
    if kept is not None and all(resolve(i) == link for i, link in kept[1]):
        return list(kept[0])
    asked: list[tuple[str, Link]] = []

    def recording(entry_id: str) -> Link:
        link = resolve(entry_id)
        asked.append((entry_id, link))
        return link

    made = tuple(_Converter(recording).convert(_PARSER.parse(text)))
    if len(_KEPT) >= _KEPT_MAX:
        _KEPT.clear()  # (a dict's get and set are safe from serve's two threads; order is not)
    _KEPT[text] = (made, tuple(asked))
    return list(made)


# A case's summary and body show on its page, in each edition carrying it, in its Word and
# PDF files, and again each time `build.py serve` remakes an edition's pages: parsed once
# a process, kept with the links its [[ids]] resolved to (the same links, the same blocks).
# Blocks are frozen and small: every field of 5,000 entries is 7,600 texts, 3 MB.
_KEPT: dict[str, tuple[tuple[Block, ...], tuple[tuple[str, Link], ...]]] = {}
_KEPT_MAX = 1 << 15


def inlines(text: str | None, resolve: Resolve) -> tuple[Inline, ...]:
    """A one-paragraph field (a summary) as inlines; paragraphs joined by a space."""
    parts: list[Inline] = []
    for block in blocks(text, resolve):
        if isinstance(block, Paragraph):
            if parts:
                parts.append(Text(" "))
            parts.extend(block.inlines)
    return tuple(parts)


class _Converter:
    def __init__(self, resolve: Resolve):
        self.resolve = resolve

    def convert(self, tokens: list[Token]) -> list[Block]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = _closing(tokens, i)
            inner = tokens[i + 1 : end]
            if token.type in {"paragraph_open", "heading_open"}:
                strong = token.type == "heading_open"
                out.append(Paragraph(self.inline(inner, strong=strong)))
            elif token.type in {"bullet_list_open", "ordered_list_open"}:
                items = [self.inline_all(item) for item in _children(inner, "list_item_open")]
                out.append(ListBlock(tuple(items), ordered=token.type == "ordered_list_open"))
            elif token.type == "blockquote_open":
                out.append(Quote(self.inline_all(inner), title=""))
            elif token.type == "table_open":
                out.append(self.table(inner))
            elif token.type in {"fence", "code_block"}:
                out.append(Paragraph((Text(token.content.rstrip("\n")),)))
            i = end + 1
        return out

    def inline_all(self, tokens: list[Token]) -> tuple[Inline, ...]:
        parts: list[Inline] = []
        for token in tokens:
            if token.type == "inline":
                if parts:
                    parts.append(Text("；" if _ends_cjk(parts) else "; "))
                parts.extend(self.inline([token]))
        return tuple(parts)

    def inline(self, tokens: list[Token], *, strong: bool = False) -> tuple[Inline, ...]:
        parts: list[Inline] = []
        for token in tokens:
            if token.type != "inline":
                continue
            state = {"strong": strong, "em": False, "href": None, "text": ""}
            for child in token.children or []:
                self._child(child, state, parts)
        return tuple(_merge(parts))

    def _child(self, child: Token, state: dict, parts: list[Inline]) -> None:
        kind = child.type
        if kind == "strong_open":
            state["strong"] = True
        elif kind == "strong_close":
            state["strong"] = False
        elif kind == "em_open":
            state["em"] = True
        elif kind == "em_close":
            state["em"] = False
        elif kind == "link_open":
            state["href"] = str(child.attrs.get("href", ""))
            state["text"] = ""
        elif kind == "link_close":
            href, text = state["href"], state["text"]
            state["href"] = None
            if href.startswith(SAFE_SCHEMES):
                parts.append(Link(text or href, href))
            else:
                parts.append(Text(text))
        elif kind in {"softbreak", "hardbreak"}:
            self._text("" if _ends_cjk(parts) else " ", state, parts)
        elif kind in {"text", "code_inline", "html_inline"}:
            self._text(child.content, state, parts)
        elif kind == "image":
            self._text(child.content, state, parts)

    def _text(self, text: str, state: dict, parts: list[Inline]) -> None:
        if state["href"] is not None:
            state["text"] += text
            return
        pos = 0
        for m in WIKILINK.finditer(text):
            if m.start() > pos:
                parts.append(Text(text[pos : m.start()], state["strong"], state["em"]))
            parts.append(self.resolve(m.group(1).strip()))
            pos = m.end()
        if pos < len(text):
            parts.append(Text(text[pos:], state["strong"], state["em"]))

    def table(self, tokens: list[Token]) -> Table:
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        header: tuple[str, ...] = ()
        for row in _children(tokens, "tr_open"):
            cells = tuple(
                self.inline(cell) for cell in _children(row, "th_open") + _children(row, "td_open")
            )
            if not header and any(t.type == "th_open" for t in row):
                header = tuple("".join(i.text for i in c) for c in cells)
            else:
                rows.append(cells)
        return Table(header, tuple(rows))


def _closing(tokens: list[Token], i: int) -> int:
    """Index of the token closing ``tokens[i]`` (itself for a self-contained token)."""
    if tokens[i].nesting != 1:
        return i
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _children(tokens: list[Token], opener: str) -> list[list[Token]]:
    found = []
    i = 0
    while i < len(tokens):
        end = _closing(tokens, i)
        if tokens[i].type == opener:
            found.append(tokens[i + 1 : end])
            i = end + 1
        else:
            i += 1
    return found


_CJK_END = re.compile(r"[\u3000-\u9fff\uff00-\uffef]$")


def _ends_cjk(parts: list[Inline]) -> bool:
    return bool(parts) and bool(_CJK_END.search(parts[-1].text))


def _merge(parts: list[Inline]) -> list[Inline]:
    """Adjacent text runs of the same style as one."""
    merged: list[Inline] = []
    for part in parts:
        last = merged[-1] if merged else None
        if (
            isinstance(part, Text)
            and isinstance(last, Text)
            and (last.strong, last.emphasis) == (part.strong, part.emphasis)
        ):
            merged[-1] = Text(last.text + part.text, part.strong, part.emphasis)
        elif not (isinstance(part, Text) and not part.text):
            merged.append(part)
    return merged
