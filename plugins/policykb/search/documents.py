"""One search document per entry, segmented once and shared by every index."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .. import numbering, urls
from ..linker import KnowledgeBase
from ..loader import Entry
from ..render import PLACE_SEPARATOR, number
from ..schema import region_path
from .segment import SEPARATOR, Segmenter, terms

# How much a match in each field counts, the same in every index.
FIELD_BOOSTS = {
    "title": 4.0,
    "aliases": 3.0,
    "tags": 2.0,
    "region": 1.5,
    "text": 1.0,
    "related": 0.5,
}


@dataclass(frozen=True)
class SearchDocument:
    id: str
    kind: str
    page: str  # Markdown path of its page; URLs are derived from it
    title: str  # plain
    title_seg: str  # segmented with SEPARATOR
    aliases_seg: str
    text_seg: str  # the entry's own text: indexed, and the source of snippets
    related_seg: str  # titles of the entries it links to: indexed only
    region: str
    region_seg: str
    level: str
    year: str
    problems: tuple[str, ...]
    remedies: tuple[str, ...]
    tags: tuple[str, ...]


def field_terms(doc: SearchDocument, segmenter: Segmenter) -> dict[str, list[str]]:
    """The index terms of each field: the segments, lowercased, with their subwords."""

    def of(segmented: str) -> list[str]:
        return terms(segmenter, segmented.split(SEPARATOR))

    return {
        "title": of(doc.title_seg),
        "aliases": of(doc.aliases_seg),
        "tags": [t.lower() for t in doc.tags],
        "region": of(doc.region_seg),
        "text": of(doc.text_seg),
        "related": of(doc.related_seg),
    }


def _text_of(kb: KnowledgeBase, entry: Entry) -> str:
    """Everything a reader could search for in an entry, as one text."""
    d = entry.data
    parts: list[str] = []
    for name in (
        "item",
        "text",
        "plain",
        "summary",
        "body",
        "description",
        "note",
        "article",
        "list",
        "issuer",
        "source_section",
        "edition",
        "preface",
    ):
        value = getattr(d, name, None)
        if isinstance(value, str):
            parts.append(value)
    parts.extend(getattr(d, "signs", None) or ())
    parts.extend(getattr(d, "keywords", None) or ())
    parts.extend(getattr(d, "objectives", None) or ())
    for fig in getattr(d, "figures", None) or ():
        parts.append(f"{fig.label} {fig.prefix}{number(fig.value)}{fig.unit}")
    return "\n".join(parts)


def item_labels(kb: KnowledgeBase, entry: Entry) -> list[str]:
    """A rule's part and item as readers ask for them: 一、切实精简文件, 第1条, 第一部分 …"""
    if entry.kind.name != "rule":
        return []
    d = entry.data
    parts = kb.entries[d.source].data.parts
    index = parts.index(d.part) + 1 if d.part in parts else None
    return ([d.part] if d.part else []) + numbering.search_labels(d.part, d.item, index)


def _related_of(kb: KnowledgeBase, entry: Entry) -> str:
    # A case about 督检考 is found by the problem's title too, though it never says it.
    return "\n".join(target.title for target in kb.outgoing(entry))


def _linked_ids(kb: KnowledgeBase, entry: Entry, kind: str) -> tuple[str, ...]:
    if entry.kind.name == kind:
        own = [entry.id]
    else:
        own = []
    linked = [t.id for t in kb.outgoing(entry) if t.kind.name == kind]
    # A problem's sub-types count as the problem: filtering by 督检考 finds 千分制 cases.
    if kind == "problem":
        for pid in list(linked) + own:
            parent = kb.entries[pid].data.parent
            while parent:
                linked.append(parent)
                parent = kb.entries[parent].data.parent
    return tuple(dict.fromkeys(own + linked))


def build_documents(kb: KnowledgeBase, segmenter: Segmenter) -> list[SearchDocument]:
    docs = []
    for entry in sorted(kb.published(), key=lambda e: e.id):
        d = entry.data
        region = PLACE_SEPARATOR.join(region_path(getattr(d, "region", None)))
        date = getattr(d, "date", None) or ""
        docs.append(
            SearchDocument(
                id=entry.id,
                kind=entry.kind.name,
                page=urls.page_path(entry),
                title=entry.title,
                title_seg=segmenter.segmented(entry.title),
                # an item's numbers are its other names: 第1条 is 严控文件数量
                aliases_seg=segmenter.segmented(
                    " ".join([*(getattr(d, "aliases", None) or ()), *item_labels(kb, entry)])
                ),
                text_seg=segmenter.segmented(_text_of(kb, entry)),
                related_seg=segmenter.segmented(_related_of(kb, entry)),
                region=region,
                region_seg=segmenter.segmented(" ".join(region_path(getattr(d, "region", None)))),
                level=getattr(d, "level", None) or "",
                year=date[:4],
                problems=_linked_ids(kb, entry, "problem"),
                remedies=_linked_ids(kb, entry, "remedy"),
                tags=tuple(getattr(d, "tags", None) or ()),
            )
        )
    return docs


def fingerprint(kb: KnowledgeBase, words: list[str]) -> str:
    """Changes whenever anything that goes into an index changes."""
    h = hashlib.sha256()
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        h.update(
            json.dumps(
                [entry.id, entry.kind.name, entry.data.model_dump(mode="json")],
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
        )
    h.update("\n".join(words).encode())
    return h.hexdigest()
