"""Every page carries a Content-Security-Policy allowing only the site's own scripts: the
site works under it, over http and from file://, and a script that slipped into a page
does not run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from policykb.csp import policy, protect, script_hash

from .browser import serving
from .test_browser import type_query
from .test_untrusted_markup import hostile  # noqa: F401 (the hostile site, built once)

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
HOOK = """
window.__ran = [];
window.alert = (text) => window.__ran.push("alert " + text);
"""


def test_policy_allows_the_pages_own_inline_scripts_by_hash():
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title>t</title>'
        '<script>var a = 1;</script><script id="__config" type="application/json">{}</script>'
        '</head><body><script src="x.js"></script></body></html>'
    )
    protected = protect(page)
    assert protected == page.replace(
        '<meta charset="utf-8">',
        '<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" '
        f'content="{policy(["var a = 1;"])}">',
    )
    assert policy(["var a = 1;"]) == (
        f"default-src 'self'; script-src 'self' {script_hash('var a = 1;')}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )
    # A page with no inline script (the theme's scripts are files) allows files only.
    assert policy([]).startswith("default-src 'self'; script-src 'self'; style-src")
    assert script_hash("var a = 1;") == "'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='"


def test_every_page_carries_one_policy_before_any_script(built):
    pages = sorted((built / "site").rglob("*.html"))
    assert any(p.name == "404.html" for p in pages)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(META.findall(text)) == 1, page
        assert text.index("Content-Security-Policy") < text.index("<script"), page


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    context.add_init_script(HOOK)  # runs before the page, whatever its policy
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    tab.problems = problems
    yield tab
    context.close()


@pytest.fixture(scope="module")
def hostile_url(hostile):  # noqa: F811
    with serving(hostile / "site") as url:
        yield url


@pytest.fixture(params=["http", "file"])
def hostile_site(request, hostile, hostile_url) -> str:  # noqa: F811
    """The site built from hostile content, as a base URL over http or file://."""
    if request.param == "http":
        return hostile_url
    return (hostile / "site").as_uri()


def test_site_works_under_its_policy(tab, hostile_site):
    tab.goto(f"{hostile_site}/cases/nanle-wangge.html")
    assert type_query(tab, "督检考")[0] == "dujiankao-guoduo"
    tab.goto(f"{hostile_site}/search.html?q=考核")
    tab.wait_for_selector("#kb-search-page .kb-hit")
    assert tab.problems == []
    assert tab.evaluate("window.__ran") == []


def test_hostile_content_runs_nothing_and_shows_as_text(tab, hostile_site):
    for page in ("cases/lanzhou-xinqu-duokao-heyi.html", "index.html", "cases/by-region.html"):
        tab.goto(f"{hostile_site}/{page}")
        tab.wait_for_load_state("load")
        assert tab.evaluate("window.__ran") == [], page
    tab.goto(f"{hostile_site}/cases/lanzhou-xinqu-duokao-heyi.html")
    heading = tab.locator("h1").first.inner_text().rstrip("¶")
    assert heading == "兰州新区</title><script>alert(1)</script>"
    assert tab.title().startswith("兰州新区</title><script>alert(1)</script> - ")
    hits = type_query(tab, "兰州新区")
    assert hits[0] == "lanzhou-xinqu-duokao-heyi"
    assert "<script>" in tab.locator(".md-search-result__list .kb-hit h1").first.inner_text()
    assert tab.evaluate("window.__ran") == []
    assert tab.problems == []


@pytest.fixture
def tampered(hostile, tmp_path) -> Path:  # noqa: F811
    """A copy of the site with markup injected after the build, as if a filter had failed."""
    site = tmp_path / "site"
    shutil.copytree(hostile / "site", site)
    page = site / "cases/nanle-wangge.html"
    text = page.read_text(encoding="utf-8")
    injected = (
        '<script>alert("inline")</script><img src="x" onerror="alert(\'handler\')">'
        '<a id="js" href="javascript:alert(\'link\')">x</a>'
    )
    page.write_text(text.replace("<article", injected + "<article", 1), encoding="utf-8")
    return site


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_injected_script_does_not_run(tab, tampered, scheme):
    if scheme == "http":
        with serving(tampered) as url:
            _try_injected(tab, f"{url}/cases/nanle-wangge.html")
    else:
        _try_injected(tab, (tampered / "cases/nanle-wangge.html").as_uri())


def _try_injected(tab, url: str) -> None:
    tab.goto(url)
    tab.wait_for_load_state("load")
    tab.click("#js")
    tab.wait_for_timeout(200)
    assert tab.evaluate("window.__ran") == []
    blocked = [p for p in tab.problems if "Content Security Policy" in p]
    assert len(blocked) >= 3, tab.problems
    tab.problems.clear()
    assert type_query(tab, "督检考")[0] == "dujiankao-guoduo"  # the site's own scripts still run
