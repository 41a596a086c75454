"""Search at scale: what the first query costs a browser, and whoosh latency.

    python3 bench/scale.py [--sizes 1000 10000] [--queries 40]

For each size it generates a realistic knowledge base (bench/generate.py), builds the
whoosh index and the sharded in-browser index, then prints:
- the whole in-browser index (what a one-file index like Material's makes a browser load
  before its first result: the baseline) and the bytes the first query actually loads,
  from a local web server and from file://, in headless Chromium (median and max over
  the queries, each in a fresh page), and their ratio to the baseline;
- the largest file of the in-browser index (no shard may pass 150 KB);
- whoosh query latency, warm, with snippets: p50 and p95 over the benchmark queries;
- a fresh process opening the whoosh index and answering one query as JSON (what
  `build.py search Q --json` adds to loading the project): CPU seconds, median of 5.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import REPO, browser_page, build_indexes
from policykb.search.backend import SearchQuery
from policykb.search.quality import load_queries
from policykb.search.whoosh_index import WhooshSearch


def first_query_bytes(page, base_url: str, site: Path, query: str) -> int:
    """Bytes of index files one query loads in a fresh page (sizes on disk: file:// has no
    transfer sizes, and the server sends the files as they are)."""
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto(f"{base_url}/harness.html")
    page.evaluate(
        """async q => {
            const r = await policykbSearch.engine.search(q);
            await policykbSearch.engine.describe(r.hits.slice(0, 10));
        }""",
        query,
    )
    names = {url.rsplit("/search/kb/", 1)[1] for url in loaded if "/search/kb/" in url}
    return sum((site / "search" / "kb" / name).stat().st_size for name in names)


def browser_costs(site: Path, queries: list[str]) -> dict[str, list[int]]:
    from tests.browser import serving

    costs: dict[str, list[int]] = {"http": [], "file": []}
    with serving(site) as http_url, browser_page("about:blank") as page:
        chromium = page.context.browser
        for scheme, base in (("http", http_url), ("file", site.as_uri())):
            for query in queries:
                fresh = chromium.new_page()  # nothing cached from the last query
                costs[scheme].append(first_query_bytes(fresh, base, site, query))
                fresh.close()
    return costs


def latency(whoosh_dir: Path, queries: list[str]) -> tuple[float, float]:
    engine = WhooshSearch(whoosh_dir)
    try:
        for q in queries:  # warm: caches, segmenter, file handles
            engine.search(SearchQuery(q))
        timings = []
        for q in queries:
            start = time.perf_counter()
            engine.search(SearchQuery(q))  # ten hits with snippets, facets
            timings.append((time.perf_counter() - start) * 1000)
    finally:
        engine.close()
    timings.sort()
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)]


# a page of pasted text: the cap on query terms keeps what it loads near a short query's
PASTED = (
    "《关于整治形式主义为基层减负若干规定》第七条规定了什么，乡镇干部天天填表报数据怎么办？"
    "督查检查考核过多过频，文山会海反弹回潮，指尖上的形式主义又冒头了，怎么整治？"
) * 2

FRESH = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from policykb.search.backend import SearchQuery
from policykb.search.whoosh_index import WhooshSearch
print(json.dumps(WhooshSearch(Path(sys.argv[2])).search(SearchQuery(sys.argv[3])).to_json()))
"""


def fresh_process_cpu(whoosh_dir: Path, query: str) -> float:
    """CPU seconds (user + system) of a new Python process that opens the index, answers
    ``query`` and prints the JSON: median of five runs."""
    runs = []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", FRESH, str(REPO / "plugins"), str(whoosh_dir), query],
            check=True,
            capture_output=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--queries", type=int, default=40, help="benchmark queries used for the browser figures"
    )
    args = parser.parse_args()
    texts = [j.q for j in load_queries(REPO / "bench" / "queries.yaml")]
    sample = texts[:: max(1, len(texts) // args.queries)][: args.queries] + [PASTED]
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "kb"
            subprocess.run(
                [sys.executable, str(REPO / "bench" / "generate.py"), str(size), str(project)],
                check=True,
                capture_output=True,
            )
            started = time.perf_counter()
            indexes = build_indexes(project, Path(tmp) / "out")
            built = time.perf_counter() - started
            whole = sum(indexes.browser.size(p) for p in indexes.browser.files)
            costs = browser_costs(indexes.site_dir, sample)
            p50, p95 = latency(indexes.whoosh_dir, texts)
            largest = max((indexes.browser.size(p), p) for p in indexes.browser.files)
            fresh = fresh_process_cpu(indexes.whoosh_dir, "督检考")
            rows.append((indexes.entries, whole, costs, p50, p95, largest, fresh))
            print(f"{size} entries: indexes built in {built:.1f} s", file=sys.stderr)
    print(
        "in-browser index: bytes loaded before the first results (median / max over "
        f"{len(sample)} queries)"
    )
    print(f"{'entries':>8} {'whole index':>12} {'http':>17} {'file://':>17} {'ratio':>7}")
    for entries, whole, costs, *_ in rows:
        cells = []
        for scheme in ("http", "file"):
            values = costs[scheme]
            cells.append(f"{statistics.median(values) / 1024:7.0f} / {max(values) / 1024:4.0f} KB")
        ratio = max(costs["http"] + costs["file"]) / whole
        print(f"{entries:>8} {whole / 1024:>9.0f} KB {cells[0]:>17} {cells[1]:>17} {ratio:>7.3f}")
    print(f"the last query is a pasted page of {len(PASTED)} characters")
    for entries, _, _, _, _, (size, path), _ in rows:
        print(f"{entries:>8} largest index file: {path.rsplit('/', 1)[1]} {size / 1024:.0f} KB")
    print(f"whoosh latency, warm, with snippets and facets ({len(texts)} queries)")
    print(f"{'entries':>8} {'p50 ms':>8} {'p95 ms':>8} {'fresh process CPU s':>20}")
    for entries, _, _, p50, p95, _, fresh in rows:
        print(f"{entries:>8} {p50:>8.1f} {p95:>8.1f} {fresh:>20.2f}")
    if len(rows) > 1:
        print(f"p95 at {rows[-1][0]} / p95 at {rows[0][0]}: {rows[-1][4] / rows[0][4]:.2f}")


if __name__ == "__main__":
    main()
