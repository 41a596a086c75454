"""The real knowledge base: complete, linked, and faithful to the seed documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from policykb.pipeline import load_knowledge_base
from policykb.render import number
from policykb.schema import region_path

ROOT = Path(__file__).parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(ROOT, strict=True)


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not at {SEEDS}")
    return "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def _plain(text: str) -> str:
    """Text without punctuation, spaces or quote marks, for comparing wording."""
    return re.sub(r"[\W_]+", "", text)


def test_passes_the_strict_check(kb):
    assert len(kb.entries) > 300


def test_sizes(kb):
    assert len(kb.of_kind("problem")) >= 15
    assert len(kb.of_kind("remedy")) >= 20
    assert len(kb.of_kind("case")) >= 50
    assert {c.data.kind for c in kb.of_kind("case")} == {"practice", "problem-case"}


def test_one_source_per_seed_and_per_named_document(kb):
    for source_id in [
        "seed-xianwei-2025",
        "seed-quji-2025q4",
        "seed-jianbao-huibian",
        "seed-nanle-jianfu",
        "seed-shiwei-zuzhibu",
        "ruogan-guiding-2024",
        "zhijian-yijian-2023",
        "gaoxiao-banchengyijianshi-yijian",
        "nanle-jianfu-shiyitiao",
        "nanle-jianfu-xinsitiao",
        "nanle-qingli-gongwu-weixinqun-tongzhi",
        "mou-shi-zuzhibu-shijianchi-shiyanjin",
    ]:
        assert kb.get(source_id).kind.name == "source"


def test_every_problem_has_remedies_and_cases_every_remedy_cases(kb):
    for problem in kb.of_kind("problem"):
        assert kb.incoming(problem, "remedy"), problem.id
        assert kb.cases(problem) or any(kb.cases(c) for c in kb.children(problem)), problem.id
    for remedy in kb.of_kind("remedy"):
        assert kb.cases(remedy), remedy.id


def figures(kb, case_id: str) -> list[tuple[str, str, str]]:
    return [(f.label, number(f.value), f.unit) for f in kb.get(case_id).data.figures]


def test_exact_facts(kb):
    assert ("整合专项督考", "8", "项") in figures(kb, "lanzhou-xinqu-duokao-heyi")
    assert kb.get("lanzhou-xinqu-duokao-heyi").data.region == ["甘肃省", "兰州新区"]
    assert ("单元网格", "328", "个") in figures(kb, "nanle-duowang-heyi-wangge")
    assert kb.get("ruogan-guiding-kaohe-qianfenzhi").data.text == "考核应当化繁为简，不搞“千分制”"
    assert (
        "部署专项工作的材料原则上不超过2000字"
        in kb.get("nanle-xinsitiao-jianghua-pianfu").data.text
    )
    assert kb.get("nanle-weixinqun-shuliang").data.text.startswith("乡镇原则上不超过3个微信工作群")
    assert "不少于文件内容的50%" in kb.get("nanle-xinsitiao-luoshi-50").data.text
    sources = kb.get("ruogan-guiding-2024").data
    assert (sources.issuer, sources.date, sources.doctype) == (
        "中共中央办公厅 国务院办公厅",
        "2024-08-06",
        "党内法规",
    )


def test_anonymised_places_stay_anonymous(kb):
    for entry in kb.entries.values():
        region = "/".join(region_path(getattr(entry.data, "region", None)))
        assert not re.search(r"[xX]{2}|XX|\*", region), (entry.id, region)


def test_verbatim_rule_wording_is_in_the_seeds(kb, seed_text):
    plain_seeds = _plain(seed_text)
    for rule in kb.of_kind("rule"):
        if rule.data.verbatim:
            assert _plain(rule.data.text) in plain_seeds, (rule.id, rule.data.text)


def test_every_figure_is_a_number_the_seeds_give(kb, seed_text):
    numbers = set(re.findall(r"\d+(?:\.\d+)?", seed_text))
    for case in kb.of_kind("case"):
        for fig in case.data.figures:
            assert number(fig.value) in numbers, (case.id, fig)
