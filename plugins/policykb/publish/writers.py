"""The table of writers by format, as ``kinds.KINDS`` is the table of entry kinds.

Every writer takes a document and returns text or bytes; none knows of files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import docx, pdf, print_html
from .document import Document
from .fonts import SANS, SERIF, TITLE, FontError, PrintFonts, print_fonts
from .print_html import Href


@dataclass(frozen=True)
class Writer:
    format: str
    extension: str
    mimetype: str
    label: str  # shown in download links
    write: Callable[..., str | bytes]  # (document, *, href) → the file's content


def _html(document: Document, *, href: Href = lambda _: None) -> str:
    try:
        fonts = print_fonts()
    except FontError:  # a browser prints with whatever it has: name every stand-in
        fonts = PrintFonts(SERIF, SANS, TITLE)
    return print_html.write(document, fonts=fonts, href=href)


WRITERS: dict[str, Writer] = {
    w.format: w
    for w in (
        Writer("html", ".html", "text/html", "网页（打印版）", _html),
        Writer(
            "docx",
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word 文档（.docx）",
            docx.write,
        ),
        Writer("pdf", ".pdf", "application/pdf", "PDF", pdf.write),
    )
}
