#!/usr/bin/env python3
"""How long an edit takes to go live under `build.py serve`.

    python3 bench/edit.py [N] [--kb DIR]

Generates a knowledge base of N entries (default 5,000; bench/generate.py) in a temporary
folder, or uses DIR (generated there if empty or missing, reused otherwise), starts
`build.py serve` on it in a process of its own, and then, one at a time: edits one case (a
new word in its summary, a new tag in its title), adds a case, deletes it. For each it
prints the seconds from the file's write until

- page: the case's page shows the word (or is gone);
- /api/search: the search API finds the word (or no longer does);
- backlinks: the pages of the case's first problem, which list its cases, show the title;
- shards: the in-browser index's documents (search/kb/d*.js) hold the title;
- complete: the server's "Updated" line (its complete update is done);

and the server's CPU seconds over that time, its own account (a "Live" line per quick
stage, the "Updated" line) and the stage lines it logged: where the time goes. The checks
run when /api/version moves (asked every 20 ms) and for a second after, and every half
second otherwise: polling searches as fast as possible would take the server's time from
the edit it measures. Wall seconds: the machine is shared, figures vary from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import yaml

REPO = Path(__file__).resolve().parent.parent
CASE = "beijing-jiesu-jiban-chuishao-baodao"  # a real case: bench/generate.py copies them
ADDED = "bench-edit-added"
WORD = "试验词汇{n}号"
SHARDS = "search/kb/d*.js"  # the in-browser index's documents (titles, snippets)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


class Server:
    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "build.py"),
                "serve",
                "-f",
                str(root / "mkdocs.yml"),
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "plugins")},
        )
        self.lines: queue.SimpleQueue[tuple[float, str]] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = re.search(r"http://[\d.]+:\d+", self.until("Serving ")[-1][1]).group(0)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line.rstrip("\n")))

    def until(self, start: str) -> list[tuple[float, str]]:
        """Its output (with when each line came) up to the first line starting with
        ``start``."""
        seen = []
        while True:
            when, line = self.lines.get(timeout=3600)
            seen.append((when, line))
            if line.startswith(start) or line.startswith("Error"):
                return seen

    def cpu(self) -> float:
        """Its CPU seconds so far (user and system, every thread)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def version(self) -> int:
        return json.loads(fetch(f"{self.url}/api/version")[1])["version"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


GIVE_UP = 600  # seconds: a check not true by then is reported as never (inf)
CHECKS_AFTER_A_VERSION = 1.0  # seconds of checks every 10 ms once the version moved
SLOW_CHECKS = 0.5  # seconds between checks otherwise


def live_after(server: Server, write, checks: dict[str, callable]) -> dict[str, float]:
    """Seconds from ``write()`` until each check is true, and (as "complete") until the
    server's "Updated" line; with "CPU", the server's CPU seconds from the write to that."""
    cpu = server.cpu()
    started = time.perf_counter()
    write()
    waiting, seconds = dict(checks), {}
    seen, moved, checked = server.version(), -1.0, started
    while waiting:
        now = time.perf_counter()
        version = server.version()
        if version != seen:
            seen, moved = version, now
        if now - moved < CHECKS_AFTER_A_VERSION or now - checked > SLOW_CHECKS:
            checked = now
            for name, check in list(waiting.items()):
                if check():
                    seconds[name] = time.perf_counter() - started
                    del waiting[name]
        if now - started > GIVE_UP:
            print(f"not live after {GIVE_UP} s: {', '.join(waiting)}", flush=True)
            seconds.update(dict.fromkeys(waiting, float("inf")))
            break
        time.sleep(0.01 if now - moved < CHECKS_AFTER_A_VERSION else 0.02)
    server.log = server.until("Updated ")
    seconds["complete"] = server.log[-1][0] - started
    seconds["CPU"] = server.cpu() - cpu
    return seconds


def found(server: Server, word: str, entry_id: str) -> bool:
    """Whether /api/search answers ``word`` with ``entry_id`` among its first hits."""
    status, body = fetch(f"{server.url}/api/search?q={quote(word)}&per_page=50")
    return status == 200 and entry_id in [hit["id"] for hit in json.loads(body)["hits"]]


def in_files(root: Path, patterns: list[str], text: str) -> bool:
    """Whether a site file matching one of ``patterns`` holds ``text``."""
    site = root / "site"
    return any(text in path.read_text("utf-8") for p in patterns for path in site.glob(p))


def report(what: str, seconds: dict[str, float], server: Server) -> None:
    timings = ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items())
    print(f"\n{what}: {timings}")
    for _, line in server.log:
        if line.startswith(("Live", "Updated", "Error")) or "policykb:" in line:
            print(f"  {line.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=5000, help="entries (default 5000)")
    parser.add_argument("--kb", type=Path, help="the knowledge base folder (kept)")
    args = parser.parse_args()
    root = args.kb or Path(tempfile.mkdtemp(prefix="policykb-edit-")) / "kb"
    if not (root / "mkdocs.yml").is_file():
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate.py"), str(args.n), str(root)],
            check=True,
        )
    started = time.perf_counter()
    server = Server(root)
    print(f"{args.n} entries in {root}; serving after {time.perf_counter() - started:.1f} s")
    case = root / "cases" / f"{CASE}.yaml"
    page = f"{server.url}/cases/{CASE}.html"
    original = case.read_text(encoding="utf-8")
    problem = yaml.safe_load(original)["problems"][0]
    # the problem's page lists its cases, or the list pages it links to (a hub's "more")
    backlinks = [f"problems/{problem}.html", f"problems/{problem}/**/*.html"]
    try:
        word, tag = WORD.format(n=int(time.time())), f"Edit{int(time.time())}"
        edited = original.replace("summary: ", f"summary: {word}，", 1)
        edited = edited.replace("title: ", f"title: {tag}", 1)
        seconds = live_after(
            server,
            lambda: case.write_text(edited, encoding="utf-8"),
            {
                "page": lambda: word in fetch(page)[1],
                "/api/search": lambda: found(server, word, CASE),
                "backlinks": lambda: in_files(root, backlinks, tag),
                "shards": lambda: in_files(root, [SHARDS], tag),
            },
        )
        report("edit one case", seconds, server)

        added = root / "cases" / f"{ADDED}.yaml"
        new_word, new_tag = WORD.format(n=int(time.time()) + 1), f"Added{int(time.time())}"
        new_case = edited.replace(word, new_word).replace(tag, new_tag)
        seconds = live_after(
            server,
            lambda: added.write_text(new_case, encoding="utf-8"),
            {
                "page": lambda: fetch(f"{server.url}/cases/{ADDED}.html")[0] == 200,
                "/api/search": lambda: found(server, new_word, ADDED),
                "backlinks": lambda: in_files(root, backlinks, new_tag),
                "shards": lambda: in_files(root, [SHARDS], new_tag),
            },
        )
        report("add a case", seconds, server)

        seconds = live_after(
            server,
            added.unlink,
            {
                "page gone": lambda: fetch(f"{server.url}/cases/{ADDED}.html")[0] == 404,
                "/api/search": lambda: not found(server, new_word, ADDED),
                "backlinks": lambda: not in_files(root, backlinks, new_tag),
                "shards": lambda: not in_files(root, [SHARDS], new_tag),
            },
        )
        report("delete it", seconds, server)
    finally:
        case.write_text(original, encoding="utf-8")
        server.until("Updated ")
        server.stop()


if __name__ == "__main__":
    main()
