"""A build never leaves a broken site: readable by a web server as another user, and at
every instant of a build, however it is killed, `site/` is the old or the new complete site;
the next build removes what a killed one left."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from policykb import fsutil
from policykb import project as project_module
from policykb.project import Project

REPO = Path(__file__).parent.parent
OLD, NEW = "兰州新区“多考合一”", "兰州新区“多考合一”新版"
CASE = "cases/lanzhou-xinqu-duokao-heyi"


def tree(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


def title(root: Path) -> str:
    page = (root / "site" / f"{CASE}.html").read_text(encoding="utf-8")
    return NEW if NEW in page else OLD


def leftovers(root: Path) -> list[str]:
    """Everything beside the site and the index but the versions they point to."""
    live = {(root / "site").readlink().name, (root / ".policykb" / "index").readlink().name}
    live |= {".site.lock", ".index.lock"}
    found = [p for p in root.iterdir() if p.name.startswith(".site")]
    found += [p for p in (root / ".policykb").iterdir() if p.name.startswith(".index")]
    return sorted(p.name for p in found if p.name not in live)


def test_site_and_index_are_readable_by_everyone_under_umask_022(kb):
    old = os.umask(0o022)
    try:
        assert kb.run("build").code == 0
    finally:
        os.umask(old)
    for top in (kb.root / "site", kb.root / ".policykb" / "index"):
        modes = {stat.S_IMODE(top.stat().st_mode)}
        for path in top.rglob("*"):
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o755 if path.is_dir() else 0o644), path
            modes.add(mode)
        assert modes == {0o755, 0o644}


def test_site_is_a_link_switched_to_the_new_complete_version(kb):
    assert kb.run("build").code == 0
    first = (kb.root / "site").readlink()
    kb.edit(f"{CASE}.yaml", f"title: {OLD}", f"title: {NEW}")
    assert kb.run("build").code == 0
    second = (kb.root / "site").readlink()
    assert first != second and not second.is_absolute()
    assert title(kb.root) == NEW
    assert leftovers(kb.root) == []


def test_a_site_folder_from_before_links_is_replaced(kb):
    (kb.root / "site").mkdir()
    (kb.root / "site" / "stale.html").write_text("old", encoding="utf-8")
    assert kb.run("build").code == 0
    assert (kb.root / "site").is_symlink() and not (kb.root / "site" / "stale.html").exists()
    assert leftovers(kb.root) == []


def test_leftovers_of_a_killed_build_are_removed_by_the_next(kb):
    assert kb.run("build").code == 0
    debris = [
        kb.root / ".site-building-abc123",
        kb.root / ".site.v00000000000000000001",
        kb.root / ".site.old",
        kb.root / ".policykb" / ".index-k2j3h4",
        kb.root / ".policykb" / ".index-building-x",
    ]
    for path in debris:
        path.mkdir()
        (path / "page.html").write_text("half", encoding="utf-8")
    os.symlink(".site.v00000000000000000001", kb.root / ".site.link-x")
    assert kb.run("build").code == 0
    assert leftovers(kb.root) == []


def test_git_ignores_the_site_and_what_a_killed_build_leaves(tmp_path):
    for name in ("site", ".site-building-abc", ".site.v0001", ".site.link-x", ".policykb"):
        (tmp_path / name).mkdir()
    (tmp_path / ".site.lock").touch()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text((REPO / ".gitignore").read_text(), encoding="utf-8")
    status = subprocess.run(
        ["git", "-C", str(tmp_path), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == "?? .gitignore\n"


# A child process switches a directory with fsutil and dies (os._exit: no `finally`, no
# clean-up, as with kill -9) just before its Nth file-system step.
KILLED_SWITCH = textwrap.dedent(
    """
    import os, shutil, sys, types
    from pathlib import Path
    from policykb import fsutil

    step, calls = int(sys.argv[2]), [0]

    def dying(fn):
        def call(*args, **kwargs):
            calls[0] += 1
            if calls[0] == step:
                os._exit(9)
            return fn(*args, **kwargs)
        return call

    patched = {n: getattr(os, n) for n in dir(os)}
    patched.update({n: dying(getattr(os, n)) for n in ("rename", "replace", "symlink", "fsync")})
    fsutil.os = types.SimpleNamespace(**patched)
    fsutil.shutil = types.SimpleNamespace(rmtree=dying(shutil.rmtree))
    with fsutil.replacing(Path(sys.argv[1])) as staging:
        (staging / "sub").mkdir()
        (staging / "sub" / "page.html").write_text("new")
        (staging / "index.html").write_text("new")
    """
)


def site_of(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in directory.rglob("*.html")}


def write_site(target: Path, text: str) -> None:
    with fsutil.replacing(target) as staging:
        (staging / "sub").mkdir()
        (staging / "sub" / "page.html").write_text(text)
        (staging / "index.html").write_text(text)


def killed_switch(target: Path, step: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins")}
    args = [sys.executable, "-c", KILLED_SWITCH, str(target), str(step)]
    return subprocess.run(args, env=env, capture_output=True, check=False).returncode


@pytest.mark.parametrize("before", ["link", "folder"])
def test_a_switch_killed_at_any_step_leaves_the_old_or_the_new_complete_site(tmp_path, before):
    """`folder`: the site as earlier versions (and plain `mkdocs build`) left it."""
    targets = []
    for step in range(1, 9):
        target = tmp_path / str(step) / "site"
        if before == "link":
            write_site(target, "old")
        else:
            (target / "sub").mkdir(parents=True)
            (target / "sub" / "page.html").write_text("old")
            (target / "index.html").write_text("old")
        targets.append(target)
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(killed_switch, targets, range(1, 9)))
    assert codes[:5] == [9] * 5 and codes[-1] == 0
    seen = set()
    for target in targets:
        # the folder moved aside, the link not yet in: the one instant without a site,
        # which the next build repairs before anything else
        if before == "folder" and not os.path.lexists(target):
            fsutil.repair(target)
        site = site_of(target)
        assert site in ({"index.html": t, "sub/page.html": t} for t in ("old", "new")), target
        seen.add(site["index.html"])
        write_site(target, "next")
        assert site_of(target) == {"index.html": "next", "sub/page.html": "next"}
        assert sorted(p.name for p in target.parent.iterdir()) == sorted(
            ["site", target.readlink().name, ".site.lock"]
        )
    assert seen == {"old", "new"}


def build_command(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "-f", str(root / "mkdocs.yml")],
        env={**os.environ, "PYTHONPATH": str(REPO / "plugins")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "moment",
    # the index of a second build is updated in place: a new segment beside the old ones
    [".site-building-*", ".site-building-*/404.html", ".policykb/.index.v*/*.seg"],
    ids=["site-begun", "pages-written", "index-written"],
)
def test_a_real_build_killed_mid_way_leaves_a_complete_site(kb, moment):
    """SIGKILL as soon as the build has got as far as ``moment`` (a path it writes)."""
    assert kb.run("build").code == 0
    complete = tree(kb.root / "site")
    kb.edit(f"{CASE}.yaml", f"title: {OLD}", f"title: {NEW}")
    there = set(kb.root.glob(moment))
    child = build_command(kb.root)
    while not set(kb.root.glob(moment)) - there:
        assert child.poll() is None, "the build ended before it got there"
        time.sleep(0.001)
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    assert tree(kb.root / "site") == complete
    assert kb.run("build").code == 0
    assert title(kb.root) == NEW and leftovers(kb.root) == []


def test_a_second_build_waits_for_the_first(tmp_path):
    target = tmp_path / "site"
    order = []

    def build(name: str, pause: float) -> None:
        with fsutil.replacing(target) as staging:
            order.append(f"{name} starts")
            time.sleep(pause)
            (staging / "index.html").write_text(name)
            order.append(f"{name} ends")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(build, "first", 0.5)
        time.sleep(0.1)
        second = pool.submit(build, "second", 0)
        first.result(), second.result()
    assert order == ["first starts", "first ends", "second starts", "second ends"]
    assert (target / "index.html").read_text() == "second"


def test_an_update_cut_off_mid_publish_is_not_trusted_by_the_next_build(kb, monkeypatch):
    """`build.py serve` publishes an edit file by file; cut off half-way, the live site is
    part old, part new, and the next build must not take it for the last build's output
    (here the edit is undone: every file the cut-off update published must go back)."""
    assert kb.run("build").code == 0
    project = Project(kb.root / "mkdocs.yml")
    kb.edit(f"{CASE}.yaml", f"title: {OLD}", f"title: {NEW}")

    def cut_off(staged: Path, live: Path) -> list[str]:
        page = f"{CASE}.html"
        os.replace(staged / page, live / page)
        raise KeyboardInterrupt

    monkeypatch.setattr(project_module, "publish", cut_off)
    with pytest.raises(KeyboardInterrupt):
        project.update(project.load())
    assert title(kb.root) == NEW
    monkeypatch.undo()
    kb.edit(f"{CASE}.yaml", f"title: {NEW}", f"title: {OLD}")
    project.update(project.load())
    assert title(kb.root) == OLD
    assert kb.run("build", "--site-dir", str(kb.root / "clean")).code == 0
    assert site_of(kb.root / "site") == site_of(kb.root / "clean")
