"""Every user error of every command is one line `Error: …` and exit 1; never a traceback."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from policykb.cli import main
from policykb.project import Project
from policykb.search import whoosh_index

REPO = Path(__file__).parent.parent


def test_a_full_disk_is_one_line_and_leaves_the_old_site(kb, monkeypatch):
    assert kb.run("build").code == 0
    before = sorted(p.name for p in kb.root.iterdir())
    index = kb.root / ".policykb" / "index"

    def full(directory, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(directory) / "x.seg"))

    # a fresh index is created, an existing one updated in place: either fills the disk
    monkeypatch.setattr(whoosh_index.windex, "create_in", full)
    monkeypatch.setattr(whoosh_index.windex, "open_dir", full)
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 新版，全县设")
    kb.with_address()
    result = kb.run("build", "-q")
    assert result.code == 1
    assert re.fullmatch(
        rf"Error: {re.escape(str(index))}/x\.seg: "
        r"No space left on device\n",
        result.err,
    )
    assert sorted(p.name for p in kb.root.iterdir()) == before
    assert "新版" not in kb.site("cases/nanle-wangge.html")


def test_a_site_folder_that_cannot_be_written_is_one_line(kb):
    # /sys refuses new folders even to root (who may write where chmod says no)
    kb.with_address()
    result = kb.run("build", "-q", "--site-dir", "/sys/site")
    assert result.code == 1
    assert result.err == "Error: /sys/.site.lock: Permission denied\n"


def test_a_missing_argument_is_one_line_and_exit_1(kb, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "-f", str(kb.root / "mkdocs.yml")])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        "Error: the following arguments are required: query (see build.py search --help)\n"
    )


def test_search_into_a_closed_pipe_exits_quietly(kb):
    """`build.py search … | head`: the reader leaves before the output is written."""
    assert kb.run("build").code == 0
    read, write = os.pipe()
    os.close(read)
    child = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "search",
            "考核",
            "-f",
            str(kb.root / "mkdocs.yml"),
        ],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "plugins")},
        check=False,
    )
    os.close(write)
    assert (child.returncode, child.stderr) == (0, "")


def test_ctrl_c_is_one_line(kb, monkeypatch):
    def interrupted(self, kb, site_dir=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(Project, "build", interrupted)
    result = kb.run("build", "-q")
    assert (result.code, result.err) == (130, "Interrupted.\n")


def test_a_bug_still_shows_its_traceback(kb, monkeypatch):
    """Only our own errors and the system's (OSError) become one line: a bug is not hidden."""

    def bug(self, kb, site_dir=None):
        raise ValueError("a bug")

    monkeypatch.setattr(Project, "build", bug)
    with pytest.raises(ValueError, match="a bug"):
        main(["build", "-f", str(kb.root / "mkdocs.yml")])


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_that_is_no_port_is_one_line(kb, capsys, port):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "-f", str(kb.root / "mkdocs.yml"), "--port", port])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        f"Error: argument --port: {port!r} is not a port (0 to 65535) (see build.py serve --help)\n"
    )
