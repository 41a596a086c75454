"""Study packs (学习材料): check them, resolve their reading lists, assemble handout, quiz, key."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import urls
from ..diagnostics import Diagnostic
from ..linker import KnowledgeBase
from ..loader import Entry
from ..schema import QUIZ_TYPE_LABELS, QuizItem
from .blocks import EntryBlocks, link
from .compilation import chinese_number
from .document import (
    FALSE,
    TRUE,
    Block,
    Document,
    Download,
    Heading,
    ListBlock,
    Paragraph,
    Question,
    Text,
)
from .selection import select
from .writers import WRITERS

# The site pages of a pack besides its handout (the entry's own page).
QUIZ, KEY = "quiz", "key"


def normalise(answer: str) -> str:
    """How a fill-in answer is compared: Unicode NFKC, runs of whitespace as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", answer)).strip()


@dataclass
class Section:
    heading: str
    notes: str | None
    entries: list[Entry]


@dataclass
class Pack:
    entry: Entry
    sections: list[Section]

    @property
    def published(self) -> bool:
        return not self.entry.data.draft

    @property
    def public_key(self) -> bool:
        return self.entry.data.answer_key == "public"


@dataclass
class Packs:
    by_id: dict[str, Pack]
    errors: list[Diagnostic]

    def published(self) -> list[Pack]:
        return [p for p in self.by_id.values() if p.published]


def resolve(kb: KnowledgeBase) -> Packs:
    packs: dict[str, Pack] = {}
    errors: list[Diagnostic] = []
    for entry in sorted(kb.of_kind("study"), key=lambda e: e.id):
        sections = []
        for i, section in enumerate(entry.data.sections):
            found = [kb.get(x) for x in section.entries if x in kb.entries]
            if section.select is not None:
                picked = select(kb, section.select).cases
                if not picked:
                    errors.append(
                        entry.doc.diagnostic(
                            ("sections", i, "select"), "'select' matches no case", key=True
                        )
                    )
                found += [c for c in picked if c not in found]
            sections.append(Section(section.heading, section.notes, found))
        errors.extend(_check_quiz(entry))
        packs[entry.id] = Pack(entry, sections)
    return Packs(packs, errors)


def _check_quiz(entry: Entry) -> list[Diagnostic]:
    errors = []
    seen: dict[str, int] = {}
    for n, item in enumerate(entry.data.quiz):
        where = ("quiz", n)

        def error(message: str, field: str = "answer", where=where) -> None:
            errors.append(entry.doc.diagnostic((*where, field), message))

        answer = item.answer
        label = QUIZ_TYPE_LABELS[item.type]
        if item.type in {"single", "multiple"} and len(item.options) < 2:
            error(f"a {item.type} item ({label}) needs at least two 'options'", "type")
        if item.type == "single":
            if isinstance(answer, list):
                if len(answer) > 1:
                    error("a single-choice item has one answer; use type: multiple for several")
                answer = answer[0] if answer else ""
            if isinstance(answer, bool) or answer not in item.options:
                error(f"answer {_shown(answer)} is not one of the options")
        elif item.type == "multiple":
            answers = answer if isinstance(answer, list) else [answer]
            for i, value in enumerate(answers):
                if isinstance(value, bool) or value not in item.options:
                    at = (*where, "answer", i) if isinstance(answer, list) else (*where, "answer")
                    errors.append(
                        entry.doc.diagnostic(
                            at, f"answer {_shown(value)} is not one of the options"
                        )
                    )
        elif item.type == "truefalse":
            if not isinstance(answer, bool):
                error(f"a truefalse answer is true or false, got {_shown(answer)}")
        elif item.type == "fill":
            if isinstance(answer, bool) or (isinstance(answer, list) and not answer):
                error("a fill-in answer is the text (or a list of texts) that fills the blank")
            if "____" not in item.question:
                error("a fill-in question marks its blank with ____", "question")
        key = normalise(item.question)
        if key in seen:
            error(f"the same question as quiz item {seen[key] + 1}", "question")
        seen.setdefault(key, n)
    return errors


def _shown(value: object) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def accepted(item: QuizItem) -> tuple[str, ...]:
    """The item's right answers as the page compares them."""
    if item.type == "truefalse":
        return (TRUE if item.answer else FALSE,)
    values = item.answer if isinstance(item.answer, list) else [item.answer]
    if item.type == "fill":
        return tuple(normalise(str(v)) for v in values)
    return tuple(str(v) for v in values)


