"""The 若干规定 in the real knowledge base: its parts and items, its list, nothing private shown."""

from __future__ import annotations

import json
import re

import pytest
from policykb.pipeline import load_knowledge_base
from policykb.publish.exports import entries_json
from policykb.render import Renderer
from policykb.search.backend import SearchQuery
from policykb.search.whoosh_index import WhooshSearch

from .conftest import REPO

REGULATION = "ruogan-guiding-2024"
PARTS = [
    "一、切实精简文件",
    "二、严格精简会议",
    "三、统筹规范督查检查考核",
    "四、规范借调干部",
    "五、规范政务移动互联网应用程序管理",
    "六、规范明晰基层权责",
    "七、规范创建示范和达标活动",
]
# The items whose title and wording were checked against the published full text.
ITEMS = {
    1: ("一、切实精简文件", "严控文件数量"),
    2: ("一、切实精简文件", "提升文件质量"),
    3: ("一、切实精简文件", "加强评估审查"),
    4: ("二、严格精简会议", "严控会议数量"),
    5: ("二、严格精简会议", "控制规模规格"),
    6: ("二、严格精简会议", "提升质量效率"),
    7: ("三、统筹规范督查检查考核", "严格计划和备案管理"),
    8: ("三、统筹规范督查检查考核", "改进方式方法"),
}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(REPO, strict=True)


def items(kb):
    rules = kb.in_rule_order(kb.incoming(kb.get(REGULATION), "rule", "source"))
    return [r for r in rules if r.data.item is not None]


def test_the_regulation_lists_its_seven_parts(kb):
    assert kb.get(REGULATION).data.parts == PARTS


def test_items_in_order_each_with_its_part_title_status_and_date(kb):
    found = items(kb)
    assert [r.data.item for r in found] == sorted(ITEMS)
    for rule in found:
        assert (rule.data.part, rule.data.title) == ITEMS[rule.data.item], rule.id
        assert rule.data.status == "现行" and rule.data.effective == "2024-08-06", rule.id
        assert rule.data.plain and rule.data.keywords and rule.data.problems, rule.id


def test_numeric_limits_are_figures(kb):
    figures = {(r.data.item, f.value, f.unit) for r in items(kb) for f in r.data.figures}
    assert {(2, 5000, "字"), (2, 4000, "字"), (4, 1, "次"), (6, 1, "小时"), (7, 1, "项")} <= figures


def test_every_rule_has_a_status(kb):
    assert [r.id for r in kb.of_kind("rule") if r.data.status is None] == []


def test_every_negative_list_is_named_by_its_source(kb):
    for negative in kb.of_kind("negative"):
        if negative.data.source:
            source = kb.get(negative.data.source).data
            assert negative.data.list in [*source.lists, source.title], negative.id


def test_the_regulation_forms_its_own_list_linked_to_its_items(kb):
    central = [n for n in kb.of_kind("negative") if n.data.list == "整治形式主义为基层减负若干规定"]
    assert len(central) >= 8
    assert all(n.data.rules for n in central)


def test_aliases_name_one_problem_each(kb):
    seen: dict[str, str] = {}
    for problem in kb.of_kind("problem"):
        for alias in problem.data.aliases:
            assert seen.setdefault(alias, problem.id) == problem.id, alias


def test_no_editor_note_in_any_page_or_export(kb):
    notes = [
        e.data.editor_note for e in kb.entries.values() if getattr(e.data, "editor_note", None)
    ]
    assert len(notes) >= 15
    published = "".join(p.markdown for p in Renderer(kb).pages())
    published += entries_json(kb, use_directory_urls=True)
    assert [n for n in notes if n in published] == []
    assert "editor_note" not in json.dumps(json.loads(entries_json(kb, use_directory_urls=True)))


@pytest.mark.parametrize("n", sorted(ITEMS))
def test_search_finds_each_item_by_its_number(real_site, n):
    engine = WhooshSearch(real_site / ".policykb" / "index")
    try:
        for query in (f"若干规定 第{n}条", f"若干规定 第{n}项"):
            top = [h.id for h in engine.search(SearchQuery(query)).hits[:5]]
            assert any(i.startswith(f"ruogan-guiding-{n:02d}-") for i in top), (query, top)
    finally:
        engine.close()


def test_how_a_date_was_guessed_is_said_only_in_editor_notes(kb):
    guessed = re.compile(
        r"日期取|年份取|取引用它的|取所在报道的年份|条目日期取|取20\d\d年|定为20\d\d"
    )
    for entry in kb.entries.values():
        for name in ("note", "summary", "body", "plain"):
            text = getattr(entry.data, name, None) or ""
            assert not guessed.search(text), (entry.id, name)
