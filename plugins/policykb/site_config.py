"""Site settings the generated pages rely on, applied to any project using the plugin."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from pymdownx.slugs import slugify

from . import urls

NAV = [
    {"首页": "index.md"},
    {"问题类型": "problems/index.md"},
    {"对策措施": "remedies/index.md"},
    {"条款": "rules/index.md"},
    {"负面清单": "negatives/index.md"},
    {
        "案例": [
            "cases/index.md",
            {"按地区": "cases/by-region.md"},
            {"按年份": "cases/by-year.md"},
            {"按层级": "cases/by-level.md"},
        ]
    },
    {"来源文件": "sources/index.md"},
    {"学习材料": "study/index.md"},
    {"汇编": "compilations/index.md"},
]

# A light and a dark scheme, following the reader's system until they press the switch.
PALETTE = [
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "toggle": {"icon": "material/weather-night", "name": "切换到深色模式"},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "toggle": {"icon": "material/weather-sunny", "name": "切换到浅色模式"},
    },
]


def apply_site_defaults(config: MkDocsConfig, *, theme_dir: str) -> None:
    # Listing every entry in the nav would copy N links into each of N pages (N² size).
    if config.nav is None:
        config.nav = NAV
    for ext in ("admonition", "tables", "toc", "attr_list", "md_in_html"):
        if ext not in config.markdown_extensions:
            config.markdown_extensions.append(ext)
    toc = config.mdx_configs.setdefault("toc", {})
    # Keep Chinese headings as anchors (#典型表现), not #_1, #_2 that shift with edits.
    toc.setdefault("slugify", slugify(case="lower"))
    toc.setdefault("permalink_title", "本节链接")
    # Material's footer credit is English ("Made with Material for MkDocs"); the site is not.
    config.extra.setdefault("generator", False)
    if urls.STYLESHEET not in config.extra_css:
        config.extra_css.append(urls.STYLESHEET)
    for script in (urls.SEARCH_SCRIPT, urls.QUIZ_SCRIPT, urls.CITE_SCRIPT):
        if script not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(script)
    if not config.theme.get("palette"):
        config.theme["palette"] = PALETTE
    features = config.theme.setdefault("features", [])
    if "navigation.footer" not in features:
        features.append("navigation.footer")  # an entry page's prev/next within its index
    # The header's scheme switch and search box, rendered once into a script (see it).
    config.theme.static_templates.add(urls.HEADER_SCRIPT)
    # Our partials (the header search box) take precedence over the theme's own.
    if theme_dir not in config.theme.dirs:
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
    # Material's search plugin stays for its header search box, which search.js drives; it
    # indexes no page of ours, so it is not given our dictionary: jieba's main dictionary,
    # which loading a user dictionary would load a second time, is loaded once, by us.
    # Its lunr worker never starts (no form is named "search": theme/partials/search.html),
    # so neither the worker nor, under the offline plugin, its Web Worker shim is shipped
    # (the theme leaves the shim out of the polyfills the offline plugin adds it to).


def uses_directory_urls(config: MkDocsConfig) -> bool:
    """Pages at cases/x/ (True) or at cases/x.html (the offline plugin forces the latter)."""
    offline = config.plugins.get("material/offline")
    if offline is not None and offline.config.enabled:
        return False
    return bool(config.use_directory_urls)
