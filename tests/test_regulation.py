"""A regulation item by item: parts, items, one rule order, merged ids, lists its sources name."""

from __future__ import annotations

import json

import pytest
from policykb.numbering import chinese_numeral, search_labels
from policykb.pipeline import load_knowledge_base
from policykb.schema import region_path

from .test_check import errors

SOURCE = "content/sources/ruogan-guiding.yaml"
PARTS = "parts: [一、切实精简文件, 二、严格精简会议]\n"


def item(kb, rule_id: str, part: str, number: int, title: str, **extra: str) -> None:
    lines = "".join(f"{k}: {v}\n" for k, v in extra.items())
    kb.write(
        f"content/rules/{rule_id}.yaml",
        f"source: ruogan-guiding\narticle: {part}\ntitle: {title}\ntext: {title}\n"
        f"verbatim: false\npart: {part}\nitem: {number}\nstatus: 现行\n"
        f"problems: [dujiankao-guoduo]\n{lines}",
    )


@pytest.fixture
def regulation(kb):
    """The tiny knowledge base with a regulation of two parts and three items."""
    kb.edit(SOURCE, "level: 中央\n", "level: 中央\n" + PARTS)
    item(kb, "item-04", "二、严格精简会议", 4, "严控会议数量")
    item(kb, "item-01", "一、切实精简文件", 1, "严控文件数量")
    item(kb, "item-02", "一、切实精简文件", 2, "提升文件质量")
    return kb


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 21, 99, 105)] == [
        "一", "十", "十一", "二十", "二十一", "九十九", "一百零五"
    ]  # fmt: skip
    assert search_labels("三、统筹规范督查检查考核", 7, 3) == [
        "第7条", "第7项", "第七条", "第七项", "第3部分", "第三部分"
    ]  # fmt: skip


def test_region_path():
    assert region_path("某市") == ("某市",)
    assert region_path(["湖北省", "咸宁市", "咸安区"]) == ("湖北省", "咸宁市", "咸安区")
    assert region_path(None) == ()


def test_a_part_must_be_one_of_the_source_parts(regulation):
    regulation.edit("content/rules/item-02.yaml", "part: 一、切实精简文件", "part: 一、精简文件")
    assert errors(regulation) == [
        "content/rules/item-02.yaml:6:7: 'part': '一、精简文件' is not one of the parts of "
        "ruogan-guiding (一、切实精简文件、二、严格精简会议)"
    ]


def test_an_item_number_is_used_once_per_source(regulation):
    regulation.edit("content/rules/item-02.yaml", "item: 2", "item: 1")
    assert errors(regulation) == [
        "content/rules/item-02.yaml:7:7: 'item': ruogan-guiding item 1 is also item-01"
    ]


def test_a_negative_list_must_be_named_by_its_source(kb):
    path = "content/negatives/zhucheng-jinling.yaml"
    kb.edit(path, "list: 诸城市考核评价禁止事项", "list: 诸城市禁止事项")
    assert errors(kb) == [
        f"{path}:1:7: 'list': huibian defines no list '诸城市禁止事项' "
        "(its 'lists' or its title: 诸城市考核评价禁止事项、基层减负工作简报汇编)"
    ]
    kb.edit(path, "list: 诸城市禁止事项", "list: 基层减负工作简报汇编")
    assert kb.run("check").code == 0


def test_rules_in_one_order_central_first_then_part_and_item(regulation):
    regulation.write(
        "content/sources/xian.yaml",
        "title: 某县规定\nissuer: 某县\ndate: 2024\ndoctype: 规范性文件\nlevel: 县级\n",
    )
    regulation.write(
        "content/rules/aaa-xian.yaml",
        "source: xian\narticle: 第一条\ntext: 某县的一条\n"
        "problems: [dujiankao-guoduo]\nstatus: 现行\n",
    )
    kb = load_knowledge_base(regulation.root)
    problem = kb.get("dujiankao-guoduo")
    ordered = [e.id for e in kb.in_rule_order(kb.incoming(problem, "rule"))]
    assert ordered == ["item-01", "item-02", "item-04", "kaohe-qianfenzhi", "aaa-xian"]
    assert [s.id for s, _ in kb.rules_by_source()] == ["ruogan-guiding", "xian"]


