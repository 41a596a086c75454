"""A fixed share of bench/queries.yaml holds both engines at recall@5 ≥ 0.9 on the real site."""

from __future__ import annotations

from policykb.search.backend import SearchQuery
from policykb.search.quality import evaluate, load_queries
from policykb.search.whoosh_index import WhooshSearch

from .conftest import REPO

# every fourth query: about 40, fixed, spread over all the query types of the file
QUERIES = load_queries(REPO / "bench" / "queries.yaml")[::4]


def test_the_fixed_set_is_large_enough():
    assert len(QUERIES) >= 35


def test_whoosh_recall_at_5(real_site):
    engine = WhooshSearch(real_site / ".policykb" / "index")
    try:
        report = evaluate(
            lambda qs: [[h.id for h in engine.search(SearchQuery(q)).hits] for q in qs], QUERIES
        )
    finally:
        engine.close()
    assert report.recall_at_k >= 0.9, report.misses


def test_in_browser_recall_at_5(real_site, browser):
    page = browser.new_page()
    page.goto((real_site / "site" / "index.html").as_uri())

    def search(queries):
        return page.evaluate(
            """async qs => {
                const out = [];
                for (const q of qs) {
                    const r = await policykbSearch.engine.search(q);
                    out.push((await policykbSearch.engine.describe(r.hits.slice(0, 10)))
                        .map(h => h.id));
                }
                return out;
            }""",
            list(queries),
        )

    report = evaluate(search, QUERIES)
    page.close()
    assert report.recall_at_k >= 0.9, report.misses
