"""The in-browser search index: small script files a page loads only when a query needs them.

Material's index is one JSON file loaded whole (about 11 KB a page); a cadre's browser
would fetch megabytes before the first result. This index is split three ways, each part
a ``<script>`` file, since scripts load from a web server and from ``file://`` alike:

- ``meta.js``: shard count, document count, the alias table (督检考 → its problem);
- ``s<N>.js``: the postings of every term whose first character hashes to shard N, so a
  query loads one shard per distinct character it contains;
- ``d<N>.js``: titles, URLs and snippets of documents N*CHUNK … (N+1)*CHUNK-1, loaded for
  the hits shown.

Terms and weights come from the same segmented documents and field boosts as the whoosh
index: BM25F term weights are computed here, the browser multiplies them by idf.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

from .. import urls
from ..kinds import KINDS
from ..render import json_for_html
from .documents import FIELD_BOOSTS, SearchDocument, field_terms
from .segment import SEPARATOR, Segmenter

FORMAT = 1
FOLDER = "search/kb"
CHUNK = 10  # documents per d<N>.js: a hit costs its chunk, so chunks stay small
SHARD_TARGET = 16_000  # bytes of postings per shard, before the script wrapper
MAX_POSTINGS = 400  # per term: very common words keep only their best documents
SNIPPET_CHARS = 80
K1, B = 1.2, 0.75

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

# Synthetic terms: a document linked to a problem or remedy carries "@p:<id>" / "@r:<id>".
PROBLEM_TERM, REMEDY_TERM = "@p:", "@r:"


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


def _weights(docs: list[SearchDocument], segmenter: Segmenter) -> dict[str, dict[int, float]]:
    """term → {document number: BM25F weight}; the browser multiplies by idf."""
    per_doc = [field_terms(doc, segmenter) for doc in docs]
    avg = {
        f: max(1.0, sum(len(d[f]) for d in per_doc) / max(1, len(per_doc))) for f in FIELD_BOOSTS
    }
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for n, (doc, fields) in enumerate(zip(docs, per_doc, strict=True)):
        pseudo: dict[str, float] = defaultdict(float)  # BM25F: boosted, length-normalised tf
        for f, boost in FIELD_BOOSTS.items():
            words = fields[f]
            norm = 1 - B + B * len(words) / avg[f]
            counts: dict[str, int] = defaultdict(int)
            for w in words:
                counts[w] += 1
            for w, tf in counts.items():
                pseudo[w] += boost * tf / norm
        for w, tf in pseudo.items():
            postings[w][n] = tf * (K1 + 1) / (tf + K1)
        for pid in doc.problems:
            postings[PROBLEM_TERM + pid][n] = 1.0
        for rid in doc.remedies:
            postings[REMEDY_TERM + rid][n] = 1.0
    return postings


def _encode(postings: dict[int, float]) -> list[int]:
    """[df, delta1, weight1, delta2, weight2, …]: ascending document numbers as gaps, weights
    in tenths; a very common term keeps only its MAX_POSTINGS best documents."""
    best = sorted(postings.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_POSTINGS]
    out = [len(postings)]
    previous = 0
    for n, weight in sorted(best):
        out += [n - previous, max(1, round(weight * 10))]
        previous = n
    return out


def _aliases(docs: list[SearchDocument], alias_table: dict[str, list[list[str]]]) -> dict:
    number = {doc.id: n for n, doc in enumerate(docs)}
    table: dict[str, list] = {}
    for alias, targets in sorted(alias_table.items()):
        entries = []
        for kind, target in targets:
            prefix = PROBLEM_TERM if kind == "problem" else REMEDY_TERM
            entries.append([number[target], prefix + target])
        table[alias] = entries
    return table


def _snippet(doc: SearchDocument) -> str:
    text = doc.text_seg.replace(SEPARATOR, "").replace("\n", " ").strip()
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"


def _script(call: str, *args: object) -> str:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    return f"policykbSearch.{call}({json_for_html(body)});\n"


def build(
    docs: list[SearchDocument],
    segmenter: Segmenter,
    alias_table: dict[str, list[list[str]]],
    *,
    use_directory_urls: bool,
) -> BrowserIndex:
    postings = _weights(docs, segmenter)
    encoded = {term: _encode(p) for term, p in sorted(postings.items())}
    total = sum(len(json.dumps(v)) + len(term) * 3 + 4 for term, v in encoded.items())
    shards = max(1, math.ceil(total / SHARD_TARGET))
    by_shard: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for term, value in encoded.items():
        by_shard[shard_of(term, shards)][term] = value
    files = {
        f"{FOLDER}/meta.js": _script(
            "meta",
            {
                "format": FORMAT,
                "shards": shards,
                "chunk": CHUNK,
                "docs": len(docs),
                "kinds": "".join(KIND_CODES[doc.kind] for doc in docs),
                "kind_codes": KIND_CODES,
                # a page's URL is <folder><id><suffix>: kept here, not repeated per document
                "folders": {k.name: k.url_dir + "/" for k in KINDS},
                "suffix": urls.site_url("x.md", use_directory_urls=use_directory_urls)[1:],
                "aliases": _aliases(docs, alias_table),
            },
        )
    }
    for n in range(shards):
        files[f"{FOLDER}/s{n}.js"] = _script("shard", n, by_shard.get(n, {}))
    for start in range(0, len(docs), CHUNK):
        rows = [
            [
                doc.id,
                doc.kind,
                doc.title,
                doc.region,
                doc.year,
                _snippet(doc),
            ]
            for doc in docs[start : start + CHUNK]
        ]
        files[f"{FOLDER}/d{start // CHUNK}.js"] = _script("docs", start // CHUNK, rows)
    return BrowserIndex(files)
