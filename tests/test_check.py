"""`build.py check`: every kind of mistake is reported as path:line:col: message, all at once."""

from __future__ import annotations

CASE = "cases/lanzhou-xinqu-duokao-heyi.yaml"


def errors(kb, *args):
    result = kb.run("check", *args)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    return lines[:-1]


def test_valid_knowledge_base_passes(kb):
    result = kb.run("check")
    assert result.code == 0
    assert result.out == (
        "OK: 12 entries: 2 来源文件, 1 条款, 1 负面清单, 3 问题类型, 2 对策措施, 3 案例, "
        "0 汇编, 0 学习材料\n"
    )


def test_yaml_syntax_error(kb):
    kb.edit(CASE, "region: 甘肃省兰州新区", "region: [甘肃省兰州新区")
    assert errors(kb) == [
        f"{CASE}:5:6: YAML syntax error: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts at line 4)"
    ]


def test_duplicate_key_is_an_error_not_silently_dropped(kb):
    kb.edit(CASE, "level: 县级", "level: 县级\nregion: 某县")
    assert errors(kb) == [
        f"{CASE}:6:1: duplicate key 'region' (first at line 4); YAML would keep only the last one"
    ]


def test_missing_required_field(kb):
    kb.edit(CASE, "region: 甘肃省兰州新区\n", "")
    assert errors(kb) == [f"{CASE}:1:1: missing required field 'region'"]


def test_wrong_type(kb):
    kb.edit(CASE, "problems: [dujiankao-guoduo]", "problems: dujiankao-guoduo")
    assert errors(kb) == [f"{CASE}:8:11: 'problems' must be a list, e.g. [a, b], got text"]


def test_wrong_type_inside_a_list_of_mappings(kb):
    kb.edit(CASE, "value: 8", "value: 八")
    assert errors(kb) == [f"{CASE}:12:28: 'figures[0].value' must be a number, got text"]


def test_unknown_field_suggests_the_right_one(kb):
    kb.edit(CASE, "problems: [dujiankao-guoduo]", "problem: [dujiankao-guoduo]")
    assert errors(kb) == [
        f"{CASE}:1:1: missing required field 'problems'",
        f"{CASE}:8:1: unknown field 'problem' (did you mean 'problems'?)",
    ]


def test_bad_value_of_a_fixed_choice(kb):
    kb.edit(CASE, "kind: practice", "kind: 经验做法")
    assert errors(kb) == [
        f"{CASE}:2:7: 'kind' must be one of 'practice' or 'problem-case', got '经验做法'"
    ]


def test_bad_id_in_file_name(kb):
    kb.write("cases/Lanzhou_2024.yaml", (kb.root / CASE).read_text(encoding="utf-8"))
    assert errors(kb) == [
        "cases/Lanzhou_2024.yaml:1:1: bad id 'Lanzhou_2024': a file name must be lowercase "
        "letters, digits and single hyphens ([a-z0-9-]+)"
    ]


def test_same_id_in_two_folders(kb):
    kb.write(
        "content/rules/nanle-wangge.yaml", "source: huibian\narticle: 网格\ntext: 全县设单元网格\n"
    )
    assert errors(kb) == [
        "cases/nanle-wangge.yaml:1:1: duplicate id 'nanle-wangge': "
        "also used by content/rules/nanle-wangge.yaml"
    ]


def test_reference_to_missing_id(kb):
    kb.edit(CASE, "remedies: [tongchou-guifan-dujiankao]", "remedies: [tongchou-guifan]")
    assert errors(kb) == [f"{CASE}:9:12: 'remedies': no entry with id 'tongchou-guifan'"]


def test_reference_to_wrong_kind(kb):
    kb.edit(CASE, "remedies: [tongchou-guifan-dujiankao]", "remedies: [sibu-liangzhi, huibian]")
    assert errors(kb) == [f"{CASE}:9:27: 'remedies': 'huibian' is a source, expected a remedy"]


def test_wikilink_to_missing_id(kb):
    kb.edit(CASE, "[[kaohe-qianfenzhi]]", "[[kaohe-qianfen]]")
    assert errors(kb) == [
        f"{CASE}:7:7: link [[kaohe-qianfen]] in 'body': no entry with id 'kaohe-qianfen'"
    ]


def test_malformed_dates(kb):
    kb.edit(CASE, "date: 2024", "date: 2024-13")
    kb.edit("cases/nanle-wangge.yaml", "date: 2020", "date: 2020/05")
    kb.edit("cases/mou-xiangzhen-biaoge.yaml", "date: 2024-10", "date: 2023-02-30")
    assert errors(kb) == [
        f"{CASE}:3:7: 'date': malformed date '2024-13': month 13 does not exist",
        "cases/mou-xiangzhen-biaoge.yaml:3:7: 'date': malformed date '2023-02-30': "
        "2023-02 has no day 30",
        "cases/nanle-wangge.yaml:3:7: 'date': malformed date '2020/05': "
        "use YYYY, YYYY-MM or YYYY-MM-DD",
    ]


def test_file_not_utf8_names_the_encoding(kb):
    path = kb.root / "cases/nanle-wangge.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert errors(kb) == [
        "cases/nanle-wangge.yaml:1:8: file is not UTF-8 (looks like GBK/GB18030); save it as UTF-8"
    ]


def test_empty_file(kb):
    kb.write("cases/empty.yaml", "")
    assert errors(kb) == ["cases/empty.yaml:1:1: file is empty: an entry is a mapping of fields"]


def test_all_errors_are_reported_at_once_sorted_by_file(kb):
    kb.edit(CASE, "kind: practice", "kind: 经验做法")
    kb.edit("content/rules/kaohe-qianfenzhi.yaml", "source: ruogan-guiding", "source: ruogan")
    kb.edit("content/problems/xiaomala-dache.yaml", "title: 小马拉大车\n", "")
    result = kb.run("check")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{CASE}:2:7: 'kind' must be one of 'practice' or 'problem-case', got '经验做法'",
        "content/problems/xiaomala-dache.yaml:1:1: missing required field 'title'",
        "content/rules/kaohe-qianfenzhi.yaml:1:9: 'source': no entry with id 'ruogan'",
        "Error: 3 errors in the knowledge base",
    ]


def test_parent_cycle(kb):
    kb.edit(
        "content/problems/dujiankao-guoduo.yaml",
        "title: 督查检查考核过多过频",
        "title: 督查检查考核过多过频\nparent: fansuo-zhexue",
    )
    lines = errors(kb)
    assert (
        "content/problems/dujiankao-guoduo.yaml:2:9: 'parent' makes a cycle: "
        "dujiankao-guoduo → fansuo-zhexue" in lines
    )


def test_strict_completeness(kb):
    kb.edit(
        "content/remedies/sibu-liangzhi.yaml",
        "problems: [xiaomala-dache]",
        "problems: [dujiankao-guoduo]",
    )
    kb.edit("cases/mou-xiangzhen-biaoge.yaml", "remedies: [tongchou-guifan-dujiankao]\n", "")
    kb.write(
        "content/sources/unused.yaml",
        "title: 无人引用的文件\nissuer: 某县\ndate: 2024\ndoctype: 通报\n",
    )
    assert errors(kb) == [
        "content/problems/xiaomala-dache.yaml:1:1: problem has no remedy: "
        "no remedy lists it in 'problems'",
        "content/sources/unused.yaml:1:1: orphan source: "
        "it links to nothing and nothing links to it",
    ]
    assert kb.run("check", "--no-strict").code == 0
