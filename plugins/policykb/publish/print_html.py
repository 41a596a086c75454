"""Writer: a document as print HTML, laid out to GB/T 9704 (the PDF writer prints it)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ..schema import QUIZ_TYPE_LABELS
from .document import (
    OPTION_LETTERS,
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
    Text,
    answer_text,
    chinese_date,
)
from .fonts import PrintFonts

# A link target of the document → an address a reader can follow, or None (text only).
Href = Callable[[str], str | None]


def _stack(families: tuple[str, ...], generic: str) -> str:
    return ", ".join(f'"{f}"' for f in families) + f", {generic}"


def stylesheet(fonts: PrintFonts) -> str:
    serif, sans = _stack(fonts.serif, "serif"), _stack(fonts.sans, "sans-serif")
    title = _stack(fonts.title, "serif")
    # GB/T 9704: A4, 上 37 mm 下 35 mm 左 28 mm 右 26 mm; 三号 (16 pt) 仿宋 body, 22 lines
    # a page; page numbers 4号 in the form "— 1 —"; titles 2号 (22 pt) 小标宋.
    return f"""
@page {{
  size: A4;
  margin: 37mm 26mm 35mm 28mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: {serif}; font-size: 14pt; }}
}}
@page :first {{ @bottom-center {{ content: none; }} }}
html {{ font-family: {serif}; font-size: 16pt; line-height: 28.9pt; color: #000; }}
body {{ margin: 0; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
p.meta, p.source, p.lead, p.address, li p {{ text-indent: 0; }}
p.meta {{ font-family: {sans}; font-size: 14pt; }}
.cover {{ page: cover; break-after: page; text-align: center; padding-top: 40mm; }}
.cover h1 {{ font-family: {title}; font-size: 22pt; line-height: 1.5; font-weight: bold;
  margin: 0 0 12mm; bookmark-level: 1; }}
.cover p {{ text-indent: 0; text-align: center; }}
.cover .issuer {{ margin-top: 60mm; }}
h2, h3, h4 {{ font-family: {sans}; font-size: 16pt; font-weight: normal; line-height: 28.9pt;
  margin: 14pt 0 0; break-after: avoid; }}
h2 {{ bookmark-level: 2; }}
h3 {{ bookmark-level: 3; }}
h4 {{ bookmark-level: 4; }}
.badge {{ font-family: {sans}; font-size: 12pt; border: 0.6pt solid #000; padding: 0 2pt;
  margin-left: 4pt; }}
nav.toc {{ break-after: page; }}
nav.toc h2 {{ text-align: center; bookmark-level: 2; }}
nav.toc ul {{ list-style: none; margin: 0; padding: 0; }}
nav.toc li.l2 {{ padding-left: 2em; }}
nav.toc a {{ color: #000; text-decoration: none; }}
nav.toc a::after {{ content: leader(".") target-counter(attr(href), page); }}
blockquote, aside {{ margin: 6pt 0; padding: 0 0 0 1em; border-left: 2pt solid #000; }}
aside p, blockquote p {{ text-indent: 0; }}
.box-title {{ font-family: {sans}; text-indent: 0; }}
ul.figures {{ list-style: none; margin: 4pt 0; padding: 0; }}
ul.figures li {{ display: inline-block; margin: 0 1.2em 0 0; }}
ul.figures b {{ font-family: {sans}; font-weight: normal; }}
ul, ol {{ margin: 0; padding-left: 2em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14pt; line-height: 1.5; }}
th, td {{ border: 0.6pt solid #000; padding: 2pt 4pt; }}
a {{ color: #000; text-decoration: none; }}
.address {{ font-size: 12pt; }}
.page-break {{ break-after: page; }}
.question {{ margin: 6pt 0; break-inside: avoid; }}
.question p {{ text-indent: 0; }}
ol.options {{ list-style: none; padding-left: 2em; }}
p.answer {{ text-indent: 0; padding-left: 2em; }}
"""


def write(document: Document, *, fonts: PrintFonts, href: Href = lambda _: None) -> str:
    return _PrintWriter(document, href).write(stylesheet(fonts))


class _PrintWriter:
    def __init__(self, document: Document, href: Href):
        self.doc = document
        self.href = href

    def write(self, css: str) -> str:
        d = self.doc
        head = [
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">',
            f"<title>{escape(d.title)}</title>",
        ]
        if d.issuer:
            head.append(f'<meta name="author" content="{escape(d.issuer)}">')
        if d.date:
            head.append(f'<meta name="dcterms.created" content="{escape(_iso(d.date))}">')
        head.append(f"<style>{css}</style>\n</head>\n<body>")
        cover = ['<section class="cover">', f"<h1>{escape(d.title)}</h1>"]
        if d.subtitle:
            cover.append(f'<p class="subtitle">（{escape(d.subtitle)}）</p>')
        if d.issuer:
            cover.append(f'<p class="issuer">{escape(d.issuer)}</p>')
        if d.date:
            cover.append(f'<p class="date">{escape(chinese_date(d.date))}</p>')
        cover.append("</section>")
        body = [self.block(b) for b in d.blocks]
        return "\n".join([*head, *cover, *body, "</body>\n</html>\n"])

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            tag = f"h{min(block.level + 1, 6)}"
            anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
            badges = "".join(f'<span class="badge">{escape(b)}</span>' for b in block.badges)
            return f"<{tag}{anchor}>{escape(block.label)}{badges}</{tag}>"
        if isinstance(block, Paragraph):
            role = f' class="{escape(block.role)}"' if block.role else ""
            return f"<p{role}>{self.inlines(block.inlines)}</p>"
        if isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{self.inlines(i)}</li>" for i in block.items)
            return f"<{tag}>{items}</{tag}>"
        if isinstance(block, Table):
            head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{self.inlines(c)}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        if isinstance(block, Figures):
            items = "".join(
                f"<li>{escape(f.label)}：{escape(f.prefix)}<b>{escape(f.value)}</b>"
                f"{escape(f.unit)}</li>"
                for f in block.items
            )
            return f'<ul class="figures">{items}</ul>'
        if isinstance(block, Quote):
            title = f'<p class="box-title">{escape(block.title)}</p>' if block.title else ""
            return f"<blockquote>{title}<p>{self.inlines(block.inlines)}</p></blockquote>"
        if isinstance(block, Aside):
            inner = "".join(self.block(b) for b in block.blocks)
            return f'<aside><p class="box-title">{escape(block.title)}</p>{inner}</aside>'
        if isinstance(block, Contents):
            items = "".join(
                f'<li class="l{h.level}"><a href="#{escape(h.anchor)}">{escape(h.label)}</a></li>'
                for h in self.doc.headings(block.depth)
                if h.anchor
            )
            return f'<nav class="toc"><h2>{escape(block.title)}</h2><ul>{items}</ul></nav>'
        if isinstance(block, PageBreak):
            return '<div class="page-break"></div>'
        if isinstance(block, Question):
            return self.question(block)
        raise TypeError(f"no print form for {type(block).__name__}")

    def question(self, q: Question) -> str:
        parts = [
            f'<div class="question"><p class="prompt"><b>{q.number}.（'
            f"{QUIZ_TYPE_LABELS[q.type]}）</b>{escape(q.prompt)}"
            f"{'（　　）' if q.type != 'fill' else ''}</p>"
        ]
        if q.options:
            parts.append(
                '<ol class="options">'
                + "".join(
                    f"<li>{OPTION_LETTERS[i]}. {escape(o)}</li>" for i, o in enumerate(q.options)
                )
                + "</ol>"
            )
        if q.reveal:
            parts.append(f'<p class="answer"><b>答案：</b>{escape(answer_text(q))}</p>')
            parts.extend(self.block(b) for b in q.explanation)
            if q.refs:
                links = "、".join(self.link(r) for r in q.refs)
                parts.append(f'<p class="answer"><b>考查：</b>{links}</p>')
        return "".join(parts) + "</div>"

    def inlines(self, inlines: tuple[Inline, ...]) -> str:
        out = []
        for i in inlines:
            if isinstance(i, Link):
                out.append(self.link(i))
            elif isinstance(i, Badge):
                out.append(f'<span class="badge">{escape(i.text)}</span>')
            elif isinstance(i, Text):
                value = escape(i.text)
                if i.strong:
                    value = f"<strong>{value}</strong>"
                if i.emphasis:
                    value = f"<em>{value}</em>"
                out.append(value)
        return "".join(out)

    def link(self, link: Link) -> str:
        if link.target.startswith("#"):
            return f'<a href="{escape(link.target)}">{escape(link.text)}</a>'
        address = self.href(link.target)
        if address is None:
            return escape(link.text)
        shown = escape(link.text)
        if self.doc.print_addresses:
            shown += f'<span class="address">（{escape(address)}）</span>'
        return f'<a href="{escape(address)}">{shown}</a>'


def _iso(date: str) -> str:
    return date + "-01" * (2 - date.count("-"))
