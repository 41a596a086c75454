"""One search document per entry, segmented once and shared by every index."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from array import array
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace

from .. import cache, numbering, urls
from ..cache import Cache
from ..linker import WIKILINK, KnowledgeBase
from ..loader import Entry
from ..render import PLACE_SEPARATOR, number
from ..schema import region_path
from .segment import Segmenter, terms

# How much a match in each field counts, the same in every index.
FIELD_BOOSTS = {
    "title": 4.0,
    "aliases": 3.0,
    "tags": 2.0,
    "region": 1.5,
    "text": 1.0,
    "related": 0.5,
}
# BM25F length normalisation against fixed typical field lengths (in terms), not the
# corpus average: a document's weights then depend on that document alone, so an index
# updated in place for one changed entry needs no other document rewritten.
TYPICAL_LENGTH = {"title": 11, "aliases": 4, "tags": 2, "region": 2, "text": 90, "related": 40}
K1, B = 1.2, 0.75
WEIGHT_STEPS = 10  # weights are stored as whole tenths, the same in both indexes

# Synthetic terms: a document linked to a problem or remedy carries "@p:<id>" / "@r:<id>".
PROBLEM_TERM, REMEDY_TERM = "@p:", "@r:"


@dataclass(frozen=True)
class SearchDocument:
    id: str
    kind: str
    page: str  # Markdown path of its page; URLs are derived from it
    title: str  # plain
    region: str
    level: str
    year: str
    problems: tuple[str, ...]
    remedies: tuple[str, ...]
    tags: tuple[str, ...]
    date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    issuer: str = ""  # 发文机关 of a rule's or a source's document
    doctype: str = ""  # 文种: 规定, 通知, 意见 … from the document's title
    status: str = ""  # 已修订 / 已废止 for a rule that no longer stands as written
    prose: str = ""  # plain sentences of the entry's own text: the source of snippets
    # term → weight in whole tenths (BM25F, boosted and saturated), computed once here
    # and shared by the whoosh index and the in-browser index. The segmented texts they
    # are computed from are not kept: ten thousand documents' would be 17 MB, and as much
    # again in the cache, for nothing an index holds.
    weights: tuple[tuple[str, int], ...] = ()

    def content_hash(self) -> str:
        """Changes whenever anything an index holds of this document changes."""
        return self._content_hash

    @functools.cached_property  # once per document: one is replaced, never changed
    def _content_hash(self) -> str:
        parts: list[str | bytes] = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name != "weights":
                parts.append(repr(value) if isinstance(value, tuple) else value)  # of strings
        # the weights, most of a document, as two flat lists: a term has no white space
        # (see term_weights), so one a line
        parts.append("\n".join([term for term, _ in self.weights]))
        parts.append(array("q", [weight for _, weight in self.weights]).tobytes())
        return cache.key(*parts)[:16]


def field_terms(
    doc: SearchDocument, texts: dict[str, str], segmenter: Segmenter
) -> dict[str, list[str]]:
    """The index terms of each field (``texts``: see ``_unsegmented``): the segments,
    lowercased, with their subwords."""

    def of(field: str) -> list[str]:
        return terms(segmenter, segmenter.cut(texts[field]))

    return {
        "title": of("title"),
        "aliases": of("aliases"),
        "tags": [t.lower() for t in doc.tags],
        "region": of("region"),
        "text": of("text"),
        "related": of("related"),
    }


def term_weights(
    doc: SearchDocument, texts: dict[str, str], segmenter: Segmenter
) -> tuple[tuple[str, int], ...]:
    """The document's terms with their BM25F weights in tenths, sorted by term."""
    pseudo: dict[str, float] = {}  # boosted, length-normalised tf
    for f, words in field_terms(doc, texts, segmenter).items():
        norm = 1 - B + B * len(words) / TYPICAL_LENGTH[f]
        boost = FIELD_BOOSTS[f]
        for w, tf in Counter(words).items():
            pseudo[w] = pseudo.get(w, 0.0) + boost * tf / norm
    saturated = K1 + 1
    weights = {
        w: max(1, round(WEIGHT_STEPS * tf * saturated / (tf + K1))) for w, tf in pseudo.items()
    }
    # whoosh's weighted tokens are "term^weight", space-split: looked for once in them all
    if "" in weights or _UNSTORABLE.search("".join(weights)):
        weights = {w: v for w, v in weights.items() if w and not _UNSTORABLE.search(w)}
    for pid in doc.problems:
        weights[PROBLEM_TERM + pid] = WEIGHT_STEPS
    for rid in doc.remedies:
        weights[REMEDY_TERM + rid] = WEIGHT_STEPS
    return tuple([(w, weights[w]) for w in sorted(weights)])  # strings sort faster than pairs


