"""The built site: a page per entry, links and backlinks, hubs, offline, atomic, deterministic."""

from __future__ import annotations

import filecmp
import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
from policykb.cli import main
from policykb.publish import exports


def page(root: Path, path: str) -> str:
    return (root / "site" / path).read_text(encoding="utf-8")


def links(root: Path, path: str) -> set[str]:
    """Every page an HTML page links to, as a path from the site root."""
    html = page(root, path)
    base = posixpath.dirname(path)
    return {
        posixpath.normpath(posixpath.join(base, href))
        for href in re.findall(r'href="([^"#:]+)"', html)
    }


def test_a_page_per_entry_at_a_url_made_from_its_id(built):
    for path in [
        "cases/lanzhou-xinqu-duokao-heyi.html",
        "rules/kaohe-qianfenzhi.html",
        "negatives/zhucheng-jinling.html",
        "problems/dujiankao-guoduo.html",
        "remedies/sibu-liangzhi.html",
        "sources/huibian.html",
    ]:
        assert (built / "site" / path).is_file(), path


def test_case_page_shows_meta_figures_and_titled_links(built):
    html = page(built, "cases/lanzhou-xinqu-duokao-heyi.html")
    assert '<p class="kb-meta">经验做法 · 甘肃省兰州新区 · 2024 · 县级</p>' in html
    assert '<a href="../sources/huibian.html">基层减负工作简报汇编</a>，第1篇' in html
    assert (
        '<span class="kb-figure__value">8</span><span class="kb-figure__unit">项</span>'
        '<span class="kb-figure__label">整合专项督考</span>'
    ) in html
    assert '<a href="../remedies/tongchou-guifan-dujiankao.html">统筹规范督查检查考核</a>' in html
    # [[kaohe-qianfenzhi]] in the body became a link with the rule's title
    assert '落实了 <a href="../rules/kaohe-qianfenzhi.html">考核不搞“千分制”</a>' in html


def test_figure_prefix_and_unit_qualifiers(built):
    html = page(built, "cases/mou-xiangzhen-biaoge.html")
    assert (
        '<span class="kb-figure__prefix">约</span><span class="kb-figure__value">1000</span>'
        '<span class="kb-figure__unit">项</span>'
    ) in html
    assert (
        '<span class="kb-figure__value">800</span><span class="kb-figure__unit">余次</span>' in html
    )


def test_backlinks_are_computed(built):
    rule = page(built, "rules/kaohe-qianfenzhi.html")
    assert re.search(r'<h2 id="引用本条的案例">.*?lanzhou-xinqu-duokao-heyi.html', rule, re.S)
    assert re.search(r'<h2 id="依据本条的对策">.*?tongchou-guifan-dujiankao.html', rule, re.S)
    source = page(built, "sources/ruogan-guiding.html")
    assert re.search(r'<h2 id="所含条款">.*?kaohe-qianfenzhi.html', source, re.S)


def test_problem_hub_gathers_everything_that_points_to_it(built):
    html = page(built, "problems/dujiankao-guoduo.html")
    sections = re.findall(r'<h2 id="([^"]+)"', html)
    assert sections == ["细分问题", "典型表现", "负面清单", "相关条款", "对策措施", "经验做法"]
    assert {
        "problems/fansuo-zhexue.html",
        "negatives/zhucheng-jinling.html",
        "rules/kaohe-qianfenzhi.html",
        "remedies/tongchou-guifan-dujiankao.html",
        "cases/lanzhou-xinqu-duokao-heyi.html",
    } <= links(built, "problems/dujiankao-guoduo.html")
    assert "<li>计划外随意开展督查检查</li>" in html
    child = page(built, "problems/fansuo-zhexue.html")
    assert re.search(r'<h2 id="典型问题">.*?mou-xiangzhen-biaoge.html', child, re.S)


def test_home_page_has_counts_map_and_latest_cases(built):
    html = page(built, "index.html")
    assert (
        '<span class="kb-figure__value">3</span><span class="kb-figure__unit"></span>'
        '<span class="kb-figure__label">案例</span>' in html
    )
    assert '<h2 id="问题对策与做法">' in html
    row = re.search(
        r'<td><a href="problems/xiaomala-dache.html">小马拉大车</a></td>(.*?)</tr>', html, re.S
    )
    assert row and "remedies/sibu-liangzhi.html" in row.group(1)
    assert "cases/nanle-wangge.html" in row.group(1)
    latest = html[html.index('id="最新案例"') :]
    order = [latest.index(x) for x in ["mou-xiangzhen-biaoge", "lanzhou-xinqu", "nanle-wangge"]]
    assert order == sorted(order), "newest first"


