"""The HTML a page's template writes itself goes past Python-Markdown as it was written."""

from __future__ import annotations

import markdown
import pytest
from policykb import htmlblocks

LIST = '<ul>\n<li><a href="a.html">甲 *乙* [丙](x.md)</a></li>\n</ul>'


def convert(source: str) -> str:
    stashed, blocks = htmlblocks.stash(source)
    html = markdown.Markdown(extensions=["admonition", "toc"]).convert(stashed)
    return htmlblocks.restore(html, blocks)


def test_a_block_comes_out_as_written_between_markdown():
    html = convert("## 涉及问题\n" + htmlblocks.block(LIST) + "正文 *强调*\n")
    assert html == f'<h2 id="_1">涉及问题</h2>\n{LIST}\n<p>正文 <em>强调</em></p>'


def test_a_block_inside_an_admonition_stays_there():
    source = '!!! note "注"\n\n    ' + htmlblocks.block(LIST).strip() + "\n"
    assert LIST in convert(source).split('<div class="admonition note">')[1]


def test_a_block_markdown_did_not_keep_as_a_paragraph_is_an_error():
    stashed, blocks = htmlblocks.stash("- " + htmlblocks.block(LIST).strip())
    html = markdown.Markdown().convert(stashed)  # a list item: no paragraph of its own
    with pytest.raises(htmlblocks.LostBlock):
        htmlblocks.restore(html, blocks)


def test_pages_without_blocks_are_left_as_they_are():
    assert htmlblocks.stash("# 标题\n") == ("# 标题\n", [])
    assert htmlblocks.restore("<p>x</p>", []) == "<p>x</p>"
