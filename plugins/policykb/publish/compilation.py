"""Compilations (汇编): resolve each edition's cases, check them, assemble the document."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from .. import urls
from ..diagnostics import Diagnostic
from ..linker import KnowledgeBase
from ..loader import Entry
from ..schema import LEVELS
from .blocks import EntryBlocks, region_key, region_label
from .document import Block, Contents, Document, Download, Heading, Paragraph, Text
from .selection import date_order, descendants, select
from .writers import WRITERS

NUMERALS = "一二三四五六七八九十"
NEW_BADGE = "本期新增"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (group numbers: 一、二、…)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


@dataclass
class Group:
    key: str
    label: str
    cases: list[Entry]


@dataclass
class Edition:
    entry: Entry
    groups: list[Group]
    previous: Edition | None = None
    new: set[str] = field(default_factory=set)  # ids not in the previous edition

    @property
    def cases(self) -> list[Entry]:
        return [c for g in self.groups for c in g.cases]

    @property
    def kept(self) -> int:
        return len(self.cases) - len(self.new)


@dataclass
class Editions:
    """Every edition of the knowledge base, resolved once; errors and warnings found on the way."""

    by_id: dict[str, Edition]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]

    def containing(self, case: Entry) -> list[Edition]:
        """The editions that carry ``case``, newest first."""
        return self._by_case.get(case.id, [])

    @cached_property
    def _by_case(self) -> dict[str, list[Edition]]:
        found: dict[str, list[Edition]] = defaultdict(list)
        for edition in self.newest_first():
            for case in edition.cases:
                found[case.id].append(edition)
        return found

    def newest_first(self) -> list[Edition]:
        return sorted(
            self.by_id.values(), key=lambda e: (e.entry.data.date, e.entry.id), reverse=True
        )


def resolve(kb: KnowledgeBase) -> Editions:
    editions: dict[str, Edition] = {}
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    labels: dict[str, Entry] = {}
    for entry in sorted(kb.of_kind("compilation"), key=lambda e: e.id):
        data = entry.data
        diag = entry.doc.diagnostic
        if data.edition in labels:
            other = labels[data.edition]
            errors.append(
                diag(("edition",), f"edition '{data.edition}' is also the edition of {other.path}")
            )
        labels.setdefault(data.edition, entry)
        selection = select(kb, data.select)
        picked = {c.id for c in selection.cases}
        if not selection.cases:
            errors.append(diag(("select",), "'select' matches no case", key=True))
        for case, bound in selection.straddling:
            value = data.select.from_ if bound == "from" else data.select.to
            warnings.append(
                diag(
                    ("select", bound),
                    f"case '{case.id}' (dated {case.data.date}) straddles '{bound}: {value}' "
                    "and is left out",
                )
            )
        if isinstance(data.order, list):
            for i, case_id in enumerate(data.order):
                if case_id in kb.entries and case_id not in picked:
                    errors.append(
                        diag(
                            ("order", i), f"'order' lists '{case_id}', which 'select' does not pick"
                        )
                    )
        if data.frozen is not None:
            cases = [kb.get(i) for i in data.frozen if kb.entries.get(i, entry).kind.name == "case"]
            order: list[str] | None = list(data.frozen)
        else:
            cases = selection.cases
            order = data.order if isinstance(data.order, list) else None
        editions[entry.id] = Edition(entry, _groups(kb, entry, cases, order))
    errors.extend(_link_previous(kb, editions))
    return Editions(editions, errors, warnings)


def _groups(kb: KnowledgeBase, entry: Entry, cases: list[Entry], order: list[str] | None):
    data = entry.data
    if order is not None:
        position = {case_id: i for i, case_id in enumerate(order)}
        cases = sorted(cases, key=lambda c: (position.get(c.id, len(position)), date_order(c)))
    elif data.order == "region":
        cases = sorted(cases, key=lambda c: (region_label(c.data.region), date_order(c)))
    if data.group_by == "none":
        return [Group("", "", cases)]
    members: dict[str, list[Entry]] = defaultdict(list)
    labels: dict[str, str] = {}
    if data.group_by == "problem":
        keys = _problem_keys(kb, entry)
        owner = {p: key for key in keys for p in sorted(descendants(kb, [key]))}
        for case in cases:
            key = next((owner[p] for p in case.data.problems if p in owner), "")
            members[key].append(case)
        labels = {k: kb.get(k).title for k in keys}
        if entry.data.select.problems:  # the publisher's own order
            ranked = [k for k in keys if k in members]
        else:  # the largest groups first
            ranked = sorted(
                (k for k in keys if k in members), key=lambda k: (-len(members[k]), labels[k])
            )
    elif data.group_by == "region":
        for case in cases:
            # the broadest place; an unnamed one (某市) only with cases of its own piece
            members[region_key(kb, case)[0]].append(case)
        counts = Counter({k: len(v) for k, v in members.items()})
        ranked = sorted(members, key=lambda k: (-counts[k], k))
        labels = {k: k for k in ranked}
    else:
        for case in cases:
            members[case.data.level or ""].append(case)
        ranked = [lv for lv in (*LEVELS, "") if lv in members]
        labels = {lv: lv for lv in LEVELS}
    if "" in members and "" not in ranked:
        ranked.append("")
    labels[""] = "其他"
    return [Group(k, labels[k], members[k]) for k in ranked]


def _problem_keys(kb: KnowledgeBase, entry: Entry) -> list[str]:
    """The problems an edition groups by: those its select names, else every top-level one."""
    if entry.data.select.problems:
        return list(entry.data.select.problems)
    return [p.id for p in kb.of_kind("problem") if not p.data.parent]


def _link_previous(kb: KnowledgeBase, editions: dict[str, Edition]) -> list[Diagnostic]:
    errors = []
    for edition in editions.values():
        previous_id = edition.entry.data.previous
        if previous_id in editions:
            edition.previous = editions[previous_id]
            before = {c.id for c in edition.previous.cases}
            edition.new = {c.id for c in edition.cases if c.id not in before}
        seen = [edition.entry.id]
        current = edition.entry
        while current.data.previous in editions:
            current = editions[current.data.previous].entry
            if current.id in seen:
                chain = " → ".join([*seen, current.id])
                errors.append(
                    edition.entry.doc.diagnostic(
                        ("previous",), f"'previous' makes a cycle: {chain}"
                    )
                )
                break
            seen.append(current.id)
    return errors


def document(kb: KnowledgeBase, edition: Edition, *, downloads: tuple[str, ...] = ()) -> Document:
    """The edition as a document: 编者按, 与上期相比, 目录, then numbered groups and cases."""
    data = edition.entry.data
    blocks_of = EntryBlocks(kb)
    blocks: list[Block] = []
    if data.preface:
        blocks.append(Heading(1, "编者按", anchor="preface"))
        blocks.extend(blocks_of.md(data.preface))
    if edition.previous is not None:
        blocks.append(
            Paragraph(
                (Text(f"与上期相比：新增 {len(edition.new)} 个，保留 {edition.kept} 个"),),
                role="lead",
            )
        )
    blocks.append(Contents())
    grouped = data.group_by != "none"
    number = 0
    for g, group in enumerate(edition.groups, start=1):
        if grouped:
            blocks.append(Heading(1, group.label, number=chinese_number(g) + "、", anchor=f"g{g}"))
        for case in group.cases:
            number += 1
            badges = (NEW_BADGE,) if case.id in edition.new else ()
            level = 2 if grouped else 1
            blocks.append(Heading(level, case.title, f"{number}.", case.id, badges))
            blocks.extend(blocks_of.of(case))
    stem = urls.page_path(edition.entry)[: -len(".md")]
    files = [Download(WRITERS[f].label, stem + WRITERS[f].extension) for f in downloads]
    return Document(
        title=data.title,
        subtitle=data.edition,
        issuer=data.issuer or "",
        date=data.date,
        blocks=blocks,
        downloads=files,
    )
