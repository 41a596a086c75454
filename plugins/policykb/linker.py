"""Resolve references between entries and derive every backlink.

The linker is the only place that knows who points at whom: templates, search and
exports ask the ``KnowledgeBase`` instead of walking references again.
"""

from __future__ import annotations

import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .diagnostics import Diagnostic
from .loader import Entry
from .schema import MarkdownMarker, Ref

WIKILINK = re.compile(r"\[\[([^\[\]]*)\]\]")


@dataclass(frozen=True)
class Link:
    """One reference: ``source`` names ``target`` in ``field``."""

    source: Entry
    target: Entry
    field: str


@dataclass
class KnowledgeBase:
    entries: dict[str, Entry]
    links: list[Link] = field(default_factory=list)
    _incoming: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))
    _outgoing: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))
    # set by the pipeline once linked: every compilation's resolved edition (publish.compilation)
    editions: Any = None
    studies: Any = None  # publish.study.Packs
    warnings: list[Diagnostic] = field(default_factory=list)

    def published(self) -> list[Entry]:
        """Every entry but the drafts (a draft study pack is checked, never published)."""
        return [e for e in self.entries.values() if not getattr(e.data, "draft", False)]

    def get(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind.name == kind]

    def outgoing(self, entry: Entry, field_name: str | None = None) -> list[Entry]:
        return _unique(
            link.target
            for link in self._outgoing[entry.id]
            if field_name is None or link.field == field_name
        )

    def incoming(
        self, entry: Entry, kind: str | None = None, field_name: str | None = None
    ) -> list[Entry]:
        """Entries that reference ``entry`` (optionally of one kind, through one field)."""
        return _unique(
            link.source
            for link in self._incoming[entry.id]
            if (kind is None or link.source.kind.name == kind)
            and (field_name is None or link.field == field_name)
        )

    def cases(self, entry: Entry, case_kind: str | None = None) -> list[Entry]:
        found = [
            e for e in self.incoming(entry, "case") if case_kind is None or e.data.kind == case_kind
        ]
        return sorted(found, key=lambda e: (e.data.date, e.id), reverse=True)

    def children(self, problem: Entry) -> list[Entry]:
        return self.incoming(problem, "problem", "parent")


def _unique(items: Iterator[Entry] | Any) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())


def reference_fields(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """Field name → the kinds its ids may name, read from the schema's ``Ref`` markers."""
    return {
        name: marker.kinds
        for name, info in model.model_fields.items()
        if (marker := _marker(info.annotation, info.metadata, Ref))
    }


def references(data: BaseModel, loc: tuple[Any, ...] = ()):
    """(location, kinds, id) of every id in ``data``, nested models and lists included."""
    model = type(data)
    refs = reference_fields(model)
    for name, info in model.model_fields.items():
        value = getattr(data, name)
        key = info.alias or name
        if isinstance(value, BaseModel):
            yield from references(value, (*loc, key))
            continue
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                yield from references(item, (*loc, key, i))
            continue
        if name not in refs:
            continue
        literals = _literals(info.annotation)
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield (*loc, key, i), refs[name], item
        elif isinstance(value, str) and value not in literals:
            yield (*loc, key), refs[name], value


def markdown_values(data: BaseModel, loc: tuple[Any, ...] = ()):
    """(location, text) of every Markdown field in ``data``, nested models included."""
    model = type(data)
    marked = set(markdown_fields(model))
    for name, info in model.model_fields.items():
        value = getattr(data, name)
        key = info.alias or name
        if isinstance(value, BaseModel):
            yield from markdown_values(value, (*loc, key))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                yield from markdown_values(item, (*loc, key, i))
        elif name in marked and isinstance(value, str):
            yield (*loc, key), value


def _literals(annotation: Any) -> set[Any]:
    """The fixed values a field may take besides ids (order: date | region | [ids])."""
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    found: set[Any] = set()
    for arg in typing.get_args(annotation):
        found |= _literals(arg)
    return found


def _dotted(loc: tuple[Any, ...]) -> str:
    """('quiz', 1, 'refs', 0) → quiz[1].refs: where in the entry, as the loader says it."""
    if loc and isinstance(loc[-1], int):
        loc = loc[:-1]
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def markdown_fields(model: type[BaseModel]) -> list[str]:
    return [
        name
        for name, info in model.model_fields.items()
        if _marker(info.annotation, info.metadata, MarkdownMarker)
    ]


def _marker(annotation: Any, metadata: list[Any], cls: type) -> Any:
    for item in metadata:
        if isinstance(item, cls):
            return item
    for arg in typing.get_args(annotation):
        for item in getattr(arg, "__metadata__", ()):
            if isinstance(item, cls):
                return item
        found = _marker(arg, [], cls)
        if found:
            return found
    return None


def link(
    entries: list[Entry], broken: set[str] = frozenset()
) -> tuple[KnowledgeBase, list[Diagnostic]]:
    """Resolve references; ids in ``broken`` (files with errors of their own) are skipped."""
    kb = KnowledgeBase({e.id: e for e in entries})
    errors: list[Diagnostic] = []
    for entry in entries:
        for loc, kinds, target_id in references(entry.data):
            name = str(loc[0])
            if target_id in broken:
                continue
            target = _resolve(kb, entry, target_id, kinds, loc, f"'{_dotted(loc)}'", errors)
            if target is entry:
                errors.append(entry.doc.diagnostic(loc, f"'{name}' refers to the entry itself"))
            elif target is not None:
                _add(kb, Link(entry, target, name))
        for loc, text in markdown_values(entry.data):
            name = str(loc[0])
            for target_id in WIKILINK.findall(text):
                if target_id.strip() in broken:
                    continue
                what = f"link [[{target_id}]] in '{_dotted(loc)}'"
                target = _resolve(kb, entry, target_id.strip(), None, loc, what, errors)
                if target is not None and target is not entry:
                    _add(kb, Link(entry, target, name))
    errors.extend(_parent_cycles(kb))
    return kb, errors


def _resolve(
    kb: KnowledgeBase,
    entry: Entry,
    target_id: str,
    kinds: tuple[str, ...] | None,
    loc: tuple[Any, ...],
    what: str,
    errors: list[Diagnostic],
) -> Entry | None:
    target = kb.entries.get(target_id)
    if target is None:
        errors.append(entry.doc.diagnostic(loc, f"{what}: no entry with id '{target_id}'"))
        return None
    if kinds and target.kind.name not in kinds:
        expected = " or ".join(kinds)
        errors.append(
            entry.doc.diagnostic(
                loc, f"{what}: '{target_id}' is a {target.kind.name}, expected a {expected}"
            )
        )
        return None
    return target


def _add(kb: KnowledgeBase, item: Link) -> None:
    kb.links.append(item)
    kb._outgoing[item.source.id].append(item)
    kb._incoming[item.target.id].append(item)


def _parent_cycles(kb: KnowledgeBase) -> list[Diagnostic]:
    errors = []
    for entry in kb.of_kind("problem"):
        seen = {entry.id}
        current = entry
        while current.data.parent and current.data.parent in kb.entries:
            current = kb.entries[current.data.parent]
            if current.id in seen:
                errors.append(
                    entry.doc.diagnostic(
                        ("parent",), f"'parent' makes a cycle: {' → '.join(sorted(seen))}"
                    )
                )
                break
            seen.add(current.id)
    return errors
