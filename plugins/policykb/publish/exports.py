"""Machine-readable outputs beside the site: entries.json and entries.csv."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .. import urls
from ..linker import WIKILINK, KnowledgeBase, markdown_values
from ..loader import Entry
from ..render import json_for_html
from ..schema import PRIVATE_FIELDS
from .blocks import region_label

CSV_PATH = "entries.csv"
CSV_COLUMNS = (
    "id",
    "kind",
    "title",
    "url",
    "date",
    "region",
    "level",
    "source",
    "problems",
    "text",
)
# Excel runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def titled(kb: KnowledgeBase, text: str) -> str:
    """``[[id]]`` as the target's title: exports never show raw references."""
    return WIKILINK.sub(lambda m: kb.get(m.group(1).strip()).title, text)


def entry_data(kb: KnowledgeBase, entry: Entry) -> dict[str, Any]:
    data = entry.data.model_dump(
        mode="json", exclude_defaults=True, by_alias=True, exclude=set(PRIVATE_FIELDS)
    )
    for loc, text in markdown_values(entry.data):
        target: Any = data
        for part in loc[:-1]:
            target = target[part]
        if loc[-1] in target:
            target[loc[-1]] = titled(kb, text)
    return data


# Over this, entries.json is written in parts (entries/index.json lists them): a script or a
# browser can load what it needs instead of one file that grows without bound.
SPLIT_BYTES = 10_000_000
PART_SIZE = 1000  # entries in each part file, in id order
INDEX_PATH = "entries/index.json"


def entry_items(kb: KnowledgeBase, *, use_directory_urls: bool) -> list[dict[str, Any]]:
    """Every published entry as entries.json gives it, in id order."""
    items = []
    for entry in sorted(kb.published(), key=lambda e: e.id):
        links: dict[str, list[str]] = {}
        for target in kb.outgoing(entry):
            links.setdefault(target.kind.name, []).append(target.id)
        items.append(
            {
                "id": entry.id,
                "kind": entry.kind.name,
                "title": entry.title,
                "url": urls.site_url(urls.page_path(entry), use_directory_urls=use_directory_urls),
                "data": entry_data(kb, entry),
                "links": links,
            }
        )
    return items


def dump(value: object) -> str:
    """Compact JSON (no indentation, no spaces after separators), stable and inert in HTML."""
    dumped = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return json_for_html(dumped) + "\n"


def entries_json(kb: KnowledgeBase, *, use_directory_urls: bool) -> str:
    return dump({"entries": entry_items(kb, use_directory_urls=use_directory_urls)})


def entries_files(kb: KnowledgeBase, *, use_directory_urls: bool) -> dict[str, str]:
    """{site path: text}: entries.json, or past ``split_bytes`` entries/index.json (each
    entry's id, kind, title, url and the part holding it) and the parts entries/0001.json …
    (``{"entries": [...]}`` as entries.json, PART_SIZE entries each)."""
    split_bytes = SPLIT_BYTES
    items = entry_items(kb, use_directory_urls=use_directory_urls)
    whole = dump({"entries": items})
    if len(whole.encode("utf-8")) <= split_bytes:
        return {"entries.json": whole}
    files: dict[str, str] = {}
    index = []
    for number, start in enumerate(range(0, len(items), PART_SIZE), 1):
        part = f"entries/{number:04d}.json"
        chunk = items[start : start + PART_SIZE]
        files[part] = dump({"entries": chunk})
        index += [{k: e[k] for k in ("id", "kind", "title", "url")} | {"part": part} for e in chunk]
    files[INDEX_PATH] = dump({"entries": index, "parts": sorted(files)})
    return files


def entries_csv(kb: KnowledgeBase, *, use_directory_urls: bool) -> str:
    """One row an entry, UTF-8 with a byte-order mark so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in sorted(kb.published(), key=lambda e: e.id):
        data = entry.data
        source = getattr(data, "source", None)
        region = getattr(data, "region", None)
        row = [
            entry.id,
            entry.kind.name,
            entry.title,
            urls.site_url(urls.page_path(entry), use_directory_urls=use_directory_urls),
            getattr(data, "date", "") or "",
            region_label(region) if region else "",
            getattr(data, "level", "") or "",
            kb.get(source).title if source and source in kb.entries else "",
            "、".join(p.title for p in kb.outgoing(entry, "problems")),
            titled(kb, _main_text(entry)),
        ]
        writer.writerow([_cell(str(v)) for v in row])
    return "\ufeff" + out.getvalue()


def _main_text(entry: Entry) -> str:
    data = entry.data
    for name in ("summary", "text", "item", "description", "preface", "note"):
        value = getattr(data, name, None)
        if value:
            return value
    return ""


def _cell(value: str) -> str:
    value = value.replace("\r\n", "\n")
    return "'" + value if value.startswith(_FORMULA_START) else value
