#!/usr/bin/env python3
"""Our build side by side with Material for MkDocs building as many Markdown pages.

    python3 bench/compare.py SIZE [SIZE …] [--readme] [--query Q] [--keep DIR]

For each size it generates a padded knowledge base (bench/generate.py) and two Material
projects with one plain Markdown page per entry, of the entry's own text, in the same
folders and with the same short nav (the section indexes): "Material + search (zh)" with
Material's search plugin in lang zh (jieba), and "plain Material" with no plugin at all.
Then it measures, each as its own process (CPU = user + sys of the child and whatever it
waited for, peak RSS = its ru_maxrss, both from os.wait4):

- our cold build (no work dir, no site), our build after one case edited, and our cold
  build with `publications: false` (what the PDFs and Word files cost, apart);
- the two Material builds;
- `build.py search Q --json` as a fresh process;
- the largest HTML page and the site's bytes per entry, ours and plain Material's, and
  entries.json (or entries/, split) in bytes.

It prints a Markdown table with the ratios the targets are stated in, and the stage lines
of our cold build (where the time goes). `--readme` writes the table between the
`<!-- bench:compare -->` markers in README.md. bench/edit.py (an edit timed under
`build.py serve`) and bench/scale.py (browser first-query bytes) run afterwards when they
exist, each given the size; `--no-extras` skips them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
README = REPO / "README.md"
MARKERS = ("<!-- bench:compare -->", "<!-- /bench:compare -->")
KIND_FOLDERS = {  # generate.py's folders → the site folders our pages live in
    "content/sources": "sources",
    "content/rules": "rules",
    "content/negatives": "negatives",
    "content/problems": "problems",
    "content/remedies": "remedies",
    "cases": "cases",
}
TEXT_FIELDS = ("summary", "body", "description", "text", "plain", "item", "note", "signs")
STAGE = re.compile(r"policykb: (?P<label>[^:]+): (?:\d+ in )?[\d.]+ s, CPU (?P<cpu>[\d.]+) s")


@dataclass
class Run:
    cpu: float  # seconds, user + sys
    rss_mb: float  # peak resident set size
    output: str  # stdout + stderr

    def cell(self) -> str:
        return f"{self.cpu:.1f} s, {self.rss_mb:,.0f} MB"


def measure(args: list[str], cwd: Path | None = None) -> Run:
    """Runs the command as a child process; its CPU seconds and peak RSS from wait4."""
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if child.returncode != 0:
        sys.exit(f"Error: {' '.join(map(str, args))} failed ({child.returncode}):\n{text[-3000:]}")
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def ours(project: Path, *command: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), *command, "-f", str(project / "mkdocs.yml")]


def clean(project: Path) -> None:
    for name in (".policykb", "site"):
        shutil.rmtree(project / name, ignore_errors=True)


def without_publications(project: Path) -> Path:
    """A copy of the project's config with `publications: false` (same content folders)."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(
        r"^(\s*)strict: false$",
        r"\1strict: false\n\1publications: false",
        text,
        count=1,
        flags=re.M,
    )
    config = project / "mkdocs-nopub.yml"
    config.write_text(text.replace("site_dir: site", "site_dir: site-nopub"), encoding="utf-8")
    return config


