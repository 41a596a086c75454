"""Writer: a document as a Word file (.docx) in the layout of Chinese official documents.

GB/T 9704 page and type: A4 with margins 上 37 下 35 左 28 右 26 mm; title 方正小标宋简体 22 pt,
headings 黑体 16 pt, body 仿宋_GB2312 16 pt at 22 lines a page; page numbers "— 1 —".
Numbers (一、 1.) are the document's own text, so they read the same as the site page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable

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

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
# Word shows the alternative when an office machine lacks the font (w:altName).
FALLBACKS = {BODY_FONT: "仿宋", HEADING_FONT: "宋体", TITLE_FONT: "宋体", "宋体": "SimSun"}
LINE = 28.95  # pt: 22 lines in the 225 mm type area
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries: same content → same bytes

Href = Callable[[str], str | None]


def write(document: Document, *, href: Href = lambda _: None) -> bytes:
    return _DocxWriter(document, href).write()


class _DocxWriter:
    def __init__(self, document: Document, href: Href):
        import docx

        self.doc = document
        self.href = href
        self.word = docx.Document()
        self.bookmark_id = 0

    def write(self) -> bytes:
        self._page_setup()
        self._styles()
        self._fallback_fonts()
        self._cover()
        for block in self.doc.blocks:
            self.block(block)
        self._properties()
        self._update_fields_on_open()
        raw = io.BytesIO()
        self.word.save(raw)
        return _deterministic_zip(raw.getvalue())

    # set-up ---------------------------------------------------------------------------

    def _page_setup(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        section = self.word.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(25)
        section.different_first_page_header_footer = True  # no number on the title page
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(footer, "— ", "宋体", 14)
        _field(footer, "PAGE", "1", "宋体", 14)
        _run(footer, " —", "宋体", 14)

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Pt, RGBColor

        styles = self.word.styles
        normal = styles["Normal"]
        _style_font(normal, BODY_FONT, 16)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE)
        fmt.space_before = fmt.space_after = Pt(0)
        for name in ("Heading 1", "Heading 2", "Heading 3"):
            style = styles[name]
            _style_font(style, HEADING_FONT, 16)
            style.font.bold = False
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.space_before = Pt(LINE / 2)
            style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            style.paragraph_format.line_spacing = Pt(LINE)
            style.paragraph_format.keep_with_next = True
        title = styles.add_style("公文标题", WD_STYLE_TYPE.PARAGRAPH)
        title.base_style = normal
        _style_font(title, TITLE_FONT, 22)
        title.paragraph_format.line_spacing = Pt(36)
        for level in (1, 2):
            toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc.base_style = normal
            toc.paragraph_format.left_indent = Pt(32 * (level - 1))
        meta = styles.add_style("条目信息", WD_STYLE_TYPE.PARAGRAPH)
        meta.base_style = normal
        _style_font(meta, HEADING_FONT, 14)

    def _fallback_fonts(self) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        from lxml import etree

        table = None
        for rel in self.word.part.rels.values():
            if rel.reltype.endswith("/fontTable"):
                table = rel.target_part
        if table is None:
            return
        root = parse_xml(table.blob)
        for name, alternative in FALLBACKS.items():
            root.append(
                parse_xml(
                    f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
                    "</w:font>"
                )
            )
        table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _cover(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.shared import Pt

        d = self.doc
        for _ in range(3):
            self.word.add_paragraph()
        title = self.word.add_paragraph(style="公文标题")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(title, d.title, TITLE_FONT, 22)
        lines = [f"（{d.subtitle}）" if d.subtitle else "", "", d.issuer, chinese_date(d.date)]
        for line in lines:
            p = self.word.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = Pt(LINE) if line == d.issuer else Pt(0)
            if line:
                _run(p, line, BODY_FONT, 16)
        self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # blocks ---------------------------------------------------------------------------

    def block(self, block: Block) -> None:
        from docx.enum.text import WD_BREAK
        from docx.shared import Pt

        w = self.word
        if isinstance(block, Heading):
            p = w.add_paragraph(style=f"Heading {min(block.level, 3)}")
            self._bookmark(p, block.anchor, lambda: _run(p, block.label, HEADING_FONT, 16))
            for badge in block.badges:
                _run(p, f"【{badge}】", HEADING_FONT, 12)
        elif isinstance(block, Paragraph):
            style = "条目信息" if block.role == "meta" else None
            p = w.add_paragraph(style=style)
            if block.role not in {"meta", "source", "lead"}:
                p.paragraph_format.first_line_indent = Pt(32)
            self.inlines(p, block.inlines)
        elif isinstance(block, ListBlock):
            for n, item in enumerate(block.items, start=1):
                p = w.add_paragraph()
                p.paragraph_format.left_indent = Pt(32)
                p.paragraph_format.first_line_indent = Pt(-16 if not block.ordered else -24)
                _run(p, f"{n}. " if block.ordered else "· ", BODY_FONT, 16)
                self.inlines(p, item)
        elif isinstance(block, Table):
            table = w.add_table(rows=1, cols=len(block.header), style="Table Grid")
            for cell, label in zip(table.rows[0].cells, block.header, strict=True):
                _run(cell.paragraphs[0], label, HEADING_FONT, 14)
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    self.inlines(cell.paragraphs[0], value, size=14)
        elif isinstance(block, Figures):
            p = w.add_paragraph()
            _run(p, "数据：", HEADING_FONT, 16)
            parts = [f"{f.label} {f.prefix}{f.value}{f.unit}" for f in block.items]
            _run(p, "；".join(parts), BODY_FONT, 16)
        elif isinstance(block, Quote):
            p = w.add_paragraph()
            p.paragraph_format.left_indent = Pt(32)
            if block.title:
                _run(p, f"{block.title}：", HEADING_FONT, 16)
            self.inlines(p, block.inlines)
        elif isinstance(block, Aside):
            first, *rest = block.blocks or (Paragraph(()),)
            p = w.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _run(p, f"{block.title}：", HEADING_FONT, 16)
            if isinstance(first, Paragraph):
                self.inlines(p, first.inlines)
            else:
                self.block(first)
            for b in rest:
                self.block(b)
        elif isinstance(block, Contents):
            self._contents(block)
        elif isinstance(block, PageBreak):
            w.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Question):
            self._question(block)
        else:
            raise TypeError(f"no Word form for {type(block).__name__}")

    def _question(self, q: Question) -> None:
        from docx.shared import Pt

        p = self.word.add_paragraph()
        p.paragraph_format.keep_with_next = True
        _run(p, f"{q.number}.（{QUIZ_TYPE_LABELS[q.type]}）", HEADING_FONT, 16)
        _run(p, q.prompt + ("（　　）" if q.type != "fill" else ""), None, 16)
        for i, option in enumerate(q.options):
            o = self.word.add_paragraph()
            o.paragraph_format.left_indent = Pt(32)
            _run(o, f"{OPTION_LETTERS[i]}. {option}", None, 16)
        if q.reveal:
            a = self.word.add_paragraph()
            a.paragraph_format.left_indent = Pt(32)
            _run(a, "答案：", HEADING_FONT, 16)
            _run(a, answer_text(q), None, 16)
            for b in q.explanation:
                self.block(b)
            if q.refs:
                r = self.word.add_paragraph()
                r.paragraph_format.left_indent = Pt(32)
                _run(r, "考查：", HEADING_FONT, 16)
                for i, ref in enumerate(q.refs):
                    if i:
                        _run(r, "、", None, 16)
                    self._link(r, ref, 16)

    def inlines(self, p, inlines: tuple[Inline, ...], size: float = 16) -> None:
        for i in inlines:
            if isinstance(i, Link):
                self._link(p, i, size)
            elif isinstance(i, Badge):
                _run(p, f"【{i.text}】", HEADING_FONT, size)
            elif isinstance(i, Text):
                run = _run(p, i.text, HEADING_FONT if i.strong else None, size)
                run.italic = i.emphasis or None

    def _link(self, p, link: Link, size: float) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        if link.target.startswith("#"):
            attrs = {qn("w:anchor"): _bookmark_name(link.target[1:])}
            text = link.text
        else:
            address = self.href(link.target)
            if address is None:
                _run(p, link.text, None, size)
                return
            rel = p.part.relate_to(address, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            attrs = {qn("r:id"): rel}
            text = link.text + (f"（{address}）" if self.doc.print_addresses else "")
        hyperlink = OxmlElement("w:hyperlink")
        for key, value in attrs.items():
            hyperlink.set(key, value)
        run = _run(p, text, None, size)
        hyperlink.append(run._r)
        p._p.append(hyperlink)

    def _bookmark(self, p, anchor: str, add: Callable[[], object]) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        if not anchor:
            add()
            return
        self.bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmark_id))
        start.set(qn("w:name"), _bookmark_name(anchor))
        p._p.append(start)
        add()
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmark_id))
        p._p.append(end)

    def _contents(self, block: Contents) -> None:
        """Word's TOC field, filled with the headings: Word numbers the pages on opening."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

        heading = self.word.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(heading, block.title, HEADING_FONT, 16)
        entries = [h for h in self.doc.headings(block.depth) if h.anchor]
        first = self.word.add_paragraph(style="toc 1")
        _fld_char(first, "begin")
        _instr(first, f' TOC \\o "1-{block.depth}" \\h \\z \\u ')
        _fld_char(first, "separate")
        paragraph = first
        for n, h in enumerate(entries):
            if n:
                paragraph = self.word.add_paragraph(style=f"toc {min(h.level, 2)}")
            elif h.level > 1:
                paragraph.style = self.word.styles["toc 2"]
            _run(paragraph, h.label, None, 16)
        _fld_char(paragraph, "end")
        self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _properties(self) -> None:
        props = self.word.core_properties
        when = _datetime(self.doc.date)
        props.title = self.doc.title
        props.subject = self.doc.subtitle
        props.author = self.doc.issuer
        props.last_modified_by = self.doc.issuer
        props.created = props.modified = when
        props.revision = 1
        props.language = "zh-CN"
        props.comments = ""
        props.keywords = ""
        props.category = ""

    def _update_fields_on_open(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        settings = self.word.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # CT_Settings is a sequence: updateFields goes before these
        later = {
            "hdrShapeDefaults",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "mathPr",
            "attachedSchema",
            "themeFontLang",
            "clrSchemeMapping",
            "doNotIncludeSubdocsInStats",
            "doNotAutoCompressPictures",
            "forceUpgrade",
            "captions",
            "readModeInkLockDown",
            "smartTagType",
            "schemaLibrary",
            "shapeDefaults",
            "doNotEmbedSmartTags",
            "decimalSymbol",
            "listSeparator",
        }
        for child in settings:
            if child.tag.split("}")[-1] in later:
                child.addprevious(update)
                return
        settings.append(update)


# runs and fields ----------------------------------------------------------------------


def _run(p, text: str, font: str | None, size: float):
    from docx.shared import Pt

    run = p.add_run(text)
    run.font.size = Pt(size)
    if font:
        _set_fonts(run._r, font)
    return run


def _set_fonts(element, font: str) -> None:
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    fonts.set(qn("w:hint"), "eastAsia")


def _style_font(style, font: str, size: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.size = Pt(size)
    _set_fonts(style.element, font)
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _fld_char(p, kind: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = p.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def _instr(p, code: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = p.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    run._r.append(instr)


def _field(p, code: str, shown: str, font: str, size: float) -> None:
    _fld_char(p, "begin")
    _instr(p, f" {code} ")
    _fld_char(p, "separate")
    _run(p, shown, font, size)
    _fld_char(p, "end")


def _bookmark_name(anchor: str) -> str:
    # Word: letters, digits and _ only, at most 40 characters; a leading _ hides it from
    # the bookmark list, as Word does with its own _Toc marks. The hash keeps long ids apart.
    cleaned = "".join(c if c.isascii() and c.isalnum() else "_" for c in anchor)
    digest = hashlib.sha1(anchor.encode()).hexdigest()[:8]
    return f"_kb{cleaned[:26]}_{digest}"


def _datetime(date: str) -> dt.datetime:
    parts = [int(p) for p in date.split("-")] if date else [1980]
    parts += [1] * (3 - len(parts))
    return dt.datetime(*parts, tzinfo=dt.UTC)


def _deterministic_zip(blob: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
