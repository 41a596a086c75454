#!/usr/bin/env python3
"""CPU seconds and peak memory of a cold build, a rebuild with nothing changed and a
rebuild after one entry changed, and of a fresh `build.py search`.

    python3 bench/generate.py 5000 /tmp/kb5k
    python3 bench/profile_build.py /tmp/kb5k [--material] [--no-publications]

Cold: the work dir's cache emptied. The publications' stage (every edition's .docx and
.pdf) is reported apart, as the build logs it; ``--no-publications`` builds without them
(``publications: false``, in a copy of mkdocs.yml beside it), for the memory of the rest.
``--material`` also builds Material + its search plugin (lang zh) over as many plain
Markdown pages made of the same entries' text.
Each build is its own process, measured with /usr/bin/time (CPU = user + sys).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
STAGE = re.compile(r"policykb: (.+?): (?:\d+ in )?[\d.]+ s, CPU ([\d.]+) s")


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, int, dict[str, float]]:
    """(CPU seconds, peak RSS in MB, CPU by stage) of one process."""
    run = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %U %S %M", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(REPO / "plugins")},
    )
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr[-3000:]}")
    user, system, peak = re.findall(r"TIME ([\d.]+) ([\d.]+) (\d+)", run.stderr)[-1]
    stages = {label: float(cpu) for label, cpu in STAGE.findall(run.stderr)}
    return float(user) + float(system), int(peak) // 1024, stages


def build(config: Path) -> tuple[float, int, dict[str, float]]:
    return timed([sys.executable, str(REPO / "build.py"), "build", "-f", str(config)])


def report(label: str, cpu: float, peak: int, stages: dict[str, float]) -> None:
    publishing = sum(v for k, v in stages.items() if k.startswith("publications"))
    print(f"{label:<34} CPU {cpu:7.1f} s  peak {peak:5d} MB  (publications {publishing:.1f} s)")


def material(kb: Path) -> None:
    """Material + search (zh) over one plain page per entry, of the entry's text fields."""
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        files = sorted(kb.glob("content/**/*.yaml")) + sorted(kb.glob("cases/**/*.yaml"))
        for n, file in enumerate(files):
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            text = "\n\n".join(v for v in data.values() if isinstance(v, str))
            (docs / f"p{n:05d}.md").write_text(f"# {data.get('title', file.stem)}\n\n{text}\n")
        (docs / "index.md").write_text("# 首页\n")
        (Path(tmp) / "mkdocs.yml").write_text(
            "site_name: t\ntheme:\n  name: material\n  language: zh\n"
            "plugins:\n  - search:\n      lang: zh\n"
        )
        cpu, peak, _ = timed([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=Path(tmp))
        label = f"Material + search, {len(files)} pages"
        print(f"{label:<34} CPU {cpu:7.1f} s  peak {peak:5d} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kb", type=Path)
    parser.add_argument("--material", action="store_true")
    parser.add_argument("--no-publications", dest="publications", action="store_false")
    args = parser.parse_args()
    kb = args.kb.resolve()
    config = kb / "mkdocs.yml"
    if not args.publications:
        text = config.read_text(encoding="utf-8")
        config = kb / "mkdocs-no-publications.yml"
        config.write_text(
            text.replace("  - policykb:\n", "  - policykb:\n      publications: false\n"),
            encoding="utf-8",
        )
    shutil.rmtree(kb / ".policykb" / "cache", ignore_errors=True)
    report("cold (empty cache)", *build(config))
    report("again, nothing changed", *build(config))
    case = sorted(kb.glob("cases/**/*.yaml"))[-1]
    original = case.read_text(encoding="utf-8")
    try:
        case.write_text(original.replace("summary: ", "summary: 改动一处。", 1), encoding="utf-8")
        report("one entry changed", *build(config))
    finally:
        case.write_text(original, encoding="utf-8")
    search = [sys.executable, str(REPO / "build.py"), "search", "督检考", "--json"]
    cpu, peak, _ = timed([*search, "-f", str(config)])
    print(f"{'build.py search (index stale)':<34} CPU {cpu:7.1f} s  peak {peak:5d} MB")
    cpu, peak, _ = timed([*search, "-f", str(config)])
    print(f"{'build.py search (index current)':<34} CPU {cpu:7.1f} s  peak {peak:5d} MB")
    if args.material:
        material(kb)


if __name__ == "__main__":
    main()