# documents -------------------------------------------------------------------------------


def page_path(pack: Pack, page: str) -> str:
    """study/<id>/quiz.md, study/<id>/key.md: beside the handout, never clashing with an id."""
    return f"{urls.page_path(pack.entry)[: -len('.md')]}/{page}.md"


def file_stem(pack: Pack, page: str) -> str:
    return f"{urls.page_path(pack.entry)[: -len('.md')]}/{page}"


def handout(kb: KnowledgeBase, pack: Pack, *, downloads: tuple[str, ...] = ()) -> Document:
    """学员讲义: objectives, the reading list with each entry's own block, discussion, the quiz."""
    data = pack.entry.data
    blocks_of = EntryBlocks(kb)
    blocks: list[Block] = []
    facts = [
        f"对象：{data.audience}" if data.audience else "",
        f"时长：{data.duration} 分钟" if data.duration else "",
    ]
    if any(facts):
        blocks.append(Paragraph((Text("　".join(f for f in facts if f)),), role="meta"))
    if data.objectives:
        blocks.append(Heading(1, "学习目标", anchor="objectives"))
        blocks.append(ListBlock(tuple((Text(o),) for o in data.objectives), ordered=True))
    number = 0
    for s, section in enumerate(pack.sections, start=1):
        blocks.append(Heading(1, section.heading, number=chinese_number(s) + "、", anchor=f"s{s}"))
        blocks.extend(blocks_of.md(section.notes))
        for entry in section.entries:
            number += 1
            blocks.append(Heading(2, entry.title, f"{number}.", entry.id))
            blocks.extend(blocks_of.of(entry))
    if data.discussion:
        blocks.append(Heading(1, "讨论题", anchor="discussion"))
        blocks.append(ListBlock(tuple((Text(q),) for q in data.discussion), ordered=True))
    if data.quiz:
        blocks.append(Heading(1, "测验", anchor="quiz"))
        blocks.extend(questions(kb, pack, reveal=False))
    files = []
    for name, show in (("handout", True), (KEY, pack.public_key)):
        if show:
            files += [
                Download(
                    f"{'学员讲义' if name == 'handout' else '答案'} {WRITERS[f].label}",
                    file_stem(pack, name) + WRITERS[f].extension,
                )
                for f in downloads
            ]
    return Document(data.title, blocks, subtitle="学员讲义", downloads=files, print_addresses=True)


def quiz(kb: KnowledgeBase, pack: Pack) -> Document:
    """The quiz page: answered and scored in the browser, with no server."""
    intro = (
        "作答后点击“提交”查看得分；每题随后显示正确答案、解析和所考查的条款。"
        if pack.public_key
        else "本测验的答案由培训教师掌握：提交后不显示得分，请将作答情况交给教师。"
    )
    blocks: list[Block] = [
        Paragraph((Text("返回"), link(pack.entry, "学员讲义"), Text("。" + intro)), role="lead"),
        *questions(kb, pack, reveal=False, scored=pack.public_key),
    ]
    return Document(f"{pack.entry.data.title}：测验", blocks)


def key(kb: KnowledgeBase, pack: Pack) -> Document:
    """答案: every item with its answer, its explanation and the rules or cases it tests."""
    blocks: list[Block] = [
        Paragraph((Text("供培训教师使用。"), link(pack.entry, "学员讲义")), role="lead")
    ]
    blocks += questions(kb, pack, reveal=True)
    return Document(pack.entry.data.title, blocks, subtitle="答案", print_addresses=True)


def questions(
    kb: KnowledgeBase, pack: Pack, *, reveal: bool, scored: bool = False
) -> list[Question]:
    blocks_of = EntryBlocks(kb)
    out = []
    for n, item in enumerate(pack.entry.data.quiz, start=1):
        with_answers = reveal or scored
        out.append(
            Question(
                number=n,
                type=item.type,
                prompt=item.question,
                options=tuple(item.options),
                answers=accepted(item) if with_answers else (),
                reveal=reveal,
                explanation=tuple(blocks_of.md(item.explanation)) if with_answers else (),
                refs=tuple(link(kb.get(r)) for r in item.refs) if with_answers else (),
            )
        )
    return out
