"""The pages around the entries, as a cadre meets them in Chromium: Chinese first."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from policykb import edition_pages, listing

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
def site(static_url):
    return static_url


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


def test_a_dark_mode_switch(tab, site):
    tab.goto(f"{site}/index.html")
    tab.click("label[title='切换到深色模式']")
    assert tab.evaluate("document.body.dataset.mdColorScheme") == "slate"
    tab.goto(f"{site}/problems/index.html")  # the choice is kept from page to page
    assert tab.evaluate("document.body.dataset.mdColorScheme") == "slate"


RULE_CITATION = (
    "《整治形式主义为基层减负若干规定》统筹规范督查检查考核“考核不搞‘千分制’”"
    "（中共中央办公厅 国务院办公厅，2024-08）"
)


def test_copy_citation_with_the_clipboard_api(browser, site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    tab.goto(f"{site}/rules/kaohe-qianfenzhi.html#anchor")
    tab.click("text=复制引用")
    tab.wait_for_selector("text=已复制")
    copied = tab.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == f"{RULE_CITATION} {site}/rules/kaohe-qianfenzhi.html"


def test_copy_citation_without_the_clipboard_api(tab, site):
    """On a plain-http intranet the browser has no navigator.clipboard."""
    tab.add_init_script(
        "Object.defineProperty(navigator, 'clipboard', {value: undefined});"
        "document.addEventListener('copy', () => { const a = document.activeElement;"
        " window.copied = a.value.slice(a.selectionStart, a.selectionEnd); });"
    )
    tab.goto(f"{site}/cases/lanzhou-xinqu-duokao-heyi.html")
    tab.click("text=复制引用")
    assert tab.evaluate("window.copied") == (
        "兰州新区“多考合一”（甘肃省兰州新区，2024），载《基层减负工作简报汇编》（未署名，2024） "
        f"{site}/cases/lanzhou-xinqu-duokao-heyi.html"
    )
    assert tab.locator(".kb-cite__status").inner_text() == "已复制"


def test_an_entry_page_shows_where_it_stands(tab, site):
    tab.goto(f"{site}/problems/fansuo-zhexue.html")
    # the nav's own entry for the index is marked (the tab, with navigation.tabs)
    active = tab.locator(".md-nav--primary .md-nav__item--active > a")
    assert active.all_inner_texts() == ["问题类型"]
    assert tab.locator(".kb-path a").all_inner_texts() == ["首页", "问题类型"]
    tab.click(".kb-path a >> text=问题类型")
    assert tab.url == f"{site}/problems/index.html"


def test_entry_pages_of_each_kind_show_their_own_index(tab, site):
    """The nav (and tabs), rendered once for the entry pages of a folder (in one build)."""
    for path, index in [
        ("problems/fansuo-zhexue.html", "问题类型"),
        ("cases/lanzhou-xinqu-duokao-heyi.html", "案例"),
        ("problems/xiaomala-dache.html", "问题类型"),
        ("rules/kaohe-qianfenzhi.html", "条款"),
    ]:
        tab.goto(f"{site}/{path}")
        active = tab.locator(".md-nav--primary .md-nav__item--active > a")
        assert active.all_inner_texts() == [index], path


def test_prev_and_next_walk_the_index(tab, site):
    # the index lists 繁琐哲学 under its parent 督查检查考核过多过频, then 小马拉大车
    tab.goto(f"{site}/problems/fansuo-zhexue.html")
    prev = tab.locator(".md-footer__link--prev")
    assert prev.get_attribute("href") == "dujiankao-guoduo.html"
    assert tab.locator(".md-footer__link--next").get_attribute("href") == "xiaomala-dache.html"
    tab.goto(f"{site}/problems/xiaomala-dache.html")
    assert tab.locator(".md-footer__link--next").count() == 0


def test_indexes_list_by_pinyin(kb):
    kb.write(
        "content/problems/yipiao-foujue.yaml",
        "title: 一票否决\ndescription: 动辄一票否决。\n",
    )
    kb.write(
        "content/problems/cengceng-jiama.yaml",
        "title: 层层加码\ndescription: 任务层层加码。\n",
    )
    kb.edit("mkdocs.yml", "strict: true", "strict: false")
    assert kb.run("build").code == 0
    index = kb.site("problems/index.html")
    titles = ["层层加码", "督查检查考核过多过频", "繁琐哲学", "小马拉大车", "一票否决"]
    assert sorted(titles, key=index.index) == titles


PHONE_PAGES = [
    "index.html",
    "problems/dujiankao-guoduo.html",
    "cases/lanzhou-xinqu-duokao-heyi.html",
    "rules/kaohe-qianfenzhi.html",
    "sources/huibian.html",
    "search.html?q=督检考",
]
WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_no_page_is_wider_than_a_phone(phone, site, path):
    phone.goto(f"{site}/{path}")
    assert phone.evaluate(WIDTH) <= 360


def test_a_compilation_fits_a_phone(phone, real_site):
    with serving(real_site / "site") as url:
        phone.goto(f"{url}/compilations/dianxing-anli-2024.html")
        assert phone.evaluate(WIDTH) <= 360


def test_the_home_map_is_one_card_per_problem_on_a_phone(phone, site):
    phone.goto(f"{site}/index.html")
    cells = (
        phone.locator(".kb-map tbody tr")
        .first.locator("td")
        .evaluate_all(
            """cells => cells.map(c => [getComputedStyle(c).display,
            getComputedStyle(c, '::before').content.replaceAll('"', '') + c.innerText])"""
        )
    )
    assert cells == [
        ["block", "none督查检查考核过多过频"],
        ["block", "对策措施：统筹规范督查检查考核"],
        ["block", "经验做法：兰州新区“多考合一”"],
        ["block", "典型问题：0"],
    ]


def test_a_details_table_is_label_and_value_lines_on_a_phone(phone, site):
    phone.goto(f"{site}/sources/huibian.html")
    cells = phone.locator("table th, table td").evaluate_all(
        "cells => cells.map(c => [c.textContent.trim(), Math.round(c.getBoundingClientRect().x)])"
    )
    labels = {x for text, x in cells[: len(cells) // 2]}
    assert len(labels) == 1  # every label in one column, each value beside its own
    assert all(x <= 360 for _, x in cells)


def test_the_home_page_searches_front_and_centre(tab, site):
    tab.goto(f"{site}/index.html")
    box = tab.locator(".md-content .kb-home-search input[name=q]")
    box.fill("千分制")
    box.press("Enter")
    tab.wait_for_url(f"{site}/search.html?q=%E5%8D%83%E5%88%86%E5%88%B6")
    tab.wait_for_selector(".kb-results .kb-hit")  # the search page shows its results


def test_popular_queries_are_one_click_searches(tab, site):
    tab.goto(f"{site}/index.html")
    links = tab.locator(".kb-popular a")
    assert links.all_inner_texts() == [
        "督检考",
        "千分制",
        "借调",
        "一表通",
        "文山会海",
        "层层加码",
        "过度留痕",
    ]
    assert links.first.get_attribute("href") == "search.html?q=%E7%9D%A3%E6%A3%80%E8%80%83"


def test_popular_queries_come_from_the_plugin_options(kb):
    kb.edit("mkdocs.yml", "strict: true", "strict: true\n      popular_queries: [小马拉大车]")
    assert kb.run("build").code == 0
    home = kb.site("index.html")
    links = re.findall(r'<a href="(search\.html\?q=[^"]*)">([^<]*)</a>', home)
    assert links == [("search.html?q=%E5%B0%8F%E9%A9%AC%E6%8B%89%E5%A4%A7%E8%BD%A6", "小马拉大车")]


def more_cases(kb, count: int) -> list[str]:
    """``count`` practices of 南乐县 in 2020 besides the tiny knowledge base's own."""
    ids = [f"wangge-{i}" for i in range(1, count + 1)]
    for i, case_id in enumerate(ids, 1):
        kb.write(
            f"cases/{case_id}.yaml",
            f"title: 南乐县网格化管理第 {i} 例\nkind: practice\ndate: 2020-0{i}\n"
            "region: 河南省南乐县\nlevel: 县级\nsummary: 网格员暗访。\n"
            "problems: [xiaomala-dache]\nremedies: [sibu-liangzhi]\nsource: huibian\n",
        )
    return ids


