"""Chinese segmentation with the knowledge base's own vocabulary.

jieba alone cuts 多考合一 into 多/考/合一 and 四不两直 into single characters; the
glossary built here from the knowledge base (titles, aliases, quoted practice names,
keywords) keeps them whole, and the same words feed the whoosh analyzer and the
in-browser index, so the CLI, the server and the page cut text alike.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import jieba

from .. import numbering
from ..linker import KnowledgeBase

jieba.setLogLevel(logging.WARNING)

# Joins segments in stored text; invisible on the page, a word boundary for every index.
SEPARATOR = "\u200b"

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,10})[”\"」』]")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
STOPWORDS = frozenset(
    "的 了 和 与 及 在 是 对 把 等 为 中 将 从 向 以 之 其 或 而 并 也 都 个 被 由 于 这"
    " 那 有".split()
)

_base_lock = threading.Lock()
_base: jieba.Tokenizer | None = None


def _base_tokenizer() -> jieba.Tokenizer:
    """jieba's main dictionary, loaded once per process (it takes about a second)."""
    global _base
    with _base_lock:
        if _base is None:
            _base = jieba.Tokenizer()
            _base.initialize()
        return _base


def glossary(kb: KnowledgeBase) -> list[str]:
    """The domain words of a knowledge base, sorted, for the user dictionary."""
    words: set[str] = set()
    for entry in kb.entries.values():
        data = entry.data
        for name in ("aliases", "keywords", "tags"):
            words.update(getattr(data, name, None) or ())
        if entry.kind.name in {"problem", "remedy"}:
            words.add(data.title)
        if entry.kind.name == "rule":
            # 第1条 and 第一部分 as single words, so they match only their own item.
            parts = kb.entries[data.source].data.parts
            index = parts.index(data.part) + 1 if data.part in parts else None
            words.update(numbering.search_labels(data.part, data.item, index))
        for name in ("title", "summary", "text", "item", "description"):
            value = getattr(data, name, None)
            if isinstance(value, str):
                words.update(_QUOTED.findall(value))
    # Only short terms help: a long title as one token would hide its words from
    # prefix search in the browser (the whoosh side also indexes subwords).
    return sorted(
        w.strip()
        for w in words
        if 2 <= len(w.strip()) <= 8 and not re.search(r"[\s，。、；：,;:]", w)
    )


@dataclass
class Segmenter:
    """jieba's dictionary plus a glossary, as one tokenizer of its own."""

    words: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._built: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    @property
    def _tokenizer(self) -> jieba.Tokenizer:
        """Built on first use: a build whose documents' segments all come from the cache
        never loads jieba's dictionary (about a second)."""
        with self._lock:
            if self._built is None:
                base = _base_tokenizer()
                tokenizer = jieba.Tokenizer()
                # Share the main dictionary instead of reloading it: copy the frequency table.
                tokenizer.FREQ = dict(base.FREQ)
                tokenizer.total = base.total
                tokenizer.initialized = True
                for word in self.words:
                    tokenizer.add_word(word)
                self._built = tokenizer
            return self._built

    @classmethod
    def for_kb(cls, kb: KnowledgeBase) -> Segmenter:
        return cls(glossary(kb))

    def cut(self, text: str) -> list[str]:
        """Segments of ``text``, white space included, so that joining them gives it back."""
        # HMM off: the same string is always cut the same way, in a document or a query.
        tokenizer = self._tokenizer
        with self._lock:
            return list(tokenizer.cut(text, HMM=False))

    def segmented(self, text: str) -> str:
        """Text with its segments joined by the invisible separator."""
        return SEPARATOR.join(self.cut(text))

    def subwords(self, token: str) -> Iterator[str]:
        """Dictionary words inside a longer token: 督查检查考核过多过频 → 督查, 检查, 考核, …"""
        if len(token) < 3:
            return
        freq = self._tokenizer.FREQ
        n = len(token)
        for i in range(n):
            for j in range(i + 2, min(n, i + 12) + 1):
                if (i, j) != (0, n) and freq.get(token[i:j]):
                    yield token[i:j]

    def user_dictionary(self) -> str:
        """The glossary as a jieba user-dictionary file (word and frequency per line)."""
        return "".join(f"{w} {self._tokenizer.FREQ[w]}\n" for w in self.words)

    def is_indexable(self, token: str) -> bool:
        return bool(token) and token not in STOPWORDS and not _PUNCT_ONLY.match(token)


def terms(segmenter: Segmenter, tokens: Iterable[str]) -> list[str]:
    """Index terms for segmented tokens: lowercased, stopwords out, subwords in."""
    out: list[str] = []
    for token in tokens:
        token = token.lower()
        if not segmenter.is_indexable(token):
            continue
        out.append(token)
        out.extend(segmenter.subwords(token))
    return out
