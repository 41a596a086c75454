"""The Atom feed (feed.xml): the newest cases and every compilation edition."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

from .. import urls
from ..linker import KnowledgeBase
from ..loader import Entry
from .blocks import case_meta
from .exports import titled
from .selection import span

PATH = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
log = logging.getLogger("mkdocs.plugins.policykb")


def atom(
    kb: KnowledgeBase, *, site_url: str | None, use_directory_urls: bool, size: int = 50
) -> str:
    if not site_url:
        log.warning(
            "policykb: site_url is not set in mkdocs.yml: feed.xml links are relative to the "
            "feed's own address, which some feed readers do not follow"
        )
    base = (site_url or "").rstrip("/") + "/" if site_url else ""

    def address(entry: Entry) -> str:
        return base + urls.site_url(urls.page_path(entry), use_directory_urls=use_directory_urls)

    cases = sorted(kb.of_kind("case"), key=lambda e: (span(e.data.date)[1], e.id), reverse=True)
    editions = kb.editions.newest_first() if kb.editions else []
    items = [(e.entry, "汇编") for e in editions] + [(c, "案例") for c in cases[:size]]
    items.sort(key=lambda item: (_updated(item[0]), item[0].id), reverse=True)

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-CN"})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "整治形式主义为基层减负知识库：最新案例与汇编"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = (base or "urn:policykb:") + PATH
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": base + PATH})
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = max(
        (_updated(e) for e, _ in items), default="1970-01-01T00:00:00Z"
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "减负知识库"
    for entry, label in items:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}title").text = f"【{label}】{entry.title}"
        ET.SubElement(item, f"{{{ATOM}}}id").text = (
            address(entry) if base else f"urn:policykb:{entry.kind.name}:{entry.id}"
        )
        ET.SubElement(item, f"{{{ATOM}}}link", {"rel": "alternate", "href": address(entry)})
        ET.SubElement(item, f"{{{ATOM}}}updated").text = _updated(entry)
        ET.SubElement(item, f"{{{ATOM}}}summary").text = _summary(kb, entry)
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _updated(entry: Entry) -> str:
    year, month, day = span(entry.data.date)[0]
    return f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"


def _summary(kb: KnowledgeBase, entry: Entry) -> str:
    data = entry.data
    if entry.kind.name == "case":
        return f"{case_meta(entry)}。{titled(kb, data.summary)}"
    edition = kb.editions.by_id[entry.id]
    return f"{data.edition}，收录 {len(edition.cases)} 个案例。" + titled(kb, data.preface or "")