def test_cases_browsable_by_region_year_and_level(built):
    # One page a province, year or level, listed with its count on the axis's page.
    by_region = page(built, "cases/by-region.html")
    regions = re.findall(r'<li><a href="by-region/[^"]+">([^<]+)</a>：(\d+) 个案例', by_region)
    # Places a source leaves unnamed share one page, last.
    assert regions == [("河南省", "1"), ("甘肃省", "1"), ("未具名地区", "1")]
    henan = page(built, "cases/by-region/he2-nan2-sheng3.html")
    # Headings carry no counts, so their anchors stay put as cases are added.
    assert re.findall(r'<h2 id="([^"]+)">', henan) == ["河南省南乐县"]
    assert 'href="../nanle-wangge.html"' in henan
    unnamed = page(built, "cases/by-region/wei4-ju4-ming2-di4-qu1.html")
    # An unnamed place is shown with the source it comes from: 某乡镇 in two pieces are two places.
    assert re.findall(r'<h2 id="([^"]+)">', unnamed) == ["某乡镇基层减负工作简报汇编"]
    years = re.findall(r'<a href="by-year/(\d+).html">', page(built, "cases/by-year.html"))
    assert years == ["2024", "2020"]
    assert "mou-xiangzhen-biaoge" in page(built, "cases/by-year/2024.html")
    levels = re.findall(r'<a href="by-level/[^"]+">([^<]+)</a>', page(built, "cases/by-level.html"))
    assert levels == ["县级", "乡镇街道"]


def test_navigation_lists_index_pages_not_entries(built):
    # A nav listing every entry would repeat N links on each of N pages.
    html = page(built, "sources/ruogan-guiding.html")
    assert "nanle-wangge" not in html
    assert 'href="../cases/index.html"' in html


def test_chinese_anchors_are_stable(built):
    html = page(built, "problems/dujiankao-guoduo.html")
    assert 'id="典型表现"' in html
    assert not re.search(r'id="_\d+"', html)


def test_works_offline_no_external_scripts_or_fonts(built):
    for file in (built / "site").rglob("*.html"):
        html = file.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', html), file
        assert not re.search(r'<link[^>]+href="(https?:)?//', html), file
        assert "fonts.googleapis" not in html and "unpkg.com" not in html, file
    assert (built / "site/search/search_index.js").is_file()  # the offline plugin's inline index


def test_entries_json_for_scripts(built):
    data = json.loads(page(built, "entries.json"))
    entry = next(e for e in data["entries"] if e["id"] == "lanzhou-xinqu-duokao-heyi")
    assert entry["url"] == "cases/lanzhou-xinqu-duokao-heyi.html"
    assert entry["links"]["remedy"] == ["tongchou-guifan-dujiankao"]
    assert entry["data"]["figures"] == [{"label": "整合专项督考", "value": 8, "unit": "项"}]


def test_entries_json_is_compact_and_split_past_its_size(kb, monkeypatch):
    assert kb.run("build").code == 0
    whole = kb.site("entries.json")
    assert "\n " not in whole and '", "' not in whole  # no indentation, no spaces
    entries = json.loads(whole)["entries"]
    monkeypatch.setattr(exports, "SPLIT_BYTES", len(whole.encode()) - 1)
    monkeypatch.setattr(exports, "PART_SIZE", 4)
    assert kb.run("build").code == 0
    assert not (kb.root / "site/entries.json").exists()
    index = json.loads(kb.site("entries/index.json"))
    assert index["parts"] == ["entries/0001.json", "entries/0002.json", "entries/0003.json"]
    parts = [e for part in index["parts"] for e in json.loads(kb.site(part))["entries"]]
    assert parts == entries  # every field of every entry, in the same order
    assert index["entries"][0] == {
        key: entries[0][key] for key in ("id", "kind", "title", "url")
    } | {"part": "entries/0001.json"}


def browser_terms(root: Path) -> dict[str, list[int]]:
    """Every term of the in-browser index, read from its shard scripts."""
    found: dict[str, list[int]] = {}
    for shard in (root / "site/search/kb").glob("s*.js"):
        text = shard.read_text(encoding="utf-8")
        found.update(json.loads(text[text.index(",") + 1 : text.rindex(")")]))
    return found


def test_browser_index_uses_the_knowledge_base_dictionary(built):
    terms = browser_terms(built)
    # Without the generated user dictionary jieba cuts 多/考/合一 and 四/不/两直.
    assert "多考合一" in terms and "四不两直" in terms
    # its subwords are terms too, so 督查 finds 督查检查考核过多过频
    assert "督查" in terms and "督查检查考核" in terms


def test_failed_build_leaves_the_previous_site_untouched(kb):
    assert kb.run("build").code == 0
    index = kb.root / "site/index.html"
    before = index.read_bytes(), index.stat().st_mtime_ns
    kb.edit("cases/nanle-wangge.yaml", "kind: practice", "kind: 好做法")
    result = kb.run("build")
    assert result.code == 1
    assert "cases/nanle-wangge.yaml:2:7: 'kind' must be one of" in result.err
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert sorted(p.name for p in kb.root.iterdir()) == [
        ".policykb",
        ".site.lock",  # one build at a time
        (kb.root / "site").readlink().name,  # the complete site `site` links to
        "cases",
        "content",
        "mkdocs.yml",
        "site",
    ]


