"""Search quality of both engines over bench/queries.yaml: recall@5 and MRR.

    python3 bench/search_quality.py [--misses]

Builds the whoosh index and the in-browser index of the repository's knowledge base in a
temporary folder, runs every query against both (the in-browser one in headless
Chromium, the same JavaScript the site runs) and prints the figures.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from harness import REPO, browser_page, browser_search, build_indexes, whoosh_search
from policykb.search.quality import evaluate, load_queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", default=str(REPO / "bench" / "queries.yaml"))
    parser.add_argument("--misses", action="store_true", help="list the queries that miss")
    args = parser.parse_args()
    queries = load_queries(Path(args.queries))
    with tempfile.TemporaryDirectory() as tmp:
        indexes = build_indexes(REPO, Path(tmp))
        reports = {"whoosh": evaluate(lambda qs: whoosh_search(indexes.whoosh_dir, qs), queries)}
        with browser_page((indexes.site_dir / "harness.html").as_uri()) as page:
            reports["browser"] = evaluate(lambda qs: browser_search(page, qs), queries)
    print(f"{len(queries)} queries, {indexes.entries} entries")
    print(f"{'engine':<10}{'recall@5':>10}{'MRR':>8}")
    for name, report in reports.items():
        print(f"{name:<10}{report.recall_at_k:>10.3f}{report.mrr:>8.3f}")
    if args.misses:
        for name, report in reports.items():
            for q, missing, top in report.misses:
                print(f"  {name}: {q!r} missing {missing}; top 5: {top}")


if __name__ == "__main__":
    main()
