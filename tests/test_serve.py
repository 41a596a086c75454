"""`build.py serve`: the static site and /api/search from one local server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest


def get(url: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(url) as response:
            body = response.read().decode("utf-8")
            status = response.status
            ctype = response.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        body, status, ctype = exc.read().decode("utf-8"), exc.code, exc.headers["Content-Type"]
    return status, json.loads(body) if ctype.startswith("application/json") else body


def test_serves_the_site(api_url):
    status, body = get(f"{api_url}/problems/dujiankao-guoduo.html")
    assert status == 200 and "督查检查考核过多过频" in body


def test_search_api_hits_and_facets(api_url):
    status, body = get(f"{api_url}/api/search?q={quote('督检考')}&kind=case")
    assert status == 200
    # the second is about 繁琐哲学, a sub-type of 督检考
    assert [h["id"] for h in body["hits"]] == ["lanzhou-xinqu-duokao-heyi", "mou-xiangzhen-biaoge"]
    assert body["hits"][0]["url"] == "cases/lanzhou-xinqu-duokao-heyi.html"
    assert body["facets"]["kind"] == {"case": 2}
    assert body["facets"]["year"] == {"2024": 2}


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "parameter 'q' (the query) is required"),
        ("q=x&kind=article", "kind must be one of case, negative, problem, remedy, rule, source"),
        ("q=x&page=0", "page must be a whole number from 1 to 1000000"),
        ("q=x&page=abc", "page must be a whole number from 1 to 1000000"),
        ("q=x&page=1000001", "page must be a whole number from 1 to 1000000"),
        (f"q=x&page={'9' * 5000}", "page must be a whole number from 1 to 1000000"),
        ("q=x&per_page=51", "per_page must be a whole number from 1 to 50"),
        ("q=x&per_page=-1", "per_page must be a whole number from 1 to 50"),
        ("q=x&year=24", "year must be four digits, e.g. 2024"),
        ("q=x&year=20x4", "year must be four digits, e.g. 2024"),
        ("q=x&sort=date", "unknown parameter(s): sort"),
        ("q=x&q=y", "parameter 'q' given 2 times"),
        (
            f"q=x&problem={quote('不存在')}",
            "unknown problem '不存在': give a problem id, title or alias",
        ),
    ],
)
def test_bad_parameters_get_400_with_a_message(api_url, query, message):
    status, body = get(f"{api_url}/api/search?{query}")
    assert status == 400
    assert body == {"error": message}


@pytest.mark.parametrize(
    "filters",
    [f"region={quote('火星')}", "year=1000", "kind=source&year=1999"],
    ids=["region", "year", "kind-and-year"],
)
def test_a_filter_that_matches_nothing_gives_nothing(api_url, filters):
    status, body = get(f"{api_url}/api/search?q={quote('考核')}&{filters}")
    assert status == 200
    assert (body["total"], body["pages"], body["hits"]) == (0, 0, [])


def test_a_page_past_the_end_is_empty(api_url):
    _, first = get(f"{api_url}/api/search?q={quote('考核')}&per_page=2")
    assert first["pages"] == -(-first["total"] // 2) and len(first["hits"]) == 2
    _, past = get(f"{api_url}/api/search?q={quote('考核')}&per_page=2&page=1000000")
    assert (past["total"], past["pages"], past["hits"]) == (first["total"], first["pages"], [])


@pytest.mark.parametrize(
    "text",
    ['"督检考"', "(考核]", "考核 AND NOT", "*?", "x" * 10000, "考核" * 1500],
    ids=["quote", "brackets", "operators", "wildcards", "long-ascii", "long-chinese"],
)
def test_any_query_text_answers_200(api_url, text):
    status, body = get(f"{api_url}/api/search?q={quote(text)}")
    assert status == 200
    assert isinstance(body["hits"], list)


def test_a_query_too_long_for_a_url_is_refused_not_crashed(api_url):
    # 10,000 Chinese characters are 90 KB URL-encoded, past the 64 KB request line
    status, _ = get(f"{api_url}/api/search?q={quote('考核' * 5000)}")
    assert status == 414
