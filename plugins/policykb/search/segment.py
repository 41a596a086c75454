"""Chinese segmentation with the knowledge base's own vocabulary.

jieba alone cuts 多考合一 into 多/考/合一 and 四不两直 into single characters; the
glossary built here from the knowledge base (titles, aliases, quoted practice names,
keywords) keeps them whole, and the same words feed the whoosh analyzer and the
in-browser index, so the CLI, the server and the page cut text alike.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import numbering
from ..cache import key
from ..linker import KnowledgeBase

if TYPE_CHECKING:
    from ..cache import Cache
    from ..loader import Entry


def _import_jieba():
    """jieba without pkg_resources (a tenth of a second to import, deprecated): without it
    jieba opens its data files by path, the same files."""
    if "pkg_resources" in sys.modules or "jieba" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

jieba.setLogLevel(logging.WARNING)

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,10})[”\"」』]")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
STOPWORDS = frozenset(
    "的 了 和 与 及 在 是 对 把 等 为 中 将 从 向 以 之 其 或 而 并 也 都 个 被 由 于 这"
    " 那 有".split()
)


def _main_dictionary() -> tuple[dict[str, int], int]:
    """jieba's main dictionary (its frequency table and total), read for the one tokenizer
    that owns it and adds the glossary's words to it: from our copy of its table when
    there is one (a tenth of a second), else by jieba (a second; the copy is written). Not
    kept for another tokenizer: a copy of its 500,000 words each would be 15 MB more, and
    a table kept after its tokenizer is released 70 MB."""
    path = _dictionary_file().with_suffix(".words")
    table = _read_table(path)
    if table is None:
        base = jieba.Tokenizer()
        base.initialize()
        _write_table(path, base.FREQ, base.total)
        table = base.FREQ, base.total
    return table


_TABLE_MAGIC = b"policykb-jieba-table-1"


def _write_table(path: Path, freq: dict[str, int], total: int) -> None:
    """jieba's frequency table as its words (one a line) and their counts (an array):
    read back five times faster than jieba's own cache of it (marshal)."""
    words = "\n".join(freq).encode("utf-8")
    counts = array("q", freq.values())
    header = b" ".join([_TABLE_MAGIC, b"%d" % total, b"%d" % len(freq), b"%d" % len(words)])
    scratch = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(header + b"\n" + words + counts.tobytes())
        os.replace(scratch, path)
    except OSError:  # a folder that cannot be written is no error: jieba loads it next time
        scratch.unlink(missing_ok=True)


def _read_table(path: Path) -> tuple[dict[str, int], int] | None:
    try:
        data = path.read_bytes()
        header, _, rest = data.partition(b"\n")
        magic, total, count, size = header.split(b" ")
        words = rest[: int(size)].decode("utf-8").split("\n")
        counts = array("q")
        counts.frombytes(rest[int(size) :])
    except (OSError, ValueError, UnicodeError):
        return None
    if magic != _TABLE_MAGIC or len(words) != int(count) or len(counts) != int(count):
        return None
    return dict(zip(words, counts, strict=True)), int(total)


def glossary(kb: KnowledgeBase) -> list[str]:
    """The domain words of a knowledge base, sorted, for the user dictionary."""
    words: set[str] = set()
    for entry in kb.entries.values():
        words.update(_entry_words(kb, entry))
    # Only short terms help: a long title as one token would hide its words from
    # prefix search in the browser (the whoosh side also indexes subwords).
    return sorted(
        w.strip()
        for w in words
        if 2 <= len(w.strip()) <= 8 and not re.search(r"[\s，。、；：,;:]", w)
    )


# An entry's words by its file's key (a rule's with its source's, whose parts it numbers):
# `build.py serve` asks for the glossary at every edit, and reading every entry's text
# again was a tenth of a second of it at 5,000 entries.
_WORDS: dict[tuple[str, str], frozenset[str]] = {}
_WORDS_MAX = 1 << 15


