"""What an entry's page is made of: its entry, and the knowledge base as its template asks.

An entry page's template reads its own entry and whatever it asks the knowledge base (the
entries linked to and from it, in an order; the editions carrying it; where an index group
begins …) and nothing else. While it renders, ``Recorder`` stands in for the knowledge base
and notes every question; ``digest`` hashes the answers and every entry in them (each by
its file's key). The next build asks the recorded questions again (lookups, not rendering):
the same digest is the same page, whose kept source is used (see ``Renderer.entry_page``).
A question this module does not know is an AttributeError, never an unrecorded read.

After an edit under `build.py serve` even asking again is mostly needless: ``Reach`` tells
which recorded questions the edited entries can change the answer of, and a page none of
whose questions it reaches keeps the inputs it was checked with (``Checked``) without asking.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .linker import KnowledgeBase
from .loader import Entry

Question = tuple[str, tuple[Any, ...]]  # (what is asked, its arguments as ids)


class Missing(Exception):
    """A question names an entry the knowledge base no longer has."""


class Recorder:
    """The knowledge base as an entry page's template and blocks see it, taking notes."""

    def __init__(self, kb: KnowledgeBase, **questions: Callable[..., Any]):
        self.kb = kb
        self.editions = _Editions(self)
        self.functions: dict[str, Callable[..., Any]] = {
            "get": kb.get,
            "outgoing": kb.outgoing,
            "incoming": kb.incoming,
            "cases": kb.cases,
            "children": kb.children,
            "in_rule_order": kb.in_rule_order,
            "editions.containing": lambda case: kb.editions.containing(case),
            **questions,  # the renderer's own (a negative's list, an index's pages)
        }
        self.start()

    def start(self) -> None:
        """Notes afresh: the questions of the page about to render."""
        self.asked: list[Question] = []
        self._parts: list[str] = []

    def digest(self) -> str:
        """``digest`` of the questions asked since ``start``, from the answers given."""
        return _hash(self._parts)

    def ask(self, name: str, *args: Any) -> Any:
        ids = tuple(_as_ids(a) for a in args)
        answer = self.functions[name](*args)
        self.asked.append((name, ids))
        _note(self.kb, name, ids, answer, self._parts)
        return answer

    def get(self, entry_id: str) -> Entry:
        return self.ask("get", entry_id)

    def outgoing(self, entry: Entry, field_name: str | None = None) -> list[Entry]:
        return self.ask("outgoing", entry, field_name)

    def incoming(
        self, entry: Entry, kind: str | None = None, field_name: str | None = None
    ) -> list[Entry]:
        return self.ask("incoming", entry, kind, field_name)

    def cases(self, entry: Entry, case_kind: str | None = None) -> list[Entry]:
        return self.ask("cases", entry, case_kind)

    def children(self, problem: Entry) -> list[Entry]:
        return self.ask("children", problem)

    def in_rule_order(self, entries: list[Entry]) -> list[Entry]:
        return self.ask("in_rule_order", entries)


class _Editions:
    def __init__(self, recorder: Recorder):
        self.recorder = recorder

    def containing(self, case: Entry) -> list[Any]:
        return self.recorder.ask("editions.containing", case)


@dataclass(frozen=True)
class Checked:
    """Every page's inputs (its item → ``digest``) as they were checked against ``kb``: by
    a build, or by an edit's pass over every page."""

    kb: KnowledgeBase
    inputs: dict[str, str]


