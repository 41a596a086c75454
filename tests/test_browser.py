"""The search box in a real browser: from a web server on localhost and from file://."""

from __future__ import annotations

from urllib.parse import quote

import pytest


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.errors = errors
    yield tab
    context.close()
    assert errors == []


def type_query(page, text: str) -> list[str]:
    """Types into the header's search box; the ids of the results shown, in order."""
    page.fill("input.md-search__input", text)
    # search.js marks the box with the query whose results it has just shown
    page.wait_for_function(
        "q => document.querySelector('[data-kb-search]').dataset.kbRendered === q", arg=text
    )
    return page.locator(".md-search-result__list .kb-hit").evaluate_all(
        "items => items.map(i => i.dataset.kbId)"
    )


@pytest.fixture(params=["http", "file"])
def site_url(request, static_url, built) -> str:
    if request.param == "http":
        return f"{static_url}/cases/nanle-wangge.html"
    return (built / "site/cases/nanle-wangge.html").as_uri()


def test_search_box_finds_domain_words(page, site_url):
    page.goto(site_url)
    assert type_query(page, "督检考")[0] == "dujiankao-guoduo"
    assert type_query(page, "多考合一")[:2] == [
        "tongchou-guifan-dujiankao",
        "lanzhou-xinqu-duokao-heyi",
    ]
    assert type_query(page, "千分制")[0] == "fansuo-zhexue"
    assert type_query(page, "兰州 考核")[0] == "lanzhou-xinqu-duokao-heyi"
    assert type_query(page, "328")[0] == "nanle-wangge"


def test_results_link_to_the_entry_and_mark_the_words(page, site_url):
    page.goto(site_url)
    type_query(page, "兰州 考核")
    first = page.locator(".md-search-result__list .kb-hit").first
    assert "<mark>兰州</mark>" in first.inner_html()
    first.locator("a").click()
    page.wait_for_load_state()
    assert page.url.endswith("cases/lanzhou-xinqu-duokao-heyi.html?h=" + quote("兰州"))
    assert page.locator("h1").first.inner_text().startswith("兰州新区“多考合一”")
    # search.highlight: the page opened from a hit marks the words its snippet marked
    # (考核, in most entries here, ranks nothing and is not marked)
    marked = page.locator("article mark[data-md-highlight]").all_inner_texts()
    assert set(marked) == {"兰州"} and len(marked) > 1


def test_words_from_the_address_are_marked_as_text_never_as_markup(page, site_url):
    page.goto(site_url + "?h=" + quote("网格 <img src=x onerror=alert(1)> 网"))
    marked = page.locator("article mark[data-md-highlight]").all_inner_texts()
    assert marked and set(marked) == {"网格"}  # one-character words would mark half the page
    assert page.locator("article img").count() == 0
    assert page.locator("h1").first.inner_text() == page.title().split(" - ")[0]


def test_no_results_is_said(page, site_url):
    page.goto(site_url)
    assert type_query(page, "量子计算") == []
    assert page.locator(".md-search-result__meta").inner_text() == "没有找到符合条件的结果"


def test_a_query_loads_only_the_parts_it_needs(page, static_url):
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto(f"{static_url}/index.html")
    type_query(page, "督检考")
    index_files = [u.rsplit("/", 1)[1] for u in loaded if "/search/kb/" in u]
    assert index_files[0] == "meta.js"
    assert 1 < len(index_files) < 10
    assert not any(u.endswith("search_index.json") and "/kb/" in u for u in loaded)


def test_enter_opens_the_search_page_with_all_results(page, site_url):
    page.goto(site_url)
    page.fill("input.md-search__input", "考核")
    page.press("input.md-search__input", "Enter")
    page.wait_for_selector("#kb-search-page .kb-hit")
    assert "search.html?q=" in page.url
    assert page.get_attribute("#kb-search-page", "data-source") == "browser"
    ids = page.locator("#kb-search-page .kb-hit").evaluate_all("i => i.map(e => e.dataset.kbId)")
    assert {"lanzhou-xinqu-duokao-heyi", "kaohe-qianfenzhi"} <= set(ids)


def test_search_page_uses_the_server_and_its_facets_when_there(page, api_url):
    page.goto(f"{api_url}/search.html?q={quote('督检考')}")
    page.wait_for_selector("#kb-search-page .kb-hit")
    assert page.get_attribute("#kb-search-page", "data-source") == "server"
    facets = page.locator(".kb-facet").all_inner_texts()
    assert any(text.startswith("类型") and "案例" in text for text in facets)
    page.locator(".kb-chip", has_text="案例").click()
    page.wait_for_function("() => location.search.includes('kind=case')")
    page.wait_for_selector(".kb-chip--on")
    ids = page.locator("#kb-search-page .kb-hit").evaluate_all("i => i.map(e => e.dataset.kbId)")
    assert ids == ["lanzhou-xinqu-duokao-heyi", "mou-xiangzhen-biaoge"]


