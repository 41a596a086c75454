"""Compilations (汇编): selection, checks, freezing, and the page, Word and PDF of an edition."""

from __future__ import annotations

import re
import subprocess
import zipfile

import docx
import pytest

from .system import cjk_font_installed, command, require

EDITION = "content/compilations/huibian-2024.yaml"
EDITION_2024 = """\
title: 基层减负典型案例汇编
edition: 2024年卷
date: 2025-01-15
issuer: 某市减负办
preface: 本卷收录2024年的案例，可对照 [[kaohe-qianfenzhi]] 阅读。
select:
  from: 2024
  to: 2024
"""
EDITION_2025 = """\
title: 基层减负典型案例汇编
edition: 2025年第1期
date: 2025-04-01
select:
  problems: [dujiankao-guoduo, xiaomala-dache]
previous: huibian-2024
"""


def pdf_tools() -> None:
    require("poppler-utils", command("pdftotext"))
    require("fonts-noto-cjk", cjk_font_installed)


def check(kb, *args):
    result = kb.run("check", *args)
    return result.code, result.err.strip().splitlines()


def errors(kb):
    code, lines = check(kb)
    assert code == 1, lines
    assert lines[-1].startswith("Error: ")
    return lines[:-1]


@pytest.fixture
def editions(kb):
    kb.write(EDITION, EDITION_2024)
    kb.write("content/compilations/huibian-2025q1.yaml", EDITION_2025)
    return kb


# selection -------------------------------------------------------------------------


def resolved(kb, select: str, **fields: str) -> list[str]:
    from policykb.pipeline import load_knowledge_base

    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    kb.write(EDITION, f"title: 汇编\nedition: 第1期\ndate: 2025\n{extra}select:\n{select}")
    book = load_knowledge_base(kb.root)
    return [c.id for c in book.editions.by_id["huibian-2024"].cases]


def test_keys_combine_with_and_values_with_or(kb):
    assert resolved(kb, "  kinds: [practice]\n") == ["nanle-wangge", "lanzhou-xinqu-duokao-heyi"]
    assert resolved(kb, "  kinds: [practice]\n  levels: [县级]\n  from: 2021\n") == [
        "lanzhou-xinqu-duokao-heyi"
    ]
    assert resolved(kb, "  levels: [县级, 乡镇街道]\n  to: 2024\n", group_by="none") == [
        "nanle-wangge",
        "lanzhou-xinqu-duokao-heyi",
        "mou-xiangzhen-biaoge",
    ]


def test_problems_take_their_sub_problems(kb):
    # 繁琐哲学 is a sub-problem of 督检考
    assert resolved(kb, "  problems: [dujiankao-guoduo]\n", group_by="none") == [
        "lanzhou-xinqu-duokao-heyi",
        "mou-xiangzhen-biaoge",
    ]


def test_a_region_takes_everything_inside_it(kb):
    assert resolved(kb, "  regions: [甘肃省]\n") == ["lanzhou-xinqu-duokao-heyi"]
    assert resolved(kb, "  regions: [河南省, 某乡镇]\n", group_by="none") == [
        "nanle-wangge",
        "mou-xiangzhen-biaoge",
    ]


def test_ids_are_added_and_exclude_wins(kb):
    assert resolved(kb, "  tags: [考核]\n  ids: [nanle-wangge]\n", group_by="none") == [
        "nanle-wangge",
        "lanzhou-xinqu-duokao-heyi",
    ]
    assert resolved(
        kb, "  from: 2020\n  exclude: [lanzhou-xinqu-duokao-heyi]\n", group_by="none"
    ) == ["nanle-wangge", "mou-xiangzhen-biaoge"]


def test_a_case_is_inside_a_date_range_only_when_its_whole_date_is(kb):
    # lanzhou is dated 2024: the whole year is not inside "from 2024-07"
    assert resolved(kb, "  from: 2024-07\n") == ["mou-xiangzhen-biaoge"]
    code, lines = check(kb)
    assert code == 0
    assert lines == [
        f"{EDITION}:5:9: warning: case 'lanzhou-xinqu-duokao-heyi' (dated 2024) straddles "
        "'from: 2024-07' and is left out"
    ]


