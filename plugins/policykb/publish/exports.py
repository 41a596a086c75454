"""Machine-readable outputs beside the site: entries.json and entries.csv."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
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


def entries_json(kb: KnowledgeBase, *, use_directory_urls: bool) -> str:
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
    dumped = json.dumps({"entries": items}, ensure_ascii=False, indent=1, sort_keys=True)
    return json_for_html(dumped) + "\n"


def write_entries_json(kb: KnowledgeBase, site_dir: Path, *, use_directory_urls: bool) -> None:
    (site_dir / "entries.json").write_text(
        entries_json(kb, use_directory_urls=use_directory_urls), encoding="utf-8"
    )


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
