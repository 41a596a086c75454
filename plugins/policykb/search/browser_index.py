"""Entries in the in-browser index (Material's search_index.json), from our search documents.

Material would otherwise segment every rendered page again with jieba; the generated pages
opt out of its indexing (``search: exclude``) and their already-segmented documents are
added here instead, so a build segments each entry once for every index.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .. import urls
from .documents import SearchDocument

# Front matter for generated pages: Material's search skips them; we index them ourselves.
EXCLUDE_FROM_MATERIAL = "---\nsearch:\n  exclude: true\n---\n\n"


def material_entries(
    documents: list[SearchDocument], *, use_directory_urls: bool
) -> list[dict[str, str]]:
    return [
        {
            "location": urls.site_url(doc.page, use_directory_urls=use_directory_urls),
            "title": html.escape(doc.title_seg, quote=False),
            # aliases first: 一次考核 must find 多考合一's page in the browser too
            "text": html.escape(
                " ".join(filter(None, [doc.aliases_seg, doc.text_seg])), quote=False
            ).replace("\n", " "),
        }
        for doc in documents
    ]


def add_to_material_index(
    site_dir: Path, documents: list[SearchDocument], *, use_directory_urls: bool
) -> None:
    """Append the documents to the index Material wrote (which holds hand-written pages)."""
    path = site_dir / "search" / "search_index.json"
    if not path.is_file():
        return  # Material's search is off: nothing to add to
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"].extend(material_entries(documents, use_directory_urls=use_directory_urls))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
