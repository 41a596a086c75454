"""Content is untrusted: Markdown fields may not hold HTML or script links (`check` says
where), plain fields are shown as written and never as markup, and the HTML rendered from
authors' Markdown is sanitised all the same."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from policykb.cli import main
from policykb.kinds import Kind
from policykb.loader import Entry
from policykb.markup import check_entries
from policykb.render import escape, html_text, table_cell
from policykb.sanitize import clean
from policykb.schema import EntryModel, Markdown, Text
from policykb.yamlfile import parse

from .conftest import TINY
from .test_check import CASE, errors

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
NEGATIVE = "content/negatives/zhucheng-jinling.yaml"
LINK_RULE = "links go to http(s):// or mailto: addresses, or to entries as [[id]]"


def test_raw_html_in_markdown_is_refused_where_it_stands(kb):
    kb.edit(CASE, "body: 这一做法", f"body: 这一做法{SCRIPT}")
    assert errors(kb) == [
        f"{CASE}:7:11: 'body': raw HTML is not allowed (<script>); "
        "write Markdown, and &lt; for a literal <"
    ]


def test_iframe_in_a_block_scalar(kb):
    block = 'body: |\n  第一段。\n\n  <iframe src="x"></iframe>\n  这一做法'
    kb.edit(CASE, "body: 这一做法", block)
    assert errors(kb) == [
        f"{CASE}:10:3: 'body': raw HTML is not allowed (<iframe src=\"x\"></iframe>); "
        "write Markdown, and &lt; for a literal <"
    ]


@pytest.mark.parametrize(
    "link, url",
    [
        ("[点此](javascript:alert(1))", "javascript:alert(1)"),
        ("[点此](JavaScript:alert(1))", "JavaScript:alert(1)"),
        ("![图](data:image/svg+xml;base64,PHN2Zz4=)", "data:image/svg+xml;base64,PHN2Zz4="),
        ("<vbscript:msgbox(1)>", "vbscript:msgbox(1)"),
    ],
)
def test_script_links_are_refused(kb, link, url):
    kb.edit(CASE, "summary: 整合", f"summary: '{link} 整合")
    kb.edit(CASE, "开展一次考核”。", "开展一次考核”。'")
    col = 11 + link.lower().find(url.lower().split(":")[0])
    assert errors(kb) == [f"{CASE}:6:{col}: 'summary': link to '{url}' is not allowed; {LINK_RULE}"]


def test_entity_disguised_link_is_refused_at_its_value(kb):
    kb.edit(CASE, "body: 这一做法", "body: '[x](&#106;avascript:alert(1)) 这一做法")
    kb.edit(CASE, "[[kaohe-qianfenzhi]]。", "[[kaohe-qianfenzhi]]。'")
    kb.edit(CASE, "tags: [考核]", "tags: ['javascript:']")  # a later field is not the place
    assert errors(kb) == [
        f"{CASE}:7:7: 'body': link to 'javascript:alert(1)' is not allowed; {LINK_RULE}"
    ]


def test_attribute_list_setting_an_event_handler_is_refused(kb):
    kb.edit(CASE, "body: 这一做法", 'body: "这一做法\\n{: onclick=\\"alert(4)\\" }\\n\\n')
    kb.edit(CASE, "[[kaohe-qianfenzhi]]。", '[[kaohe-qianfenzhi]]。"')
    assert errors(kb) == [
        f"{CASE}:7:7: 'body': attribute list sets 'onclick'; event handlers, links and styles "
        "cannot be set this way"
    ]


def test_web_links_and_plain_angle_brackets_pass(kb):
    kb.edit(CASE, "body: 这一做法", "body: '[原文](https://www.gov.cn/) 3 < 5，这一做法")
    kb.edit(CASE, "[[kaohe-qianfenzhi]]。", "[[kaohe-qianfenzhi]]。'")
    assert kb.run("check").code == 0


def test_source_url_must_be_a_web_address(kb):
    kb.edit(
        "content/sources/huibian.yaml", "doctype: 简报汇编", "doctype: 简报汇编\nurl: javascript:x"
    )
    assert errors(kb) == [
        "content/sources/huibian.yaml:5:6: 'url': 'javascript:x' is not a web address: "
        "use http://… or https://…"
    ]


def test_escaping_helpers():
    assert escape(f"{SCRIPT} *强调* [链接](x) {{: onclick=y}} a|b\n# 标题") == (
        r"&lt;script&gt;alert\(1\)&lt;/script&gt; \*强调\* \[链接\]\(x\) \{: onclick=y\} "
        r"a\|b \# 标题"
    )
    assert html_text(IMG) == "&lt;img src=x onerror=alert(2)&gt;"
    assert html_text('"><b>') == "&quot;&gt;&lt;b&gt;"
    assert table_cell(escape("a|b") + " | c\nd") == r"a\|b \| c d"
    assert escape("1. 第一") == r"1\. 第一"
    assert escape("- 甲") == r"\- 甲"


def test_sanitiser_keeps_our_markup_and_drops_scripts():
    ours = (
        '<h2 id="典型表现">典型表现<a class="headerlink" href="#典型表现" title="Permanent link">'
        '¶</a></h2>\n<div class="admonition abstract"><p class="admonition-title">摘要</p></div>\n'
        '<div class="kb-figures"><div class="kb-figure"><span class="kb-figure__value">8</span>'
        '</div></div>\n<table>\n<tbody><tr>\n<td style="text-align: left;">甲</td>\n</tr>\n'
        "</tbody></table>\n"
        '<div id="kb-search-page" data-kb-id="x"></div>'
    )
    assert clean(ours) == ours.replace("text-align: left;", "text-align:left")
    assert clean(f'<p onclick="x()">文</p>{SCRIPT}{IMG}<a href="javascript:y">链</a>') == (
        '<p>文</p><img src="x"><a>链</a>'
    )
    assert clean('<p id="__config" data-md-component="announce">文</p>') == "<p>文</p>"


def test_only_the_reserved_ids_are_dropped_wherever_they_stand():
    assert clean('<h2 id="x__">甲</h2><p data-kb-id="__a" id="ok">乙</p>') == (
        '<h2 id="x__">甲</h2><p data-kb-id="__a" id="ok">乙</p>'
    )
    assert clean('<h2 id="ok">甲</h2><p id="policykb-config">乙</p><i id="__md">丙</i>') == (
        '<h2 id="ok">甲</h2><p>乙</p><i>丙</i>'
    )


def test_sanitiser_keeps_the_quiz_form():
    quiz = (
        '<fieldset class="kb-quiz__item" data-kb-type="single" data-kb-answer="0">\n'
        "<legend><strong>1.（单选）</strong>问</legend>\n"
        '<div class="kb-quiz__choices"><label class="kb-quiz__option">'
        '<input type="radio" name="q1" value="甲"> A. 甲</label>'
        '<input type="text" class="kb-quiz__fill" name="q2" aria-label="第2题的答案" '
        'autocomplete="off"></div>\n<div class="kb-quiz__feedback" hidden="">解析</div>\n'
        "</fieldset>"
    )
    assert clean(quiz) == quiz
    assert clean('<input type="image" src="x" formaction="javascript:y">') == "<input>"


HOSTILE_FIELDS = [  # (file, text, replacement): every plain field a page or index writes
    (CASE, "title: 兰州新区“多考合一”", f"title: '兰州新区</title>{SCRIPT}'"),
    (CASE, "region: 甘肃省兰州新区", f"region: '甘肃省{SCRIPT}'"),
    (CASE, "tags: [考核]", f"tags: [考核, '{SCRIPT}']"),
    (CASE, "source_section: 第1篇", f"source_section: '{IMG}'"),
    (
        CASE,
        "{label: 整合专项督考, value: 8, unit: 项}",
        f"{{label: '{IMG}', value: 8, unit: '{IMG}', prefix: '{IMG}'}}",
    ),
    ("content/problems/dujiankao-guoduo.yaml", "aliases: [", f"aliases: ['{SCRIPT}', "),
    ("content/problems/dujiankao-guoduo.yaml", "signs: [", f"signs: ['{IMG}', "),
    (NEGATIVE, "list: 诸城市", f"list: '{SCRIPT}'\nissuer: 诸城市"),
    (NEGATIVE, "region: 山东省诸城市", f"region: '{IMG}'"),
    ("content/rules/kaohe-qianfenzhi.yaml", "text: 考核", f"text: {SCRIPT}考核"),
    ("content/rules/kaohe-qianfenzhi.yaml", "keywords: [", f"keywords: ['{IMG}', "),
    ("content/sources/huibian.yaml", "issuer: 未署名", f"issuer: '{SCRIPT}|x'"),
    # the negative's hostile list name is one its source defines, so the list check passes
    ("content/sources/huibian.yaml", "lists: [", f"lists: ['{SCRIPT}', "),
    ("content/sources/huibian.yaml", "title: 基层", "title: '{: onclick=alert(3)} *基层*"),
    ("content/sources/huibian.yaml", "工作简报汇编", "工作简报汇编'"),
    # Markdown that check allows, but whose attributes would hijack the theme's scripts
    (CASE, "body: 这一做法", 'body: "这一做法\\n{: #__config data-md-component=x }\\n\\n后文'),
    (CASE, "[[kaohe-qianfenzhi]]。", '[[kaohe-qianfenzhi]]。"'),
]


def write_hostile(root: Path) -> None:
    for relpath, old, new in HOSTILE_FIELDS:
        path = root / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, (relpath, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "kb"
    shutil.copytree(TINY, root)
    write_hostile(root)
    assert main(["build", "-f", str(root / "mkdocs.yml")]) == 0
    return root


class _Markup(HTMLParser):
    """What a browser would run: script elements' text and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.in_script = tag == "script"
        if tag in ("iframe", "img", "object", "embed"):
            self.handlers.append(tag)

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def test_no_page_carries_markup_from_content(hostile):
    pages = sorted((hostile / "site").rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        parsed = _Markup()
        parsed.feed(page.read_text(encoding="utf-8"))
        assert parsed.handlers == [], page
        assert not [s for s in parsed.scripts if "alert" in s], page


def test_plain_fields_are_shown_as_written(hostile):
    case = (hostile / "site/cases/lanzhou-xinqu-duokao-heyi.html").read_text(encoding="utf-8")
    assert "<title>兰州新区&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; - " in case
    assert "经验做法 · 甘肃省&lt;script&gt;alert(1)&lt;/script&gt; · 2024 · 县级</p>" in case
    assert '<span class="kb-figure__unit">&lt;img src=x onerror=alert(2)&gt;</span>' in case
    assert "考核、&lt;script&gt;alert(1)&lt;/script&gt;" in case
    assert case.count('id="__config"') == 1  # Material's own, not the body's
    assert 'data-md-component="x"' not in case.split("<article", 1)[1]
    sources = (hostile / "site/sources/index.html").read_text(encoding="utf-8")
    assert "{: onclick=alert(3)} *基层*减负工作简报汇编</a>" in sources
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;|x</td>" in sources


def test_entries_json_and_search_index_hold_no_markup(hostile):
    exported = (hostile / "site/entries.json").read_text(encoding="utf-8")
    assert "<" not in exported
    titles = {e["id"]: e["title"] for e in json.loads(exported)["entries"]}
    assert titles["lanzhou-xinqu-duokao-heyi"] == f"兰州新区</title>{SCRIPT}"
    for script in (hostile / "site/search/kb").glob("*.js"):
        assert "<" not in script.read_text(encoding="utf-8"), script


def test_markdown_inside_nested_fields_is_checked_too():
    """A kind whose Markdown sits in a list of mappings (as a study pack's sections) is
    covered by its schema alone."""

    class Section(EntryModel):
        heading: Text
        body: Markdown

    class Pack(EntryModel):
        title: Text
        sections: list[Section]

    text = (
        "title: 学习\nsections:\n  - heading: 一\n    body: 正文\n"
        "  - heading: 二\n    body: 甲<b>乙</b>\n"
    )
    doc, problems = parse(text, "content/study/x.yaml")
    assert doc is not None and problems == []
    kind = Kind("pack", "content/study", Pack, "x.md.j2", "学习", "study", lambda d: d.title)
    entry = Entry("x", kind, doc.path, Pack.model_validate(doc.data), doc)
    assert [str(d) for d in check_entries([entry])] == [
        "content/study/x.yaml:6:12: 'sections[1].body': raw HTML is not allowed (<b>); "
        "write Markdown, and &lt; for a literal <"
    ]


def test_plain_fields_in_lists_are_shown_as_written(hostile):
    """The lists of entries are written as HTML, not Markdown (htmlblocks.py): escaped alike."""
    site = hostile / "site"
    rules = (site / "rules/index.html").read_text(encoding="utf-8")
    assert "：&lt;script&gt;alert(1)&lt;/script&gt;考核" in rules
    problem = (site / "problems/dujiankao-guoduo.html").read_text(encoding="utf-8")
    assert "（&lt;script&gt;alert(1)&lt;/script&gt;）</li>" in problem  # a negative's list
    assert "<script>alert" not in rules + problem
