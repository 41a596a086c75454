"""The cache makes rebuilds cheap and is never believed over the content.

Each test names what may not be recomputed (by making it fail) or what must be.
"""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from policykb import cache, cli, loader, yamlfile
from policykb.cache import Cache, key
from policykb.diagnostics import ContentError
from policykb.pipeline import CACHE_FOLDER, load_knowledge_base
from policykb.publish.writers import WRITERS

from .test_compilation import EDITION_2024, EDITION_2025

CASE = "cases/nanle-wangge.yaml"


def _load(kb):
    return load_knowledge_base(kb.root, work_dir=kb.root / ".policykb")


def _no_parsing(monkeypatch):
    def refuse(raw, path):
        raise AssertionError(f"{path} was parsed again")

    monkeypatch.setattr(loader, "parse_bytes", refuse)


def _no_loading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an entry file was read")

    monkeypatch.setattr(loader, "read_bytes", refuse)


def test_a_second_load_parses_nothing_and_gives_the_same_entries(kb, monkeypatch):
    first = _load(kb)
    _no_parsing(monkeypatch)
    second = _load(kb)
    assert sorted(second.entries) == sorted(first.entries)
    for entry_id, entry in first.entries.items():
        again = second.entries[entry_id]
        assert again.data == entry.data
        assert again.doc.key_positions == entry.doc.key_positions
        assert again.doc.value_positions == entry.doc.value_positions


def test_an_edited_file_is_parsed_again_and_only_it(kb, monkeypatch):
    _load(kb)
    kb.edit(CASE, "title: ", "title: 改过的")
    parsed = []
    real = loader.parse_bytes
    monkeypatch.setattr(
        loader, "parse_bytes", lambda raw, path: parsed.append(path) or real(raw, path)
    )
    loaded = _load(kb)
    assert parsed == [CASE]
    assert loaded.entries["nanle-wangge"].title.startswith("改过的")


def test_a_file_with_errors_reports_them_every_time(kb):
    kb.edit(CASE, "title: ", "titel: ")
    for _ in range(2):
        with pytest.raises(ContentError, match="unknown field 'titel'"):
            _load(kb)


def test_the_errors_markup_finds_are_reported_from_the_cache_too(kb):
    kb.edit(CASE, "summary: ", "summary: <script>x</script>")
    messages = []
    for _ in range(2):
        with pytest.raises(ContentError) as raised:
            _load(kb)
        messages.append(str(raised.value))
    assert "script" in messages[0]
    assert messages[0] == messages[1]


def test_a_corrupt_cache_is_ignored_and_rewritten(kb, monkeypatch):
    _load(kb)
    shards = list((kb.root / ".policykb" / CACHE_FOLDER).rglob("*.pickle"))
    assert shards
    for shard in shards:
        shard.write_bytes(b"not a pickle")
    loaded = _load(kb)
    assert "nanle-wangge" in loaded.entries
    _no_parsing(monkeypatch)
    _load(kb)  # rewritten: the next load parses nothing


def test_another_code_version_s_cache_is_not_used(kb, tmp_path):
    directory = tmp_path / "cache"
    old = Cache(directory, version="old")
    old.put("entries", cache.key("x"), "value of the old code")
    old.save()
    assert Cache(directory, version="new").get("entries", cache.key("x")) is None
    assert Cache(directory, version="old").get("entries", cache.key("x")) == "value of the old code"


def test_the_cache_keeps_only_what_the_content_holds(kb):
    _load(kb)
    directory = kb.root / ".policykb" / CACHE_FOLDER
    (kb.root / CASE).unlink()
    _load(kb)
    store = Cache(directory)
    kept = {key for number in range(cache.SHARDS) for key in store._shard("entries", number)}
    assert len(kept) == len(_load(kb).entries)


def test_memo_computes_once_per_key(tmp_path):
    calls = []
    first = Cache(tmp_path)
    assert first.memo("words", cache.key("a"), lambda: calls.append(1) or ["词"]) == ["词"]
    first.save()
    second = Cache(tmp_path)
    assert second.memo("words", cache.key("a"), lambda: calls.append(1) or []) == ["词"]
    assert calls == [1]


def test_libyaml_and_the_checked_reader_agree(kb):
    text = (kb.root / CASE).read_text(encoding="utf-8") + "extra: [1, 2.5, true, ~, '02']\n"
    fast = yamlfile._parse_clean(text, CASE)
    checked, errors = yamlfile._parse_checked(text, CASE)
    assert fast is not None and checked is not None and not errors
    assert fast.data == checked.data
    assert fast.key_positions == checked.key_positions
    assert fast.value_positions == checked.value_positions


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "- 1\n", "", "a: [\n", "<<: {a: 1}\n"],
)
def test_libyaml_leaves_whatever_needs_a_message_to_the_checked_reader(text):
    assert yamlfile._parse_clean(text, "x.yaml") is None