def edit_one_case(project: Path) -> None:
    path = sorted((project / "cases").glob("gen-case-*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] += "经复核，情况属实。"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def markdown_page(data: dict) -> str:
    """An entry's own words as a plain Markdown page: its title and text fields."""
    lines = [f"# {data.get('title') or data.get('item', '')[:30]}", ""]
    for field in TEXT_FIELDS:
        value = data.get(field)
        if isinstance(value, list):
            lines += [f"- {v}" for v in value if isinstance(v, str)] + [""]
        elif isinstance(value, str):
            lines += [re.sub(r"\[\[([^\]]+)\]\]", r"\1", value), ""]
    return "\n".join(lines)


def material_project(kb: Path, out: Path, *, search: bool) -> Path:
    """A Material project of one Markdown page per entry of the knowledge base."""
    docs = out / "docs"
    nav = [{"首页": "index.md"}]
    (docs).mkdir(parents=True)
    (docs / "index.md").write_text("# 知识库\n", encoding="utf-8")
    for source, folder in KIND_FOLDERS.items():
        (docs / folder).mkdir()
        files = sorted((kb / source).glob("*.yaml"))
        for path in files:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            (docs / folder / f"{path.stem}.md").write_text(markdown_page(data), encoding="utf-8")
        (docs / folder / "index.md").write_text(f"# {folder}\n", encoding="utf-8")
        nav.append({folder: f"{folder}/index.md"})
    config = {
        "site_name": "知识库",
        "use_directory_urls": False,  # as ours, under the offline plugin
        "theme": {"name": "material", "language": "zh", "font": False},
        "plugins": [{"search": {"lang": "zh"}}] if search else [],
        "nav": nav,
    }
    (out / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return out


def site_sizes(site: Path) -> tuple[int, int, str]:
    """(all bytes, the largest HTML page's bytes, its path)."""
    total, largest, name = 0, 0, ""
    for path in site.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            total += size
            if path.suffix == ".html" and size > largest:
                largest, name = size, str(path.relative_to(site))
    return total, largest, name


SHARES = (  # what a site's bytes are, in the order they are printed
    ("HTML pages", lambda p: p.suffix == ".html"),
    ("PDF and Word", lambda p: p.suffix in {".pdf", ".docx"}),
    ("entries.json, entries.csv, feed", lambda p: p.suffix in {".json", ".csv", ".xml"}),
    ("in-browser index", lambda p: p.parts[0] == "search"),
    ("theme and scripts", lambda p: True),
)


def site_shares(site: Path, entries: int) -> str:
    """The site's bytes per entry, by what they are."""
    totals = dict.fromkeys((name for name, _ in SHARES), 0)
    for path in site.rglob("*"):
        if path.is_file():
            relative = path.relative_to(site)
            name = next(name for name, test in SHARES if test(relative))
            totals[name] += path.stat().st_size
    return ", ".join(f"{name} {size / entries / 1024:.1f} KB" for name, size in totals.items())


def entries_json_bytes(site: Path) -> tuple[int, int]:
    """(all bytes of entries.json or entries/*.json, the largest such file's bytes)."""
    files = [site / "entries.json"] if (site / "entries.json").exists() else []
    files += sorted((site / "entries").glob("*.json"))
    sizes = [f.stat().st_size for f in files]
    return sum(sizes), max(sizes, default=0)


def stages(output: str) -> list[tuple[str, float]]:
    return [(m["label"], float(m["cpu"])) for m in STAGE.finditer(output)]


def where_the_time_goes(output: str, total: float) -> str:
    parts = sorted(stages(output), key=lambda s: -s[1])
    named = ", ".join(f"{label} {cpu:.1f} s" for label, cpu in parts[:4])
    return f"of {total:.1f} s CPU: {named}"


def kb_size(n: int) -> str:
    return f"{n:,}"


def compare(n: int, work: Path, query: str, extras: bool) -> dict:
    kb, zh, plain = work / "kb", work / "material-zh", work / "material"
    print(f"== {n:,} entries in {work}", file=sys.stderr)
    subprocess.run([sys.executable, str(BENCH / "generate.py"), str(n), str(kb)], check=True)
    material_project(kb, zh, search=True)
    material_project(kb, plain, search=False)
    entries = sum(1 for f in KIND_FOLDERS for _ in (kb / f).glob("*.yaml"))

    r: dict = {"n": n, "entries": entries}
    clean(kb)
    r["cold"] = measure(ours(kb, "build"))
    r["site"] = site_sizes(kb / "site")
    r["shares"] = site_shares(kb / "site", n)
    r["json"] = entries_json_bytes(kb / "site")
    edit_one_case(kb)
    r["edit"] = measure(ours(kb, "build"))
    r["search"] = measure(ours(kb, "search", query, "--json"))
    nopub = without_publications(kb)
    shutil.rmtree(kb / ".policykb", ignore_errors=True)
    nopub_build = [sys.executable, str(REPO / "build.py"), "build", "-f", str(nopub)]
    r["nopub"] = measure(nopub_build, cwd=kb)
    # the targets are stated without the PDFs (reported apart): the edit is timed so too
    edit_one_case(kb)
    r["nopub_edit"] = measure(nopub_build, cwd=kb)
    r["zh"] = measure([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=zh)
    r["plain"] = measure([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=plain)
    r["plain_site"] = site_sizes(plain / "site")
    r["extras"] = run_extras(n, kb) if extras else []
    return r


def run_extras(n: int, kb: Path) -> list[str]:
    """The output of bench/edit.py and bench/scale.py at this size, when they exist."""
    out = []
    for script, args in (("edit.py", [str(n), "--kb", str(kb)]), ("scale.py", ["--sizes", str(n)])):
        path = BENCH / script
        if not path.exists():
            continue
        done = subprocess.run(
            [sys.executable, str(path), *args], capture_output=True, text=True, cwd=BENCH
        )
        text = done.stdout if done.returncode == 0 else f"failed:\n{done.stderr[-2000:]}"
        out.append(f"### bench/{script} at {n:,}\n\n{text.strip()}\n")
    return out


def table(results: list[dict], query: str) -> str:
    def row(label: str, cells) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    lines = [
        row("", [f"{r['n']:,} entries" for r in results]),
        row("---", ["---:" for _ in results]),
    ]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}×" if b else "–"

    lines += [
        row("our cold build (CPU, peak RSS)", [r["cold"].cell() for r in results]),
        row(
            "… of it publications (PDF, Word)",
            [f"{max(0.0, r['cold'].cpu - r['nopub'].cpu):.1f} s" for r in results],
        ),
        row("our build after one case edited", [r["edit"].cell() for r in results]),
        row("our cold build without publications", [r["nopub"].cell() for r in results]),
        row("… then one case edited", [r["nopub_edit"].cell() for r in results]),
        row("Material + search (zh)", [r["zh"].cell() for r in results]),
        row("plain Material", [r["plain"].cell() for r in results]),
        row(
            "cold (no publications) ÷ Material + search (target ≤ 2.0)",
            [ratio(r["nopub"].cpu, r["zh"].cpu) for r in results],
        ),
        row(
            "edit (no publications) ÷ Material + search (target ≤ 0.5)",
            [ratio(r["nopub_edit"].cpu, r["zh"].cpu) for r in results],
        ),
        row(
            f"`build.py search {query} --json`, fresh process",
            [r["search"].cell() for r in results],
        ),
        row(
            "largest HTML page, ours (target < 300 KB)",
            [f"{r['site'][1] / 1024:,.0f} KB ({r['site'][2]})" for r in results],
        ),
        row(
            "largest HTML page, plain Material",
            [f"{r['plain_site'][1] / 1024:,.0f} KB" for r in results],
        ),
        row(
            "site bytes per entry, ours",
            [f"{r['site'][0] / r['entries'] / 1024:.1f} KB" for r in results],
        ),
        row(
            "site bytes per entry, plain Material",
            [f"{r['plain_site'][0] / r['entries'] / 1024:.1f} KB" for r in results],
        ),
        row(
            "ours ÷ plain Material (target ≤ 1.5)",
            [ratio(r["site"][0], r["plain_site"][0]) for r in results],
        ),
        row(
            "entries.json (largest file)",
            [
                f"{r['json'][0] / 1024 / 1024:.1f} MB ({r['json'][1] / 1024:,.0f} KB)"
                for r in results
            ],
        ),
    ]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = (readme.index(m) for m in MARKERS)
    readme = readme[: start + len(MARKERS[0])] + "\n" + text + "\n" + readme[end:]
    README.write_text(readme, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+", metavar="SIZE", help="entries, e.g. 5000")
    parser.add_argument("--query", default="督检考", help="the CLI search (default 督检考)")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--no-extras", action="store_true", help="skip bench/edit.py, scale.py")
    args = parser.parse_args()
    results = []
    started = time.perf_counter()
    for n in args.sizes:
        if args.keep:
            work = args.keep / str(n)
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            results.append(compare(n, work, args.query, not args.no_extras))
        else:
            with tempfile.TemporaryDirectory(prefix=f"compare-{n}-") as tmp:
                results.append(compare(n, Path(tmp), args.query, not args.no_extras))
    text = table(results, args.query)
    text += "\n\nWhere our cold build's time goes (its stage lines, CPU of the main process):\n\n"
    text += "\n".join(
        f"- {r['n']:,}: " + where_the_time_goes(r["cold"].output, r["cold"].cpu) for r in results
    )
    text += "\n\nOur site's bytes per entry:\n\n" + "\n".join(
        f"- {r['n']:,}: {r['shares']}" for r in results
    )
    print(text)
    for r in results:
        for extra in r["extras"]:
            print("\n" + extra)
    print(f"\n({time.perf_counter() - started:.0f} s wall in all)", file=sys.stderr)
    if args.readme:
        write_readme(text)


if __name__ == "__main__":
    main()
