"""Generated pages rendered through one shared Markdown instance come out exactly as MkDocs'
own Page.render (a new instance per page) makes them: HTML, table of contents, title,
anchors and meta, page after page."""

from __future__ import annotations

from pathlib import Path

import markdown
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from policykb.generated_render import GeneratedPages, _inline_trigger
from policykb.plugin import EXCLUDE_FROM_MATERIAL

PAGES = {
    # the same headings on two pages: ids must not carry over (概述_1 on the second)
    "a.md": "# 甲\n\n## 概述\n\n正文 *强调* [乙](b.md#概述)\n\n## 概述\n",
    "b.md": '# 乙\n\n## 概述\n\n!!! note "注"\n\n    提示\n\n| 列 |\n|---|\n| 值 |\n',
    # raw HTML, with an id MkDocs collects, and an attribute list
    "c.md": '# 丙\n\n<div class="kb-figure" id="shuzi"><span>1000</span>项</div>\n\n'
    "文字\n{: .kb-meta }\n",
    # a reference defined on one page is no link on the next
    "d.md": "没有标题的页面 &amp; 实体\n\n[甲][定义]\n\n[定义]: a.md\n",
    "e.md": "# 戊\n\n[甲][定义]\n",
    # every kind of inline markup, between runs of plain text
    "f.md": "# 己\n\n第一行  \n第二行 `代码` \\*不强调\\* **粗** _斜_ &copy; <https://example.org>\n\n"
    "纯文字一段\n\n只有 **粗** 的一段\n\n- 列表 ![图](x.png)\n- 纯文字\n",
}


def config(tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: 测试\n"
        "markdown_extensions:\n"
        "  [admonition, attr_list, tables, toc: {permalink: true}, md_in_html]\n",
        encoding="utf-8",
    )
    return load_config(str(tmp_path / "mkdocs.yml"))


def generated(cfg: MkDocsConfig, path: str, text: str) -> File:
    file = File(path, src_dir=None, dest_dir=cfg.site_dir, use_directory_urls=False)
    file.content_string = text
    return file


def rendered(page: Page) -> tuple:
    return (
        page.markdown,
        page.meta,
        page.content,
        str(page.toc),
        page._title_from_render,
        page.present_anchor_ids,
        page.links_to_anchors,
    )


def test_pages_come_out_as_mkdocs_renders_them(tmp_path: Path):
    cfg = config(tmp_path)
    files = Files(
        [generated(cfg, path, EXCLUDE_FROM_MATERIAL + text) for path, text in PAGES.items()]
    )
    shared = GeneratedPages(cfg, EXCLUDE_FROM_MATERIAL)
    for file in files:
        expected = Page(None, file, cfg)
        expected.read_source(cfg)
        expected.render(cfg, files)
        ours = Page(None, file, cfg)
        shared.attach(ours)
        ours.read_source(cfg)
        ours.render(cfg, files)
        assert rendered(ours) == rendered(expected), file.src_uri
    assert ours.meta == {"search": {"exclude": True}}


def test_text_skips_the_inline_patterns_only_when_they_are_known():
    trigger = _inline_trigger(markdown.Markdown(extensions=["toc", "attr_list"]))
    assert trigger is not None
    assert not trigger.search("北京市推行“党建引领接诉即办”改革：街乡吹哨（部门报到）。")
    assert all(trigger.search(t) for t in ["a*b", "`x`", "[x]", "<b>", "&amp;", "a  \nb", "\\"])
    # an extension's own inline pattern (a footnote reference) may match anything
    assert _inline_trigger(markdown.Markdown(extensions=["footnotes"])) is None
