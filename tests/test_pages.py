"""The pages around the entries, as a cadre meets them in Chromium: Chinese first."""

from __future__ import annotations

import re

import pytest

from .browser import serving

# one page of every kind the tiny knowledge base has
PAGES = [
    "index.html",
    "problems/index.html",
    "problems/dujiankao-guoduo.html",
    "remedies/tongchou-guifan-dujiankao.html",
    "rules/kaohe-qianfenzhi.html",
    "negatives/zhucheng-jinling.html",
    "cases/lanzhou-xinqu-duokao-heyi.html",
    "cases/by-region.html",
    "sources/huibian.html",
    "search.html",
]
# What is shown and is not page text: tooltips and the names read out to screen readers.
SHOWN_TEXT = """() => [
  document.body.innerText,
  ...[...document.querySelectorAll('[title], [aria-label], [placeholder]')]
    .filter(e => !e.closest('svg'))
    .flatMap(e => [e.title, e.getAttribute('aria-label'), e.placeholder])
].join('\\n')"""


@pytest.fixture(scope="module")
def site(built):
    with serving(built / "site") as url:
        yield url


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_shown_string_is_chinese(tab, site, path):
    tab.goto(f"{site}/{path}")
    shown = tab.evaluate(SHOWN_TEXT)
    assert re.findall(r"[A-Za-z]{2,}", shown) == []


def test_chinese_punctuation_comes_from_a_cjk_font(tab, site):
    tab.goto(f"{site}/index.html")
    font = tab.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith(
        '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC"'
    )


def test_rule_text_is_not_smaller_than_the_body(tab, site):
    tab.goto(f"{site}/rules/kaohe-qianfenzhi.html")
    size = "sel => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)"
    body = tab.evaluate(size, ".md-typeset > p")
    assert tab.evaluate(size, ".admonition.quote p:not(.admonition-title)") >= body


def test_a_figure_stays_on_one_line(kb, browser):
    kb.edit(
        "cases/lanzhou-xinqu-duokao-heyi.yaml",
        "{label: 整合专项督考, value: 8, unit: 项}",
        "{label: 整合专项督考, value: 20, unit: '%', prefix: 近}",
    )
    assert kb.run("build").code == 0
    context = browser.new_context(viewport={"width": 360, "height": 800})
    tab = context.new_page()
    with serving(kb.root / "site") as url:
        tab.goto(f"{url}/cases/lanzhou-xinqu-duokao-heyi.html")
        boxes = tab.locator(".kb-figure > span").evaluate_all(
            "spans => spans.map(s => s.getBoundingClientRect()).map(r => [r.top, r.bottom])"
        )
    context.close()
    prefix, (top, bottom), unit, label = boxes
    # 近 and % sit within the number's line, the label below it
    assert all(top <= (a + b) / 2 <= bottom for a, b in (prefix, unit))
    assert label[0] > (top + bottom) / 2


def test_aliases_leave_out_the_title(kb):
    kb.edit(
        "content/problems/dujiankao-guoduo.yaml",
        "督检考, 督查检查考核,",
        "督检考, 督查检查考核过多过频,",
    )
    assert kb.run("build").code == 0
    assert "（又称督检考、多头考核）" in kb.site("problems/index.html")
    assert "又称</strong>：督检考、多头考核</p>" in kb.site("problems/dujiankao-guoduo.html")