class Reach:
    """What an edit from ``before`` to ``after`` can change: the answer to a question about
    an entry it touched (changed, added or removed), or about an entry linking to or from
    one, before or after (its links, its cases, its children); a question about a whole
    kind (a negative's list, where an index group begins) when an entry of that kind was
    touched; an edition's cases when a case it is asked for, an edition or a problem was
    (an edition selects by problem); rule order when a rule it orders or any source was.
    A question not named here is always reached."""

    def __init__(self, before: KnowledgeBase, after: KnowledgeBase):
        old, new = before.entries, after.entries
        self.touched = {
            i
            for i in old.keys() | new.keys()
            if i not in old or i not in new or not new[i].key or new[i].key != old[i].key
        }
        self.kinds: set[str] = set()
        self.near = set(self.touched)  # the touched and the entries linking to or from them
        for kb in (before, after):
            for entry_id in self.touched:
                entry = kb.entries.get(entry_id)
                if entry is not None:
                    self.kinds.add(entry.kind.name)
                    self.near.update(e.id for e in kb.outgoing(entry))
                    self.near.update(e.id for e in kb.incoming(entry))

    def reaches(self, questions: Iterable[Question]) -> bool:
        return any(self._reaches(name, args) for name, args in questions)

    def _reaches(self, name: str, args: tuple[Any, ...]) -> bool:
        if name == "get":
            return args[0] in self.touched
        if name in ("outgoing", "incoming", "cases", "children"):
            return _id(args[0]) in self.near
        if name == "in_rule_order":  # rule_key reads each rule's source
            return "source" in self.kinds or any(_id(a) in self.touched for a in args[0])
        if name == "editions.containing":
            return bool(self.kinds & {"compilation", "problem"}) or _id(args[0]) in self.touched
        if name == "same_list":
            return "negative" in self.kinds or _id(args[0]) in self.touched
        if name == "index_page_of" and args[0] == "negative":  # grouped by list, of negatives
            return "negative" in self.kinds
        return True


def _id(value: Any) -> Any:
    """The id of an entry argument, as ``_as_ids`` wrote it."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "entry":
        return value[1]
    return value


def digest(kb: KnowledgeBase, questions: list[Question], functions: dict[str, Callable]) -> str:
    """A hash of the answers ``kb`` gives ``questions`` now, and of every entry they name
    (its key); raises ``Missing`` when a question names an entry ``kb`` no longer has."""
    parts: list[str] = []
    for name, args in questions:
        _note(kb, name, args, functions[name](*(_from_ids(kb, a) for a in args)), parts)
    return _hash(parts)


def describe(kb: KnowledgeBase, value: Any) -> str:
    """A hash of ``value`` (entries, plain values and lists of them), each entry by its
    file's key."""
    parts: list[str] = []
    _named(kb, value, parts)
    return _hash(parts)


def _note(kb: KnowledgeBase, name: str, args: tuple, answer: Any, parts: list[str]) -> None:
    parts.append(f"{name}{args!r}")
    _named(kb, args, parts)
    _named(kb, answer, parts)


def _hash(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _named(kb: KnowledgeBase, value: Any, parts: list[str]) -> None:
    """Appends what ``value`` (an argument as ids, or an answer) names, each entry with
    its file's key: a changed entry, a changed answer."""
    if isinstance(value, Entry):
        parts.append(f"{value.id}={value.key}")
    elif isinstance(value, list | tuple):
        if len(value) == 2 and value[0] == "entry" and isinstance(value[1], str):
            entry = kb.entries.get(value[1])
            if entry is None:
                raise Missing(value[1])
            parts.append(f"{entry.id}={entry.key}")
            return
        parts.append("[")
        for item in value:
            if isinstance(item, Entry):  # most answers are lists of entries: no call each
                parts.append(f"{item.id}={item.key}")
            else:
                _named(kb, item, parts)
        parts.append("]")
    elif value is None or isinstance(value, str | int | float | bool):
        parts.append(repr(value))
    elif isinstance(getattr(value, "entry", None), Entry):  # an edition
        parts.append(f"edition {value.entry.id}={value.entry.key}")
    else:
        raise TypeError(f"cannot record {type(value).__name__} in a page's inputs")


def _as_ids(value: Any) -> Any:
    """An argument or answer with entries (and editions, by their entry) as ids."""
    if isinstance(value, Entry):
        return ("entry", value.id)
    if isinstance(value, list | tuple):
        return tuple(_as_ids(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    entry = getattr(value, "entry", None)  # an edition
    if isinstance(entry, Entry):
        return ("edition", entry.id)
    raise TypeError(f"cannot record {type(value).__name__} in a page's inputs")


def _from_ids(kb: KnowledgeBase, value: Any) -> Any:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == "entry":
            if value[1] not in kb.entries:
                raise Missing(value[1])
            return kb.entries[value[1]]
        return [_from_ids(kb, v) for v in value]
    return value
