"""The embedded search engine: a whoosh index over the search documents.

Documents arrive already segmented (see ``documents``), so the whoosh analyzer only
splits on the separator; queries are segmented with the same glossary, which is saved
next to the index so that a later process cuts queries exactly as the build cut text.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from .. import urls
from ..fsutil import swap_in
from ..linker import KnowledgeBase
from .backend import FACETS, Hit, QueryError, SearchQuery, SearchResults
from .documents import FIELD_BOOSTS, SearchDocument, build_documents, field_terms, fingerprint
from .segment import Segmenter, terms
from .snippet import matcher, snippet

FORMAT = "policykb-whoosh-2"  # bump when fields or analysis change
_SPLIT = RegexTokenizer(r"[^\u200b\s]+") | LowercaseFilter()


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        page=STORED,
        title_plain=STORED,
        title=TEXT(analyzer=_SPLIT, field_boost=FIELD_BOOSTS["title"]),
        aliases=TEXT(analyzer=_SPLIT, field_boost=FIELD_BOOSTS["aliases"]),
        text=TEXT(analyzer=_SPLIT, field_boost=FIELD_BOOSTS["text"]),
        text_seg=STORED,
        related=TEXT(analyzer=_SPLIT, field_boost=FIELD_BOOSTS["related"]),
        region=TEXT(analyzer=_SPLIT, field_boost=FIELD_BOOSTS["region"]),
        region_name=ID(stored=True),
        level=ID(stored=True),
        year=ID(stored=True),
        problems=KEYWORD(commas=True, stored=True),
        remedies=KEYWORD(commas=True, stored=True),
        tags=TEXT(analyzer=_SPLIT, field_boost=FIELD_BOOSTS["tags"]),
    )


@dataclass(frozen=True)
class IndexMeta:
    format: str
    fingerprint: str
    use_directory_urls: bool
    words: list[str]
    # alias or title (lowercase) → [kind, id] of the problem/remedy it names
    aliases: dict[str, list[list[str]]]


def alias_table(kb: KnowledgeBase) -> dict[str, list[list[str]]]:
    table: dict[str, list[list[str]]] = {}
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        if entry.kind.name not in {"problem", "remedy"}:
            continue
        for name in (entry.data.title, *entry.data.aliases):
            table.setdefault(name.lower(), []).append([entry.kind.name, entry.id])
    return table


def build(
    kb: KnowledgeBase,
    directory: Path,
    *,
    use_directory_urls: bool,
    segmenter: Segmenter | None = None,
    documents: list[SearchDocument] | None = None,
) -> IndexMeta:
    """Write a fresh index to ``directory``, replacing the old one only once complete."""
    segmenter = segmenter or Segmenter.for_kb(kb)
    documents = documents if documents is not None else build_documents(kb, segmenter)
    meta = IndexMeta(
        FORMAT,
        fingerprint(kb, segmenter.words),
        use_directory_urls,
        segmenter.words,
        alias_table(kb),
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=directory.parent))
    try:
        ix = windex.create_in(staging, schema())
        with ix.writer(limitmb=128) as writer:
            for doc in documents:
                writer.add_document(**_fields(doc, segmenter))
        (staging / "meta.json").write_text(
            json.dumps(meta.__dict__, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        swap_in(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return meta


def _fields(doc: SearchDocument, segmenter: Segmenter) -> dict[str, object]:
    indexed = {name: " ".join(words) for name, words in field_terms(doc, segmenter).items()}
    return {
        "id": doc.id,
        "kind": doc.kind,
        "page": doc.page,
        "title_plain": doc.title,
        "text_seg": doc.text_seg,
        "region_name": doc.region,
        "level": doc.level,
        "year": doc.year,
        "problems": ",".join(doc.problems),
        "remedies": ",".join(doc.remedies),
        **indexed,
    }


def read_meta(directory: Path) -> IndexMeta | None:
    try:
        raw = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        return IndexMeta(**raw)
    except (OSError, ValueError, TypeError):
        return None


def is_current(directory: Path, kb: KnowledgeBase, words: list[str]) -> bool:
    meta = read_meta(directory)
    return bool(meta and meta.format == FORMAT and meta.fingerprint == fingerprint(kb, words))


class WhooshSearch:
    """Answers ``SearchQuery``s from an index directory built by ``build``."""

    def __init__(self, directory: Path):
        meta = read_meta(directory)
        if meta is None or meta.format != FORMAT:
            raise FileNotFoundError(f"no search index in {directory}: run 'build.py build'")
        self.meta = meta
        self.index = windex.open_dir(directory)
        self.segmenter = Segmenter(meta.words)
        with self.index.searcher() as searcher:
            self.problem_titles = {
                doc["id"]: doc["title_plain"] for doc in searcher.documents(kind="problem")
            }

    def close(self) -> None:
        self.index.close()

    def query_terms(self, text: str) -> list[str]:
        return list(dict.fromkeys(terms(self.segmenter, self.segmenter.cut(text))))

    def _aliases_in(self, text: str) -> list[list[str]]:
        lowered = text.lower()
        found = []
        for alias, targets in self.meta.aliases.items():
            if alias in lowered:
                found.extend(targets)
        return found

    def _text_query(self, text: str, words: list[str]) -> wq.Query | None:
        clauses: list[wq.Query] = []
        for word in words:
            clauses.append(wq.Or([wq.Term(f, word) for f in FIELD_BOOSTS]))
        for kind, target in self._aliases_in(text):
            # 督检考 names a problem: find it, and everything that links to it.
            clauses.append(wq.Term("id", target, boost=40.0))
            field = "problems" if kind == "problem" else "remedies"
            clauses.append(wq.Term(field, target, boost=2.0))
        if not clauses:
            return None
        # scale rewards documents that match more of the query's words
        return wq.Or(clauses, scale=0.9)

    def _filter(self, q: SearchQuery) -> wq.Query | None:
        parts: list[wq.Query] = []
        if q.kind:
            parts.append(wq.Term("kind", q.kind))
        if q.year:
            parts.append(wq.Term("year", q.year))
        if q.problem:
            parts.append(wq.Term("problems", self._problem_id(q.problem)))
        if q.region:
            words = self.query_terms(q.region)
            if not words:
                raise QueryError(f"region '{q.region}' has no searchable words")
            parts.extend(
                wq.Term("region", w)
                for w in self.segmenter.cut(q.region.lower())
                if self.segmenter.is_indexable(w)
            )
        return wq.And(parts) if parts else None

    def _problem_id(self, name: str) -> str:
        for kind, target in self.meta.aliases.get(name.lower(), []):
            if kind == "problem":
                return target
        with self.index.searcher() as s:
            if s.document(id=name, kind="problem"):
                return name
        raise QueryError(f"unknown problem '{name}': give a problem id, title or alias")

    def search(self, q: SearchQuery) -> SearchResults:
        if q.page < 1:
            raise QueryError("page must be 1 or more")
        words = self.query_terms(q.text)
        text_query = self._text_query(q.text, words)
        filter_query = self._filter(q)
        if text_query is None:
            return SearchResults(q, 0, [], {name: {} for name in FACETS})
        facets = {
            "kind": sorting.FieldFacet("kind", maptype=sorting.Count),
            "problems": sorting.FieldFacet("problems", allow_overlap=True, maptype=sorting.Count),
            "region": sorting.FieldFacet("region_name", maptype=sorting.Count),
            "year": sorting.FieldFacet("year", maptype=sorting.Count),
        }
        expand = self.segmenter.subwords
        matches = matcher(words, expand)
        with self.index.searcher(weighting=BM25F()) as searcher:
            results = searcher.search_page(
                text_query,
                q.page,
                pagelen=q.per_page,
                filter=filter_query,
                groupedby=facets,
                terms=False,
            )
            hits = [
                Hit(
                    id=hit["id"],
                    kind=hit["kind"],
                    title=hit["title_plain"],
                    url=urls.site_url(hit["page"], use_directory_urls=self.meta.use_directory_urls),
                    score=round(hit.score, 4),
                    snippet=snippet(hit["text_seg"], matches),
                )
                for hit in results
            ]
            counts = {name: _sorted_counts(results.results.groups(name)) for name in FACETS}
            total = results.total
        labels = {
            "problems": {pid: self.problem_titles.get(pid, pid) for pid in counts["problems"]}
        }
        return SearchResults(q, total, hits, counts, labels)


def _sorted_counts(groups: dict[object, int]) -> dict[str, int]:
    items = [(str(k), v) for k, v in groups.items() if k not in (None, "")]
    return dict(sorted(items, key=lambda kv: (-kv[1], kv[0])))
