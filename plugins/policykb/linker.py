"""Resolve references between entries and derive every backlink.

The linker is the only place that knows who points at whom: templates, search and
exports ask the ``KnowledgeBase`` instead of walking references again.
"""

from __future__ import annotations

import functools
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .cache import Cache
from .diagnostics import Diagnostic
from .loader import Entry
from .schema import LEVELS, MarkdownMarker, Ref

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
    # set by the pipeline: every entry file as it was read (manifest.FileState by path)
    sources: dict[str, Any] = field(default_factory=dict)
    _by_kind: tuple[int, dict[str, list[Entry]]] | None = field(default=None, repr=False)

    def published(self) -> list[Entry]:
        """Every entry but the drafts (a draft study pack is checked, never published)."""
        return [e for e in self.entries.values() if not getattr(e.data, "draft", False)]

    def get(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def of_kind(self, kind: str) -> list[Entry]:
        # asked for on every page (a negative's siblings): grouped once, not scanned each time
        if self._by_kind is None or self._by_kind[0] != len(self.entries):
            groups: dict[str, list[Entry]] = defaultdict(list)
            for entry in self.entries.values():
                groups[entry.kind.name].append(entry)
            self._by_kind = (len(self.entries), groups)
        return list(self._by_kind[1].get(kind, ()))

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

    def rule_key(self, rule: Entry) -> tuple[Any, ...]:
        """The one order of rules everywhere: central → provincial → city → county (by the
        source's level), then each regulation's own part and item order."""
        source = self.entries[rule.data.source]
        level = source.data.level
        rank = LEVELS.index(level) if level in LEVELS else len(LEVELS)
        parts = source.data.parts
        part = parts.index(rule.data.part) if rule.data.part in parts else len(parts)
        item = rule.data.item if rule.data.item is not None else float("inf")
        return (rank, source.id, part, item, rule.id)

    def in_rule_order(self, entries: list[Entry]) -> list[Entry]:
        """``entries`` with its rules put in ``rule_key`` order (other entries stay put)."""
        rules = iter(sorted((e for e in entries if e.kind.name == "rule"), key=self.rule_key))
        return [next(rules) if e.kind.name == "rule" else e for e in entries]

    def rules_by_source(self) -> list[tuple[Entry, list[Entry]]]:
        """Every source with its rules, both in ``rule_key`` order."""
        groups: dict[str, list[Entry]] = {}
        for rule in sorted(self.of_kind("rule"), key=self.rule_key):
            groups.setdefault(rule.data.source, []).append(rule)
        return [(self.entries[source_id], rules) for source_id, rules in groups.items()]

    def replaced(self) -> list[tuple[str, str, Entry]]:
        """(kind, old id, the entry that took it over) for every ``replaces``, sorted."""
        found = []
        for entry in self.entries.values():
            for old in getattr(entry.data, "replaces", ()):
                kind, _, old_id = old.rpartition(":")
                found.append((kind or entry.kind.name, old_id, entry))
        return sorted(found, key=lambda t: (t[0], t[1]))


def _unique(items: Iterator[Entry] | Any) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())


@functools.cache  # the schema is fixed: read once per model, not once per entry
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
        literals = _field_literals(model, name)
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


@functools.cache
def _field_literals(model: type[BaseModel], name: str) -> frozenset[Any]:
    return frozenset(_literals(model.model_fields[name].annotation))


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


@functools.cache
def markdown_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, info in model.model_fields.items()
        if _marker(info.annotation, info.metadata, MarkdownMarker)
    )


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


REFERENCES = "references"  # the cache's namespace for the ids each entry names


