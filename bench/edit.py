#!/usr/bin/env python3
"""How long an edit takes to go live under `build.py serve`.

    python3 bench/edit.py [N] [--kb DIR]

Generates a knowledge base of N entries (default 5,000; bench/generate.py) in a temporary
folder, or uses DIR (generated there if empty or missing, reused otherwise), starts
`build.py serve` on it in a process of its own, and then, one at a time: edits one case
(a new word in its summary), adds a case, deletes it. For each it prints the seconds from
the file's write until the page shows it (or is gone), until /api/search finds the word (or
no longer does), the server's own account (a "Live" line per quick stage: the entry's own
page, then the entry pages next to it; the "Updated" line of the complete update after them:
files published, pages rendered, wall and CPU seconds) and the stage lines it logged: where
the time goes. Wall seconds: the machine is shared, figures vary from run to run.
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

REPO = Path(__file__).resolve().parent.parent
CASE = "beijing-jiesu-jiban-chuishao-baodao"  # a real case: bench/generate.py copies them
ADDED = "bench-edit-added"
WORD = "试验词汇{n}号"


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
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = re.search(r"http://[\d.]+:\d+", self.until("Serving ")[-1]).group(0)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, start: str) -> list[str]:
        """Its output up to the first line starting with ``start``."""
        seen = []
        while True:
            line = self.lines.get(timeout=3600)
            seen.append(line)
            if line.startswith(start) or line.startswith("Error"):
                return seen

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def live_after(write, checks: dict[str, callable]) -> dict[str, float]:
    """Seconds from ``write()`` until each check is true (polled every 10 ms)."""
    started = time.perf_counter()
    write()
    waiting, seconds = dict(checks), {}
    while waiting:
        for name, check in list(waiting.items()):
            if check():
                seconds[name] = time.perf_counter() - started
                del waiting[name]
        if time.perf_counter() - started > 600:
            raise SystemExit(f"not live after 600 s: {', '.join(waiting)}")
        time.sleep(0.01)
    return seconds


def found(server: Server, word: str, entry_id: str) -> bool:
    """Whether /api/search answers ``word`` with ``entry_id`` among its first hits."""
    status, body = fetch(f"{server.url}/api/search?q={quote(word)}&per_page=50")
    return status == 200 and entry_id in [hit["id"] for hit in json.loads(body)["hits"]]


def report(what: str, seconds: dict[str, float], server: Server) -> None:
    log = server.until("Updated ")
    timings = ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items())
    print(f"\n{what}: {timings}")
    for line in log:
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
    try:
        word = WORD.format(n=int(time.time()))
        edited = original.replace("summary: ", f"summary: {word}，", 1)
        seconds = live_after(
            lambda: case.write_text(edited, encoding="utf-8"),
            {
                "page": lambda: word in fetch(page)[1],
                "/api/search": lambda: found(server, word, CASE),
            },
        )
        report("edit one case", seconds, server)

        added = root / "cases" / f"{ADDED}.yaml"
        new_word = WORD.format(n=int(time.time()) + 1)
        new_case = edited.replace(word, new_word).replace("title: ", "title: 新增", 1)
        seconds = live_after(
            lambda: added.write_text(new_case, encoding="utf-8"),
            {
                "page": lambda: fetch(f"{server.url}/cases/{ADDED}.html")[0] == 200,
                "/api/search": lambda: found(server, new_word, ADDED),
            },
        )
        report("add a case", seconds, server)

        seconds = live_after(
            added.unlink,
            {
                "page gone": lambda: fetch(f"{server.url}/cases/{ADDED}.html")[0] == 404,
                "/api/search": lambda: not found(server, new_word, ADDED),
            },
        )
        report("delete it", seconds, server)
    finally:
        case.write_text(original, encoding="utf-8")
        server.until("Updated ")
        server.stop()


if __name__ == "__main__":
    main()
