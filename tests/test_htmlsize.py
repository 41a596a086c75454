"""Pages lose the theme's indentation, and nothing a reader or a browser sees."""

from __future__ import annotations

from policykb.htmlsize import compact


def test_indentation_between_tags_becomes_one_line_break():
    page = "<div>\n    <p>一\n</p>\n\n      <p>二</p>\n   </div>"
    assert compact(page) == "<div>\n<p>一\n</p>\n<p>二</p>\n</div>"


def test_code_scripts_and_text_areas_are_kept_byte_for_byte():
    kept = [
        "<pre><code>if x:\n    y\n\n    z</code></pre>",
        "<script>var a = 1;\n    b()</script>",
        "<textarea>\n  两行\n  </textarea>",
        "<style>\n  p { color: red }\n</style>",
    ]
    page = "\n    ".join(["<div>", *kept, "文字\n  </div>"])
    assert compact(page) == "\n".join(["<div>", *kept, "文字", "</div>"])


def test_text_keeps_a_space_where_it_had_one():
    assert compact("<a>上一页</a>\n    <a>下一页</a>") == "<a>上一页</a>\n<a>下一页</a>"
    assert compact("<p>甲\n    乙</p>") == "<p>甲\n    乙</p>"  # within text: left alone


def test_the_title_loses_its_permalink_and_every_section_keeps_its_own():
    link = '<a class="headerlink" href="#{0}" title="本节链接">¶</a>'
    page = f'<h1 id="题">题{link.format("题")}</h1>\n<h2 id="节">节{link.format("节")}</h2>'
    assert compact(page) == f'<h1 id="题">题</h1>\n<h2 id="节">节{link.format("节")}</h2>'