def case_links(html: str) -> list[str]:
    article = html[max(0, html.find("<article")) : html.index("</article>")]
    found = re.findall(r'href="(?:\.\./)*(?:cases/)?([a-z][a-z0-9-]+)\.html"', article)
    return [f for f in found if f != "index" and not f.startswith("by-")]


def test_a_long_list_is_split_into_pages_with_a_chinese_pager(kb, monkeypatch):
    # pages of 2 to 4 items, each ending, once it holds 2, after an item whose id hashes to
    # a multiple of 1: pages of 2
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)
    extra = more_cases(kb, 3)  # 5 practices and 1 problem case: 3 pages of 2
    assert kb.run("build").code == 0
    first, second, third = (
        kb.site(p) for p in ("cases/index.html", "cases/pages/2.html", "cases/pages/3.html")
    )
    assert not (kb.root / "site/cases/pages/4.html").exists()
    listed = [c for html in (first, second, third) for c in case_links(html)]
    assert sorted(listed) == sorted(
        [*extra, "nanle-wangge", "lanzhou-xinqu-duokao-heyi", "mou-xiangzhen-biaoge"]
    )
    pager = re.search(r'<nav [^>]*aria-label="分页"[^>]*>(.*?)</nav>', second, re.S)
    assert pager, "a labelled nav"
    assert '<strong aria-current="page">2</strong>' in pager.group(1)
    assert '<a href="../index.html">上一页</a>' in pager.group(1)
    assert '<a href="3.html">下一页</a>' in pager.group(1)
    assert "第 2 页，共 3 页" in pager.group(1)
    assert 'aria-label="分页（页末）"' in second  # the one below the list: landmarks differ
    assert "<h1" in second and "案例（第 2 页）" in second
    assert 'href="pages/2.html"' in first and "上一页" not in first.split("kb-pager")[1]
    assert "经验做法（续）" in second  # a group going on from the page before
    # how many in all: where the list and each group begin, not on every page
    assert "共 6 个案例" in first and "共 6 个案例" not in second
    assert "5 个：" in first + second and "5 个：" not in third


