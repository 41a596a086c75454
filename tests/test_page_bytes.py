"""What every page repeats is paid N times: the theme's icons, scripts and settings live in
cached files or cost their bytes once, with the same look and the same policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

from policykb.csp import inline_scripts

ICON = re.compile(r'<svg class="kb-i (kb-i--[a-z-]+)"></svg>')
CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)


def json_string(script: str) -> str:
    """The markup header.js writes: the JSON string it passes to insertAdjacentHTML."""
    return json.loads(re.search(r'insertAdjacentHTML\("beforebegin", (".*")\);', script).group(1))


def pages(site: Path) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))]


def test_the_theme_icons_are_drawn_by_the_stylesheet_not_carried_by_each_page(built):
    stylesheet = (built / "site/assets/policykb/policykb.css").read_text(encoding="utf-8")
    header = (built / "site/assets/policykb/header.js").read_text(encoding="utf-8")
    assert {"kb-i--magnify", "kb-i--weather-night"} <= set(ICON.findall(json_string(header)))
    for page, text in pages(built / "site"):
        assert "<path" not in text, page
        icons = set(ICON.findall(text))
        assert {"kb-i--library", "kb-i--menu"} <= icons, page
        for icon in icons:
            assert f'.{icon} {{ --kb-i: url("data:image/svg+xml' in stylesheet, icon


def test_the_theme_scripts_are_files_so_the_policy_names_no_hash(built):
    site = built / "site"
    for page, text in pages(site):
        assert inline_scripts(text) == [], page
        assert "sha256-" not in text, page
    case = next(site.glob("cases/*.html"), None) or next(site.rglob("*.html"))
    for script in re.findall(r'<script src="([^"]+)"', case.read_text(encoding="utf-8")):
        assert (case.parent / script).is_file(), script


def test_the_theme_settings_are_chinese_as_written_and_still_safe_json(built):
    text = (built / "site/index.html").read_text(encoding="utf-8")
    config = CONFIG.search(text).group(1)
    assert "\\u" not in config
    assert json.loads(config)["translations"]["clipboard.copied"] == "已复制"


def test_the_site_leaves_out_the_theme_source_maps(built):
    assert not list((built / "site/assets").rglob("*.map"))
    assert (built / "site/assets/javascripts").is_dir()


def test_the_site_leaves_out_the_script_fragments_its_templates_include(built):
    assert not (built / "site/partials").exists()
    assert "__md_set" in (built / "site/assets/policykb/header.js").read_text(encoding="utf-8")


def test_the_scheme_switch_and_search_box_are_written_by_one_cached_script(built):
    site = built / "site"
    header = json_string((site / "assets/policykb/header.js").read_text(encoding="utf-8"))
    assert 'data-md-component="palette"' in header and 'aria-label="切换到深色模式"' in header
    assert 'class="md-search__form"' in header and 'id="policykb-config"' in header
    # first Material's start-up script (the reader's stored choices), then the markup
    script = (site / "assets/policykb/header.js").read_text(encoding="utf-8")
    assert (
        script.index("__md_get=")
        < script.index("insertAdjacentHTML")
        < script.index('__md_get("__palette")')
    )
    for page, text in pages(site):
        assert 'data-md-component="palette"' not in text and "md-search__form" not in text, page
        assert "material-base.js" not in text, page
        assert re.search(r'<script src="[./]*assets/policykb/header.js"></script>', text), page


def test_materials_own_search_never_starts_and_is_not_shipped(built):
    site = built / "site"
    # Material's bundle starts its lunr worker for a form named "search"
    assert 'name="search"' not in json_string(
        (site / "assets/policykb/header.js").read_text(encoding="utf-8")
    )
    assert not (site / "assets/javascripts/lunr").exists()
    assert not (site / "assets/javascripts/workers").exists()
    for page, text in pages(site):
        assert 'name="search"' not in text and "iframe-worker" not in text, page
    config = json.loads(CONFIG.search((site / "index.html").read_text(encoding="utf-8")).group(1))
    assert "search" not in config and None not in config.values()


def test_a_page_loads_the_scripts_it_uses(built):
    for page, text in pages(built / "site"):
        assert ("cite.js" in text) == ("data-kb-cite" in text), page
        assert ("quiz.js" in text) == ("kb-quiz" in text), page
        assert "material-content.js" not in text, page  # no content tabs on these pages
    case = (built / "site/cases/lanzhou-xinqu-duokao-heyi.html").read_text(encoding="utf-8")
    assert "cite.js" in case


def test_the_head_names_what_the_page_alone_has(kb):
    kb.edit("mkdocs.yml", "site_name: 测试知识库", "site_name: 测试知识库\nsite_description: 减负")
    assert kb.run("build").code == 0
    site = kb.root / "site"
    home, case = kb.site("index.html"), kb.site("cases/lanzhou-xinqu-duokao-heyi.html")
    assert '<meta name="description" content="减负">' in home
    assert '<meta name="description"' not in case
    assert 'type="application/atom+xml"' in home and 'type="application/atom+xml"' not in case
    for page, text in pages(site):
        assert '<meta name="generator"' not in text and '<link rel="prev"' not in text, page
    # prev/next are the footer's links, still marked as such
    assert re.search(r'class="md-footer__link md-footer__link--(prev|next)" rel="\1"', case)


def test_a_table_of_contents_for_three_sections_or_more(built):
    def toc(path: str) -> list[str]:
        text = (built / "site" / path).read_text(encoding="utf-8")
        nav = re.search(r'<nav class="md-nav md-nav--secondary".*?</nav>', text, re.S)
        return (
            re.findall(r'<a href="#[^"]+" class="md-nav__link">([^<]+)</a>', nav.group(0))
            if nav
            else []
        )

    headings = {
        path: re.findall(r"<h2 [^>]*>([^<]+)<", (built / "site" / path).read_text(encoding="utf-8"))
        for path in ("cases/lanzhou-xinqu-duokao-heyi.html", "problems/dujiankao-guoduo.html")
    }
    short, long = headings.values()
    assert 1 <= len(short) <= 2 and len(long) >= 3
    assert toc("cases/lanzhou-xinqu-duokao-heyi.html") == []
    assert toc("problems/dujiankao-guoduo.html") == long
    # without one, its column stays (the layout is the same), empty and unmanaged
    case = (built / "site/cases/lanzhou-xinqu-duokao-heyi.html").read_text(encoding="utf-8")
    assert '<div class="md-sidebar md-sidebar--secondary"></div>' in case
    assert 'data-md-type="toc"' not in case
    problem = (built / "site/problems/dujiankao-guoduo.html").read_text(encoding="utf-8")
    assert 'data-md-type="toc"' in problem


def test_only_the_page_title_loses_its_permalink(built):
    text = (built / "site/problems/dujiankao-guoduo.html").read_text(encoding="utf-8")
    assert re.search(r'<h1 id="[^"]+">[^<]+</h1>', text)
    assert '<a class="headerlink" href="#典型表现"' in text


def test_the_nav_links_are_plain_and_the_current_index_marked(built):
    text = (built / "site/rules/kaohe-qianfenzhi.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</ul>\n</nav>', text, re.S).group(0)
    assert '<li><a href="../problems/index.html">问题类型</a></li>' in nav
    assert "md-ellipsis" not in nav and "md-tabs" not in text
    # the entry's index keeps Material's classes: it is the one marked active
    assert re.search(r'<li class="md-nav__item md-nav__item--active">\s*<a href="index.html"', nav)