def _search(kb, query: str) -> list[str]:
    result = kb.run("search", query, "--json")
    assert result.code == 0, result.err
    return [hit["id"] for hit in json.loads(result.out)["hits"]]


def test_search_after_no_change_reads_no_entry_file(kb, monkeypatch):
    assert kb.run("build").code == 0
    _no_loading(monkeypatch)
    assert "nanle-wangge" in _search(kb, "网格")


def test_search_after_a_touch_that_kept_the_bytes_reads_no_entry_file(kb, monkeypatch):
    assert kb.run("build").code == 0
    os.utime(kb.root / CASE, ns=(1, 1))
    _no_loading(monkeypatch)
    assert "nanle-wangge" in _search(kb, "网格")


def test_search_after_an_edit_answers_from_the_edited_content(kb):
    assert kb.run("build").code == 0
    assert "nanle-wangge" not in _search(kb, "蝴蝶效应")
    kb.edit(CASE, "summary: ", "summary: 蝴蝶效应。")
    assert "nanle-wangge" in _search(kb, "蝴蝶效应")


def test_search_after_a_new_file_finds_it(kb):
    assert kb.run("build").code == 0
    text = (kb.root / CASE).read_text(encoding="utf-8")
    kb.write("cases/nanle-wangge-two.yaml", text.replace("summary: ", "summary: 蝴蝶效应。"))
    assert "nanle-wangge-two" in _search(kb, "蝴蝶效应")


def test_search_after_another_build_of_other_content_does_not_trust_the_manifest(kb, monkeypatch):
    """The manifest describes one index: an index built since (here: by `mkdocs build`,
    which writes no manifest) from other content makes it another's."""
    assert kb.run("build").code == 0
    manifest = kb.root / ".policykb" / cli.INDEX_MANIFEST
    kept = manifest.read_bytes()
    kb.edit(CASE, "summary: ", "summary: 蝴蝶效应。")
    assert kb.run("build").code == 0
    manifest.write_bytes(kept)  # as if this build had written none
    kb.edit(CASE, "summary: 蝴蝶效应。", "summary: ")  # the content the manifest names
    assert "nanle-wangge" not in _search(kb, "蝴蝶效应")


def test_publications_are_written_again_only_when_their_document_changed(kb, monkeypatch):
    kb.write("content/compilations/huibian-2024.yaml", EDITION_2024)
    kb.write("content/compilations/huibian-2025q1.yaml", EDITION_2025)
    assert kb.run("build").code == 0
    written = []
    docx = WRITERS["docx"]

    def counting(document, **kwargs):
        written.append(document.title + document.subtitle)
        return docx.write(document, **kwargs)

    monkeypatch.setitem(WRITERS, "docx", dataclasses.replace(docx, write=counting))
    assert kb.run("build").code == 0
    assert written == []
    kb.edit(CASE, "summary: ", "summary: 蝴蝶效应。")  # a case of the 2025 edition only
    assert kb.run("build").code == 0
    assert len(written) == 1 and "2025年第1期" in written[0]


def test_without_libyaml_every_file_takes_the_checked_reader(kb, monkeypatch):
    monkeypatch.setattr(yamlfile, "_CParser", None)
    kb.edit(CASE, "title: ", "titel: ")
    with pytest.raises(ContentError, match=r"cases/nanle-wangge.yaml:1:1: unknown field 'titel'"):
        load_knowledge_base(kb.root)


def test_the_command_line_offers_every_publication_format():
    assert set(cli.FORMATS) == set(WRITERS)


def test_a_search_on_a_current_index_loads_neither_mkdocs_nor_the_publishing_stack(kb):
    import subprocess
    import sys
    from pathlib import Path

    assert kb.run("build").code == 0
    probe = (
        "import sys; from policykb.cli import main; "
        "code = main(['search', '千分制', '-f', sys.argv[1], '--json']); "
        "print([m for m in ('mkdocs', 'weasyprint', 'docx', 'jieba', 'pypinyin') "
        "if m in sys.modules], code)"
    )
    plugins = Path(cli.__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", probe, str(kb.root / "mkdocs.yml")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(plugins)},
        check=True,
    )
    assert '"kaohe-qianfenzhi"' in done.stdout  # it answered
    assert done.stdout.rstrip().endswith("[] 0")