def test_a_group_of_cases_is_its_own_paginated_page(kb, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)  # pages of 2 (above)
    more_cases(kb, 5)
    assert kb.run("build").code == 0
    assert re.search(
        r'<a href="by-year/2020.html">2020 年</a>：6 个案例', kb.site("cases/by-year.html")
    )
    first, second = kb.site("cases/by-year/2020.html"), kb.site("cases/by-year/2020/2.html")
    assert len(case_links(first)) >= 2
    assert "第 2 页，共 3 页" in second
    assert "6 个案例，" in first and "6 个案例，" not in second


def entries(*ids: str) -> list:
    return [SimpleNamespace(id=i) for i in ids]


def test_a_long_lists_pages_break_where_their_items_say_not_every_n_items():
    cases = entries(*(f"case-{n:04d}" for n in range(3_000)))
    pages = listing.split("cases/index.md", [(None, cases)])
    sizes = [len(p.groups[0].items) for p in pages]
    assert sum(sizes) == 3_000 and len(pages) > 3_000 / listing.PAGE_SIZE
    assert all(listing.PAGE_SIZE // 2 <= n <= listing.PAGE_SIZE for n in sizes[:-1]), sizes
    assert listing.split("cases/index.md", [(None, list(cases))]) == pages  # same items, same pages

    def differ(before: list, after: list) -> list[int]:
        shown = [[[e.id for e in g.items] for g in p.groups] for p in before]
        return [
            p.number
            for p, was in zip(after, shown, strict=False)
            if was != [[e.id for e in g.items] for g in p.groups]
        ]

    # a case added near the top, or one taken out further down: its own page changes (and
    # the next, when the page now reaches its least size at an earlier break), not the rest
    added = [*cases[:10], *entries("case-new"), *cases[10:]]
    after = listing.split("cases/index.md", [(None, added)])
    assert differ(pages, after) in ([1], [1, 2]) and len(after) == len(pages)
    removed = [c for c in cases if c.id != "case-1500"]
    after = listing.split("cases/index.md", [(None, removed)])
    assert 1 <= len(differ(pages, after)) <= 2 and len(after) == len(pages)


def test_a_short_list_is_one_page_and_an_editions_pages_are_of_a_fixed_size():
    assert len(listing.split("cases/index.md", [(None, entries(*map(str, range(200))))])) == 1
    units = [(None, list(range(100)))]
    assert [len(p.groups[0].items) for p in listing.split("x.md", units, 40)] == [40, 40, 20]


def test_a_hub_lists_its_first_cases_and_links_to_all_of_them(kb, monkeypatch):
    monkeypatch.setattr(listing, "HUB_LIMIT", 2)
    extra = more_cases(kb, 3)
    assert kb.run("build").code == 0
    hub = kb.site("remedies/sibu-liangzhi.html")
    section = hub[hub.index('id="经验做法"') :]
    assert len(case_links(section)) == 2
    assert '<a href="sibu-liangzhi/practices.html">查看全部 4 项</a>' in section
    everything = kb.site("remedies/sibu-liangzhi/practices.html")
    assert 'href="../sibu-liangzhi.html">' in everything  # back to the hub
    listed = [c for c in case_links(everything) if c != "sibu-liangzhi"]
    assert sorted(listed) == sorted([*extra, "nanle-wangge"])


def test_short_lists_have_no_pager(kb):
    assert kb.run("build").code == 0
    assert "kb-pager" not in kb.site("cases/index.html")
    assert "查看全部" not in kb.site("remedies/sibu-liangzhi.html")


EDITION = """\
title: 基层减负典型案例汇编
edition: 2025年第1期
date: 2025-04-01
select:
  problems: [dujiankao-guoduo, xiaomala-dache]
group_by: problem
"""


def test_a_long_edition_is_read_online_in_pages(kb, monkeypatch):
    monkeypatch.setattr(edition_pages, "CASES_PER_PAGE", 1)
    kb.write("content/compilations/huibian-2025.yaml", EDITION)
    kb.edit("mkdocs.yml", "strict: true", "strict: true\n      publications: false")
    assert kb.run("build").code == 0
    first, second, third = (
        kb.site(p)
        for p in (
            "compilations/huibian-2025.html",
            *(f"compilations/huibian-2025/{n}.html" for n in (2, 3)),
        )
    )
    assert 'id="lanzhou-xinqu-duokao-heyi"' in first and "nanle-wangge" not in first
    assert "基层减负典型案例汇编（第 2 页）" in second
    assert "一、督查检查考核过多过频（续）" in second  # a group going on from the page before
    assert 'id="nanle-wangge"' in third
    # the 目录 of the first page links each group where it begins
    contents = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', first)
    assert ("huibian-2025/3.html#g2", "二、小马拉大车") in contents
    assert "第 2 页，共 3 页" in second and '<a href="../huibian-2025.html">上一页</a>' in second


def test_a_list_page_never_takes_an_entry_address():
    # entries are files in their kind's folder (cases/<id>.md); later pages are in folders
    assert listing.page_path("cases/index.md", 1) == "cases/index.md"
    assert listing.page_path("cases/index.md", 2) == "cases/pages/2.md"
    assert listing.page_path("cases/by-year/2024.md", 3) == "cases/by-year/2024/3.md"
    assert listing.page_path("problems/x/practices.md", 2) == "problems/x/practices/2.md"


def test_a_group_page_is_named_in_pinyin_and_stays_a_safe_name():
    assert listing.slug("湖北省") == "hu2-bei3-sheng3"
    assert listing.slug("陕西省") != listing.slug("山西省")  # the tones tell them apart
    for hostile in ("../../etc", "a b/c?d#e", "某市（第1篇《“多考合一”》）", ""):
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", listing.slug(hostile)), hostile
