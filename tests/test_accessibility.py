"""No serious or critical WCAG 2 A/AA violation (axe-core) on any kind of page, light or dark."""

from __future__ import annotations

import pytest

from .axe import axe_script, serious_violations
from .browser import serving
from .test_pages import PAGES

# kinds the tiny knowledge base does not have, from the repository's own
REAL_PAGES = [
    "compilations/dianxing-anli-2024.html",
    "study/dujiankao-guoduo-xuexi.html",
    "study/index.html",
]
DARK = "localStorage.setItem('/.__palette', JSON.stringify({index: 1, color: {scheme: 'slate'}}))"


@pytest.fixture(scope="module")
def axe():
    return axe_script()


@pytest.fixture(params=["light", "dark"])
def tab(request, browser):
    # the test injects axe-core as an inline script, which the site's own policy refuses
    context = browser.new_context(bypass_csp=True)
    if request.param == "dark":
        context.add_init_script(DARK)
    page = context.new_page()
    page.scheme = request.param
    yield page
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible(tab, built, axe, path):
    with serving(built / "site") as url:
        tab.goto(f"{url}/{path}")
        assert tab.evaluate("document.body.dataset.mdColorScheme") == (
            "slate" if tab.scheme == "dark" else "default"
        )
        assert serious_violations(tab, axe) == []


@pytest.mark.parametrize("path", REAL_PAGES)
def test_publication_is_accessible(tab, real_site, axe, path):
    with serving(real_site / "site") as url:
        tab.goto(f"{url}/{path}")
        assert serious_violations(tab, axe) == []
