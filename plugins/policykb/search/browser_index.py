"""The in-browser search index: small script files a page loads only when a query needs them.

Material's index is one JSON file loaded whole (about 11 KB a page); a cadre's browser
would fetch megabytes before the first result. This index is split, each part a
``<script>`` file, since scripts load from a web server and from ``file://`` alike:

- ``meta.js``: shard count, document count, each document's kind, the alias table
  (督检考 → its problem), the folding table and ``engine.limits()``;
- ``s<N>.js``: the postings of every term whose first character hashes to shard N, so a
  query loads one shard per distinct character it contains;
- ``d<N>.js``: titles, URLs, dates and snippets of documents N*CHUNK … (N+1)*CHUNK-1,
  loaded for the hits shown;
- ``f.js``: every document's region, date, level, issuer, 文种 and problems, for the
  search page's filters, facets and date order;
- ``x.js``: the glossary and the characters' sounds, loaded only to correct a query.

Terms and weights are the search documents' own (``documents.term_weights``), every
posting of every term: search.js ranks with ``engine``'s rules over the same numbers as
the server, so both find the same documents in the same order.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

from .. import cache, urls
from ..cache import Cache
from ..kinds import KINDS
from ..render import json_for_html
from . import engine, lexicon
from .catalogue import FACETS, Row
from .documents import PROBLEM_TERM, REMEDY_TERM, SearchDocument, postings_of
from .segment import Segmenter

FORMAT = 2
FOLDER = "search/kb"
CHUNK = 10  # documents per d<N>.js: a hit costs its chunk, so chunks stay small
SHARD_TARGET = 3_000  # bytes of a shard's terms (long lists apart): a query loads one per character
SNIPPET_CHARS = 80
# A list longer than this (in characters) moves to a p<N>.js of its own, loaded only when
# the term is searched: a shard then costs a query little for each word it merely holds.
LONG_LIST = 200
LONG_TARGET = 3_000  # bytes of long lists per p<N>.js: most hold one list

# One letter per document, in document order: the browser filters by kind without
# loading any document chunk.
KIND_CODES = {
    "source": "s",
    "rule": "r",
    "negative": "n",
    "problem": "p",
    "remedy": "m",
    "case": "c",
    "compilation": "h",
    "study": "x",
}

# Postings as text: numbers in base 32, little-endian, a "more" digit before the last
# one. No character JSON or json_for_html would escape: one byte a digit.
DIGITS = "".join(chr(c) for c in range(0x28, 0x7F) if chr(c) not in "\\<>")[:64]
LAST, MORE = DIGITS[:32], DIGITS[32:]


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over code points; search.js computes the same."""
    h = 0x811C9DC5
    for ch in text:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_of(term: str, shards: int) -> int:
    key = term if term.startswith("@") else term[0]
    return fnv1a(key) % shards


@dataclass(frozen=True)
class BrowserIndex:
    files: dict[str, str]  # path under the site root → content

    def size(self, path: str) -> int:
        return len(self.files[path].encode("utf-8"))


def _spelled(n: int) -> str:
    out = []
    while n >= 32:
        out.append(MORE[n % 32])
        n //= 32
    out.append(LAST[n])
    return "".join(out)


# gaps and weights are mostly small: spelled out once (a posting list has a million)
_SMALL = [_spelled(n) for n in range(32 * 32 * 4)]


def encode(postings: list[tuple[int, int]]) -> str:
    """(document number, weight) pairs, ascending: each as the gap from the previous
    number and the weight."""
    small, count = _SMALL, len(_SMALL)
    out, previous = [], 0
    for n, weight in postings:
        gap = n - previous
        out.append(small[gap] if 0 <= gap < count else _spelled(gap))
        out.append(small[weight] if 0 <= weight < count else _spelled(weight))
        previous = n
    return "".join(out)


_VALUE = {digit: n for n, digit in enumerate(DIGITS)}


def decode(text: str) -> list[tuple[int, int]]:
    """``encode``'s pairs back from its text."""
    numbers, value, shift = [], 0, 1
    for ch in text:
        digit = _VALUE[ch]
        if digit < 32:  # a last digit
            numbers.append(value + digit * shift)
            value, shift = 0, 1
        else:
            value += (digit - 32) * shift
            shift *= 32
    pairs, n = [], 0
    for gap, weight in zip(numbers[::2], numbers[1::2], strict=True):
        n += gap
        pairs.append((n, weight))
    return pairs


def _pairs(flat: list[int]) -> list[tuple[int, int]]:
    return list(zip(flat[::2], flat[1::2], strict=True))


POSTINGS = "browser-postings"  # the cache's namespace


