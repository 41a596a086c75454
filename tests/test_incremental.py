"""A build renders only the pages whose output changes, and its site is byte for byte the
site a clean build makes: every build starts from a staging copy of the last good site (hard
links) and MkDocs rewrites the files whose inputs changed (see site_output)."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from policykb import fsutil
from policykb.cli import main
from policykb.plugin import PolicyKBPlugin
from policykb.render import Renderer

from .conftest import Project

CASE = "cases/lanzhou-xinqu-duokao-heyi"
PAGE = f"{CASE}.html"  # the offline plugin: pages as cases/x.html


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The pages MkDocs converts from Markdown ("read") and writes, build after build."""
    seen: dict[str, list[str]] = {"read": [], "written": []}
    for event, key in (("on_page_markdown", "read"), ("on_post_page", "written")):
        original = getattr(PolicyKBPlugin, event)

        @functools.wraps(original)
        def counting(self, *args, _original=original, _key=key, **kwargs):  # noqa: ANN001
            seen[_key].append(kwargs["page"].file.src_uri)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(PolicyKBPlugin, event, counting)
    return seen


def files(site: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of a site: its inode (a file rewritten gets a new one) and its bytes."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            found[str(path.relative_to(site))] = (path.stat().st_ino, path.read_bytes())
    return found


def pages_rewritten(before: dict, after: dict) -> set[str]:
    """The pages a build wrote (the theme's own 404.html is written by every build)."""
    return {
        name
        for name, (inode, _) in after.items()
        if name.endswith(".html") and name != "404.html" and before.get(name, (None,))[0] != inode
    }


def content(site: dict) -> dict[str, bytes]:
    return {name: data for name, (_, data) in site.items()}


def clean_build(kb: Project) -> dict[str, bytes]:
    """The same content built from nothing, in a site of its own."""
    assert kb.run("build", "--site-dir", str(kb.root / "clean")).code == 0
    return content(files(kb.root / "clean"))


def test_a_build_with_nothing_changed_renders_no_page_and_gives_the_same_bytes(
    kb: Project, rendered: dict[str, list[str]]
) -> None:
    assert kb.run("build").code == 0
    assert len(rendered["read"]) == len(rendered["written"]) > 20
    before = files(kb.root / "site")
    rendered["read"].clear(), rendered["written"].clear()
    assert kb.run("build").code == 0
    after = files(kb.root / "site")
    assert rendered == {"read": [], "written": []}
    assert pages_rewritten(before, after) == set()
    assert content(after) == content(before)


def test_an_edited_entry_renders_only_the_pages_whose_output_changed(
    kb: Project, rendered: dict[str, list[str]]
) -> None:
    assert kb.run("build").code == 0
    before = files(kb.root / "site")
    rendered["read"].clear(), rendered["written"].clear()
    kb.edit(f"{CASE}.yaml", "整合 8 大专项督考", "整合 9 大专项督考")
    assert kb.run("build").code == 0
    after = files(kb.root / "site")
    rewritten = pages_rewritten(before, after)
    changed = {n for n in after if n.endswith(".html") and after[n][1] != before[n][1]}
    assert PAGE in rewritten
    assert rewritten == changed - {"404.html"}
    as_html = {uri.removesuffix(".md") + ".html" for uri in rendered["written"]}
    assert sorted(rendered["read"]) == sorted(rendered["written"])
    assert as_html == rewritten
    assert len(rewritten) < len([n for n in after if n.endswith(".html")]) / 2
    assert content(after) == clean_build(kb)


def test_a_new_title_reaches_the_pages_that_show_it(kb: Project) -> None:
    """Titles appear in other pages' lists and in the prev/next links of the entries beside
    it, which were not themselves edited."""
    assert kb.run("build").code == 0
    kb.edit(f"{CASE}.yaml", "title: 兰州新区“多考合一”", "title: 兰州新区“多考合一”改名")
    assert kb.run("build").code == 0
    assert "改名" in kb.site(PAGE)
    assert content(files(kb.root / "site")) == clean_build(kb)


def test_an_added_entry_gets_its_page_and_a_deleted_one_takes_it_away(kb: Project) -> None:
    assert kb.run("build").code == 0
    original = (kb.root / f"{CASE}.yaml").read_text(encoding="utf-8")
    kb.write("cases/lanzhou-xinqu-erkao.yaml", original.replace("“多考合一”", "“两考合一”"))
    assert kb.run("build").code == 0
    site = files(kb.root / "site")
    assert "两考合一" in site["cases/lanzhou-xinqu-erkao.html"][1].decode()
    assert content(site) == clean_build(kb)
    (kb.root / "cases" / "lanzhou-xinqu-erkao.yaml").unlink()
    assert kb.run("build").code == 0
    site = files(kb.root / "site")
    assert "cases/lanzhou-xinqu-erkao.html" not in site
    assert content(site) == clean_build(kb)


def test_a_build_over_a_site_leaves_that_site_untouched(kb: Project) -> None:
    """The staging copy shares the old site's files (hard links): a build that wrote into
    one of them would change the old site under its readers."""
    assert kb.run("build").code == 0
    old = (kb.root / "site").resolve()
    before = content(files(old))
    kb.edit(f"{CASE}.yaml", "整合 8 大专项督考", "整合 9 大专项督考")
    os.rename(old, kb.root / "kept")  # the build removes old versions: keep this one aside
    os.symlink("kept", old)
    assert kb.run("build").code == 0
    assert content(files(kb.root / "kept")) == before


def test_a_reader_sees_the_old_file_or_the_new_one_never_part_of_one(tmp_path: Path) -> None:
    live = tmp_path / "site"
    versions = [b"a" * 2_000_000, b"b" * 3_000_000]
    with fsutil.replacing(live) as staging:
        (staging / "page.html").write_bytes(versions[0])
    seen: set[bytes] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add((live / "page.html").read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(40):
            with fsutil.staging(live, prefilled=True) as building:
                (building / "page.html").unlink()
                (building / "page.html").write_bytes(versions[(n + 1) % 2])
                fsutil.publish(building, live)
    finally:
        stop.set()
        reader.join()
    assert seen <= set(versions)
    assert len(seen) == 2


def test_publishing_removes_what_the_new_site_no_longer_has(tmp_path: Path) -> None:
    live = tmp_path / "site"
    with fsutil.replacing(live) as staging:
        (staging / "old").mkdir()
        (staging / "old" / "gone.html").write_text("x")
        (staging / "kept.html").write_text("y")
    with fsutil.staging(live, prefilled=True) as building:
        (building / "old" / "gone.html").unlink()
        changed = fsutil.publish(building, live)
    assert changed == ["old/gone.html"]
    assert sorted(p.name for p in live.iterdir()) == ["kept.html"]


def test_a_file_written_in_place_in_the_staging_copy_is_caught(tmp_path: Path) -> None:
    live = tmp_path / "site"
    with fsutil.replacing(live) as staging:
        (staging / "kept.html").write_text("old")
        (staging / "written.html").write_text("old")
        for page in staging.iterdir():  # from a build an hour ago
            os.utime(page, (time.time() - 3600,) * 2)
    with fsutil.staging(live, prefilled=True) as building:
        started = fsutil.file_clock(tmp_path)
        time.sleep(0.05)  # a writer starts later than that (MkDocs takes longer to start)
        (building / "written.html").write_text("new")  # through the hard link: live too
        assert fsutil.written_through(building, started) == ["written.html"]


def test_a_file_published_just_before_the_build_is_not_taken_for_written_in_place(
    tmp_path: Path,
) -> None:
    live = tmp_path / "site"
    with fsutil.replacing(live) as staging:
        (staging / "page.html").write_text("old")
    # an edit's first stage (live.py) renames a new page in, then the complete update starts
    (live / ".page.new").write_text("new")
    os.replace(live / ".page.new", live / "page.html")
    with fsutil.staging(live, prefilled=True) as building:
        started = fsutil.file_clock(tmp_path)
        assert fsutil.written_through(building, started) == []


@pytest.fixture
def sources_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The entry pages whose Markdown source the Renderer makes (not kept from the last build)."""
    made: list[str] = []
    original = Renderer._render

    @functools.wraps(original)
    def recording(self, path, template, *args, **kwargs):  # noqa: ANN001
        if "entry" in kwargs and template == kwargs["entry"].kind.template:
            made.append(path)
        return original(self, path, template, *args, **kwargs)

    monkeypatch.setattr(Renderer, "_render", recording)
    return made


def fresh_build(kb: Project) -> dict[str, bytes]:
    """The same content built in a copy of the project with no work dir (no cache) at all."""
    copy = kb.root.parent / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(kb.root, copy, ignore=shutil.ignore_patterns(".policykb", "site", "clean"))
    assert main(["build", "-f", str(copy / "mkdocs.yml")]) == 0
    return content(files(copy / "site"))


def test_an_entry_page_is_made_again_only_when_what_it_shows_changed(
    kb: Project, sources_rendered: list[str]
) -> None:
    assert kb.run("build").code == 0
    assert len(sources_rendered) > 10
    sources_rendered.clear()
    kb.edit("cases/nanle-wangge.yaml", "328 个单元网格", "329 个单元网格")
    assert kb.run("build").code == 0
    # the case, and the pages that list it (their entries change: a case's title may)
    assert "cases/nanle-wangge.md" in sources_rendered
    assert "problems/xiaomala-dache.md" in sources_rendered
    assert "cases/lanzhou-xinqu-duokao-heyi.md" not in sources_rendered
    assert "rules/kaohe-qianfenzhi.md" not in sources_rendered
    assert content(files(kb.root / "site")) == fresh_build(kb)


def test_a_list_page_is_made_again_only_when_what_it_lists_changed(
    kb: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    original = Renderer._list_page

    @functools.wraps(original)
    def recording(self, part, *args, **kwargs):  # noqa: ANN001
        made.append(part.path)
        return original(self, part, *args, **kwargs)

    monkeypatch.setattr(Renderer, "_list_page", recording)
    assert kb.run("build").code == 0
    assert {"cases/index.md", "rules/index.md", "problems/index.md"} <= set(made)
    made.clear()
    assert kb.run("build").code == 0
    assert made == []
    kb.edit("cases/nanle-wangge.yaml", "328 个单元网格", "329 个单元网格")
    assert kb.run("build").code == 0
    # the lists showing the case, and those asking the knowledge base about it (the
    # problems' index counts each problem's cases); not the others
    assert {"cases/index.md", "cases/by-year/2020.md", "problems/index.md"} <= set(made)
    assert "rules/index.md" not in made and "negatives/index.md" not in made
    assert content(files(kb.root / "site")) == fresh_build(kb)


@pytest.mark.parametrize(
    "edit",
    [
        # a neighbour's title, shown in a list of the case's page
        (
            "content/problems/dujiankao-guoduo.yaml",
            "title: 督查检查考核过多过频",
            "title: 督考过多",
        ),
        # a case now linking a problem: the problem's page lists one more
        (
            "cases/nanle-wangge.yaml",
            "problems: [xiaomala-dache]",
            "problems: [xiaomala-dache, fansuo-zhexue]",
        ),
        # a source's title, shown on every page citing it
        ("content/sources/huibian.yaml", "title: 基层", "title: 各地基层"),
    ],
)
def test_kept_page_sources_give_the_site_a_fresh_build_gives(kb: Project, edit) -> None:
    assert kb.run("build").code == 0
    kb.edit(*edit)
    assert kb.run("build").code == 0
    assert content(files(kb.root / "site")) == fresh_build(kb)


def test_a_deleted_entry_leaves_no_kept_page_naming_it(kb: Project) -> None:
    original = (kb.root / f"{CASE}.yaml").read_text(encoding="utf-8")
    kb.write("cases/lanzhou-xinqu-erkao.yaml", original.replace("“多考合一”", "“两考合一”"))
    assert kb.run("build").code == 0
    assert "两考合一" in kb.site("problems/dujiankao-guoduo.html")
    (kb.root / "cases" / "lanzhou-xinqu-erkao.yaml").unlink()
    assert kb.run("build").code == 0
    assert "两考合一" not in kb.site("problems/dujiankao-guoduo.html")
    assert content(files(kb.root / "site")) == fresh_build(kb)
