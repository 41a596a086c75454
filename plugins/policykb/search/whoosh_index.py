"""The embedded search engine: the search documents' weighted terms in a whoosh index, and
``engine``'s one search behaviour over them.

whoosh holds, per term, the documents that have it and the weight (in tenths) that
``documents.term_weights`` gave them, the same numbers the in-browser index carries; it
also keeps each document's snippet text. Beside it: ``table.json`` (what each document
is: kind, region, date… for filters, facets and hits), ``lexicon.json`` (folding and
correction data) and ``meta.json`` (written last: its change is what a running server
watches for). Opening an index reads those files and no document: a fresh ``build.py
search`` process answers without jieba and without walking the index.

A build given documents for a directory that already holds a compatible index updates it
in place: only the documents whose content hash changed are deleted and added again.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as windex
from whoosh.analysis import DelimitedAttributeFilter, RegexTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema

from ..fsutil import repair, replacing
from . import catalogue, engine, lexicon
from .backend import Hit, QueryError, SearchQuery, SearchResults
from .snippet import snippet

if TYPE_CHECKING:  # building needs them; answering a query must not pay for importing them
    from ..linker import KnowledgeBase
    from .documents import SearchDocument
    from .segment import Segmenter

FORMAT = "policykb-whoosh-4"  # bump when fields or analysis change
# "督检考^37 考核^12": each term with its weight, read back as the posting's weight
_WEIGHTED = RegexTokenizer(r"\S+") | DelimitedAttributeFilter("^", "boost", 1.0, float)


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        terms=TEXT(analyzer=_WEIGHTED, phrase=False),  # no positions: no phrase queries
        prose=STORED,
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
    return dict(sorted(table.items()))


# The writer's buffer of postings: what the index stage adds to a build's peak memory (a
# constant 31 MB with 32, at 5,000 entries as at 10,000); 16 costs no CPU that shows.
WRITER_MB = 16


def build(
    kb: KnowledgeBase,
    directory: Path,
    *,
    use_directory_urls: bool,
    segmenter: Segmenter | None = None,
    documents: list[SearchDocument] | None = None,
) -> IndexMeta:
    """Write the index of ``documents`` to ``directory``: in place when it holds a
    compatible index (only what changed), else a fresh one that replaces it once complete."""
    from .documents import build_documents, fingerprint
    from .segment import Segmenter, glossary

    if documents is None:
        segmenter = segmenter or Segmenter.for_kb(kb)
        documents = build_documents(kb, segmenter)
    words = segmenter.words if segmenter else glossary(kb)
    meta = IndexMeta(FORMAT, fingerprint(kb, words), use_directory_urls, words, alias_table(kb))
    directory = directory.absolute()
    if _compatible(directory, use_directory_urls):
        with open(directory.with_name(f".{directory.name}.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the same lock as fsutil.replacing's
            repair(directory)  # what a killed build left, as replacing removes it
            _update(directory, documents)
            _write_side_files(directory, documents, meta, words)
        return meta
    with replacing(directory) as staging:
        terms = _write_new(staging, documents)
        _write_side_files(staging, documents, meta, words, terms=terms)
    return meta


def _write_new(directory: Path, documents: list[SearchDocument]) -> set[str]:
    """A new index of ``documents`` in the empty ``directory``: one segment, written with
    whoosh's own codec from the documents' weights as they are. Its writer would parse
    "term^weight" strings again and sort the postings (two million at 10,000 entries)
    through a pool spilled to disk in runs; here they are grouped by term in memory
    (``postings_of``) and written in order. The index is the one ``add_document`` makes:
    the same postings, weights, lengths, stored fields and id column."""
    from whoosh.codec import default_codec
    from whoosh.filedb.filestore import FileStorage
    from whoosh.system import pack_uint
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from .documents import postings_of

    fields = schema()
    ids, terms = fields["id"], fields["terms"]
    storage = FileStorage(str(directory))
    codec = default_codec()
    segment = codec.new_segment(storage, windex._DEF_INDEX_NAME)
    per_doc = codec.per_document_writer(storage, segment)
    lengths = []  # of each document's terms field, as whoosh reads it back (one byte)
    for n, doc in enumerate(documents):
        per_doc.start_doc(n)
        per_doc.add_field("id", ids, doc.id, 0)
        per_doc.add_column_value("id", ids.column_type, ids.to_column_value(doc.id))
        per_doc.add_field("prose", fields["prose"], doc.prose, 0)
        per_doc.add_field("terms", terms, None, len(doc.weights))
        per_doc.finish_doc()
        lengths.append(byte_to_length(length_to_byte(len(doc.weights))) if doc.weights else 0)
    per_doc.close()
    writer = codec.field_writer(storage, segment)
    writer.start_field("id", ids)
    for n in sorted(range(len(documents)), key=lambda n: documents[n].id):
        writer.start_term(documents[n].id.encode())
        writer.add(n, 1.0, b"", 0)
        writer.finish_term()
    writer.finish_field()
    writer.start_field("terms", terms)
    once = pack_uint(1)  # the frequency: a term is in a document once, with its weight
    add = writer.add
    postings = postings_of(documents)
    for term, flat in sorted(postings.items()):
        writer.start_term(term.encode())
        for n, weight in zip(flat[::2], flat[1::2], strict=True):
            add(n, float(weight), once, lengths[n])
        writer.finish_term()
    writer.finish_field()
    writer.close()
    segment.set_doc_count(len(documents))
    segment.create_compound_file(storage)
    windex.TOC(fields, [segment], 0).write(storage, windex._DEF_INDEX_NAME)
    storage.temp_storage(f"{windex._DEF_INDEX_NAME}.tmp").destroy()  # the columns' scratch
    return set(postings)  # every term, for the lexicon


def _compatible(directory: Path, use_directory_urls: bool) -> bool:
    meta = read_meta(directory)
    return bool(
        meta
        and meta.format == FORMAT
        and meta.use_directory_urls == use_directory_urls
        and (directory / TABLE).is_file()
        and windex.exists_in(directory)
    )


def _update(directory: Path, documents: list[SearchDocument]) -> None:
    old = _old_hashes(directory)
    new = {doc.id: doc.content_hash() for doc in documents}
    gone = [i for i, h in old.items() if new.get(i) != h]
    added = [doc for doc in documents if old.get(doc.id) != new[doc.id]]
    if gone or added:
        _write(directory, gone, added)


def _write(directory: Path, gone: list[str], added: list[SearchDocument]) -> None:
    """The index at ``directory`` without the documents of the ``gone`` ids, with ``added``
    (a replaced document's id is in both)."""
    ix = windex.open_dir(directory)
    with ix.writer(limitmb=WRITER_MB) as writer:
        for doc_id in gone:
            writer.delete_by_term("id", doc_id)
        for doc in added:
            writer.add_document(**_fields(doc))
    ix.close()
    (directory / "MAIN_WRITELOCK").unlink(missing_ok=True)


def update_entries(
    kb: KnowledgeBase,
    directory: Path,
    documents: list[SearchDocument],
    *,
    changed: list[SearchDocument],
    removed: list[str],
    words: list[str],
    terms: Collection[str] | None = None,
) -> IndexMeta:
    """An edit under `build.py serve`: the existing index at ``directory`` updated in place
    for the ``changed`` documents (replaced or added) and the ``removed`` ids, with no
    comparison of every document (``build``'s way); ``documents`` are all of them, as the
    side files list them (``terms``: all their terms, if known). The running server
    reopens the index once meta.json changes."""
    from .documents import fingerprint

    old = read_meta(directory)
    if old is None or not _compatible(directory, old.use_directory_urls):
        raise FileNotFoundError(f"no search index to update in {directory}")
    meta = IndexMeta(FORMAT, fingerprint(kb, words), old.use_directory_urls, words, alias_table(kb))
    with open(directory.with_name(f".{directory.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the same lock as build's
        repair(directory)
        _write(directory, [*removed, *(doc.id for doc in changed)], changed)
        known = _table_rows(directory, changed)
        _write_side_files(directory, documents, meta, words, known, terms=terms)
    return meta


def _table_rows(directory: Path, changed: list[SearchDocument]) -> dict[str, tuple]:
    """table.json's (row, url, hash) of each document but the ``changed`` ones, as they are
    (rows of unchanged documents need not be made again)."""
    table = _read_table(directory)
    fresh = {doc.id for doc in changed}
    return {
        row[0]: (row, url, content)
        for row, url, content in zip(table["rows"], table["urls"], table["hashes"], strict=True)
        if row[0] not in fresh
    }


TABLE, LEXICON, META = "table.json", "lexicon.json", "meta.json"


def _write_side_files(
    directory: Path,
    documents: list[SearchDocument],
    meta: IndexMeta,
    words: list[str],
    known: dict[str, tuple] | None = None,
    terms: Collection[str] | None = None,
) -> None:
    """``known``: the (row, url, hash) already in table.json of documents that did not
    change, by id (``update_entries``). ``terms``: all the documents' terms, if known."""
    # the writer's lock file (made 0755) outlives it; no process writes the index now
    (directory / "MAIN_WRITELOCK").unlink(missing_ok=True)
    from .. import urls

    def entry(doc: SearchDocument) -> tuple:
        if known and doc.id in known:
            return known[doc.id]
        return (
            list(catalogue.Row.of(doc).__dict__.values()),
            urls.site_url(doc.page, use_directory_urls=meta.use_directory_urls),
            doc.content_hash(),
        )

    entries = [entry(doc) for doc in documents]
    table = {
        "rows": [row for row, _, _ in entries],
        "urls": [url for _, url, _ in entries],
        "hashes": [content for _, _, content in entries],
    }
    _write_json(directory / TABLE, table)
    lex = (
        lexicon.for_documents(documents, words)
        if terms is None
        else lexicon.for_terms(terms, words)
    )
    _write_json(directory / LEXICON, lex.to_json())
    _write_json(directory / META, meta.__dict__)  # last: a server reopens when it changes


def _write_json(path: Path, value: object) -> None:
    """Replaced in one rename: a reader sees the old file or the new one, never half."""
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(part, path)


def _read_table(directory: Path) -> dict:
    return json.loads((directory / TABLE).read_text(encoding="utf-8"))


def _old_hashes(directory: Path) -> dict[str, str]:
    table = _read_table(directory)
    return {row[0]: h for row, h in zip(table["rows"], table["hashes"], strict=True)}


def _fields(doc: SearchDocument) -> dict[str, object]:
    return {
        "id": doc.id,
        "terms": " ".join(f"{term}^{weight}" for term, weight in doc.weights),
        "prose": doc.prose,
    }


def read_meta(directory: Path) -> IndexMeta | None:
    try:
        raw = json.loads((directory / META).read_text(encoding="utf-8"))
        return IndexMeta(**raw)
    except (OSError, ValueError, TypeError):
        return None


def is_current(directory: Path, kb: KnowledgeBase, words: list[str]) -> bool:
    from .documents import fingerprint

    meta = read_meta(directory)
    return bool(meta and meta.format == FORMAT and meta.fingerprint == fingerprint(kb, words))


class WhooshSearch:
    """Answers ``SearchQuery``s from an index directory built by ``build``."""

    def __init__(self, directory: Path):
        meta = read_meta(directory)
        if meta is None or meta.format != FORMAT:
            raise FileNotFoundError(f"no search index in {directory}: run 'build.py build'")
        self.meta = meta
        table = _read_table(directory)
        self.rows = [catalogue.Row(*r[:-1], tuple(r[-1])) for r in table["rows"]]
        self.urls: list[str] = table["urls"]
        self._row_by_id = {row.id: n for n, row in enumerate(self.rows)}
        self.lexicon = lexicon.Lexicon.from_json(
            json.loads((directory / LEXICON).read_text(encoding="utf-8"))
        )
        self.docs = len(self.rows)
        self.index = windex.open_dir(directory)
        # One reader for the index's lifetime; the server's threads take turns on it.
        self.reader = self.index.reader()
        # whoosh's document numbers → rows, from the index itself (its id column): a build
        # killed between the index's commit and table.json leaves them consistent still
        ids = self.reader.column_reader("id")
        deleted = self.reader.has_deletions()
        self._row_of: dict[int, int] = {}
        for docnum in range(self.reader.doc_count_all()):
            if deleted and self.reader.is_deleted(docnum):
                continue
            row = self._row_by_id.get(ids[docnum])
            if row is not None:
                self._row_of[docnum] = row
        self.docnums = {row: docnum for docnum, row in self._row_of.items()}
        self._lock = threading.Lock()
        self._postings: dict[str, dict[int, int]] = {}
        self.problem_titles = {r.id: r.title for r in self.rows if r.kind == "problem"}

    def close(self) -> None:
        self.reader.close()
        self.index.close()

    # engine.Postings
    def known(self, term: str) -> bool:
        if ("terms", term) not in self.reader:
            return False
        # an index updated in place keeps the terms of deleted documents (until whoosh
        # merges their segment): known only if a document still has it, as afresh
        return not self.reader.has_deletions() or bool(self.postings(term))

    def postings(self, term: str) -> dict[int, int]:
        if term in self._postings:
            return self._postings[term]
        found: dict[int, int] = {}
        if ("terms", term) in self.reader:
            m = self.reader.postings("terms", term)
            row_of = self._row_of
            while m.is_active():
                row = row_of.get(m.id())
                if row is not None:
                    found[row] = int(m.weight())
                m.next()
        self._postings[term] = found
        return found

    def _problem_id(self, name: str) -> str:
        for kind, target in self.meta.aliases.get(name.lower(), []):
            if kind == "problem":
                return target
        if name in self.problem_titles:
            return name
        raise QueryError(f"unknown problem '{name}': give a problem id, title or alias")

    def search(self, q: SearchQuery) -> SearchResults:
        if q.page < 1:
            raise QueryError("page must be 1 or more")
        if q.per_page < 1:
            raise QueryError("per_page must be 1 or more")
        filters = q.filters()
        if "problem" in filters:
            filters["problem"] = self._problem_id(filters["problem"])
        with self._lock:
            try:
                return self._search(q, filters)
            finally:
                self._postings.clear()  # per query: a long-running server keeps no postings

    def analyse(self, text: str) -> engine.Analysed:
        return engine.analyse(text, self, self.lexicon, self.meta.aliases)

    def _search(self, q: SearchQuery, filters: dict[str, str]) -> SearchResults:
        analysed = self.analyse(q.text)
        corrected = None
        if q.correct:
            fixed = engine.corrected(self, analysed, self.lexicon, self.meta.aliases)
            if fixed is not None:
                analysed, corrected = fixed, " ".join(fixed.runs)
        targets = [
            (self._row_by_id[target], ("@p:" if kind == "problem" else "@r:") + target)
            for alias in analysed.aliases
            for kind, target in self.meta.aliases[alias]
            if target in self._row_by_id
        ]
        ranked = engine.rank(self, analysed, targets, catalogue.allowed(self.rows, filters))
        order = catalogue.by_date(self.rows, ranked.rows) if q.sort == "date" else ranked.rows
        first = (q.page - 1) * q.per_page
        hits = [self._hit(n, ranked) for n in order[first : first + q.per_page]]
        counts = catalogue.facets(self.rows, ranked.rows)
        labels = {
            "problems": {pid: self.problem_titles.get(pid, pid) for pid in counts["problems"]}
        }
        return SearchResults(
            q, len(ranked.rows), hits, counts, labels, terms=ranked.terms, corrected=corrected
        )

    def _hit(self, n: int, ranked: engine.Ranked) -> Hit:
        row = self.rows[n]
        docnum = self.docnums.get(n)
        prose = self.reader.stored_fields(docnum).get("prose", "") if docnum is not None else ""
        return Hit(
            id=row.id,
            kind=row.kind,
            title=row.title,
            url=self.urls[n],
            score=ranked.scores[n],
            snippet=snippet(prose, ranked.terms),
            region=row.region,
            date=row.date,
            level=row.level,
            issuer=row.issuer,
            doctype=row.doctype,
            status=row.status,
        )


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
