"""Shared fixtures: a tiny real knowledge base copied into tmp_path, and the CLI in-process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from policykb.cli import main
from policykb.search.whoosh_index import WhooshSearch

from .browser import (
    browser,  # noqa: F401 (one session-wide Chromium for every module)
    serving,
)

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"
SITE_URL = "https://jianfu.example.gov.cn/kb/"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/* from the current output",
    )


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Project:
    root: Path
    capsys: pytest.CaptureFixture[str]

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def edit(self, relpath: str, old: str, new: str) -> None:
        path = self.root / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relpath}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def with_address(self) -> None:
        """Give the site its address (site_url): the build then has nothing to warn about."""
        self.edit(
            "mkdocs.yml", "site_name: 测试知识库", "site_name: 测试知识库\nsite_url: " + SITE_URL
        )

    def run(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main([*args[:1], "-f", str(self.root / "mkdocs.yml"), *args[1:]])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def site(self, page: str) -> str:
        return (self.root / "site" / page).read_text(encoding="utf-8")


@pytest.fixture
def kb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    """A copy of tests/fixtures/tiny, free to edit."""
    root = tmp_path / "kb"
    shutil.copytree(TINY, root)
    return Project(root, capsys)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny knowledge base built once per test module (read-only)."""
    root = tmp_path_factory.mktemp("built") / "kb"
    shutil.copytree(TINY, root)
    assert main(["build", "-f", str(root / "mkdocs.yml")]) == 0
    return root


@pytest.fixture(scope="module")
def static_url(built: Path) -> Iterator[str]:
    """The built tiny site on a plain static web server (no search API)."""
    with serving(built / "site") as url:
        yield url


@pytest.fixture(scope="module")
def api_url(built: Path) -> Iterator[str]:
    """The built tiny site and its /api/search, as `build.py serve` serves them."""
    backend = WhooshSearch(built / ".policykb" / "index")
    with serving(built / "site", backend) as url:
        yield url
    backend.close()


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own knowledge base, built as the README's first command builds it."""
    root = tmp_path_factory.mktemp("real") / "kb"
    root.mkdir()
    for name in ("content", "cases"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    assert main(["build", "-f", str(root / "mkdocs.yml")]) == 0
    return root
