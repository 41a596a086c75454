#!/usr/bin/env python3
"""Load on `build.py serve`'s search API: a crowd of clients on this machine, over loopback.

    python3 bench/load.py [--entries 1000] [--requests 2000] [--clients 20 200 200] [--no-cache]
                          [--workers N]

Generates a knowledge base (bench/generate.py), builds its whoosh index, and starts the
server `build.py serve` runs (policykb.server with the reopening, caching search backend) in
a process of its own. Then, for each number of concurrent clients, sends that many requests
to /api/search with queries drawn (seeded) from bench/queries.yaml, each client one request
after another on a fresh connection, with a 10 s time-out. Prints answers per second,
latency percentiles, errors and time-outs, and the server's resident memory before and after.
`--no-cache` turns off the server's cache of recent answers, to see what whoosh alone holds;
`--workers` sets the server's worker threads.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from random import Random
from urllib.parse import quote

from harness import REPO, build_indexes
from policykb.search.quality import load_queries

SERVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from policykb.kinds import BY_NAME
    from policykb.search.whoosh_index import ReopeningSearch
    from policykb.server import SiteServer, make_server

    site, index, cached = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    ReopeningSearch.CACHED = cached
    if sys.argv[4] != "default":
        SiteServer.workers = int(sys.argv[4])
    server = make_server(site, ReopeningSearch(index), kinds=set(BY_NAME), host="127.0.0.1", port=0)
    print(server.server_port, flush=True)
    server.serve_forever()
    """
)
TIMEOUT = 10.0


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def run(port: int, queries: list[str], clients: int) -> dict[str, object]:
    """``len(queries)`` requests from ``clients`` threads, each one request at a time."""
    todo = iter(enumerate(queries))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    timeouts = [0]

    def client() -> None:
        while True:
            with lock:
                item = next(todo, None)
            if item is None:
                return
            _, q = item
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                conn.request("GET", f"/api/search?q={quote(q)}")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    errors.append(f"{response.status} for {q!r}")
                    continue
            except TimeoutError:
                timeouts[0] += 1
                continue
            except OSError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "answers": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": latencies[-1] * 1000,
        "errors": errors,
        "timeouts": timeouts[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    # 200 twice: the memory after the second crowd shows whether it grows with the load
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 200, 200])
    parser.add_argument("--no-cache", action="store_true", help="no cache of recent answers")
    parser.add_argument("--workers", help="the server's worker threads (default: as it ships)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    texts = [j.q for j in load_queries(REPO / "bench" / "queries.yaml")]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "kb"
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate.py"), str(args.entries), str(project)],
            check=True,
            capture_output=True,
        )
        indexes = build_indexes(project, Path(tmp) / "out")
        env = {**os.environ, "PYTHONPATH": str(REPO / "plugins")}
        cached = "0" if args.no_cache else "512"
        server = subprocess.Popen(
            [
                *(sys.executable, "-c", SERVER, str(indexes.site_dir), str(indexes.whoosh_dir)),
                *(cached, args.workers or "default"),
            ],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        try:
            port = int(server.stdout.readline())
            run(port, texts[:10], 1)  # the first query opens the searcher's caches
            before = rss_kb(server.pid)
            print(
                f"{indexes.entries} entries, {args.requests} requests per row, queries drawn from "
                f"{len(texts)} in bench/queries.yaml, answer cache "
                f"{'off' if args.no_cache else 'on'}, {os.cpu_count()} CPUs"
            )
            print(
                f"{'clients':>7} {'answers':>7} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} "
                f"{'p99 ms':>7} {'max ms':>7} {'errors':>6} {'timeouts':>8} {'RSS MB':>7}"
            )
            rng = Random(args.seed)
            for clients in args.clients:
                queries = [rng.choice(texts) for _ in range(args.requests)]
                r = run(port, queries, clients)
                print(
                    f"{clients:>7} {r['answers']:>7} {r['per_s']:>7.0f} {r['p50']:>7.0f} "
                    f"{r['p95']:>7.0f} {r['p99']:>7.0f} {r['max']:>7.0f} "
                    f"{len(r['errors']):>6} {r['timeouts']:>8} {rss_kb(server.pid) / 1024:>7.0f}"
                )
                for error in itertools.islice(dict.fromkeys(r["errors"]), 5):
                    print(f"        {error}")
            after = rss_kb(server.pid) / 1024
            print(f"server RSS: {before / 1024:.0f} MB before, {after:.0f} MB after the load")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
