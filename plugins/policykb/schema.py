"""The fields of every entry kind, in one place.

Each kind is a pydantic model. Fields that name other entries carry ``Ref("kind")``
metadata and Markdown fields carry ``MARKDOWN``; the linker reads these markers, so a
new reference field needs no code outside this module.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


@dataclass(frozen=True)
class Ref:
    """Marks a field whose values are ids of entries of one of ``kinds``."""

    kinds: tuple[str, ...]

    def __init__(self, *kinds: str):
        object.__setattr__(self, "kinds", kinds)


@dataclass(frozen=True)
class MarkdownMarker:
    """Marks a Markdown field: ``[[id]]`` inside it links to that entry."""


MARKDOWN = MarkdownMarker()

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value: Any) -> Any:
    # YAML reads `2024` as a number; the author meant the year.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value  # the str type check reports it
    m = _DATE.match(value)
    if not m:
        raise ValueError(f"malformed date '{value}': use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    if month and not 1 <= int(month) <= 12:
        raise ValueError(f"malformed date '{value}': month {month} does not exist")
    if day and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        raise ValueError(f"malformed date '{value}': {year}-{month} has no day {day}")
    return value


def _web_address(value: Any) -> Any:
    # Written into the page as a link: only a web address, nothing a browser would run.
    if isinstance(value, str) and not _WEB_ADDRESS.match(value.strip()):
        raise ValueError(f"'{value}' is not a web address: use http://… or https://…")
    return value


_WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
WebAddress = Annotated[str, BeforeValidator(_web_address)]
# An id an entry used to have: ``old-id``, or ``kind:old-id`` when it was of another kind.
OldId = Annotated[str, StringConstraints(pattern=r"^(?:[a-z]+:)?[a-z0-9]+(?:-[a-z0-9]+)*$")]
ItemNumber = Annotated[int, Field(ge=1)]
# A place from broad to narrow: [湖北省, 咸宁市, 咸安区]; one name is a path of one.
Region = Text | Annotated[list[Text], Field(min_length=1)]

# Fields for the editors only: no page, search document or export ever shows them.
PRIVATE_FIELDS = frozenset({"editor_note"})


def region_path(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """A region field as a path from broad to narrow; ``()`` when there is none."""
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


Markdown = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), MARKDOWN]
PartialDate = Annotated[str, BeforeValidator(_partial_date)]

SourceId = Annotated[str, Ref("source")]
RuleId = Annotated[str, Ref("rule")]
ProblemId = Annotated[str, Ref("problem")]
RemedyId = Annotated[str, Ref("remedy")]
CaseId = Annotated[str, Ref("case")]
CompilationId = Annotated[str, Ref("compilation")]

Level = Literal["中央", "省级", "市级", "县级", "乡镇街道", "村社区"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
DocType = Literal[
    "党内法规", "规范性文件", "通报", "讲话", "工作总结", "简报汇编", "新闻报道", "评论"
]
RuleStatus = Literal["现行", "已修订", "已废止"]
CaseKind = Literal["practice", "problem-case"]
CASE_KIND_LABELS = {"practice": "经验做法", "problem-case": "典型问题"}


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EntryModel(StrictModel):
    """An entry kind's fields."""


# Ids an entry took over: each keeps a page at its old address pointing to it.
Replaces = Annotated[list[OldId], Field(default_factory=list)]


class Source(EntryModel):
    title: Text
    issuer: Text
    date: PartialDate
    doctype: DocType
    level: Level | None = None
    url: WebAddress | None = None
    doc_number: Text | None = None  # 文号: 国办函〔2026〕12号
    note: Markdown | None = None
    editor_note: Text | None = None
    date_inferred: bool = False
    parts: list[Text] = Field(default_factory=list)  # its parts in order: 一、切实精简文件
    lists: list[Text] = Field(default_factory=list)  # the negative lists it defines
    replaces: Replaces


class Figure(StrictModel):
    """A number a report quotes: 压减 22%, 近 30%, 800 余次."""

    label: Text
    value: int | float
    unit: str = ""  # what follows the number: 项, %, 余次, %以上
    prefix: str = ""  # what precedes it: 近, 约, 超过, 不到


class Rule(EntryModel):
    source: SourceId
    article: Text
    text: Text
    title: Text | None = None
    plain: Markdown | None = None
    verbatim: bool = True
    cited_in: list[SourceId] = Field(default_factory=list)
    problems: list[ProblemId] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)
    status: RuleStatus | None = None
    effective: PartialDate | None = None
    part: Text | None = None  # one of its source's parts
    item: ItemNumber | None = None  # numbered through the whole regulation
    figures: list[Figure] = Field(default_factory=list)  # its numeric limits: 5000 字
    replaces: Replaces


