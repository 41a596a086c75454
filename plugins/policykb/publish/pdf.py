"""Writer: a document as PDF, printed from its print HTML by WeasyPrint."""

from __future__ import annotations

from . import print_html
from .document import Document
from .fonts import print_fonts
from .print_html import Href


def write(document: Document, *, href: Href = lambda _: None) -> bytes:
    """Raises ``fonts.FontError`` (never a PDF of boxes) when no Chinese font is installed."""
    fonts = print_fonts()
    from weasyprint import HTML

    markup = print_html.write(document, fonts=fonts, href=href)
    # tagged PDF: screen readers follow headings and reading order
    return HTML(string=markup).write_pdf(pdf_tags=True, pdf_identifier=b"policykb")
