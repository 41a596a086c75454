"""What both engines need to forgive a query: traditional characters folded to simplified
(OpenCC's table), and a glossary with the sound of each word for typo correction (pypinyin).

Both are computed here once per build and written as data next to each index, so the
server and search.js apply the same tables and neither loads OpenCC or pypinyin to answer.
Only what the knowledge base can use is kept: a traditional character whose simplified
form occurs in the index's terms, the pinyin of the common characters (GB 2312 level 1)
and of the characters of the glossary.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass

# CJK Unified Ideographs and Extension A: every character OpenCC's t2s table can touch here
_CJK = [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)]


@dataclass(frozen=True, eq=False)  # one object per index: compared and hashed by identity
class Lexicon:
    fold: dict[str, str]  # traditional character → simplified, for characters the KB lacks
    # syllable (toneless pinyin) → the characters read so, in code-point order
    sounds: dict[str, str]
    glossary: list[str]  # the words a query term may be corrected to, sorted

    def to_json(self) -> dict[str, object]:
        return {
            "fold": "".join(t + s for t, s in sorted(self.fold.items())),
            "sounds": self.sounds,
            "glossary": self.glossary,
        }

    @classmethod
    def from_json(cls, raw: dict) -> Lexicon:
        pairs = raw["fold"]
        return cls(
            {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)},
            raw["sounds"],
            raw["glossary"],
        )


def for_documents(documents: Iterable, words: Iterable[str]) -> Lexicon:
    """Folding and correction data for these search documents: the same for both indexes.
    The glossary keeps only the words some document has (a correction must find)."""
    return for_terms({term for doc in documents for term, _ in doc.weights}, words)


def for_terms(vocabulary: Collection[str], words: Iterable[str]) -> Lexicon:
    """The same, given every term of the documents (an index has them at hand)."""
    chars = {ch for term in vocabulary if not term.startswith("@") for ch in term}
    return build(chars, [w.lower() for w in words if w.lower() in vocabulary])


def build(vocabulary_chars: Iterable[str], glossary: Iterable[str]) -> Lexicon:
    chars = frozenset(vocabulary_chars)
    words = tuple(sorted(set(glossary)))
    return _build(chars, words)


@functools.lru_cache(maxsize=4)  # the browser index and the whoosh index share one build
def _build(chars: frozenset[str], words: tuple[str, ...]) -> Lexicon:
    return Lexicon(_fold_table(chars), _sounds(words), list(words))


def _fold_table(chars: frozenset[str]) -> dict[str, str]:
    import opencc  # only at build time: a query reads the table written here

    candidates = [chr(c) for c in _CJK if chr(c) not in chars]
    # one call for all: each character on its own line, so no phrase spans two of them
    converted = opencc.OpenCC("t2s").convert("\n".join(candidates)).split("\n")
    return {
        t: s
        for t, s in zip(candidates, converted, strict=True)
        if len(s) == 1 and s != t and s in chars
    }


def _sounds(words: tuple[str, ...]) -> dict[str, str]:
    chars = sorted(set(_common()) | {ch for w in words for ch in w if "\u4e00" <= ch <= "\u9fff"})
    by_sound: dict[str, list[str]] = {}
    for ch in chars:
        if reading := _reading(ch):
            by_sound.setdefault(reading, []).append(ch)
    return {sound: "".join(cs) for sound, cs in sorted(by_sound.items())}


@functools.cache
def _common() -> tuple[str, ...]:
    return tuple(chr(c) for c in range(0x4E00, 0xA000) if _is_common(chr(c)))


@functools.lru_cache(maxsize=1 << 16)  # `build.py serve` makes the table again at each edit
def _reading(ch: str) -> str | None:
    """A character's own commonest reading: a query's characters are read one by one too."""
    from ..pinyin import lazy_pinyin

    reading = lazy_pinyin(ch, errors="ignore")
    return reading[0] if reading and reading[0].isascii() and reading[0].isalpha() else None


def _is_common(ch: str) -> bool:
    """GB 2312 level 1: the 3,755 characters of everyday text (rows 16-55)."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7
