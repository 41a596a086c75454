"""Machine-readable outputs written beside the site: entries.json."""

from __future__ import annotations

import json
from pathlib import Path

from . import urls
from .linker import KnowledgeBase
from .render import json_for_html


def entries_json(kb: KnowledgeBase, *, use_directory_urls: bool) -> str:
    items = []
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        links: dict[str, list[str]] = {}
        for target in kb.outgoing(entry):
            links.setdefault(target.kind.name, []).append(target.id)
        items.append(
            {
                "id": entry.id,
                "kind": entry.kind.name,
                "title": entry.title,
                "url": urls.site_url(urls.page_path(entry), use_directory_urls=use_directory_urls),
                "data": entry.data.model_dump(mode="json", exclude_defaults=True),
                "links": links,
            }
        )
    dumped = json.dumps({"entries": items}, ensure_ascii=False, indent=1, sort_keys=True)
    return json_for_html(dumped) + "\n"


def write_entries_json(kb: KnowledgeBase, site_dir: Path, *, use_directory_urls: bool) -> None:
    (site_dir / "entries.json").write_text(
        entries_json(kb, use_directory_urls=use_directory_urls), encoding="utf-8"
    )