def test_explicit_order_and_grouping(kb):
    ids = resolved(
        kb,
        "  from: 2020\n",
        order="[mou-xiangzhen-biaoge, nanle-wangge, lanzhou-xinqu-duokao-heyi]",
        group_by="none",
    )
    assert ids == ["mou-xiangzhen-biaoge", "nanle-wangge", "lanzhou-xinqu-duokao-heyi"]
    by_level = resolved(kb, "  from: 2020\n", group_by="level")
    assert by_level == ["nanle-wangge", "lanzhou-xinqu-duokao-heyi", "mou-xiangzhen-biaoge"]


# check -------------------------------------------------------------------------------


def test_every_select_error_is_named_by_line(kb):
    kb.write(
        EDITION,
        "title: 汇编\nedition: 第1期\ndate: 2025\nselect:\n  ids: [kaohe-qianfenzhi]\n"
        "order: [nanle-wangge]\nprevious: dujiankao-guoduo\n",
    )
    kb.write(
        "content/compilations/other.yaml",
        "title: 汇编\nedition: 第1期\ndate: 2025\nselect:\n  regions: [火星]\n",
    )
    assert errors(kb) == [
        f"{EDITION}:4:1: 'select' matches no case",
        f"{EDITION}:5:9: 'select.ids': 'kaohe-qianfenzhi' is a rule, expected a case",
        f"{EDITION}:6:9: 'order' lists 'nanle-wangge', which 'select' does not pick",
        f"{EDITION}:7:11: 'previous': 'dujiankao-guoduo' is a problem, expected a compilation",
        f"content/compilations/other.yaml:2:10: edition '第1期' is also the edition of {EDITION}",
        "content/compilations/other.yaml:4:1: 'select' matches no case",
    ]


def test_previous_editions_may_not_form_a_cycle(editions):
    editions.edit(EDITION, "select:", "previous: huibian-2025q1\nselect:")
    assert errors(editions) == [
        f"{EDITION}:6:11: 'previous' makes a cycle: huibian-2024 → huibian-2025q1 → huibian-2024",
        "content/compilations/huibian-2025q1.yaml:6:11: 'previous' makes a cycle: "
        "huibian-2025q1 → huibian-2024 → huibian-2025q1",
    ]


def test_unknown_select_key_is_named(kb):
    kb.write(EDITION, "title: 汇编\nedition: 第1期\ndate: 2025\nselect:\n  problem: [x]\n")
    assert errors(kb) == [
        f"{EDITION}:5:3: unknown field 'select.problem' (did you mean 'problems'?)"
    ]


# freezing ----------------------------------------------------------------------------


def test_a_frozen_edition_never_changes(editions, tmp_path):
    result = editions.run(
        "compile", "huibian-2024", "--freeze", "--format", "html", "-o", str(tmp_path)
    )
    assert result.code == 0, result.err
    assert result.out.startswith(f"Froze 2 cases into {EDITION}\n")
    text = (editions.root / EDITION).read_text(encoding="utf-8")
    assert text.startswith(EDITION_2024)
    assert text.endswith("frozen:\n  - lanzhou-xinqu-duokao-heyi\n  - mou-xiangzhen-biaoge\n")
    # a case added later matches the select, but the released edition stays as it was
    editions.write(
        "cases/new-2024.yaml",
        (editions.root / "cases/nanle-wangge.yaml")
        .read_text(encoding="utf-8")
        .replace("date: 2020", "date: 2024-03"),
    )
    from policykb.pipeline import load_knowledge_base

    book = load_knowledge_base(editions.root)
    assert [c.id for c in book.editions.by_id["huibian-2024"].cases] == [
        "lanzhou-xinqu-duokao-heyi",
        "mou-xiangzhen-biaoge",
    ]
    again = editions.run("compile", "huibian-2024", "--freeze", "-o", str(tmp_path))
    assert again.code == 1
    assert again.err == (
        f"Error: {EDITION}: the edition is already frozen; remove 'frozen' to resolve it anew\n"
    )


def test_a_frozen_id_that_no_longer_exists_is_reported(editions):
    editions.write(EDITION, EDITION_2024 + "frozen: [lanzhou-xinqu-duokao-heyi, gone]\n")
    assert errors(editions) == [f"{EDITION}:9:37: 'frozen': no entry with id 'gone'"]


