"""Study packs (学习材料): checks, the drafting command, the site's pages, the quiz in a real
browser over http and file://, and the handout and key as Word and PDF."""

from __future__ import annotations

import subprocess

import docx
import pytest

from .browser import serving
from .system import cjk_font_installed, command, require

PACK = "content/study/kaohe-peixun.yaml"
PACK_YAML = """\
title: 督检考专题学习
audience: 乡镇干部
duration: 90
objectives: [了解督检考过多过频的表现, 掌握考核不搞“千分制”的要求]
sections:
  - heading: 规定要求
    notes: 先读原文。
    entries: [kaohe-qianfenzhi]
  - heading: 经验做法
    select: {kinds: [practice], problems: [dujiankao-guoduo]}
discussion: [本单位的考核指标是否过多？]
quiz:
  - type: fill
    question: 兰州新区整合了____项专项督考。
    answer: 8
    explanation: 见 [[lanzhou-xinqu-duokao-heyi]]。
    refs: [lanzhou-xinqu-duokao-heyi]
  - type: single
    question: 考核应当怎样？
    options: [化繁为简, 越细越好, 千分制]
    answer: 化繁为简
    explanation: 考核不搞“千分制”。
    refs: [kaohe-qianfenzhi]
  - type: multiple
    question: 哪些属于减负措施？
    options: [多考合一, 层层加码, 一次考核]
    answer: [多考合一, 一次考核]
    refs: [lanzhou-xinqu-duokao-heyi]
  - type: truefalse
    question: 考核可以搞“千分制”。
    answer: false
    refs: [kaohe-qianfenzhi]
"""


@pytest.fixture
def pack(kb):
    kb.write(PACK, PACK_YAML)
    return kb


def errors(kb):
    result = kb.run("check")
    assert result.code == 1, result.out
    lines = result.err.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    return lines[:-1]


def test_a_valid_pack_passes(pack):
    result = pack.run("check")
    assert result.code == 0, result.err
    assert result.out.endswith("0 汇编, 1 学习材料\n")


def test_every_planted_quiz_error_is_named_by_line(pack):
    pack.edit(PACK, "answer: 化繁为简", "answer: [化繁为简, 越细越好]")
    pack.edit(PACK, "answer: [多考合一, 一次考核]", "answer: [多考合一, 两次考核]")
    pack.edit(PACK, "answer: false", "answer: 错")
    pack.edit(PACK, "question: 兰州新区整合了____项专项督考。", "question: 兰州新区整合了几项？")
    pack.edit(PACK, "refs: [kaohe-qianfenzhi]\n", "refs: [nope]\n")
    pack.write(
        PACK,
        (pack.root / PACK).read_text(encoding="utf-8")
        + (
            "  - type: single\n    question: 考核应当怎样？\n"
            "    options: [甲, 乙]\n    answer: 丙\n"
        ),
    )
    assert errors(pack) == [
        f"{PACK}:14:15: a fill-in question marks its blank with ____",
        f"{PACK}:21:13: a single-choice item has one answer; use type: multiple for several",
        f"{PACK}:23:12: 'quiz[1].refs': no entry with id 'nope'",
        f"{PACK}:27:20: answer '两次考核' is not one of the options",
        f"{PACK}:31:13: a truefalse answer is true or false, got '错'",
        f"{PACK}:32:12: 'quiz[3].refs': no entry with id 'nope'",
        f"{PACK}:34:15: the same question as quiz item 2",
        f"{PACK}:36:13: answer '丙' is not one of the options",
    ]


def test_an_empty_select_and_a_reserved_id(pack):
    pack.edit(PACK, "{kinds: [practice], problems: [dujiankao-guoduo]}", "{regions: [火星]}")
    pack.write("content/study/draft.yaml", "title: x\nsections: [{heading: x}]\n")
    assert errors(pack) == [
        "content/study/draft.yaml:1:1: id 'draft' is reserved for the site's own pages",
        f"{PACK}:10:5: 'select' matches no case",
    ]


# drafting ------------------------------------------------------------------------------


def test_draft_writes_a_pack_that_passes_check_and_refuses_to_overwrite(kb):
    result = kb.run("study", "draft", "--problem", "dujiankao-guoduo", "--id", "dukao")
    assert result.code == 0, result.err
    assert result.out.startswith(
        "Drafted content/study/dukao.yaml (draft: true): edit it, then build.py check\n"
    )
    text = (kb.root / "content/study/dukao.yaml").read_text(encoding="utf-8")
    assert "draft: true" in text
    assert "- kaohe-qianfenzhi" in text  # the hub's rule
    assert "- lanzhou-xinqu-duokao-heyi" in text  # a practice, and its figure as a fill-in
    assert "question: 甘肃省兰州新区：整合专项督考____项。\n  answer: '8'" in text
    assert "type: single" not in text  # too few other rules to draw distractors from
    assert kb.run("check").code == 0
    again = kb.run("study", "draft", "--problem", "dujiankao-guoduo", "--id", "dukao")
    assert again.code == 1
    assert again.err == "Error: id 'dukao' is taken by content/study/dukao.yaml\n"


def test_a_thin_hub_says_what_is_missing(kb):
    result = kb.run("study", "draft", "--problem", "xiaomala-dache")
    assert result.code == 0, result.err
    text = (kb.root / "content/study/xiaomala-dache-xuexi.yaml").read_text(encoding="utf-8")
    assert "# 待补充：该问题没有关联的规定条款" in text
    assert "# 待补充：该问题下没有典型问题" in text
    assert "  missing: 该问题下没有典型问题：请补充“典型问题”一节" in result.out
    assert kb.run("check").code == 0