def postings_of(docs: list[SearchDocument]) -> dict[str, list[int]]:
    """Per term the numbers (positions in ``docs``) and weights of the documents that have
    it, flat (n, weight, n, weight …) and ascending: the postings of both indexes. Flat,
    as two million pairs as tuples of their own were the build's peak at 10,000 entries:
    here a pair is two pointers (to the one number of its document, to a small int)."""
    postings: dict[str, list[int]] = {}
    of = postings.get
    for n, doc in enumerate(docs):
        for term, weight in doc.weights:
            flat = of(term)
            if flat is None:
                postings[term] = [n, weight]
            else:
                flat.append(n)
                flat.append(weight)
    return postings


_UNSTORABLE = re.compile(r"[\s^]")
_MARKDOWN = [
    (re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)]|#{1,6}|>)\s+", re.M), ""),  # list, heading, quote
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) → text
    (re.compile(r"(\*\*|__|\*|`|~~)"), ""),  # emphasis and code marks
    (re.compile(r"<[^>]*>"), ""),  # inline HTML
]
DOCTYPES = ("规定", "通知", "意见", "办法", "决定", "方案", "条例", "准则", "通报", "讲话", "报告")


def plain_text(kb: KnowledgeBase, text: str) -> str:
    """Markdown as the sentences a reader sees: [[id]] as the target's title, no markers."""

    def title(match: re.Match[str]) -> str:
        target = kb.entries.get(match.group(1).strip())
        return target.title if target else match.group(1)

    text = WIKILINK.sub(title, text)
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def _prose_of(kb: KnowledgeBase, entry: Entry) -> str:
    """The fields a snippet quotes: what the entry says, never its keywords or tags."""
    d = entry.data
    names = ("plain", "text", "item", "description", "summary", "body", "note", "preface")
    parts = [getattr(d, n) for n in names if isinstance(getattr(d, n, None), str)]
    if entry.kind.name == "rule" and d.plain:
        parts = [d.plain]  # the plain version says it in the reader's words
    return plain_text(kb, " ".join(parts))[:600]


def _source_of(kb: KnowledgeBase, entry: Entry) -> Entry | None:
    if entry.kind.name == "source":
        return entry
    source_id = getattr(entry.data, "source", None)
    if entry.kind.name in {"rule", "negative"} and source_id:
        return kb.entries.get(source_id)
    return None


def _document_of(kb: KnowledgeBase, entry: Entry) -> tuple[str, str]:
    """(issuer, 文种) of the document an entry is or belongs to."""
    d = entry.data
    source = _source_of(kb, entry)
    issuer = getattr(d, "issuer", None) or (source and source.data.issuer) or ""
    title = source.title if source else ""
    doctype = next((t for t in DOCTYPES if title.rstrip("》）)").endswith(t)), "")
    if not doctype and title:
        doctype = next((t for t in DOCTYPES if t in title), "")
    return issuer, doctype


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
    # [[id]] is read as its target's title, not as the id's pinyin letters
    return WIKILINK.sub(
        lambda m: kb.entries[m.group(1)].title if m.group(1) in kb.entries else "",
        "\n".join(parts),
    )


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


DOCUMENTS = "search-documents"  # the cache's namespace


def build_documents(
    kb: KnowledgeBase,
    segmenter: Segmenter,
    store: Cache | None = None,
    only: Collection[str] | None = None,
) -> list[SearchDocument]:
    """``store`` keeps each document between builds, under a key of all it is made of
    (``_document_key``): a rebuild makes again only the documents of what changed, and
    jieba cuts only their texts. ``only``: the documents of these entry ids alone (an
    edit under `build.py serve`)."""
    store = store or Cache(None)
    vocabulary = cache.key(*segmenter.words)
    shared = _Shared()
    docs: list[SearchDocument | None] = []
    pending = []  # (its place in docs, document without segments, its texts, its key)
    published = kb.published() if only is None else [e for e in kb.published() if e.id in only]
    for entry in sorted(published, key=lambda e: e.id):
        item = _document_key(kb, entry, vocabulary)
        kept = store.get(DOCUMENTS, item) if item else None
        if kept is not None:
            docs.append(_thawed(kept, shared))
        else:
            pending.append((len(docs), *_unsegmented(kb, entry), item))
            docs.append(None)
    # how much jieba has to cut decides how it reads its dictionary
    segmenter.prepare(sum(len(t) for _, _, texts, _ in pending for t in texts.values()), store)
    for at, doc, texts, item in pending:
        made = replace(doc, weights=shared.weights(term_weights(doc, texts, segmenter)))
        if item:
            store.put(DOCUMENTS, item, _frozen(made))
        docs[at] = made
    return docs  # type: ignore[return-value]  # every place filled