def test_a_rebuild_segments_only_the_entries_whose_text_changed(kb, monkeypatch):
    from policykb.search.segment import Segmenter

    assert kb.run("build").code == 0
    kb.edit("cases/lanzhou-xinqu-duokao-heyi.yaml", "兰州新区", "兰州新区（甘肃）")
    cut: list[str] = []
    cutting = Segmenter.cut
    monkeypatch.setattr(
        Segmenter, "cut", lambda self, text: cut.append(text) or cutting(self, text)
    )
    assert kb.run("build").code == 0
    assert any("兰州新区（甘肃）" in text for text in cut)  # the edited entry, cut again
    assert len(cut) <= 10  # its document's fields (and a neighbour's titles), not every one


def test_compiled_templates_are_reused_and_a_changed_template_is_compiled_again(tmp_path):
    import jinja2

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.j2").write_text("一{{ x }}", encoding="utf-8")

    def render() -> str:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(tmp_path / "t")),
            bytecode_cache=cache.template_cache(tmp_path / "cache", "pages"),
        )
        return env.get_template("page.j2").render(x="二")

    assert render() == "一二"
    compiled = list((tmp_path / "cache" / cache.TEMPLATES_FOLDER / "pages").rglob("*.cache"))
    assert len(compiled) == 1
    assert render() == "一二"  # from the compiled copy
    (tmp_path / "t" / "page.j2").write_text("三{{ x }}", encoding="utf-8")
    assert render() == "三二"


def test_another_code_version_s_compiled_templates_are_removed(tmp_path, monkeypatch):
    cache.template_cache(tmp_path, "theme")
    old = next((tmp_path / cache.TEMPLATES_FOLDER / "theme").iterdir())
    (old / "__jinja2_x.cache").write_bytes(b"compiled by another version")
    monkeypatch.setattr(cache, "code_version", lambda: "another")
    cache.template_cache(tmp_path, "theme")
    folders = list((tmp_path / cache.TEMPLATES_FOLDER / "theme").iterdir())
    assert len(folders) == 1 and folders[0] != old


def test_a_rebuild_with_every_segment_cached_does_not_load_jieba_s_dictionary(kb, monkeypatch):
    from policykb.search import segment

    assert kb.run("build").code == 0
    kb.edit("cases/lanzhou-xinqu-duokao-heyi.yaml", "兰州新区", "兰州新区")  # a touch

    def refuse():
        raise AssertionError("jieba's dictionary was loaded")

    monkeypatch.setattr(segment, "_main_dictionary", refuse)
    assert kb.run("build").code == 0


def test_a_rebuild_reads_the_pinyin_it_sorts_and_names_by_from_the_cache(kb, monkeypatch):
    from policykb import pinyin

    assert kb.run("build").code == 0
    first = kb.site("remedies/index.html")

    def refuse(*args):
        raise AssertionError("pinyin computed again")

    monkeypatch.setattr(pinyin, "_compute", refuse)
    kb.edit("cases/lanzhou-xinqu-duokao-heyi.yaml", "兰州新区", "兰州新区")  # a touch
    assert kb.run("build").code == 0
    assert kb.site("remedies/index.html") == first


def test_pinyin_with_and_without_a_store_agree(tmp_path):
    from policykb import pinyin

    store = Cache(tmp_path)
    plain = pinyin.lazy_pinyin("层层加码", tone3=True)
    pinyin.remember_in(store)
    try:
        assert pinyin.lazy_pinyin("层层加码", tone3=True) == plain  # computed, kept
        assert (
            pinyin.lazy_pinyin("层层加码", tone3=True) == plain == ["ceng2", "ceng2", "jia1", "ma3"]
        )
        assert pinyin.lazy_pinyin("层", errors="ignore") == ["ceng"]
    finally:
        pinyin.remember_in(None)


def test_a_released_namespace_is_saved_pruned_and_dropped_from_memory(tmp_path):
    first = Cache(tmp_path)
    for n in range(3):
        first.put("pages", key(str(n)), f"page {n}")
    first.put("other", key("x"), "x")
    first.save()
    store = Cache(tmp_path)
    assert store.get("pages", key("1")) == "page 1"
    store.put("pages", key("3"), "page 3")
    store.release("pages")
    assert not [name for name, _ in store._shards if name == "pages"]
    on_disk = Cache(tmp_path)
    assert [on_disk.get("pages", key(str(n))) for n in range(4)] == [
        None,  # pruned: this run asked for 1 and 3 only
        "page 1",
        None,
        "page 3",
    ]
    assert store.get("pages", key("3")) == "page 3"  # read again
    store.get("other", key("x"))
    store.save()  # prunes the others, not "pages" to the one key asked for since
    assert Cache(tmp_path).get("pages", key("1")) == "page 1"
    assert Cache(tmp_path).get("other", key("x")) == "x"
