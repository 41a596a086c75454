"""The citation an entry page offers to copy: what a cadre pastes into a report."""

from __future__ import annotations

from .linker import KnowledgeBase
from .loader import Entry
from .publish.blocks import date_label, region_label


def inner_quotes(text: str) -> str:
    return text.replace("“", "‘").replace("”", "’")


def _published(issuer: str | None, date: str | None) -> str:
    return "，".join(part for part in (issuer, date) if part)


def cite(kb: KnowledgeBase, entry: Entry) -> str:
    """Title, source, issuer, date and article, as Chinese documents cite: 《若干规定》第七条
    “考核不搞千分制”（中共中央办公厅 国务院办公厅，2024-08）. The page's address is added
    when copied: only the browser knows where the site is served."""
    data = entry.data
    source_id = getattr(data, "source", None)
    if entry.kind.name == "source":
        return f"《{data.title}》（{_published(data.issuer, date_label(data))}）"
    if entry.kind.name == "rule":
        source = kb.get(source_id).data
        named = f"“{inner_quotes(data.title)}”" if data.title and data.title != data.article else ""
        published = _published(source.issuer, date_label(source))
        return f"《{source.title}》{data.article}{named}（{published}）"
    by = getattr(data, "issuer", None) or region_label(getattr(data, "region", None))
    own = _published(by, date_label(data) or None)
    text = f"{entry.title}（{own or entry.kind.label}）"
    if source_id:
        source = kb.get(source_id).data
        text += f"，载《{source.title}》（{_published(source.issuer, date_label(source))}）"
    return text
