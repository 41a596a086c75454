"""Entry files are untrusted: YAML that could exhaust or run anything, files that are not
regular or too big, links that leave the repository, and files outside every kind's folder
are refused by `build.py check`, each with its own message, and never hang or crash."""

from __future__ import annotations

import os
import time

from policykb.kinds import KINDS

from .test_check import CASE, errors

# every kind's folder, from the one table (new kinds join the list by themselves)
KIND_FOLDERS = ", ".join(kind.folder + "/" for kind in KINDS)


def test_billion_laughs_fails_at_once(kb):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    kb.write("cases/laughs.yaml", "\n".join(levels) + "\n")
    started = time.monotonic()
    assert errors(kb) == [
        "cases/laughs.yaml:1:5: YAML anchors and aliases are not allowed (&a0): "
        "write each value out"
    ]
    assert time.monotonic() - started < 5


def test_alias_alone_is_refused(kb):
    kb.edit(CASE, "region: 甘肃省兰州新区", "region: &r 甘肃省兰州新区\ntags: [*r]")
    kb.edit(CASE, "tags: [考核]\n", "")
    assert errors(kb) == [
        f"{CASE}:4:9: YAML anchors and aliases are not allowed (&r): write each value out"
    ]


def test_deep_nesting_is_refused_not_a_stack_overflow(kb):
    kb.write("cases/deep.yaml", "tags: " + "[" * 5000 + "]" * 5000 + "\n")
    assert errors(kb) == [
        "cases/deep.yaml:1:26: lists and mappings nested more than 20 levels deep"
    ]


def test_tag_on_a_scalar(kb):
    kb.edit(CASE, "region: 甘肃省兰州新区", "region: !!python/name:os.system 甘肃省兰州新区")
    assert errors(kb) == [
        f"{CASE}:4:9: YAML tags are not allowed (!!python/name:os.system): "
        "an entry holds only text, numbers, lists and mappings"
    ]


def test_tag_on_a_key(kb):
    kb.edit(CASE, "region: 甘肃省兰州新区", "!!python/object/apply:os.system region: 某区")
    assert errors(kb) == [
        f"{CASE}:4:1: YAML tags are not allowed (!!python/object/apply:os.system): "
        "an entry holds only text, numbers, lists and mappings"
    ]


def test_tag_on_a_sequence_is_not_dropped(kb):
    kb.edit(CASE, "tags: [考核]", "tags: !!set [考核]")
    assert errors(kb) == [
        f"{CASE}:15:7: YAML tags are not allowed (!!set): "
        "an entry holds only text, numbers, lists and mappings"
    ]


def test_file_over_one_megabyte(kb):
    kb.write("cases/huge.yaml", "title: " + "很长" * 600_000 + "\n")
    assert errors(kb) == ["cases/huge.yaml:1:1: file is 3.6 MB; an entry file may be at most 1 MB"]


def test_fifo_is_refused_not_waited_on(kb):
    os.mkfifo(kb.root / "cases/x.yaml")
    assert errors(kb) == ["cases/x.yaml:1:1: not a regular file: entries are files"]


def test_symlink_leaving_the_repository(kb, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("title: 外部文件\n", encoding="utf-8")
    (kb.root / "cases/outside.yaml").symlink_to(outside)
    assert errors(kb) == [
        f"cases/outside.yaml:1:1: symlink leads outside the repository ({outside.resolve()}); "
        "copy the file in"
    ]


def test_any_file_linking_outside_is_refused_not_published(kb, tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0\n", encoding="utf-8")
    (kb.root / "content/sources/leak.txt").symlink_to(outside)
    assert errors(kb) == [
        f"content/sources/leak.txt:1:1: symlink leads outside the repository "
        f"({outside.resolve()}); copy the file in"
    ]


def test_upper_case_suffix(kb):
    kb.write("cases/x.YAML", "title: 大写后缀\n")
    assert errors(kb) == ["cases/x.YAML:1:1: entry files end in .yaml, not .YAML"]


def test_symlink_loop(kb):
    (kb.root / "cases/loop.yaml").symlink_to("loop.yaml")
    assert errors(kb) == ["cases/loop.yaml:1:1: symlink loop: the link leads back to itself"]


def test_folder_linking_to_its_parent(kb):
    (kb.root / "cases/again").symlink_to(".")
    assert errors(kb) == [
        "cases/again:1:1: symlink loop: this folder links back to one that holds it"
    ]


def test_dangling_symlink(kb):
    (kb.root / "cases/gone.yaml").symlink_to("nowhere.yaml")
    assert errors(kb) == ["cases/gone.yaml:1:1: dangling symlink: nowhere.yaml does not exist"]


def test_symlinked_folder_inside_the_repository_is_read(kb):
    shared = kb.root / "shared-cases"
    shared.mkdir()
    (kb.root / CASE).rename(shared / "lanzhou-xinqu-duokao-heyi.yaml")
    (kb.root / "cases/shared").symlink_to(shared)
    assert kb.run("check").code == 0
    kb.edit("shared-cases/lanzhou-xinqu-duokao-heyi.yaml", "kind: practice", "kind: 经验做法")
    assert errors(kb) == [
        "cases/shared/lanzhou-xinqu-duokao-heyi.yaml:2:7: 'kind' must be one of "
        "'practice' or 'problem-case', got '经验做法'"
    ]


def test_symlinked_folder_outside_the_repository(kb, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (kb.root / "cases/elsewhere").symlink_to(elsewhere)
    assert errors(kb) == [
        f"cases/elsewhere:1:1: symlink leads outside the repository ({elsewhere.resolve()}); "
        "copy the file in"
    ]


def test_yaml_outside_every_kind_folder(kb):
    assert KIND_FOLDERS.startswith("content/sources/, content/rules/, content/negatives/, ")
    kb.write("content/misc/x.yaml", "title: 放错了地方\n")
    kb.write("content/y.yml", "title: 也放错了\n")
    assert errors(kb) == [
        f"content/misc/x.yaml:1:1: not in any kind's folder, so not an entry; "
        f"entries go in {KIND_FOLDERS}",
        f"content/y.yml:1:1: not in any kind's folder, so not an entry; "
        f"entries go in {KIND_FOLDERS}",
    ]


def test_control_characters_written_as_escapes(kb):
    kb.edit(CASE, "region: 甘肃省兰州新区", 'region: "甘肃省\\e[2J兰州新区"')
    kb.edit(CASE, "tags: [考核]", 'tags: ["考核\\u202e"]')
    assert errors(kb) == [
        f"{CASE}:4:9: invisible control character U+001B in the text; remove it",
        f"{CASE}:15:8: invisible control character U+202E in the text; remove it",
    ]
