"""The one search behaviour: how a query becomes terms, which documents match, in what order.

search.js implements the same steps, line for line, over the in-browser index; this is
the server's and the CLI's copy, over any index that can list a term's postings (the
whoosh index). tests/test_search_agreement.py holds the two to the same totals and top
10. Scores are whole numbers (weights in tenths times idf in thousandths), so both
engines add them up exactly and break ties by document number (id order) alike.

1. The query is lowercased, cut to ``MAX_QUERY_CHARS`` characters, traditional
   characters folded to simplified (``lexicon``) and split at punctuation and spaces.
2. Each piece is segmented by longest match over the index's own terms (no jieba at query
   time: the index's terms are what can match), until ``MAX_TERMS`` distinct terms; the
   rest of a pasted page is not read.
3. The required terms are the multi-character ones (single characters only when there
   is nothing else), without those in more than ``COMMON_PER_MILLE`` of the documents when
   rarer ones are there (those are then not scored either). A document must hold all of
   them (a compound few documents spell out, 督查考核, is held by a document with all its
   ``parts`` too); when fewer than ``ENOUGH`` do, at least half of them.
4. A document's score is the sum over the scored terms (and their parts) of idf ×
   weight; single characters of a query with longer terms count a quarter, so 长 never
   lifts a document over one that matches 文件. An alias (督检考) puts its entry first and
   adds what links to it.
5. A query that finds nothing (``Analysed.finds_nothing``) is tried once more corrected
   (``Corrector``): an unknown piece replaced by the glossary word that sounds the same,
   or that differs in one character. The corrected query is searched instead when it
   knows more of its characters than the typed one and some document has all its words.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from .lexicon import Lexicon

MAX_QUERY_CHARS = 200  # a pasted page of text must not become thousands of terms
MAX_TERM_CHARS = 12  # longest term looked up
MAX_TERMS = 12  # distinct terms of one query that are searched
MAX_FIX_CHARS = 8  # longest piece a correction may replace (the glossary's longest word)
COMMON_PER_MILLE = 200  # a term in more of the documents (in ‰) is too common to require
ENOUGH = 10  # documents with all the words that make a result set of their own
SINGLE_CHAR_SHARE = 4  # a single character's score is divided by this
ALIAS_SCORE = 1_000_000  # the entry an alias names comes first
ALIAS_LINK_FACTOR = 2  # what links to it counts twice its idf

# Spaces and punctuation, spelt out (not \s: JavaScript's and Python's differ).
SEPARATORS = (
    " \t\n\r\f\v\u00a0\u3000，。、；：！？,.;:!?\"'“”‘’（）()《》〈〉【】[]{}<>|/\\*+=~`^&%$#@_-"
)
SPLIT = re.compile("[" + re.escape(SEPARATORS) + "]+")


def limits() -> dict[str, int | str]:
    """The constants search.js reads from the index's meta.js, so they are never two."""
    return {
        "query_chars": MAX_QUERY_CHARS,
        "term_chars": MAX_TERM_CHARS,
        "terms": MAX_TERMS,
        "fix_chars": MAX_FIX_CHARS,
        "common_per_mille": COMMON_PER_MILLE,
        "separators": SEPARATORS,
        "enough": ENOUGH,
        "single_char_share": SINGLE_CHAR_SHARE,
        "alias_score": ALIAS_SCORE,
        "alias_link_factor": ALIAS_LINK_FACTOR,
    }


class Postings(Protocol):
    docs: int  # number of documents (rows 0 … docs-1, in id order)

    def known(self, term: str) -> bool: ...

    def postings(self, term: str) -> dict[int, int]:
        """row → weight in tenths; empty for an unknown term."""
        ...


@dataclass(frozen=True)
class Analysed:
    text: str  # lowercased, cut, folded
    runs: list[str]
    terms: list[str]
    aliases: list[str]  # alias names the text contains
    loose: int = 0  # characters the index does not know, even alone
    parts: dict[str, list[str]] = field(default_factory=dict)  # see ``parts``

    def finds_nothing(self, index: Postings) -> bool:
        """What a reader would call finding nothing: a character the index does not know
        (so a word of the query is not there), or no document with all its words."""
        return self.loose > 0 or finds_nothing(index, self.terms)


@dataclass
class Ranked:
    rows: list[int]  # matching documents, best first
    scores: dict[int, int]
    terms: list[str]
    corrected: str | None = None  # the query searched instead of the one typed
    analysed: Analysed | None = field(default=None, repr=False)