class Negative(EntryModel):
    list: Text
    item: Text
    problems: list[ProblemId] = Field(min_length=1)
    source: SourceId | None = None
    source_section: Text | None = None
    rules: list[RuleId] = Field(default_factory=list)
    issuer: Text | None = None
    region: Region | None = None
    replaces: Replaces


class Problem(EntryModel):
    title: Text
    description: Markdown
    aliases: list[Text] = Field(default_factory=list)
    parent: ProblemId | None = None
    signs: list[Text] = Field(default_factory=list)
    sources: list[SourceId] = Field(default_factory=list)
    replaces: Replaces


class Remedy(EntryModel):
    title: Text
    description: Markdown
    problems: list[ProblemId] = Field(min_length=1)
    aliases: list[Text] = Field(default_factory=list)
    rules: list[RuleId] = Field(default_factory=list)
    sources: list[SourceId] = Field(default_factory=list)
    replaces: Replaces


class Case(EntryModel):
    title: Text
    kind: CaseKind
    date: PartialDate
    region: Region
    summary: Markdown
    problems: list[ProblemId] = Field(min_length=1)
    source: SourceId
    source_section: Text | None = None
    level: Level | None = None
    body: Markdown | None = None
    figures: list[Figure] = Field(default_factory=list)
    remedies: list[RemedyId] = Field(default_factory=list)
    rules: list[RuleId] = Field(default_factory=list)
    tags: list[Text] = Field(default_factory=list)
    editor_note: Text | None = None
    date_inferred: bool = False
    replaces: Replaces


class Select(EntryModel):
    """Which cases a publication takes. Keys combine with AND, the values of one key with OR;
    the result is (matches ∪ ``ids``) − ``exclude``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    kinds: list[CaseKind] = Field(default_factory=list)
    from_: PartialDate | None = Field(default=None, alias="from")
    to: PartialDate | None = None
    problems: list[ProblemId] = Field(default_factory=list)  # sub-problems included
    regions: list[Text] = Field(default_factory=list)  # a region and everything inside it
    levels: list[Level] = Field(default_factory=list)
    tags: list[Text] = Field(default_factory=list)
    ids: list[CaseId] = Field(default_factory=list)
    exclude: list[CaseId] = Field(default_factory=list)


GroupBy = Literal["problem", "region", "level", "none"]
CaseOrder = Literal["date", "region"]


class Compilation(EntryModel):
    """An edition of a case compilation (汇编), e.g. 2025年第4期."""

    title: Text
    edition: Text
    date: PartialDate
    select: Select
    issuer: Text | None = None
    preface: Markdown | None = None
    group_by: GroupBy = "problem"
    order: CaseOrder | list[CaseId] = "date"
    previous: CompilationId | None = None
    # the resolved case ids, written by `build.py compile ID --freeze`: a released edition
    frozen: list[CaseId] | None = None


def _answer(value: Any) -> Any:
    # `answer: 8` for a fill-in is the text "8"; true/false stay booleans for truefalse
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return [_answer(v) for v in value]
    return value


AnyId = Annotated[str, Ref("source", "rule", "negative", "problem", "remedy", "case")]
QuizType = Literal["single", "multiple", "truefalse", "fill"]
QUIZ_TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "truefalse": "判断题",
    "fill": "填空题",
}


class QuizItem(EntryModel):
    """One question; ``____`` in the question is a blank. `check` holds the answer to its type."""

    type: QuizType
    question: Text
    answer: Annotated[Text | bool | list[Text], BeforeValidator(_answer)]
    options: list[Text] = Field(default_factory=list)
    explanation: Markdown | None = None
    refs: list[AnyId] = Field(default_factory=list)


class StudySection(EntryModel):
    heading: Text
    notes: Markdown | None = None
    entries: list[AnyId] = Field(default_factory=list)
    select: Select | None = None  # cases, with the same keys as a compilation's


class Study(EntryModel):
    """A study pack (学习材料): handout, quiz and answer key for one lesson."""

    title: Text
    sections: list[StudySection] = Field(min_length=1)
    audience: Text | None = None
    duration: int | None = None  # minutes
    objectives: list[Text] = Field(default_factory=list)
    discussion: list[Text] = Field(default_factory=list)
    quiz: list[QuizItem] = Field(default_factory=list)
    draft: bool = False  # checked, never published, until the trainer releases it
    answer_key: Literal["public", "private"] = "public"  # private: exported, never on the site
