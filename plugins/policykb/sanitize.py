"""The HTML rendered from authors' content, cleaned before it goes into the theme's pages.

`build.py check` already refuses raw HTML and script links in Markdown fields; this is the
second line, for whatever Markdown can still produce (an attribute list such as
``{: onclick=…}``, an extension's markup): nh3 (ammonia) keeps the tags and attributes our
pages and Material use and drops everything else, scripts and event handlers first.
"""

from __future__ import annotations

import re

import nh3

# the quiz of a study pack: answered in the page (its markup comes from our page writer)
QUIZ_TAGS = {"fieldset", "legend", "label", "input"}
TAGS = nh3.ALLOWED_TAGS | {"noscript", "tfoot", "nav"} | QUIZ_TAGS
ATTRIBUTES = {
    **{tag: set(allowed) for tag, allowed in nh3.ALLOWED_ATTRIBUTES.items()},
    # ids are the headings' anchors (#典型表现) and the search page's mount point; classes
    # carry admonitions, headerlinks and our kb-* components; title is the headerlink's.
    "*": {"id", "class", "title", "lang", "dir", "hidden", "aria-label", "aria-current"},
    "th": nh3.ALLOWED_ATTRIBUTES["th"] | {"style"},
    "td": nh3.ALLOWED_ATTRIBUTES["td"] | {"style"},
    "input": {"name", "value", "autocomplete"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Ids the theme's and our scripts look up (Material's __config, policykb-config): an element
# of content taking one would be found first and feed the scripts the author's data.
RESERVED_ID_PREFIXES = ("__", "policykb-")


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and value.startswith(RESERVED_ID_PREFIXES):
        return None
    return value


_OPTIONS = dict(
    tags=TAGS,
    clean_content_tags={"script", "style"},
    attributes=ATTRIBUTES,
    tag_attribute_values={"input": {"type": {"radio", "checkbox", "text"}}},
    # ours only: Material's data-md-* attributes would make content a theme component
    generic_attribute_prefixes={"data-kb-"},
    url_schemes=URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
    filter_style_properties={"text-align"},
)
# Built once (nh3.clean builds its cleaner again for every page). The attribute filter is a
# Python call for each attribute of each element: the cleaner without it is used unless its
# output has an id with a reserved prefix, the only attribute the filter drops.
_CLEANER = nh3.Cleaner(**_OPTIONS, attribute_filter=_keep)  # type: ignore[arg-type]
_UNFILTERED = nh3.Cleaner(**_OPTIONS)  # type: ignore[arg-type]
_RESERVED_ID = re.compile(r'id="(?:' + "|".join(map(re.escape, RESERVED_ID_PREFIXES)) + ")")


def clean(html: str) -> str:
    """``html`` with only safe tags, attributes and link schemes left."""
    cleaned = _UNFILTERED.clean(html)
    if _RESERVED_ID.search(cleaned):
        return _CLEANER.clean(html)
    return cleaned