def _document_key(kb: KnowledgeBase, entry: Entry, vocabulary: str) -> str:
    """A key of everything the entry's document is made of: its own file, the glossary that
    cuts its texts, and what it reads of other entries: the ids, kinds and titles of those
    it links to (its related titles, its [[id]] links as text), its source's date, level,
    issuer and parts, and its problems' and remedies' ids (with their parents'). Whatever
    else of those entries changes leaves it as it is. "" (never kept): an entry not read
    from a file. Keep it in step with ``_unsegmented``."""
    if not entry.key:
        return ""
    parts = [vocabulary, entry.key]
    for target in kb.outgoing(entry):
        parts += [target.id, target.kind.name, target.title]
    source = _source_of(kb, entry)
    if source is not None:
        s = source.data
        facts = [s.date, s.level, s.issuer, s.parts]
        parts.append(json.dumps(facts, ensure_ascii=False, default=str))
    parts += ["\0".join(_linked_ids(kb, entry, kind)) for kind in ("problem", "remedy")]
    return cache.key(*parts)


def _unsegmented(kb: KnowledgeBase, entry: Entry) -> tuple[SearchDocument, dict[str, str]]:
    """The entry's document without its weights, and the texts of its fields they come
    from, by field (see ``FIELD_BOOSTS``)."""
    d = entry.data
    region = PLACE_SEPARATOR.join(region_path(getattr(d, "region", None)))
    source = _source_of(kb, entry)
    # a rule is as old, and as high, as the document it is in
    date = str(getattr(d, "date", None) or (source and source.data.date) or "")
    level = getattr(d, "level", None) or (source and source.data.level) or ""
    issuer, doctype = _document_of(kb, entry)
    status = getattr(d, "status", None) or ""
    doc = SearchDocument(
        id=entry.id,
        kind=entry.kind.name,
        page=urls.page_path(entry),
        title=entry.title,
        region=region,
        level=level,
        year=date[:4],
        problems=_linked_ids(kb, entry, "problem"),
        remedies=_linked_ids(kb, entry, "remedy"),
        tags=tuple(getattr(d, "tags", None) or ()),
        date=date,
        issuer=issuer,
        doctype=doctype,
        status=status if status in {"已修订", "已废止"} else "",
        prose=_prose_of(kb, entry),
    )
    texts = {
        "title": entry.title,
        # an item's numbers are its other names: 第1条 is 严控文件数量
        "aliases": " ".join([*(getattr(d, "aliases", None) or ()), *item_labels(kb, entry)]),
        "text": _text_of(kb, entry),
        "related": _related_of(kb, entry),
        "region": " ".join(region_path(getattr(d, "region", None))),
    }
    return doc, texts


class _Shared:
    """One object for each (term, weight) pair of all the documents: ten thousand entries
    hold some two million pairs but only tens of thousands of distinct ones, and a pair
    of its own per document (a tuple and a string) was most of their memory."""

    def __init__(self) -> None:
        self._pairs: dict[tuple[str, int], tuple[str, int]] = {}

    def weights(self, weights: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
        return tuple(map(self._pairs.setdefault, weights, weights))


def _frozen(doc: SearchDocument) -> dict[str, object]:
    """What the cache keeps of a document: its fields, texts as UTF-8 bytes (a str that
    pickle writes keeps a UTF-8 copy of itself for good), and its content hash."""
    fields = {
        name: value.encode() if isinstance(value, str) else value
        for name, value in ((n, getattr(doc, n)) for n in doc.__dataclass_fields__)
    }
    return {"fields": fields, "hash": doc.content_hash()}


def _thawed(kept: dict, shared: _Shared) -> SearchDocument:
    fields = {
        name: value.decode() if isinstance(value, bytes) else value
        for name, value in kept["fields"].items()
    }
    # shared again: a value read from the cache has pairs of its own shard
    fields["weights"] = shared.weights(fields["weights"])
    doc = SearchDocument(**fields)
    doc.__dict__["_content_hash"] = kept["hash"]  # as it was computed (a cached_property)
    return doc


def fingerprint(kb: KnowledgeBase, words: list[str]) -> str:
    """Changes whenever anything that goes into an index changes: an entry by its file's
    key (its bytes, path and kind) under the code that reads it, else by its data (an entry
    made without a file); dumping every entry's data was a quarter of an edit's index update."""
    from ..cache import code_version

    h = hashlib.sha256(code_version().encode())
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        if entry.key:
            h.update(f"{entry.id}\0{entry.key}\n".encode())
            continue
        h.update(
            json.dumps(
                [entry.id, entry.kind.name, entry.data.model_dump(mode="json")],
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
        )
    h.update("\n".join(words).encode())
    return h.hexdigest()