def link(
    entries: list[Entry], broken: set[str] = frozenset(), store: Cache | None = None
) -> tuple[KnowledgeBase, list[Diagnostic]]:
    """Resolve references; ids in ``broken`` (files with errors of their own) are skipped.
    ``store`` keeps the ids each entry names (its bytes alone say which): only resolving
    them is done again for every entry."""
    kb = KnowledgeBase({e.id: e for e in entries})
    errors: list[Diagnostic] = []
    for entry in entries:
        if store is not None and entry.key:
            named = store.memo(REFERENCES, entry.key, lambda e=entry: _named(e.data))
        else:
            named = _named(entry.data)
        for loc, kinds, target_id, what, wikilink in named:
            if target_id in broken:
                continue
            target = _resolve(kb, entry, target_id, kinds, loc, what, errors)
            if target is entry:
                if not wikilink:  # a link to the page itself is harmless, a reference not
                    message = f"'{loc[0]}' refers to the entry itself"
                    errors.append(entry.doc.diagnostic(loc, message))
            elif target is not None:
                _add(kb, Link(entry, target, str(loc[0])))
    errors.extend(_parent_cycles(kb))
    errors.extend(_replacements(kb))
    errors.extend(_parts_and_lists(kb))
    return kb, errors


def _named(data: BaseModel) -> list[tuple[tuple[Any, ...], tuple[str, ...] | None, str, str, bool]]:
    """(location, the kinds it may name or None, id, how a message names it, whether it is
    a [[wikilink]]) of every id an entry names, in its fields and in its Markdown."""
    named = []
    for loc, kinds, target_id in references(data):
        named.append((loc, kinds, target_id, f"'{_dotted(loc)}'", False))
    for loc, text in markdown_values(data):
        for target_id in WIKILINK.findall(text):
            what = f"link [[{target_id}]] in '{_dotted(loc)}'"
            named.append((loc, None, target_id.strip(), what, True))
    return named


def _replacements(kb: KnowledgeBase) -> list[Diagnostic]:
    """An old id is an address: it may not be an entry too, nor be taken over twice."""
    from .kinds import BY_NAME  # the kinds table imports the schema, not the linker

    errors = []
    claimed: dict[tuple[str, str], Entry] = {}
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        for i, old in enumerate(getattr(entry.data, "replaces", ())):
            kind, _, old_id = old.rpartition(":")
            kind = kind or entry.kind.name
            loc = ("replaces", i)
            if kind not in BY_NAME:
                errors.append(entry.doc.diagnostic(loc, f"'replaces': no kind '{kind}'"))
            elif old_id in kb.entries:
                errors.append(
                    entry.doc.diagnostic(
                        loc,
                        f"'replaces': '{old_id}' is still an entry "
                        f"({kb.entries[old_id].path}); remove it or drop it from 'replaces'",
                    )
                )
            elif (kind, old_id) in claimed:
                other = claimed[kind, old_id].id
                errors.append(
                    entry.doc.diagnostic(
                        loc, f"'replaces': '{old_id}' is already replaced by {other}"
                    )
                )
            else:
                claimed[kind, old_id] = entry
    return errors


def _parts_and_lists(kb: KnowledgeBase) -> list[Diagnostic]:
    """A rule's part and a negative's list must be ones its source names."""
    errors = []
    items: dict[tuple[str, int], Entry] = {}
    for entry in sorted(kb.entries.values(), key=lambda e: e.id):
        data = entry.data
        source = kb.entries.get(getattr(data, "source", None) or "")
        if source is None or source.kind.name != "source":
            continue
        if entry.kind.name == "rule":
            if data.part is not None and data.part not in source.data.parts:
                named = "、".join(source.data.parts) or "none"
                errors.append(
                    entry.doc.diagnostic(
                        ("part",),
                        f"'part': '{data.part}' is not one of the parts of {source.id} ({named})",
                    )
                )
            if data.item is not None:
                other = items.setdefault((source.id, data.item), entry)
                if other is not entry:
                    errors.append(
                        entry.doc.diagnostic(
                            ("item",), f"'item': {source.id} item {data.item} is also {other.id}"
                        )
                    )
        elif entry.kind.name == "negative":
            names = [*source.data.lists, source.data.title]
            if data.list not in names:
                errors.append(
                    entry.doc.diagnostic(
                        ("list",),
                        f"'list': {source.id} defines no list '{data.list}' "
                        f"(its 'lists' or its title: {'、'.join(names)})",
                    )
                )
    return errors


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
