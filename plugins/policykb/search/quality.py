"""Search quality: recall@k and MRR of an engine over queries with known right answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Judged:
    q: str
    expect: tuple[str, ...]  # ids that must come back near the top


@dataclass(frozen=True)
class Report:
    recall_at_k: float
    mrr: float
    k: int
    misses: list[tuple[str, list[str], list[str]]]  # query, missing ids, what came back


def load_queries(path: Path) -> list[Judged]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Judged(str(item["q"]), tuple(item["expect"])) for item in raw]


def evaluate(
    search: Callable[[Sequence[str]], list[list[str]]], queries: list[Judged], *, k: int = 5
) -> Report:
    """``search`` takes all query texts and returns, for each, the ids in ranked order."""
    ranked = search([j.q for j in queries])
    recall = rr = 0.0
    misses = []
    for judged, ids in zip(queries, ranked, strict=True):
        top = ids[:k]
        found = [e for e in judged.expect if e in top]
        recall += len(found) / len(judged.expect)
        ranks = [ids.index(e) + 1 for e in judged.expect if e in ids]
        rr += 1 / min(ranks) if ranks else 0.0
        if len(found) < len(judged.expect):
            missing = [e for e in judged.expect if e not in top]
            misses.append((judged.q, missing, top))
    n = len(queries)
    return Report(recall / n, rr / n, k, misses)
