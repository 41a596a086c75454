"""What a build holds in memory: MkDocs reads every page before it writes any, so whatever
is kept per page or per generated file then is kept ten thousand times at once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from policykb import pinyin
from policykb.plugin import PolicyKBPlugin
from policykb.render import PAGE_SOURCES
from policykb.search import browser_index
from policykb.search.documents import DOCUMENTS
from policykb.search.segment import Segmenter
from policykb.site_output import TrackedFile

from .conftest import Project


def test_the_generated_files_are_written_before_any_page_is_read_and_not_kept(
    kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, list[str]]] = []
    original = PolicyKBPlugin.on_page_markdown

    def reading(self, markdown, *, page, config, **kwargs):  # noqa: ANN001, ANN202
        held = [
            f.src_uri
            for f in self.files
            if isinstance(f, TrackedFile) and not f.is_documentation_page() and f.content_bytes
        ]
        seen.append(((Path(config.site_dir) / "entries.csv").is_file(), held))
        return original(self, markdown, page=page, config=config, **kwargs)

    monkeypatch.setattr(PolicyKBPlugin, "on_page_markdown", reading)
    assert kb.run("build").code == 0
    assert seen and all(written and not held for written, held in seen)
    assert "兰州新区“多考合一”" in kb.site("entries.csv")  # written whole, not emptied


def test_a_generated_page_keeps_its_html_until_written_but_not_its_markdown(
    kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: dict[str, tuple[str, str]] = {}
    original = PolicyKBPlugin.on_page_context

    def writing(self, context, *, page, **kwargs):  # noqa: ANN001, ANN202
        held[page.file.src_uri] = (page.markdown, page.content)
        return original(self, context, page=page, **kwargs)

    monkeypatch.setattr(PolicyKBPlugin, "on_page_context", writing)
    assert kb.run("build").code == 0
    case = held["cases/lanzhou-xinqu-duokao-heyi.md"]
    assert case[0] == "" and "兰州新区" in case[1]
    assert "兰州新区" in kb.site("cases/lanzhou-xinqu-duokao-heyi.html")


def test_a_build_frees_jiebas_dictionary_once_every_document_is_cut(
    kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Segmenter] = []
    original = Segmenter.__post_init__

    def noting(self: Segmenter) -> None:
        made.append(self)
        original(self)

    monkeypatch.setattr(Segmenter, "__post_init__", noting)
    assert kb.run("build").code == 0
    assert made and all(s._built is None and not s._blocks for s in made)
    segmenter = Segmenter(["多考合一"])
    before = segmenter.cut("兰州新区推行多考合一")
    segmenter.release()
    assert segmenter.cut("兰州新区推行多考合一") == before  # read again, the same cut


def test_the_in_browser_index_is_built_without_jieba_or_the_caches_of_pages_and_documents(
    kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its stage and the cache's save were the build's peak: by then every page's source and
    every document are saved, and held once (in the files and the plugin), not twice."""
    seen: list[tuple[object, set[str]]] = []
    original = browser_index.build

    def building(documents, segmenter, aliases, *, store, **kwargs):  # noqa: ANN001, ANN202
        seen.append((segmenter._built, {namespace for namespace, _ in store._shards}))
        return original(documents, segmenter, aliases, store=store, **kwargs)

    monkeypatch.setattr(browser_index, "build", building)
    assert kb.run("build").code == 0
    assert seen and all(
        tokenizer is None and not held & {PAGE_SOURCES, DOCUMENTS} for tokenizer, held in seen
    )
    kb.edit("cases/lanzhou-xinqu-duokao-heyi.yaml", "兰州新区", "兰州新区")  # a touch
    assert kb.run("build").code == 0  # from the caches saved early
    assert len(seen) == 2 and "兰州新区" in kb.site("cases/lanzhou-xinqu-duokao-heyi.html")


def test_a_build_unloads_pypinyin_once_it_asked_for_its_last_pinyin(kb: Project) -> None:
    assert kb.run("build").code == 0
    assert not [name for name in sys.modules if name.startswith("pypinyin")]
    assert pinyin.lazy_pinyin("减负", tone3=True) == ["jian3", "fu4"]  # imported again
