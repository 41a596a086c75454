"""The embedded search engine: a whoosh index over the search documents.

Documents arrive already segmented (see ``documents``), so the whoosh analyzer only
splits on the separator; queries are segmented with the same glossary, which is saved
next to the index so that a later process cuts queries exactly as the build cut text.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from .. import urls
from ..fsutil import replacing
from ..linker import KnowledgeBase
from .backend import FACETS, MAX_QUERY_CHARS, Hit, QueryError, SearchQuery, SearchResults
from .documents import FIELD_BOOSTS, SearchDocument, build_documents, field_terms, fingerprint
from .segment import Segmenter
from .snippet import matcher, snippet

FORMAT = "policykb-whoosh-2"  # bump when fields or analysis change
COMMON_SHARE = 0.2  # a word in more than this share of documents is too common to search by
ENOUGH = 10  # documents with all the words that make a result set of their own
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
    with replacing(directory) as staging:
        ix = windex.create_in(staging, schema())
        with ix.writer(limitmb=128) as writer:
            for doc in documents:
                writer.add_document(**_fields(doc, segmenter))
        # the writer's lock file (made 0755) outlives it; the index is never written again
        (staging / "MAIN_WRITELOCK").unlink(missing_ok=True)
        (staging / "meta.json").write_text(
            json.dumps(meta.__dict__, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
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
        # One searcher for the index's lifetime (opening one per query costs more than most
        # queries); whoosh searchers are not thread-safe, the server's threads take turns.
        self.searcher = self.index.searcher(weighting=BM25F())
        self._lock = threading.Lock()
        # Facet values of every document, read once: counting them for a query's matches
        # is then a walk over document numbers, not a whoosh field cache per query.
        self._facet_values: list[dict[str, tuple[str, ...]]] = [{}] * self.searcher.doc_count_all()
        self.problem_titles: dict[str, str] = {}
        for docnum, fields in self.searcher.reader().iter_docs():
            self._facet_values[docnum] = {
                "kind": (fields["kind"],),
                "problems": tuple(p for p in fields["problems"].split(",") if p),
                "region": (fields["region_name"],) if fields["region_name"] else (),
                "year": (fields["year"],) if fields["year"] else (),
            }
            if fields["kind"] == "problem":
                self.problem_titles[fields["id"]] = fields["title_plain"]

    def close(self) -> None:
        self.searcher.close()
        self.index.close()

    def _aliases_in(self, text: str) -> list[list[str]]:
        lowered = text.lower()
        found = []
        for alias, targets in self.meta.aliases.items():
            if alias in lowered:
                found.extend(targets)
        return found

    @staticmethod
    def _word(words: list[str]) -> wq.Query:
        """One query word (with the words inside it, when it needs them) in any field."""
        return wq.Or([wq.Term(f, w) for w in words for f in FIELD_BOOSTS])

    def _broad_query(self, groups: list[list[str]], aliases: list[list[str]]) -> wq.Query:
        """Any of the words; documents with more of them score higher."""
        clauses = [self._word(g) for g in groups]
        for kind, target in aliases:
            # 督检考 names a problem: find it, and everything that links to it.
            clauses.append(wq.Term("id", target, boost=40.0))
            field = "problems" if kind == "problem" else "remedies"
            clauses.append(wq.Term(field, target, boost=2.0))
        return wq.Or(clauses, scale=0.9)

    def _narrow_query(self, groups: list[list[str]], aliases: list[list[str]]) -> wq.Query:
        """All of the words (and the entry an alias names)."""
        clauses: list[wq.Query] = [wq.And([self._word(g) for g in groups])] if groups else []
        clauses += [wq.Term("id", target, boost=40.0) for _, target in aliases]
        return wq.Or(clauses)

    def _filter(self, q: SearchQuery) -> wq.Query | None:
        parts: list[wq.Query] = []
        if q.kind:
            parts.append(wq.Term("kind", q.kind))
        if q.year:
            parts.append(wq.Term("year", q.year))
        if q.problem:
            parts.append(wq.Term("problems", self._problem_id(q.problem)))
        if q.region:
            words = [
                w for w in self.segmenter.cut(q.region.lower()) if self.segmenter.is_indexable(w)
            ]
            if not words:
                raise QueryError(f"region '{q.region}' has no searchable words")
            parts.extend(wq.Term("region", w) for w in words)
        return wq.And(parts) if parts else None

    def _problem_id(self, name: str) -> str:
        for kind, target in self.meta.aliases.get(name.lower(), []):
            if kind == "problem":
                return target
        if name in self.problem_titles:
            return name
        raise QueryError(f"unknown problem '{name}': give a problem id, title or alias")

    def _query_words(self, searcher, text: str) -> list[list[str]]:
        """The query's words, each as a group of alternatives. A word the index knows is
        searched as it is; one it does not know (a compound no document has) by the words
        inside it. Words in most documents (基层, 工作) are left out when rarer ones are
        there: they match nearly everything and rank nothing."""
        groups: list[list[str]] = []
        for token in dict.fromkeys(t.lower() for t in self.segmenter.cut(text)):
            if not self.segmenter.is_indexable(token):
                continue
            group = [token] if _df(searcher, token) else [token, *self.segmenter.subwords(token)]
            groups.append(list(dict.fromkeys(group)))
        limit = COMMON_SHARE * max(1, searcher.doc_count())
        rare = [g for g in groups if min(_df(searcher, w) for w in g) <= limit]
        return rare or groups

    def search(self, q: SearchQuery) -> SearchResults:
        if q.page < 1:
            raise QueryError("page must be 1 or more")
        if q.per_page < 1:
            raise QueryError("per_page must be 1 or more")
        text = q.text[:MAX_QUERY_CHARS]
        with self._lock:
            return self._search(q, text)

    def _search(self, q: SearchQuery, text: str) -> SearchResults:
        searcher = self.searcher
        groups = self._query_words(searcher, text)
        aliases = self._aliases_in(text)
        filter_query = self._filter(q)
        allowed = set(searcher.docs_for_query(filter_query)) if filter_query else None
        # whoosh takes an empty filter for no filter at all: a filter that matches nothing
        # must give nothing, not every hit
        if (not groups and not aliases) or allowed == set():
            return SearchResults(q, 0, [], {name: {} for name in FACETS})

        def matching(query: wq.Query) -> set[int]:
            found = set(searcher.docs_for_query(query))
            return found & allowed if allowed is not None else found

        # The documents with all the words; when there are fewer than ENOUGH, those with any
        # of them. Scoring every loose match of a common word is what makes a pure-Python
        # engine slow on a large knowledge base.
        query = self._narrow_query(groups, aliases)
        matched = matching(query)
        if len(matched) < ENOUGH:
            query = self._broad_query(groups, aliases)
            matched = matching(query)
        # whoosh's search_page answers a page past the end with the last page again
        first = (q.page - 1) * q.per_page
        page = []
        if matched and first < len(matched):
            # the filter's documents are known already: whoosh takes the set, not the query
            found = searcher.search(query, limit=first + q.per_page, filter=allowed, terms=False)
            page = found[first : first + q.per_page]
        matches = matcher([w for g in groups for w in g], self.segmenter.subwords)
        hits = [
            Hit(
                id=hit["id"],
                kind=hit["kind"],
                title=hit["title_plain"],
                url=urls.site_url(hit["page"], use_directory_urls=self.meta.use_directory_urls),
                score=round(hit.score, 4),
                snippet=snippet(hit["text_seg"], matches),
            )
            for hit in page
        ]
        # Facets count every match, from the values read when the index was opened.
        counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for docnum in matched:
            for name, values in self._facet_values[docnum].items():
                counters[name].update(values)
        counts = {name: _sorted_counts(counters[name]) for name in FACETS}
        labels = {
            "problems": {pid: self.problem_titles.get(pid, pid) for pid in counts["problems"]}
        }
        return SearchResults(q, len(matched), hits, counts, labels)


def _df(searcher, word: str) -> int:
    return max(searcher.doc_frequency(field, word) for field in ("text", "title", "aliases"))


def _sorted_counts(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class ReopeningSearch:
    """A ``WhooshSearch`` that follows its directory: when a build switches in a new index
    (see ``fsutil``), the next query opens it. Recent answers are kept, for as long as the
    index they came from: a crowd asks the same few things, and an answer kept is one that
    does not wait for the searcher."""

    CACHED = 512

    def __init__(self, directory: Path):
        self.directory = directory
        self._searching = threading.Lock()  # the searcher: one query at a time, or a reopen
        self._keeping = threading.Lock()  # the answers and the stamp they belong to
        self._stamp = self._current_stamp()
        self._search = WhooshSearch(directory)
        self._answers: OrderedDict[SearchQuery, SearchResults] = OrderedDict()

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            meta = (self.directory / "meta.json").stat()
        except OSError:
            return None  # between a build's steps the old index keeps answering
        return meta.st_dev, meta.st_ino, meta.st_mtime_ns

    def _replaced(self, stamp: tuple[int, int, int] | None) -> bool:
        return stamp is not None and stamp != self._stamp

    def search(self, q: SearchQuery) -> SearchResults:
        stamp = self._current_stamp()
        with self._keeping:
            if not self._replaced(stamp) and q in self._answers:
                self._answers.move_to_end(q)
                return self._answers[q]
        with self._searching:
            if self._replaced(stamp := self._current_stamp()):
                # no query is running on the old searcher: it is safe to close
                fresh = WhooshSearch(self.directory)
                self._search.close()
                self._search = fresh
                with self._keeping:
                    self._answers.clear()
                    self._stamp = stamp
            answered_from = self._stamp
            results = self._search.search(q)
        with self._keeping:
            if self.CACHED and self._stamp == answered_from:  # not from an index since replaced
                self._answers[q] = results
                if len(self._answers) > self.CACHED:
                    self._answers.popitem(last=False)
        return results

    def close(self) -> None:
        with self._searching:
            self._search.close()
