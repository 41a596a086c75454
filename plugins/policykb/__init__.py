"""policykb: turns a folder of YAML entries into a linked, searchable MkDocs site."""

from __future__ import annotations

__version__ = "0.1.0"
