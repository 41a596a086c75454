"""Writer: a document as PDF, printed from its print HTML by WeasyPrint."""

from __future__ import annotations

from . import print_html
from .document import Document
from .fonts import print_fonts
from .print_faces import compact_stacks, font_faces
from .print_html import Href


def write(document: Document, *, href: Href = lambda _: None) -> bytes:
    """Raises ``fonts.FontError`` (never a PDF of boxes) when no Chinese font is installed."""
    fonts = print_fonts()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    markup = print_html.write(document, fonts=compact_stacks(fonts), href=href)
    loaded = FontConfiguration()  # where WeasyPrint keeps the @font-face fonts it loads
    faces = CSS(string=font_faces(fonts, markup), font_config=loaded)
    # tagged PDF: screen readers follow headings and reading order
    return HTML(string=markup).write_pdf(
        stylesheets=[faces], font_config=loaded, pdf_tags=True, pdf_identifier=b"policykb"
    )
