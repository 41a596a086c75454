"""Rendered page Markdown, compared with golden files (pytest --update-golden rewrites them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from policykb.pipeline import load_knowledge_base
from policykb.render import Renderer

from .conftest import TINY

GOLDEN = Path(__file__).parent / "golden"
PAGES = [
    "cases/lanzhou-xinqu-duokao-heyi.md",
    "cases/mou-xiangzhen-biaoge.md",
    "problems/dujiankao-guoduo.md",
    "rules/kaohe-qianfenzhi.md",
    "negatives/zhucheng-jinling.md",
    "remedies/tongchou-guifan-dujiankao.md",
    "sources/huibian.md",
    "index.md",
    "cases/by-year.md",
    "cases/by-region/wei4-ju4-ming2-di4-qu1.md",
    "cases/index.md",
]


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    kb = load_knowledge_base(TINY, strict=True)
    return {page.path: page.markdown for page in Renderer(kb).pages()}


@pytest.mark.parametrize("path", PAGES)
def test_page_matches_golden(rendered, path, request):
    golden = GOLDEN / path.replace("/", "__")
    if request.config.getoption("--update-golden"):
        golden.write_text(rendered[path], encoding="utf-8")
    assert rendered[path] == golden.read_text(encoding="utf-8")


def test_rendering_is_deterministic(rendered):
    kb = load_knowledge_base(TINY, strict=True)
    again = {page.path: page.markdown for page in Renderer(kb).pages()}
    assert again == rendered
