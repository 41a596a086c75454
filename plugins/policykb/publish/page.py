"""Writer: a document as the Markdown of a site page (MkDocs + Material renders it)."""

from __future__ import annotations

import html
import json
import re

from .. import htmlblocks, urls
from ..schema import QUIZ_TYPE_LABELS
from .document import (
    FALSE,
    OPTION_LETTERS,
    TRUE,
    Aside,
    Badge,
    Block,
    Contents,
    Document,
    Figures,
    Heading,
    Inline,
    Link,
    ListBlock,
    PageBreak,
    Paragraph,
    Question,
    Quote,
    Table,
    answer_text,
)

# Characters Python-Markdown gives a meaning to inside a line: emphasis, code, links,
# attribute lists ({: onclick=…}), headings, table cells. `<` and `&` become entities instead,
# since Python-Markdown has no backslash escape for `<`.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#|!])")
# what would start a list or a setext heading at the start of a line: "1. ", "1) ", "- ", "+ "
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])(?=\s|$)|^(\s*)([-+])(?=\s|$)|^(\s*)([=-]+)\s*$")


def text(value: str) -> str:
    """Plain text made inert inside Markdown: no emphasis, links, lists or HTML."""
    value = html.escape(value, quote=False)
    value = _MD_SPECIAL.sub(r"\\\1", value).replace("\n", " ")
    return _LINE_START.sub(_inert_line_start, value)


def _inert_line_start(m: re.Match[str]) -> str:
    if m.group(3):
        return f"{m.group(1)}{m.group(2)}\\{m.group(3)}"
    if m.group(5):
        return f"{m.group(4)}\\{m.group(5)}"
    return f"{m.group(6)}\\{m.group(7)}"


def write(document: Document, page: str, *, title: bool = True) -> str:
    """The Markdown of ``document`` as the page at ``page`` (links are made relative to it)."""
    return _PageWriter(document, page).write(title=title)


def write_blocks(blocks: list[Block], page: str) -> str:
    """Blocks inside a page that has its own title and sections (an entry's page)."""
    return _PageWriter(Document("", list(blocks)), page).body()