def _encoded(docs: list[SearchDocument], store: Cache | None) -> dict[str, tuple[str, int]]:
    """Per term, sorted, its postings as ``encode`` spells them and how many. With ``store``:
    the last build's, for the same documents; with the postings of those whose content
    changed made again (only the terms those had or have are looked at). When one document
    came or went, the kept postings are renumbered first (``_renumbered``); when more did,
    they are made afresh, but the terms of each unchanged document are the kept ones."""
    hashes = [doc.content_hash() for doc in docs]
    ids = [doc.id for doc in docs]
    kept = store.get(POSTINGS, _LAST) if store else None
    same_documents = kept is not None and kept["ids"] == ids
    if same_documents and kept["hashes"] == hashes:
        return kept["encoded"]
    renumbered = None if kept is None or same_documents else _renumbered(kept, ids)
    if same_documents or renumbered is not None:
        encoded = _patched(docs, hashes, renumbered or kept)
    else:
        postings = postings_of(docs)
        encoded = {term: (encode(_pairs(p)), len(p) // 2) for term, p in sorted(postings.items())}
    if store:
        # a document's terms, for the next build's patch: one string (a term has no white
        # space), UTF-8 bytes (see documents._frozen); an unchanged document's as kept
        previous = {}
        if kept is not None:
            kept_pairs = zip(kept["hashes"], kept["terms"], strict=True)
            previous = dict(zip(kept["ids"], kept_pairs, strict=True))
        terms = []
        for doc, content in zip(docs, hashes, strict=True):
            old = previous.get(doc.id)
            if old is not None and old[0] == content:
                terms.append(old[1])
            else:
                terms.append("\n".join([t for t, _ in doc.weights]).encode())
        value = {"ids": ids, "hashes": hashes, "terms": terms, "encoded": encoded}
        store.put(POSTINGS, _LAST, value)
    return encoded


_LAST = cache.key(POSTINGS)  # one in-browser index a work dir: the last build's


def _renumbered(kept: dict, ids: list[str]) -> dict | None:
    """The kept postings with the documents' numbers of ``ids``, when one document came or
    went (None otherwise). Every later document's number moved by one, but in a term's
    postings that is one gap, the one into the first of those numbers (``_moved_from``):
    its text is the kept one with that gap spelled anew. A gone document's terms are
    decoded and spelled again without it; a new one holds no term yet (``_patched`` adds
    its postings, as for an edited one)."""
    old = kept["ids"]
    if abs(len(ids) - len(old)) != 1:
        return None
    shorter = min(len(ids), len(old))  # no difference before it: the last one came or went
    at = next((n for n, (a, b) in enumerate(zip(ids, old, strict=False)) if a != b), shorter)
    hashes, terms, encoded = list(kept["hashes"]), list(kept["terms"]), {}
    if len(ids) > len(old):  # one came, at ``at``
        if ids[:at] != old[:at] or ids[at + 1 :] != old[at:]:
            return None
        hashes.insert(at, "")
        terms.insert(at, b"")
        for term, (text, count) in kept["encoded"].items():
            encoded[term] = (_moved_from(text, at, 1), count)
    else:  # the one at ``at`` went
        if ids[:at] != old[:at] or ids[at:] != old[at + 1 :]:
            return None
        gone = set(terms.pop(at).decode().split("\n"))
        del hashes[at]
        for term, (text, count) in kept["encoded"].items():
            if term in gone:
                pairs = [(n - (n > at), w) for n, w in decode(text) if n != at]
                if pairs:
                    encoded[term] = (encode(pairs), len(pairs))
            else:
                encoded[term] = (_moved_from(text, at, -1), count)
    return {"ids": ids, "hashes": hashes, "terms": terms, "encoded": encoded}


def _moved_from(text: str, at: int, by: int) -> str:
    """``encode``'s text with every document number from ``at`` on moved by ``by``: the
    gap into the first of them spelled anew, what comes before read, what follows kept."""
    value, shift, number, start, gap = 0, 1, 0, 0, True
    for i, ch in enumerate(text):
        digit = _VALUE[ch]
        if digit >= 32:
            value += (digit - 32) * shift
            shift *= 32
            continue
        value += digit * shift
        if gap:
            number += value
            if number >= at:
                moved = value + by
                spelled = _SMALL[moved] if moved < len(_SMALL) else _spelled(moved)
                return text[:start] + spelled + text[i + 1 :]
        value, shift, gap, start = 0, 1, not gap, i + 1
    return text


def _patched(
    docs: list[SearchDocument], hashes: list[str], kept: dict
) -> dict[str, tuple[str, int]]:
    changed = [
        n for n, (new, old) in enumerate(zip(hashes, kept["hashes"], strict=True)) if new != old
    ]
    fresh: dict[str, dict[int, int]] = {}  # each term they had or have → their new postings
    for n in changed:
        for term in filter(None, kept["terms"][n].decode().split("\n")):
            fresh.setdefault(term, {})
        for term, weight in docs[n].weights:
            fresh.setdefault(term, {})[n] = weight
    encoded = dict(kept["encoded"])
    remade = set(changed)
    for term, postings in fresh.items():
        old = decode(encoded[term][0]) if term in encoded else []
        pairs = sorted([(n, w) for n, w in old if n not in remade] + list(postings.items()))
        if pairs:
            encoded[term] = (encode(pairs), len(pairs))
        else:
            del encoded[term]
    return dict(sorted(encoded.items()))


def _aliases(docs: list[SearchDocument], alias_table: dict[str, list[list[str]]]) -> dict:
    """{"targets": [[document number, link term], …], "names": {alias: "0 3"}}: each
    problem or remedy once, its names pointing at it by position (search.js expands it)."""
    number = {doc.id: n for n, doc in enumerate(docs)}
    targets: dict[str, int] = {}
    names: dict[str, str] = {}
    for alias, named in sorted(alias_table.items()):
        entries = []
        for kind, target in named:
            if target in number:
                prefix = PROBLEM_TERM if kind == "problem" else REMEDY_TERM
                entries.append(str(targets.setdefault(prefix + target, len(targets))))
        names[alias] = " ".join(entries)
    links = [[number[link[3:]], link] for link in targets]
    return {"targets": links, "names": names}


def _snippet(doc: SearchDocument) -> str:
    text = doc.prose
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"


def _facts(docs: list[SearchDocument]) -> dict:
    """Per facet a value table and, per document, the value's index as one character
    (code 48 + index): a facet of 10,000 documents is a string of 10,000 characters."""
    rows = [Row.of(doc) for doc in docs]
    out: dict[str, object] = {}
    for facet in (*[f for f in FACETS if f not in {"kind", "problems"}], "date"):
        values = sorted({getattr(r, facet) if facet != "year" else r.date[:4] for r in rows})
        index = {v: i for i, v in enumerate(values)}
        codes = "".join(
            chr(48 + index[getattr(r, facet) if facet != "year" else r.date[:4]]) for r in rows
        )
        out[facet] = {"values": values, "codes": codes}
    problems = sorted({p for r in rows for p in r.problems})
    index = {p: i for i, p in enumerate(problems)}
    out["problems"] = {
        "values": problems,
        # per document its problems' codes, documents separated by spaces
        "of": " ".join("".join(chr(48 + index[p]) for p in r.problems) for r in rows),
        "titles": {d.id: d.title for d in docs if d.kind == "problem"},
    }
    return out


def _script(call: str, *args: object) -> str:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    return f"policykbSearch.{call}({json_for_html(body)});\n"


def build(
    docs: list[SearchDocument],
    segmenter: Segmenter,
    alias_table: dict[str, list[list[str]]],
    *,
    use_directory_urls: bool,
    store: Cache | None = None,
) -> BrowserIndex:
    """``store``: where the postings of the last build are kept (see ``_encoded``)."""
    spelled = _encoded(docs, store)
    encoded = {term: value for term, (value, _) in spelled.items()}
    counts = {term: count for term, (_, count) in spelled.items()}
    long = {term: v for term, v in encoded.items() if len(v) > LONG_LIST}
    total = sum(
        (len(v) if term not in long else 6) + len(term.encode()) + 4 for term, v in encoded.items()
    )
    shards = max(1, math.ceil(total / SHARD_TARGET))
    long_shards = max(1, math.ceil(sum(len(v) for v in long.values()) / LONG_TARGET))
    by_shard: dict[int, dict[str, str | int]] = defaultdict(dict)
    by_long: dict[int, dict[str, str]] = defaultdict(dict)
    for term, value in encoded.items():
        if term in long:
            by_shard[shard_of(term, shards)][term] = counts[term]
            by_long[fnv1a(term) % long_shards][term] = value
        else:
            by_shard[shard_of(term, shards)][term] = value
    lex = lexicon.for_terms(encoded, segmenter.words)
    files = {
        f"{FOLDER}/meta.js": _script(
            "meta",
            {
                "format": FORMAT,
                "shards": shards,
                "long_shards": long_shards,
                "chunk": CHUNK,
                "docs": len(docs),
                "kinds": "".join(KIND_CODES[doc.kind] for doc in docs),
                "kind_codes": KIND_CODES,
                # a page's URL is <folder><id><suffix>: kept here, not repeated per document
                "folders": {k.name: k.url_dir + "/" for k in KINDS},
                "suffix": urls.site_url("x.md", use_directory_urls=use_directory_urls)[1:],
                "aliases": _aliases(docs, alias_table),
                "limits": engine.limits(),
                "digits": DIGITS,
                "fold": lex.to_json()["fold"],
            },
        ),
        f"{FOLDER}/f.js": _script("facts", _facts(docs)),
        f"{FOLDER}/x.js": _script("lexicon", {"sounds": lex.sounds, "glossary": lex.glossary}),
    }
    for n in range(shards):
        files[f"{FOLDER}/s{n}.js"] = _script("shard", n, by_shard.get(n, {}))
    for n in range(long_shards):
        files[f"{FOLDER}/p{n}.js"] = _script("long", n, by_long.get(n, {}))
    for start in range(0, len(docs), CHUNK):
        rows = [
            [
                doc.id,
                doc.kind,
                doc.title,
                doc.region,
                doc.date,
                _snippet(doc),
                doc.level,
                doc.issuer,
                doc.doctype,
                doc.status,
            ]
            for doc in docs[start : start + CHUNK]
        ]
        files[f"{FOLDER}/d{start // CHUNK}.js"] = _script("docs", start // CHUNK, rows)
    return BrowserIndex(files)