# the site -------------------------------------------------------------------------------


@pytest.fixture
def site(pack):
    assert pack.run("build").code == 0
    return pack


def test_handout_page_quiz_page_and_key_page(site):
    handout = site.site("study/kaohe-peixun.html")
    for part in (
        "学习目标",
        "一、规定要求",
        "二、经验做法",
        "考核应当化繁为简",
        "整合专项督考",
        "讨论题",
        "本单位的考核指标是否过多？",
        "quiz.html",
        "key.html",
    ):
        assert part in handout, part
    assert 'href="kaohe-peixun/handout.docx"' in handout
    # the handout's own quiz has no answers
    assert "正确答案" not in handout and "data-kb-answer" not in handout
    quiz = site.site("study/kaohe-peixun/quiz.html")
    assert quiz.count('class="kb-quiz__item"') == 4
    assert "quiz.js" in quiz
    key = site.site("study/kaohe-peixun/key.html")
    assert "A. 化繁为简；" not in key and "A. 多考合一；C. 一次考核" in key


def test_a_private_key_never_reaches_the_site_and_a_draft_is_not_published(pack, tmp_path):
    pack.write(PACK, PACK_YAML + "answer_key: private\n")
    pack.write("content/study/wip.yaml", "title: 草稿\nsections: [{heading: 甲}]\ndraft: true\n")
    assert pack.run("build").code == 0
    site = pack.root / "site"
    assert not (site / "study/kaohe-peixun/key.html").exists()
    assert not list(site.glob("study/kaohe-peixun/key.*"))
    quiz = pack.site("study/kaohe-peixun/quiz.html")
    assert "data-kb-answer" not in quiz and "正确答案" not in quiz and "化繁为简" in quiz
    assert not (site / "study/wip.html").exists()
    assert "草稿" not in pack.site("study/index.html")
    assert "wip" not in pack.site("entries.json")
    # the trainer still gets the key as a file
    result = pack.run("study", "kaohe-peixun", "--format", "docx", "-o", str(tmp_path))
    assert result.code == 0, result.err
    assert (tmp_path / "kaohe-peixun-key.docx").is_file()


def take_quiz(page, answers: dict[int, object]) -> str:
    for n, value in answers.items():
        item = page.locator(".kb-quiz__item").nth(n - 1)
        if isinstance(value, str) and value.startswith("fill:"):
            item.locator("input[type=text]").fill(value[5:])
        else:
            for v in value if isinstance(value, list) else [value]:
                item.locator(f'input[value="{v}"]').check()
    page.get_by_role("button", name="提交").click()
    return page.locator(".kb-quiz__score").inner_text()


@pytest.mark.parametrize("over", ["http", "file"])
def test_the_quiz_scores_itself_in_the_browser(site, browser, over):
    site_dir = site.root / "site"
    right = {1: "fill:８ ", 2: "化繁为简", 3: ["多考合一", "一次考核"], 4: "错"}

    def run(base: str) -> None:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/study/kaohe-peixun/quiz.html")
        assert take_quiz(page, right) == "得分：4 / 4（100 分）"
        page.get_by_role("button", name="重做").click()
        wrong = {**right, 3: ["多考合一"]}  # multiple choice is all or nothing
        assert take_quiz(page, wrong) == "得分：3 / 4（75 分）"
        item = page.locator(".kb-quiz__item").nth(2)
        assert "回答错误" in item.inner_text()
        assert item.locator(".kb-quiz__feedback").is_visible()
        assert "正确答案：A. 多考合一；C. 一次考核" in item.inner_text()
        link = item.locator(".kb-quiz__feedback a").first
        assert link.inner_text() == "兰州新区“多考合一”"
        assert link.get_attribute("href") == "../../cases/lanzhou-xinqu-duokao-heyi.html"
        assert errors == []
        page.close()

    if over == "http":
        with serving(site_dir) as url:
            run(url)
    else:
        run(site_dir.as_uri())


# files ---------------------------------------------------------------------------------


def test_handout_and_key_as_word_and_pdf(pack, tmp_path):
    require("poppler-utils", command("pdftotext"))
    require("fonts-noto-cjk", cjk_font_installed)
    result = pack.run("study", "kaohe-peixun", "-o", str(tmp_path))
    assert result.code == 0, result.err
    names = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert names == [
        "kaohe-peixun-handout.docx",
        "kaohe-peixun-handout.pdf",
        "kaohe-peixun-key.docx",
        "kaohe-peixun-key.pdf",
    ]
    handout = "\n".join(
        p.text for p in docx.Document(tmp_path / "kaohe-peixun-handout.docx").paragraphs
    )
    key = "\n".join(p.text for p in docx.Document(tmp_path / "kaohe-peixun-key.docx").paragraphs)
    assert "学习目标" in handout and "1.（填空题）兰州新区整合了____项专项督考。" in handout
    assert "A. 化繁为简" in handout and "答案：" not in handout
    assert "答案：8" in key and "答案：A. 多考合一；C. 一次考核" in key and "答案：错" in key
    pdf = subprocess.run(
        ["pdftotext", str(tmp_path / "kaohe-peixun-key.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "答案：A. 化繁为简" in pdf and "考查：" in pdf