def test_output_is_deterministic(kb, tmp_path):
    assert kb.run("build", "--site-dir", str(tmp_path / "one")).code == 0
    assert kb.run("build", "--site-dir", str(tmp_path / "two")).code == 0
    cmp = filecmp.dircmp(tmp_path / "one", tmp_path / "two")

    def differing(c: filecmp.dircmp) -> list[str]:
        found = list(c.diff_files) + list(c.left_only) + list(c.right_only)
        for sub in c.subdirs.values():
            found += differing(sub)
        return found

    # dircmp compares shallowly; compare every file's bytes for real
    for file in (tmp_path / "one").rglob("*"):
        if file.is_file():
            twin = tmp_path / "two" / file.relative_to(tmp_path / "one")
            assert file.read_bytes() == twin.read_bytes(), file
    assert differing(cmp) == []


def test_plain_mkdocs_build_works_too(kb):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=kb.root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (kb.root / "site/problems/dujiankao-guoduo.html").is_file()


def test_plain_mkdocs_build_reports_content_errors(kb):
    kb.edit("cases/nanle-wangge.yaml", "date: 2020", "date: 二〇二〇")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=kb.root, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "cases/nanle-wangge.yaml:3:7: 'date': malformed date '二〇二〇'" in result.stderr


@pytest.mark.parametrize("entry_id", ["index", "by-region"])
def test_reserved_ids(kb, entry_id):
    kb.write(f"cases/{entry_id}.yaml", (kb.root / "cases/nanle-wangge.yaml").read_text("utf-8"))
    result = kb.run("check")
    assert (
        f"cases/{entry_id}.yaml:1:1: id '{entry_id}' is reserved for the site's own pages"
        in result.err
    )


def test_new_scaffolds_an_entry_that_check_then_asks_to_fill(kb):
    result = kb.run("new", "case", "mou-xian-wuhuiri")
    assert result.code == 0
    assert result.out == (
        "Created cases/mou-xian-wuhuiri.yaml: fill in the fields, then run build.py check\n"
    )
    text = (kb.root / "cases/mou-xian-wuhuiri.yaml").read_text(encoding="utf-8")
    assert "title:\nkind:\ndate:\nregion:\nsummary:\nproblems:\nsource:\n" in text
    check = kb.run("check")
    assert "cases/mou-xian-wuhuiri.yaml:2:7: 'title' must be text, got nothing" in check.err
    again = kb.run("new", "rule", "mou-xian-wuhuiri")
    assert again.code == 1
    assert again.err == "Error: id 'mou-xian-wuhuiri' is taken by cases/mou-xian-wuhuiri.yaml\n"


def test_cli_user_error_is_one_line(tmp_path, capsys):
    assert main(["check", "-f", str(tmp_path / "nope.yml")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"Error: {tmp_path / 'nope.yml'}: no such file (give the project's mkdocs.yml with -f)\n"
    )


def test_jiebas_dictionary_is_loaded_once_by_us_not_again_for_material(kb, monkeypatch):
    # Material's search plugin keeps only its header box: given no user dictionary, it
    # never initializes jieba's global tokenizer (a second copy of the main dictionary).
    import jieba

    def second_copy(*args, **kwargs):
        raise AssertionError("jieba's global dictionary was loaded")

    monkeypatch.setattr(jieba.dt, "initialize", second_copy)
    assert kb.run("build").code == 0
    assert 'class=\\"md-search\\"' in kb.site("assets/policykb/header.js")  # a JSON string


def test_each_entry_is_segmented_once_for_every_index(kb, monkeypatch):
    # Material's search would call the global jieba.cut on every rendered page; the entry
    # pages opt out, and the in-browser index is built from our segmented documents.
    import jieba

    def no_second_segmentation(*args, **kwargs):
        raise AssertionError("a page was segmented again by Material's search")

    monkeypatch.setattr(jieba, "cut", no_second_segmentation)
    assert kb.run("build").code == 0
    assert json.loads(kb.site("search/search_index.json"))["docs"] == []
    meta = kb.site("search/kb/meta.js")
    assert '"docs":12,' in meta


def test_build_says_what_each_stage_cost_and_quiet_silences_it(kb):
    result = kb.run("build")
    assert result.code == 0
    stages = [
        line.split(": ")[1]
        for line in result.err.splitlines()
        if "policykb: " in line and " s, CPU " in line
    ]
    assert stages[:3] == ["load, validate and link", "segmenter", "page sources"]
    assert "whoosh index" in stages and "MkDocs pages (Markdown, theme, other plugins)" in stages
    quiet = kb.run("build", "-q")
    assert quiet.code == 0 and " s, CPU " not in quiet.err


def test_a_rule_no_longer_in_force_says_so_above_its_text(kb):
    page_path = "rules/kaohe-qianfenzhi.html"
    assert kb.run("build").code == 0
    assert "本条已废止" not in page(kb.root, page_path)
    kb.edit("content/rules/kaohe-qianfenzhi.yaml", "status: 现行", "status: 已废止")
    assert kb.run("build").code == 0
    html = page(kb.root, page_path)
    article = html[html.index("<article") :]
    assert article.index("本条已废止，不再执行") < article.index("化繁为简")  # before the wording
