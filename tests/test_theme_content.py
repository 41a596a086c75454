"""Our partials/content.html shows what Material's shows, without including the parts that
have nothing to show."""

from __future__ import annotations

from importlib import resources
from types import SimpleNamespace

import jinja2
import pytest
from policykb import htmlsize
from policykb.plugin import THEME

MATERIAL = str(resources.files("material") / "templates")
FEEDBACK = {
    "title": "有帮助吗？",
    "ratings": [
        {"icon": "material/emoticon-happy-outline", "name": "有", "data": 1, "note": "谢谢"}
    ],
}


def content(dirs: list[str], **context: object) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(dirs))
    env.filters["url"] = lambda url: url
    html = env.get_template("partials/content.html").render(**context)
    return htmlsize.compact(html).strip()


@pytest.mark.parametrize(
    "shown",
    [
        {},
        {"tags": [SimpleNamespace(name="督检考", url="tags.html#dujiankao", hidden=False)]},
        {"edit_url": "https://example.org/edit/main/docs/a.md"},
        {"analytics": {"feedback": FEEDBACK}},
    ],
)
def test_content_is_materials(shown: dict):
    page = SimpleNamespace(
        content="<p>正文</p>",
        title="标题",
        edit_url=shown.get("edit_url"),
        meta={},
        url="a.html",
    )
    config = SimpleNamespace(
        site_name="测试",
        theme={"icon": {}},
        extra={"analytics": shown.get("analytics")},
        plugins={},
    )
    context = {
        "page": page,
        "config": config,
        "features": ["content.action.edit", "content.action.view"],
        "tags": shown.get("tags"),
        "lang": SimpleNamespace(t=lambda key: key),
    }
    material = content([MATERIAL], **context)
    assert content([THEME, MATERIAL], **context) == material
    assert "<h1>标题</h1>" in material
    if shown:  # what the case adds is there
        assert any(s in material for s in ("督检考", 'rel="edit"', "md-feedback"))
