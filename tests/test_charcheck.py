"""`check --strict` finds the characters Chinese text must not have, by line and column."""

from __future__ import annotations

from policykb.charcheck import check_text, lookalikes

from .test_check import errors

CASE = "cases/lanzhou-xinqu-duokao-heyi.yaml"


def test_the_table_maps_radicals_and_compatibility_ideographs_to_standard_characters():
    table = lookalikes()
    assert table["\u2f2f"] == "工"  # KANGXI RADICAL WORK
    assert table["\uf900"] == "豈"  # CJK COMPATIBILITY IDEOGRAPH-F900
    assert "工" not in table


def test_look_alike_character_is_reported_with_its_code_points(kb):
    kb.edit(CASE, "兰州新区“多考合一”", "兰州新区\u2f2f“多考合一”")
    assert errors(kb, "--strict") == [
        f"{CASE}:1:12: look-alike '⼯' (U+2F2F Kangxi Radical Work): write '工' (U+5DE5)"
    ]


def test_half_width_punctuation_between_chinese_characters(kb):
    kb.edit(CASE, "整合 8 大专项督考，", "整合 8 大专项督考,村(社区)考核;")
    assert errors(kb, "--strict") == [
        f"{CASE}:6:20: half-width ',' (U+002C) beside Chinese: write '，' (U+FF0C)",
        f"{CASE}:6:22: half-width '(' (U+0028) beside Chinese: write '（' (U+FF08)",
        f"{CASE}:6:25: half-width ')' (U+0029) beside Chinese: write '）' (U+FF09)",
        f"{CASE}:6:28: half-width ';' (U+003B) beside Chinese: write '；' (U+FF1B)",
    ]


def test_only_the_strict_check_looks_at_characters(kb):
    kb.edit(CASE, "整合 8 大专项督考，", "整合 8 大专项督考,")
    assert kb.run("check", "--no-strict").code == 0


def test_commas_separating_a_flow_list_and_latin_text_are_fine():
    text = "tags: [考核,督查]\nsummary: 见 PDF(第3页), 即 A,B\n"
    assert check_text("x.yaml", text) == []