def test_source_page_shows_parts_then_items_and_rule_page_its_place(regulation):
    assert regulation.run("build").code == 0
    html = regulation.site("sources/ruogan-guiding.html")
    source = html[html.index("<h1") :]
    order = [
        source.index(x)
        for x in [
            "一、切实精简文件",
            "1. 严控文件数量",
            "2. 提升文件质量",
            "二、严格精简会议",
            "4. 严控会议数量",
        ]
    ]
    assert order == sorted(order)
    rule = regulation.site("rules/item-01.html")
    assert "一、切实精简文件 · 1. 严控文件数量" in rule


def test_search_finds_an_item_by_its_number(regulation):
    assert regulation.run("build").code == 0

    def hits(query: str) -> list[str]:
        return [h["id"] for h in json.loads(regulation.run("search", query, "--json").out)["hits"]]

    for query in ["第1条", "第一条", "第1项"]:
        assert hits(query)[0] == "item-01", query
    assert hits("第二部分")[0] == "item-04"
    # the regulation's own page may come first: it bears the name
    assert "item-01" in hits("若干规定 第1条")[:2]


def test_replaced_id_keeps_a_page_pointing_to_the_new_entry(regulation):
    replaces = "status: 现行\nreplaces: [old-wenjian, negative:old-jinling]"
    regulation.edit("content/rules/item-01.yaml", "status: 现行", replaces)
    assert regulation.run("build").code == 0
    old = regulation.site("rules/old-wenjian.html")
    assert "old-wenjian" in old and 'href="item-01.html"' in old
    assert 'href="../rules/item-01.html"' in regulation.site("negatives/old-jinling.html")


def test_replaced_id_may_not_be_an_entry_or_taken_twice(regulation):
    rule = "content/rules/item-01.yaml"
    regulation.edit(rule, "status: 现行", "status: 现行\nreplaces: [item-02]")
    regulation.edit("content/rules/item-04.yaml", "status: 现行", "status: 现行\nreplaces: [gone]")
    regulation.edit("content/rules/item-02.yaml", "status: 现行", "status: 现行\nreplaces: [gone]")
    assert errors(regulation) == [
        "content/rules/item-01.yaml:9:12: 'replaces': 'item-02' is still an entry "
        "(content/rules/item-02.yaml); remove it or drop it from 'replaces'",
        "content/rules/item-04.yaml:9:12: 'replaces': 'gone' is already replaced by item-02",
    ]


def test_editor_note_is_never_published_and_an_inferred_date_says_so(kb):
    case = "cases/nanle-wangge.yaml"
    kb.edit(case, "date: 2020", "date: 2020\ndate_inferred: true\neditor_note: 年份据报告推断ZZQ")
    assert kb.run("build").code == 0
    site = kb.root / "site"
    text = {".html", ".json", ".js", ".txt", ".xml", ".csv"}
    published = [p for p in site.rglob("*") if p.is_file() and p.suffix in text]
    assert not [p for p in published if "ZZQ" in p.read_text(encoding="utf-8", errors="ignore")]
    assert "2020（推定）" in kb.site("cases/nanle-wangge.html")


def test_region_path_is_shown_broad_to_narrow(kb):
    case = "cases/nanle-wangge.yaml"
    kb.edit(case, "region: 河南省南乐县", "region: [河南省, 濮阳市, 南乐县]")
    assert kb.run("build").code == 0
    assert "河南省 › 濮阳市 › 南乐县" in kb.site("cases/nanle-wangge.html")
    assert "河南省 › 濮阳市 › 南乐县" in kb.site("cases/by-region/he2-nan2-sheng3.html")