def test_compile_names_an_unknown_edition(editions):
    result = editions.run("compile", "nope")
    assert result.code == 1
    assert result.err == (
        "Error: no compilation with id 'nope' (compilations: huibian-2024, huibian-2025q1)\n"
    )


# the site page ------------------------------------------------------------------------


@pytest.fixture
def site(editions):
    assert editions.run("build").code == 0
    return editions


def test_edition_page_numbers_groups_and_cases_through_the_edition(site):
    page = site.site("compilations/huibian-2025q1.html")
    assert "<h1" in page and "基层减负典型案例汇编" in page
    toc = re.search(r"<nav[^>]*kb-contents.*?</nav>", page, re.S).group(0)
    labels = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert labels == [
        ("g1", "一、督查检查考核过多过频"),
        ("lanzhou-xinqu-duokao-heyi", "1. 兰州新区“多考合一”"),
        ("mou-xiangzhen-biaoge", "2. 一项检查衍化出几十张表格"),
        ("g2", "二、小马拉大车"),
        ("nanle-wangge", "3. 南乐县“多网合一”网格化管理"),
    ]
    for anchor, _ in labels:
        assert f'id="{anchor}"' in page
    assert "与上期相比：新增 1 个，保留 2 个" in page
    # only the case the 2024 edition did not have is new
    assert page.count('<span class="kb-badge">本期新增</span>') == 1
    new = page[page.index('id="nanle-wangge"') - 300 : page.index('id="nanle-wangge"') + 200]
    assert "本期新增" in new


def test_edition_page_shows_each_case_as_its_own_page_does(site):
    page = site.site("compilations/huibian-2024.html")
    case_page = site.site("cases/lanzhou-xinqu-duokao-heyi.html")
    for shared in (
        "经验做法 · 甘肃省兰州新区 · 2024 · 县级",
        "整合专项督考",
        "考核应当化繁为简",
        "基层减负工作简报汇编</a>，第1篇",
    ):
        assert shared in page and shared in case_page
    assert "编者按" in page and "考核不搞“千分制”</a> 阅读" in page
    assert re.search(
        r'<h2 id="收录于">.*?huibian-2025q1.html">基层减负典型案例汇编（2025年第1期）'
        r".*?huibian-2024.html",
        case_page,
        re.S,
    )
    # the first edition has no previous one: no comparison, no badge
    assert "与上期相比" not in page and "kb-badge" not in page


def test_edition_page_links_its_files_and_the_index_lists_editions_newest_first(site):
    page = site.site("compilations/huibian-2024.html")
    assert 'href="huibian-2024.docx"' in page
    assert (site.root / "site/compilations/huibian-2024.docx").is_file()
    index = site.site("compilations/index.html")
    assert index.index("2025年第1期") < index.index("2024年卷")
    assert "收录 3 个案例（新增 1 个）" in index
    assert re.search(
        r'<a href="compilations/index.html"( class="md-nav__link")?>\s*汇编',
        site.site("index.html"),
    )