def normalise(text: str, lexicon: Lexicon) -> str:
    text = text.lower()[:MAX_QUERY_CHARS]
    return "".join(lexicon.fold.get(ch, ch) for ch in text)


def _pieces(run: str, known: Callable[[str], bool]) -> list[str]:
    """Longest match, left to right, over the index's terms; an unknown character is a
    piece of its own (and matches nothing)."""
    out, i = [], 0
    while i < len(run):
        for j in range(min(len(run), i + MAX_TERM_CHARS), i, -1):
            if j == i + 1 or known(run[i:j]):
                out.append(run[i:j])
                i = j
                break
    return out


def parts(term: str, known: Callable[[str], bool]) -> list[str]:
    """The words a term is made of, when it is made of words: 督查考核 → 督查, 考核. A
    document with all of them holds the term too (the query's longest match may be a
    compound that few documents spell out)."""
    if len(term) < 3:
        return []
    out, i = [], 0
    while i < len(term):
        for j in range(min(len(term), i + len(term) - 1), i, -1):  # never the whole term
            if j == i + 1 or known(term[i:j]):
                out.append(term[i:j])
                i = j
                break
    return out if all(len(p) > 1 for p in out) else []


def segment(runs: Iterable[str], known: Callable[[str], bool]) -> tuple[list[str], int]:
    """The query's terms (at most ``MAX_TERMS``), and how many of its characters the
    index does not know at all (意 in 形式主意: a misspelt word)."""
    found: dict[str, None] = {}
    loose = 0
    for run in runs:
        # pieces by pieces of text: past MAX_TERMS terms the rest is not read at all (the
        # browser loads the shards of a piece's characters only when it reaches it)
        if len(found) >= MAX_TERMS:
            break
        for piece in _pieces(run, known):
            if len(found) >= MAX_TERMS:
                break
            if known(piece):
                found.setdefault(piece)
            else:
                loose += 1
    return list(found), loose


def analyse(text: str, index: Postings, lexicon: Lexicon, aliases: Iterable[str]) -> Analysed:
    q = normalise(text, lexicon)
    runs = [r for r in SPLIT.split(q) if r]
    terms, loose = segment(runs, index.known)
    # parts of a compound few documents spell out (督查考核), or made of rare words: a
    # common one is fetched only when it is what can find something
    made_of = {
        t: p
        for t in terms
        if (p := parts(t, index.known))
        and (len(index.postings(t)) < ENOUGH or not any(is_common(index, x) for x in p))
    }
    return Analysed(q, runs, terms, [a for a in aliases if a in q], loose, made_of)


def is_common(index: Postings, term: str) -> bool:
    return len(index.postings(term)) * 1000 > COMMON_PER_MILLE * index.docs


def scored_terms(index: Postings, analysed: Analysed) -> tuple[list[str], list[str]]:
    """(required, scored): the terms a document must hold, and those that score it.
    Words in more than ``COMMON_PER_MILLE`` of the documents (基层, 工作) neither, when
    rarer ones are there: they match nearly everything and rank nothing."""
    terms = analysed.terms
    base = [t for t in terms if len(t) > 1] or terms
    rare = [t for t in base if not is_common(index, t)]
    used = [t for t in terms if not is_common(index, t)] if rare else terms
    # then the words they are made of
    scored = list(dict.fromkeys([*used, *(p for t in used for p in analysed.parts.get(t, ()))]))
    return rare or base, scored


def idf(df: int, docs: int) -> int:
    """BM25's idf in thousandths, rounded half up (the same in JavaScript)."""
    return math.floor(1000 * math.log(1 + (docs - df + 0.5) / (df + 0.5)) + 0.5)


