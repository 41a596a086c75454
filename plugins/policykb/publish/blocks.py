"""An entry as document blocks: the one layout its own page and every publication share."""

from __future__ import annotations

from .. import urls
from ..linker import KnowledgeBase
from ..loader import Entry
from ..numbering import rule_heading
from ..schema import CASE_KIND_LABELS, region_path
from . import markdown
from .document import (
    Aside,
    Block,
    Figure,
    Figures,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Text,
)


def link(entry: Entry, text: str | None = None) -> Link:
    return Link(text or entry.title, urls.page_path(entry))


STATUS_NOTES = {
    "已修订": "本条已修订，以下为修订前的文本，执行时以现行文本为准。",
    "已废止": "本条已废止，不再执行，仅供查阅。",
}


class EntryBlocks:
    """Builds the blocks of any entry of one knowledge base."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def resolve(self, entry_id: str) -> Link:
        return link(self.kb.get(entry_id))

    def md(self, text: str | None) -> list[Block]:
        return markdown.blocks(text, self.resolve)

    def md_inline(self, text: str | None) -> tuple[Inline, ...]:
        return markdown.inlines(text, self.resolve)

    def of(self, entry: Entry) -> list[Block]:
        build = getattr(self, f"_{entry.kind.name}", None)
        return build(entry) if build else self._described(entry)

    # one method per kind ------------------------------------------------------------

    def _case(self, entry: Entry) -> list[Block]:
        data = entry.data
        blocks: list[Block] = [Paragraph((Text(case_meta(entry)),), role="meta")]
        if data.figures:
            blocks.append(figures(data.figures))
        blocks.append(Aside("摘要", tuple(self.md(data.summary))))
        blocks.extend(self.md(data.body))
        rules = self.kb.in_rule_order(self.kb.outgoing(entry, "rules"))
        if rules:
            blocks.append(Paragraph((Text("相关条款", strong=True),)))
            blocks.append(ListBlock(tuple((link(r), Text("：" + rule_wording(r))) for r in rules)))
        blocks.append(self.source_line(entry))
        return blocks

    def _rule(self, entry: Entry) -> list[Block]:
        data = entry.data
        source = self.kb.get(data.source)
        meta = [data.article, data.status or "", f"施行 {data.effective or source.data.date}"]
        blocks: list[Block] = []
        if data.part or data.item:
            heading = rule_heading(data.part, data.item, entry.title)
            blocks.append(Paragraph((Text(heading, strong=True),)))
        blocks.append(
            Paragraph((link(source), Text(" · " + " · ".join(m for m in meta if m))), role="meta")
        )
        if data.status in STATUS_NOTES:
            # a cadre who lands here from a search must not act on a text no longer in force
            blocks.append(Aside(data.status, (Paragraph((Text(STATUS_NOTES[data.status]),)),)))
        if data.verbatim:
            blocks.append(Quote((Text(rule_wording(entry)),)))
        else:
            blocks.append(Aside("要点（据来源转述，非原文）", (Paragraph((Text(data.text),)),)))
        if data.figures:
            blocks.append(figures(data.figures))
        if data.plain:
            blocks.append(
                Paragraph((Text("通俗解读", strong=True), Text("："), *self.md_inline(data.plain)))
            )
        cited = self.kb.outgoing(entry, "cited_in")
        if cited:
            blocks.append(Paragraph((Text("引述来源", strong=True), Text("："), *_joined(cited))))
        return blocks

    def _negative(self, entry: Entry) -> list[Block]:
        data = entry.data
        meta = [data.list] + [x for x in (data.issuer, data.region) if x]
        blocks: list[Block] = [
            Paragraph((Text(" · ".join(meta)),), role="meta"),
            Quote((Text(data.item),), title="清单条目"),
        ]
        rules = self.kb.outgoing(entry, "rules")
        if rules:
            blocks.append(Paragraph((Text("依据条款", strong=True), Text("："), *_joined(rules))))
        if data.source:
            blocks.append(self.source_line(entry))
        return blocks

    def _described(self, entry: Entry) -> list[Block]:
        data = entry.data
        return self.md(getattr(data, "description", None) or getattr(data, "note", None))

    def source_line(self, entry: Entry) -> Paragraph:
        source = self.kb.get(entry.data.source)
        section = getattr(entry.data, "source_section", None)
        tail = (Text("，" + section),) if section else ()
        return Paragraph(
            (Text("来源", strong=True), Text("："), link(source), *tail), role="source"
        )


def case_meta(entry: Entry) -> str:
    """经验做法 · 甘肃省兰州新区 · 2024 · 县级"""
    data = entry.data
    parts = [CASE_KIND_LABELS[data.kind], region_label(data.region), date_label(data), data.level]
    return " · ".join(p for p in parts if p)


PLACE_SEPARATOR = " › "


def region_label(region: str | list[str] | tuple[str, ...] | None) -> str:
    """A region path as shown: 湖北省 › 咸宁市 › 咸安区."""
    return PLACE_SEPARATOR.join(region_path(region))


def is_anonymous(name: str) -> bool:
    """某市, 某区, xx县: a place the source does not name."""
    return name.startswith(("某", "xx", "XX", "××"))


def region_key(kb: KnowledgeBase, entry: Entry) -> tuple[str, ...]:
    """A case's place for grouping; an unnamed place is only itself within its own piece."""
    path = region_path(entry.data.region)
    out = []
    for name in path:
        if is_anonymous(name):
            where = entry.data.source_section or kb.get(entry.data.source).title
            name = f"{name}（{where}）"
        out.append(name)
        if is_anonymous(name.split("（")[0]):
            break  # below an unnamed place nothing can be shared with another piece
    return tuple(out) + path[len(out) :]


def date_label(data: object) -> str:
    """An entry's date as shown: an inferred one says so (2020（推定）)."""
    date = getattr(data, "date", None) or ""
    return f"{date}（推定）" if date and getattr(data, "date_inferred", False) else date


def rule_wording(rule: Entry) -> str:
    """A rule's text in quotation marks when it is the source's own wording."""
    text = rule.data.text
    if rule.data.verbatim:
        return "“" + text.replace("“", "‘").replace("”", "’") + "”"
    return text + "（转述）"


def figures(items) -> Figures:
    return Figures(tuple(Figure(f.label, number(f.value), f.unit, f.prefix) for f in items))


def number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _joined(entries: list[Entry]) -> tuple[Inline, ...]:
    parts: list[Inline] = []
    for i, entry in enumerate(entries):
        if i:
            parts.append(Text("、"))
        parts.append(link(entry))
    return tuple(parts)