def test_feed_and_csv(site):
    feed = site.site("feed.xml")
    assert feed.startswith("<?xml")
    assert feed.index("【汇编】") < feed.index("【案例】")
    assert "<title>【案例】一项检查衍化出几十张表格</title>" in feed
    assert "[[" not in feed
    # named by the home page and the lists; an entry's page links up to its list
    assert 'type="application/atom+xml"' in site.site("index.html")
    assert 'type="application/atom+xml"' in site.site("cases/index.html")
    raw = (site.root / "site/entries.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "id,kind,title,url,date,region,level,source,problems,text"
    assert "可对照 考核不搞“千分制” 阅读。" in text
    assert "[[" not in text and "[[" not in site.site("entries.json")


def test_hostile_text_is_inert_in_every_writer(editions, tmp_path):
    editions.edit(
        "cases/nanle-wangge.yaml",
        "title: 南乐县“多网合一”网格化管理",
        "title: '=SUM(1)<script>alert(1)</script>'",
    )
    editions.edit("cases/nanle-wangge.yaml", "unit: 个", "unit: '<img src=x onerror=alert(2)>'")
    assert editions.run("build").code == 0
    page = editions.site("compilations/huibian-2025q1.html")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (
        editions.run("compile", "huibian-2025q1", "--format", "html", "-o", str(tmp_path)).code == 0
    )
    printed = (tmp_path / "huibian-2025q1.html").read_text(encoding="utf-8")
    assert "<script>" not in printed and "<img" not in printed
    csv_text = (editions.root / "site/entries.csv").read_text(encoding="utf-8-sig")
    assert ",'=SUM(1)<script>alert(1)</script>," in csv_text  # not a formula in Excel


# Word -----------------------------------------------------------------------------------


def test_word_file_reads_back_with_headings_numbering_fonts_and_properties(editions, tmp_path):
    result = editions.run("compile", "huibian-2025q1", "--format", "docx", "-o", str(tmp_path))
    assert result.code == 0, result.err
    path = tmp_path / "huibian-2025q1.docx"
    document = docx.Document(str(path))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "一、督查检查考核过多过频"),
        ("Heading 2", "1. 兰州新区“多考合一”"),
        ("Heading 2", "2. 一项检查衍化出几十张表格"),
        ("Heading 1", "二、小马拉大车"),
        ("Heading 2", "3. 南乐县“多网合一”网格化管理【本期新增】"),
    ]
    toc = [p.text for p in document.paragraphs if p.style.name.startswith("toc")]
    assert toc == [h for _, h in headings[:4]] + ["3. 南乐县“多网合一”网格化管理"]
    xml = document.element.xml
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert "w:updateFields" in document.settings.element.xml
    section = document.sections[0]
    assert [
        round(m.mm)
        for m in (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ] == [37, 35, 28, 26]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    fonts = {name: document.styles[name].element.rPr.rFonts for name in ("Normal", "Heading 1")}
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert fonts["Normal"].get(east_asia) == "仿宋_GB2312"
    assert fonts["Heading 1"].get(east_asia) == "黑体"
    assert document.styles["Normal"].font.size.pt == 16
    title = next(p for p in document.paragraphs if p.style.name == "公文标题")
    assert title.text == "基层减负典型案例汇编" and title.runs[0].font.size.pt == 22
    footer = section.footer.paragraphs[0]._p.xml
    assert "— " in footer and "PAGE" in footer and " —" in footer
    with zipfile.ZipFile(path) as z:
        assert 'w:altName w:val="宋体"' in z.read("word/fontTable.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = document.core_properties
    assert (props.title, props.author, props.created.date().isoformat()) == (
        "基层减负典型案例汇编",
        "",
        "2025-04-01",
    )
    again = tmp_path / "again"
    editions.run("compile", "huibian-2025q1", "--format", "docx", "-o", str(again))
    assert (again / "huibian-2025q1.docx").read_bytes() == path.read_bytes()


# PDF ----------------------------------------------------------------------------------


def test_pdf_has_titles_contents_with_page_numbers_and_embedded_fonts(editions, tmp_path):
    pdf_tools()
    result = editions.run("compile", "huibian-2025q1", "--format", "pdf", "-o", str(tmp_path))
    assert result.code == 0, result.err
    path = tmp_path / "huibian-2025q1.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in ("兰州新区“多考合一”", "一项检查衍化出几十张表格", "南乐县“多网合一”网格化管理"):
        assert text.count(title) >= 2  # in the 目录 and as its section
    contents = text[
        text.index("目录") : text.index("一、督查检查考核过多过频", text.index("目录") + 10) + 60
    ]
    assert re.search(r"一、督查检查考核过多过频\s*\.+\s*3", contents), contents
    assert re.search(r"—\s*3\s*—", text)  # page numbers in the form of official documents
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    outline = subprocess.run(["pdfinfo", "-dests", str(path)], capture_output=True, text=True)
    assert outline.returncode == 0
    again = tmp_path / "again"
    editions.run("compile", "huibian-2025q1", "--format", "pdf", "-o", str(again))
    assert (again / "huibian-2025q1.pdf").read_bytes() == path.read_bytes()


def embedded_fonts(path) -> dict[str, int]:
    """Each font embedded in a PDF: its name (pdffonts') → its number of glyph places."""
    import io
    import zlib

    from fontTools.ttLib import TTFont

    data = path.read_bytes()
    streams = [
        zlib.decompress(data[m.end() : m.end() + int(m.group(1))])
        for m in re.finditer(
            rb"/Subtype /OpenType/Filter /FlateDecode/Length (\d+)>>\s*stream\r?\n", data
        )
    ]
    names = [
        line.split()[0]
        for line in subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
    ]
    assert len(streams) == len(names), names
    return {
        name: TTFont(io.BytesIO(s))["maxp"].numGlyphs
        for name, s in zip(names, streams, strict=True)
    }


def test_pdf_embeds_fonts_cut_to_its_own_characters(editions, tmp_path, monkeypatch):
    """A Chinese font has some 65,000 glyphs; WeasyPrint keeps a place for each one up to
    the last it uses, so the PDF prints from copies of the fonts holding only its text's."""
    pdf_tools()
    assert (
        editions.run("compile", "huibian-2025q1", "--format", "pdf", "-o", str(tmp_path)).code == 0
    )
    compact = tmp_path / "huibian-2025q1.pdf"
    fonts = embedded_fonts(compact)
    assert fonts and all(name.endswith(("-subset", "-subset-Bold")) for name in fonts), fonts
    assert max(fonts.values()) < 3000, fonts  # places, against 65,000 in the font itself

    # a face HarfBuzz cannot cut: printed from the installed family, the same text
    from policykb.publish import print_faces

    monkeypatch.setattr(print_faces, "_compact", lambda face, characters: None)
    whole = tmp_path / "whole"
    assert editions.run("compile", "huibian-2025q1", "--format", "pdf", "-o", str(whole)).code == 0
    full = whole / "huibian-2025q1.pdf"
    assert not any("subset" in name for name in embedded_fonts(full))
    assert compact.stat().st_size * 2 < full.stat().st_size
    text = [
        subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout
        for p in (compact, full)
    ]
    assert text[0] == text[1] and "兰州新区" in text[0]


def test_no_chinese_font_stops_with_the_fix_and_writes_nothing(editions, tmp_path, monkeypatch):
    from policykb.publish import fonts

    monkeypatch.setattr(fonts, "installed", lambda family: False)
    out = tmp_path / "out"
    result = editions.run("compile", "huibian-2024", "--format", "all", "-o", str(out))
    assert result.code == 1
    assert result.err == (
        "Error: no Chinese font found for the PDF: install a Chinese font, e.g. "
        "`apt-get install fonts-noto-cjk` (Debian/Ubuntu)\n"
    )
    assert not out.exists()


def test_feed_links_are_absolute_when_the_site_has_an_address(editions):
    editions.with_address()
    assert editions.run("build").code == 0
    feed = editions.site("feed.xml")
    assert '<link rel="self" href="https://jianfu.example.gov.cn/kb/feed.xml" />' in feed
    edition = "https://jianfu.example.gov.cn/kb/compilations/huibian-2025q1.html"
    assert f'<link rel="alternate" href="{edition}" />' in feed
    assert "<id>https://jianfu.example.gov.cn/kb/cases/nanle-wangge.html</id>" in feed


def test_without_a_site_address_the_feed_is_relative_and_the_build_says_so(editions):
    result = editions.run("build", "-q")
    assert result.code == 0
    assert "policykb: site_url is not set in mkdocs.yml: feed.xml links are relative" in result.err
    assert '<link rel="alternate" href="cases/nanle-wangge.html" />' in editions.site("feed.xml")


def test_grouped_by_region_unnamed_places_of_different_pieces_stay_apart(kb):
    from policykb.pipeline import load_knowledge_base

    other = (kb.root / "cases/mou-xiangzhen-biaoge.yaml").read_text(encoding="utf-8")
    kb.write("cases/mou-xiangzhen-other.yaml", other + "source_section: 第2篇\n")
    kb.write(
        EDITION,
        "title: 汇编\nedition: 第1期\ndate: 2025\ngroup_by: region\nselect:\n  from: 2020\n",
    )
    book = load_knowledge_base(kb.root)
    groups = [g.label for g in book.editions.by_id["huibian-2024"].groups]
    assert sorted(groups) == [
        "某乡镇（基层减负工作简报汇编）",
        "某乡镇（第2篇）",
        "河南省南乐县",
        "甘肃省兰州新区",
    ]