@pytest.mark.parametrize(
    "word, expected",
    [("多考合一", "duokao-heyi"), ("督检考", "dujiankao-guoduo"), ("千分制", "fansuo-zhexue")],
)
def test_real_site_search_box(page, real_site, word, expected):
    page.goto((real_site / "site/index.html").as_uri())
    assert expected in type_query(page, word)[:3]


def page_results(page, url: str) -> list[str]:
    """Opens the search page at ``url``; the ids it shows once rendered."""
    page.goto(url)
    page.wait_for_selector("#kb-search-page[data-kb-rendered]")
    return page.locator("#kb-search-page .kb-hit").evaluate_all("i => i.map(e => e.dataset.kbId)")


@pytest.fixture(params=["server", "browser-http", "browser-file"])
def search_page(request, api_url, static_url, built) -> str:
    """The search page, from the search server, from a plain web server and from file://."""
    return {
        "server": f"{api_url}/search.html",
        "browser-http": f"{static_url}/search.html",
        "browser-file": (built / "site/search.html").as_uri(),
    }[request.param]


def test_show_more_only_when_there_is_more(page, search_page):
    few = page_results(page, f"{search_page}?q={quote('多考合一')}")
    assert 0 < len(few) < 20
    assert page.locator(".kb-more-results").is_hidden()
    assert page_results(page, f"{search_page}?q={quote('量子计算')}") == []
    assert page.locator(".kb-more-results").is_hidden()
    assert page.locator(".kb-search-status").inner_text() == "没有找到符合条件的结果"


def test_a_typo_shows_the_corrected_results_and_says_so(page, search_page):
    found = page_results(page, f"{search_page}?q={quote('多考和一')}")
    assert "lanzhou-xinqu-duokao-heyi" in found
    status = page.locator(".kb-search-status")
    assert status.inner_text().startswith('已显示"多考合一"的结果，仍搜索"多考和一"')
    status.locator("a.kb-exact").click()
    page.wait_for_function("() => location.search.includes('correct=0')")
    page.wait_for_selector("#kb-search-page[data-kb-rendered]")
    assert "已显示" not in page.locator(".kb-search-status").inner_text()


def test_hits_say_kind_region_date_and_quote_plain_sentences(page, search_page):
    page_results(page, f"{search_page}?q={quote('兰州 考核')}")
    first = page.locator("#kb-search-page .kb-hit").first
    assert first.locator(".kb-hit__meta").inner_text() == "案例 · 甘肃省兰州新区 · 2024 · 县级"
    snippets = page.locator(".kb-hit__snippet").all_inner_texts()
    assert snippets and not any("[[" in s or s.lstrip().startswith("- ") for s in snippets)
    mark = first.locator("mark").first
    colours = mark.evaluate("m => [getComputedStyle(m).backgroundColor, getComputedStyle(m).color]")
    assert colours == ["rgb(255, 226, 122)", "rgb(26, 26, 26)"]


def test_facets_by_level_and_sorting_by_date(page, search_page):
    page_results(page, f"{search_page}?q={quote('考核')}")
    facets = page.locator(".kb-facet").all_inner_texts()
    assert any(text.startswith("层级") for text in facets)
    page.locator(".kb-sort button[data-sort=date]").click()
    page.wait_for_function("() => location.search.includes('sort=date')")
    page.wait_for_selector(".kb-sort button[data-sort=date].kb-chip--on")
    dates = page.locator("#kb-search-page .kb-hit__meta").all_inner_texts()
    years = [next((p for p in d.split(" · ") if p[:4].isdigit()), "") for d in dates]
    assert [y for y in years if y] == sorted((y for y in years if y), reverse=True)


def test_enter_in_the_header_box_opens_the_search_page(page, site_url):
    page.goto(site_url)
    type_query(page, "督检考")
    page.press("input.md-search__input", "Enter")
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_selector("#kb-search-page[data-kb-rendered]")
    assert page.locator("#kb-search-page input").input_value() == "督检考"


def test_on_a_phone_the_filters_fold_under_one_line_and_the_first_hit_is_on_screen(
    browser, static_url
):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    try:
        tab.goto(f"{static_url}/search.html?q={quote('督检考')}")
        tab.wait_for_selector("#kb-search-page .kb-hit")
        assert tab.evaluate("document.querySelector('.kb-facets-box').open") is False
        assert tab.locator(".kb-facets-box > summary").inner_text().strip() == "筛选"
        top = tab.evaluate(
            "document.querySelector('#kb-search-page .kb-hit').getBoundingClientRect().top"
        )
        assert top < 740
        tab.click(".kb-facets-box > summary")  # and one tap opens them
        assert tab.locator(".kb-facet", has_text="类型").is_visible()
    finally:
        context.close()