def rank(
    index: Postings,
    analysed: Analysed,
    alias_targets: list[tuple[int, str]],
    allowed: Callable[[int], bool] | None = None,
) -> Ranked:
    """``alias_targets``: (row, link term) of every entry the query's aliases name."""
    ok = allowed or (lambda row: True)
    terms = analysed.terms
    required, scored = scored_terms(index, analysed)
    lists = {t: index.postings(t) for t in scored}

    def holders(term: str) -> set[int]:
        found = set(lists[term])
        made_of = analysed.parts.get(term)
        if made_of:
            found |= set.intersection(*(set(lists[p]) for p in made_of))
        return found

    multi = [t for t in terms if len(t) > 1]
    holding = {t: holders(t) for t in required}
    count: dict[int, int] = defaultdict(int)
    for t in required:
        for row in holding[t]:
            if ok(row):
                count[row] += 1
    need = len(required)
    matched = {row for row, c in count.items() if c == need}
    if need > 1 and len(matched) < ENOUGH:
        least = need - need // 2
        matched = {row for row, c in count.items() if c >= least}
    links = {}
    for row, link in alias_targets:
        if ok(row):
            matched.add(row)
        links[link] = index.postings(link)
        matched.update(r for r in links[link] if ok(r))
    scores = dict.fromkeys(matched, 0)
    for t in scored:
        weight = idf(len(lists[t]), index.docs)
        share = SINGLE_CHAR_SHARE if len(t) == 1 and multi else 1
        for row, w in lists[t].items():
            if row in scores:
                scores[row] += weight * w // share
    # the more of the required words a document holds, the higher: 第8条 and 若干规定
    # before 若干规定 alone
    for row in scores:
        scores[row] *= max(1, count.get(row, 0))
    for postings in links.values():
        weight = ALIAS_LINK_FACTOR * idf(len(postings), index.docs)
        for row, w in postings.items():
            if row in scores:
                scores[row] += weight * w
    for row, _ in alias_targets:
        if row in scores:
            scores[row] += ALIAS_SCORE
    rows = sorted(scores, key=lambda row: (-scores[row], row))
    return Ranked(rows, scores, scored, analysed=analysed)


def finds_nothing(index: Postings, terms: list[str]) -> bool:
    """No document holds all the query's words (its longer, rarer words, if it has any)."""
    wanted = [t for t in terms if len(t) > 1] or terms
    wanted = [t for t in wanted if not is_common(index, t)] or wanted
    if not wanted:
        return True
    common = set(index.postings(wanted[0]))
    for t in wanted[1:]:
        common &= set(index.postings(t))
    return not common


def corrected(
    index: Postings, analysed: Analysed, lexicon: Lexicon, aliases: Iterable[str]
) -> Analysed | None:
    """The corrected query's analysis, when it is to be searched instead."""
    if not analysed.runs or not analysed.finds_nothing(index):
        return None
    if len(analysed.terms) >= MAX_TERMS:
        return None  # a pasted page, not a misspelt word (and not all of it was read)
    fixed = Corrector.of(lexicon).correct(analysed.runs, index.known)
    if fixed is None:
        return None
    again = analyse(fixed, index, lexicon, aliases)
    if again.loose < analysed.loose or finds_nothing(index, analysed.terms):
        if not finds_nothing(index, again.terms):
            return again
    return None


_correctors: weakref.WeakKeyDictionary[Lexicon, Corrector] = weakref.WeakKeyDictionary()


class Corrector:
    """Unknown pieces of a query replaced by glossary words: the same sound first, then
    the same length with one character different."""

    def __init__(self, lexicon: Lexicon):
        self.sound_of = {ch: s for s, chars in lexicon.sounds.items() for ch in chars}
        self.by_sound: dict[str, str] = {}
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for word in lexicon.glossary:  # sorted: the first word of a sound wins
            key = self.sound(word)
            if key is not None:
                self.by_sound.setdefault(key, word)
            self.by_length[len(word)].append(word)

    @staticmethod
    def of(lexicon: Lexicon) -> Corrector:
        if lexicon not in _correctors:
            _correctors[lexicon] = Corrector(lexicon)
        return _correctors[lexicon]

    def sound(self, text: str) -> str | None:
        sounds = [self.sound_of.get(ch) for ch in text]
        return None if None in sounds else " ".join(sounds)  # type: ignore[arg-type]

    def fix(self, piece: str) -> str | None:
        key = self.sound(piece)
        if key is not None and key in self.by_sound:
            return self.by_sound[key]
        if len(piece) >= 3:
            for word in self.by_length.get(len(piece), ()):
                if sum(a != b for a, b in zip(word, piece, strict=True)) == 1:
                    return word
        return None

    def correct(self, runs: list[str], known: Callable[[str], bool]) -> str | None:
        out = []
        for run in runs:
            fixed, i = "", 0
            while i < len(run):
                for j in range(min(len(run), i + MAX_TERM_CHARS), i + 1, -1):
                    piece = run[i:j]
                    if known(piece):
                        fixed += piece
                        i = j
                        break
                    # only a piece with a character the index lacks is misspelt: 太长 in
                    # 文件太长 is two known words, not a misspelt 台账
                    fixable = j - i <= MAX_FIX_CHARS and not all(map(known, piece))
                    word = self.fix(piece) if fixable else None
                    if word:
                        fixed += word
                        i = j
                        break
                else:
                    fixed += run[i]
                    i += 1
            out.append(fixed)
        corrected = " ".join(out)
        return corrected if corrected != " ".join(runs) else None