def _entry_words(kb: KnowledgeBase, entry: Entry) -> frozenset[str]:
    data = entry.data
    source = kb.entries[data.source] if entry.kind.name == "rule" else None
    memo = (entry.key, source.key if source is not None else "")
    if entry.key and memo in _WORDS:
        return _WORDS[memo]
    words: set[str] = set()
    for name in ("aliases", "keywords", "tags"):
        words.update(getattr(data, name, None) or ())
    if entry.kind.name in {"problem", "remedy"}:
        words.add(data.title)
    if source is not None:
        # 第1条 and 第一部分 as single words, so they match only their own item.
        parts = source.data.parts
        index = parts.index(data.part) + 1 if data.part in parts else None
        words.update(numbering.search_labels(data.part, data.item, index))
    for name in ("title", "summary", "text", "item", "description"):
        value = getattr(data, name, None)
        if isinstance(value, str):
            words.update(_QUOTED.findall(value))
    found = frozenset(words)
    if entry.key:
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        _WORDS[memo] = found
    return found


# Up to this many characters to cut, jieba's dictionary is looked up word by word in a
# stored copy (SQLite) instead of loaded whole: loading takes about a second, a lookup
# some microseconds, and a text needs two or three a character.
STORED_LIMIT = 20_000
_BLOCKS = jieba.re_han_default  # jieba's own split (its blocks kept, as a group)
_MEMO_LIMIT = 200_000  # blocks (and tokens) remembered, for a long-running server
_STORED_FORMAT = "policykb-jieba-dictionary-1"
GLOSSARY = "segmenter-glossary"  # the cache's namespace: what the glossary adds


def _dictionary_file() -> Path:
    """The stored copy of jieba's main dictionary, in the user's cache folder (as jieba
    keeps its own cache of it), named after the dictionary it copies."""
    source = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    stat = source.stat()
    name = key(
        _STORED_FORMAT, jieba.__version__, str(source), str(stat.st_size), str(stat.st_mtime_ns)
    )
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policykb"
    return folder / f"jieba-{name[:16]}.sqlite"


def _store_dictionary(path: Path, freq: dict[str, int], total: int) -> None:
    """Writes the copy (half a second, once); a folder that cannot be written is no error."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.unlink(missing_ok=True)
        with sqlite3.connect(scratch) as db:
            db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER) WITHOUT ROWID")
            db.execute("CREATE TABLE total (total INTEGER)")
            db.executemany("INSERT INTO words VALUES (?, ?)", freq.items())
            db.execute("INSERT INTO total VALUES (?)", (total,))
        db.close()
        os.replace(scratch, path)
    except (OSError, sqlite3.Error):
        scratch.unlink(missing_ok=True)


class _StoredFrequencies:
    """jieba's frequency table (``Tokenizer.FREQ``) read from the stored copy as jieba asks
    for each word; the glossary's words are added in memory."""

    def __init__(self, db: sqlite3.Connection, total: int):
        self._db = db
        self.total = total
        self._known: dict[str, int | None] = {}  # None: not in the dictionary
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> _StoredFrequencies | None:
        try:
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            (total,) = db.execute("SELECT total FROM total").fetchone()
        except (OSError, ValueError, TypeError, sqlite3.Error):
            return None
        return cls(db, int(total))

    def get(self, word: str, default: int | None = None) -> int | None:
        known = self._known
        if word not in known:
            with self._lock:
                row = self._db.execute("SELECT freq FROM words WHERE word = ?", (word,)).fetchone()
            known[word] = None if row is None else int(row[0])
        value = known[word]
        return default if value is None else value

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return value

    def __setitem__(self, word: str, freq: int) -> None:
        self._known[word] = freq