class _PageWriter:
    def __init__(self, document: Document, page: str):
        self.doc = document
        self.page = page

    def write(self, *, title: bool) -> str:
        parts = []
        if title:
            parts.append(f"# {text(self.doc.title)}\n")
        byline = " · ".join(x for x in (self.doc.subtitle, self.doc.issuer, self.doc.date) if x)
        if byline:
            parts.append(f'<p class="kb-byline">{html.escape(byline)}</p>\n')
        if self.doc.downloads:
            links = " · ".join(
                f"[{text(d.label)}]({urls.relative(self.page, d.href)})" for d in self.doc.downloads
            )
            parts.append(f"**下载**：{links}\n")
        parts.append(self.body())
        return "\n".join(parts)

    def body(self) -> str:
        return "".join(self.block(b) for b in self.doc.blocks)

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            hashes = "#" * min(block.level + 1, 6)
            anchor = f" {{#{block.anchor}}}" if block.anchor else ""
            # badges below the heading, not in it: they stay out of the page's side 目录
            badges = "".join(_badge(b) for b in block.badges)
            below = f'<p class="kb-badges">{badges}</p>\n\n' if badges else ""
            return f"{hashes} {text(block.label)}{anchor}\n\n{below}"
        if isinstance(block, Paragraph):
            content = self.inlines(block.inlines)
            role = f"\n{{: .kb-{block.role} }}" if block.role else ""
            return f"{content}{role}\n\n"
        if isinstance(block, ListBlock):
            lines = []
            for n, item in enumerate(block.items, start=1):
                marker = f"{n}." if block.ordered else "-"
                lines.append(f"{marker} {self.inlines(item)}")
            return "\n".join(lines) + "\n\n"
        if isinstance(block, Table):
            header = "| " + " | ".join(_cell(text(h)) for h in block.header) + " |"
            rule = "|" + "---|" * len(block.header)
            rows = [
                "| " + " | ".join(_cell(self.inlines(c)) for c in row) + " |" for row in block.rows
            ]
            return "\n".join([header, rule, *rows]) + "\n\n"
        if isinstance(block, Figures):
            cards = "".join(_figure(f) for f in block.items)
            # set aside while Python-Markdown reads the page, as the lists are: a page
            # with no tag left is not scanned for raw HTML (generated_render)
            return htmlblocks.block(f'<div class="kb-figures">\n{cards}</div>')
        if isinstance(block, Quote):
            title = f' "{block.title}"' if block.title else ' ""'
            return f"!!! quote{title}\n\n    {self.inlines(block.inlines)}\n\n"
        if isinstance(block, Aside):
            inner = "".join(self.block(b) for b in block.blocks)
            kind = "abstract" if block.title in {"摘要", "编者按"} else "note"
            indented = "".join(f"    {line}\n" if line else "\n" for line in inner.splitlines())
            return f'!!! {kind} "{block.title}"\n\n{indented}\n'
        if isinstance(block, Contents):
            return self.contents(block)
        if isinstance(block, PageBreak):
            return ""
        if isinstance(block, Question):
            return self.question(block)
        raise TypeError(f"no page form for {type(block).__name__}")

    def question(self, q: Question) -> str:
        prompt = f"**{q.number}.（{QUIZ_TYPE_LABELS[q.type]}）** {text(q.prompt)}"
        feedback = []
        if q.answers:
            feedback.append(f"**正确答案**：{text(answer_text(q))}\n\n")
        feedback.extend(self.block(b) for b in q.explanation)
        if q.refs:
            links = "、".join(self.inlines((r,)) for r in q.refs)
            feedback.append(f"**考查**：{links}\n\n")
        if q.reveal:
            options = "".join(
                f"- {OPTION_LETTERS[i]}. {text(o)}\n" for i, o in enumerate(q.options)
            )
            return f"{prompt}\n\n{options}\n" + "".join(feedback)
        # an item the reader answers: quiz.js scores it against data-kb-answer
        name = f"q{q.number}"
        if q.type == "fill":
            field = (
                f'<input type="text" class="kb-quiz__fill" name="{name}" '
                f'aria-label="第{q.number}题的答案" autocomplete="off">'
            )
        else:
            kind = "checkbox" if q.type == "multiple" else "radio"
            choices = q.options if q.type != "truefalse" else (TRUE, FALSE)
            field = "".join(
                f'<label class="kb-quiz__option"><input type="{kind}" name="{name}" '
                f'value="{html.escape(c)}"> {_letter(q, i)}{html.escape(c)}</label>'
                for i, c in enumerate(choices)
            )
        answer = html.escape(json.dumps(list(q.answers), ensure_ascii=False))
        scored = f' data-kb-answer="{answer}"' if q.answers else ""
        hidden = "".join(feedback)
        legend = (
            f"<strong>{q.number}.（{QUIZ_TYPE_LABELS[q.type]}）</strong>{html.escape(q.prompt)}"
        )
        return (
            f'<fieldset class="kb-quiz__item" data-kb-type="{q.type}"{scored} markdown="1">\n'
            f"<legend>{legend}</legend>\n\n"
            f'<div class="kb-quiz__choices">{field}</div>\n\n'
            f'<div class="kb-quiz__feedback" hidden markdown="1">\n\n{hidden}</div>\n\n'
            "</fieldset>\n\n"
        )

    def contents(self, block: Contents) -> str:
        lines = [f'<nav class="kb-contents" aria-label="{block.title}" markdown>\n']
        lines.append(f"**{block.title}**\n")
        for h in self.doc.headings(block.depth):
            if not h.anchor:
                continue
            indent = "    " * (h.level - 1)
            lines.append(f"{indent}- [{text(h.label)}](#{h.anchor})")
        lines.append("\n</nav>\n\n")
        return "\n".join(lines)

    def inlines(self, inlines: tuple[Inline, ...] | list[Inline]) -> str:
        out = []
        for i in inlines:
            if isinstance(i, Link):
                out.append(f"[{text(i.text)}]({self.href(i.target)})")
            elif isinstance(i, Badge):
                out.append(_badge(i.text))
            elif i.strong and i.text.strip():
                out.append(f"**{text(i.text)}**")
            elif i.emphasis and i.text.strip():
                out.append(f"*{text(i.text)}*")
            else:
                out.append(text(i.text))
        return "".join(out)

    def href(self, target: str) -> str:
        if target.startswith("#") or "://" in target or target.startswith("mailto:"):
            return target.replace(" ", "%20").replace(")", "%29")
        path, _, anchor = target.partition("#")
        return urls.relative(self.page, path) + (f"#{anchor}" if anchor else "")


def _letter(q: Question, i: int) -> str:
    return f"{OPTION_LETTERS[i]}. " if q.type in {"single", "multiple"} else ""


def _badge(label: str) -> str:
    return f'<span class="kb-badge">{html.escape(label)}</span>'


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _figure(f) -> str:
    prefix = f'<span class="kb-figure__prefix">{html.escape(f.prefix)}</span>' if f.prefix else ""
    return (
        f'<div class="kb-figure">{prefix}<span class="kb-figure__value">{html.escape(f.value)}'
        f'</span><span class="kb-figure__unit">{html.escape(f.unit)}</span>'
        f'<span class="kb-figure__label">{html.escape(f.label)}</span></div>\n'
    )
