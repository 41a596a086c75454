"""Shared by the benchmarks: build both search indexes of a project without a full site
build, and query them — whoosh in-process, the in-browser index in headless Chromium."""

from __future__ import annotations

import json
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO))

from policykb.pipeline import load_knowledge_base  # noqa: E402
from policykb.search import browser_index, whoosh_index  # noqa: E402
from policykb.search.documents import build_documents  # noqa: E402
from policykb.search.segment import Segmenter  # noqa: E402

HARNESS = """<!doctype html><meta charset="utf-8">
<script id="__config" type="application/json">{"base": "."}</script>
<script id="policykb-config" type="application/json">%s</script>
<script src="search.js"></script>
"""


@dataclass
class Indexes:
    entries: int
    whoosh_dir: Path
    site_dir: Path  # search.js, harness.html and search/kb/*.js
    browser: browser_index.BrowserIndex


def build_indexes(project: Path, out: Path) -> Indexes:
    kb = load_knowledge_base(project)
    segmenter = Segmenter.for_kb(kb)
    documents = build_documents(kb, segmenter)
    whoosh_dir = out / "whoosh"
    whoosh_index.build(
        kb, whoosh_dir, use_directory_urls=False, segmenter=segmenter, documents=documents
    )
    index = browser_index.build(
        documents, segmenter, whoosh_index.alias_table(kb), use_directory_urls=False
    )
    site = out / "site"
    for path, content in index.files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(content, encoding="utf-8")
    shutil.copy(resources.files("policykb") / "assets" / "search.js", site / "search.js")
    settings = {"index": browser_index.FOLDER + "/", "search_page": "search.html"}
    (site / "harness.html").write_text(HARNESS % json.dumps(settings), encoding="utf-8")
    return Indexes(len(kb.entries), whoosh_dir, site, index)


@contextmanager
def browser_page(url: str):
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = chromium.new_page()
        page.goto(url)
        yield page
        chromium.close()


def browser_search(page, queries: list[str], k: int = 10) -> list[list[str]]:
    """Ranked ids from the page's in-browser engine (the code the site runs)."""
    return page.evaluate(
        """async ([queries, k]) => {
            const engine = policykbSearch.engine, out = [];
            for (const q of queries) {
                const result = await engine.search(q);
                const hits = await engine.describe(result.hits.slice(0, k));
                out.push(hits.map(h => h.id));
            }
            return out;
        }""",
        [queries, k],
    )


def whoosh_search(directory: Path, queries: list[str], k: int = 10) -> list[list[str]]:
    from policykb.search.backend import SearchQuery

    engine = whoosh_index.WhooshSearch(directory)
    try:
        return [[h.id for h in engine.search(SearchQuery(q, per_page=k)).hits] for q in queries]
    finally:
        engine.close()