@dataclass
class Segmenter:
    """jieba's dictionary plus a glossary, as one tokenizer of its own."""

    words: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._built: jieba.Tokenizer | None = None
        self._stored = False  # its dictionary is looked up in the stored copy
        self._cut = 0  # characters cut with the stored copy
        self._blocks: dict[str, tuple[str, ...]] = {}  # block → its segments
        self._subwords: dict[str, tuple[str, ...]] = {}
        self._terms: dict[str, tuple[str, ...]] = {}  # token → its index terms
        self._lock = threading.Lock()

    def prepare(self, characters: int, store: Cache | None = None) -> None:
        """Says how much text is about to be cut: up to ``STORED_LIMIT`` characters (an
        edit's entries, a query) are cut with lookups into a stored copy of jieba's
        dictionary, more with the whole dictionary loaded (about a second). ``store``
        keeps what the glossary adds to the dictionary (a word at a time, cut to be sized)."""
        with self._lock:
            if self._built is None:
                self._built = self._build(stored=characters <= STORED_LIMIT, store=store)

    @property
    def _tokenizer(self) -> jieba.Tokenizer:
        """Built on first use: a build whose documents' segments all come from the cache
        never reads jieba's dictionary."""
        with self._lock:
            if self._built is None:
                self._built = self._build(stored=True)
            return self._built

    def _build(self, *, stored: bool, store: Cache | None = None) -> jieba.Tokenizer:
        tokenizer = jieba.Tokenizer()
        path = _dictionary_file()
        frequencies = _StoredFrequencies.open(path) if stored else None
        if frequencies is not None:
            tokenizer.FREQ, tokenizer.total = frequencies, frequencies.total
        else:
            tokenizer.FREQ, tokenizer.total = _main_dictionary()
            if stored:  # for the next small build
                _store_dictionary(path, tokenizer.FREQ, tokenizer.total)
        self._stored = frequencies is not None
        tokenizer.initialized = True
        item = key(_dictionary_file().name, str(tokenizer.total), *self.words)
        added = store.get(GLOSSARY, item) if store else None
        if added is None:
            for word in self.words:
                tokenizer.add_word(word)
            # every entry add_word may have set: the words and their prefixes
            frags = {word[:n] for word in self.words for n in range(1, len(word) + 1)}
            added = (sorted((f, tokenizer.FREQ[f]) for f in frags), tokenizer.total)
            if store:
                store.put(GLOSSARY, item, added)
        else:
            for frag, freq in added[0]:
                tokenizer.FREQ[frag] = freq
            tokenizer.total = added[1]
        return tokenizer

    @classmethod
    def for_kb(cls, kb: KnowledgeBase) -> Segmenter:
        return cls(glossary(kb))

    def release(self) -> None:
        """Frees jieba's dictionary (some 70 MB) and the memos of what was cut, once a build
        has cut every document: read again, as on first use, if anything is cut after."""
        with self._lock:
            self._built = None
            self._blocks, self._subwords = {}, {}

    def cut(self, text: str) -> list[str]:
        """Segments of ``text``, white space included, so that joining them gives it back."""
        # HMM off: the same string is always cut the same way, in a document or a query.
        tokenizer = self._tokenizer
        out: list[str] = []
        with self._lock:
            # jieba cuts each block (a run of han characters, letters or digits, or what is
            # between two) on its own, and the same clauses and titles recur in document
            # after document: each distinct block is cut once
            for block in _BLOCKS.split(text):
                if not block:
                    continue
                words = self._blocks.get(block)
                if words is None:
                    if self._stored:
                        self._cut += len(block)
                        if self._cut > STORED_LIMIT:  # more text than foreseen: load it all
                            tokenizer = self._built = self._build(stored=False)
                    if len(self._blocks) >= _MEMO_LIMIT:
                        self._blocks.clear()
                    words = self._blocks[block] = tuple(tokenizer.cut(block, HMM=False))
                out.extend(words)
        return out

    def subwords(self, token: str) -> tuple[str, ...]:
        """Dictionary words inside a longer token: 督查检查考核过多过频 → 督查, 检查, 考核, …"""
        if len(token) < 3:
            return ()
        found = self._subwords.get(token)
        if found is None:
            freq = self._tokenizer.FREQ
            n = len(token)
            found = tuple(
                token[i:j]
                for i in range(n)
                for j in range(i + 2, min(n, i + 12) + 1)
                if (i, j) != (0, n) and freq.get(token[i:j])
            )
            if len(self._subwords) >= _MEMO_LIMIT:
                self._subwords.clear()
            self._subwords[token] = found
        return found

    def index_terms(self, token: str) -> tuple[str, ...]:
        """The token's index terms: lowercased, with its subwords; none for a stopword."""
        found = self._terms.get(token)
        if found is None:
            lower = token.lower()
            found = (lower, *self.subwords(lower)) if self.is_indexable(lower) else ()
            if len(self._terms) >= _MEMO_LIMIT:
                self._terms.clear()
            self._terms[token] = found
        return found

    def user_dictionary(self) -> str:
        """The glossary as a jieba user-dictionary file (word and frequency per line)."""
        return "".join(f"{w} {self._tokenizer.FREQ[w]}\n" for w in self.words)

    def is_indexable(self, token: str) -> bool:
        return bool(token) and token not in STOPWORDS and not _PUNCT_ONLY.match(token)


def terms(segmenter: Segmenter, tokens: Iterable[str]) -> list[str]:
    """Index terms for segmented tokens: lowercased, stopwords out, subwords in."""
    out: list[str] = []
    of = segmenter.index_terms
    for token in tokens:
        out.extend(of(token))
    return out
