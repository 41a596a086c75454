"""What every page repeats is paid N times: the theme's icons, scripts and settings live in
cached files or cost their bytes once, with the same look and the same policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

from policykb.csp import inline_scripts

ICON = re.compile(r'<svg class="kb-i (kb-i--[a-z-]+)"></svg>')
CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)


def json_string(script: str) -> str:
    """The markup header.js writes: the JSON string it passes to insertAdjacentHTML."""
    return json.loads(re.search(r'insertAdjacentHTML\("beforebegin", (".*")\);', script).group(1))


def pages(site: Path) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))]


def test_the_theme_icons_are_drawn_by_the_stylesheet_not_carried_by_each_page(built):
    stylesheet = (built / "site/assets/policykb/policykb.css").read_text(encoding="utf-8")
    header = (built / "site/assets/policykb/header.js").read_text(encoding="utf-8")
    assert {"kb-i--magnify", "kb-i--weather-night"} <= set(ICON.findall(json_string(header)))
    for page, text in pages(built / "site"):
        assert "<path" not in text, page
        icons = set(ICON.findall(text))
        assert {"kb-i--library", "kb-i--menu"} <= icons, page
        for icon in icons:
            assert f'.{icon} {{ --kb-i: url("data:image/svg+xml' in stylesheet, icon


def test_the_theme_scripts_are_files_so_the_policy_names_no_hash(built):
    site = built / "site"
    for page, text in pages(site):
        assert inline_scripts(text) == [], page
        assert "sha256-" not in text, page
    case = next(site.glob("cases/*.html"), None) or next(site.rglob("*.html"))
    for script in re.findall(r'<script src="([^"]+)"', case.read_text(encoding="utf-8")):
        assert (case.parent / script).is_file(), script


def test_the_theme_settings_are_chinese_as_written_and_still_safe_json(built):
    text = (built / "site/index.html").read_text(encoding="utf-8")
    config = CONFIG.search(text).group(1)
    assert "\\u" not in config
    assert json.loads(config)["translations"]["clipboard.copied"] == "已复制"


def test_the_site_leaves_out_the_theme_source_maps(built):
    assert not list((built / "site/assets").rglob("*.map"))
    assert (built / "site/assets/javascripts").is_dir()
