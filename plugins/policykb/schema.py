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
Markdown = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), MARKDOWN]
PartialDate = Annotated[str, BeforeValidator(_partial_date)]

SourceId = Annotated[str, Ref("source")]
RuleId = Annotated[str, Ref("rule")]
ProblemId = Annotated[str, Ref("problem")]
RemedyId = Annotated[str, Ref("remedy")]

Level = Literal["中央", "省级", "市级", "县级", "乡镇街道", "村社区"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
DocType = Literal[
    "党内法规", "规范性文件", "通报", "讲话", "工作总结", "简报汇编", "新闻报道", "评论"
]
RuleStatus = Literal["现行", "已修订", "已废止"]
CaseKind = Literal["practice", "problem-case"]
CASE_KIND_LABELS = {"practice": "经验做法", "problem-case": "典型问题"}


class EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(EntryModel):
    title: Text
    issuer: Text
    date: PartialDate
    doctype: DocType
    level: Level | None = None
    url: WebAddress | None = None
    note: Markdown | None = None


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


class Negative(EntryModel):
    list: Text
    item: Text
    problems: list[ProblemId] = Field(min_length=1)
    source: SourceId | None = None
    source_section: Text | None = None
    rules: list[RuleId] = Field(default_factory=list)
    issuer: Text | None = None
    region: Text | None = None


class Problem(EntryModel):
    title: Text
    description: Markdown
    aliases: list[Text] = Field(default_factory=list)
    parent: ProblemId | None = None
    signs: list[Text] = Field(default_factory=list)
    sources: list[SourceId] = Field(default_factory=list)


class Remedy(EntryModel):
    title: Text
    description: Markdown
    problems: list[ProblemId] = Field(min_length=1)
    aliases: list[Text] = Field(default_factory=list)
    rules: list[RuleId] = Field(default_factory=list)
    sources: list[SourceId] = Field(default_factory=list)


class Figure(EntryModel):
    """A number a report quotes: 压减 22%, 近 30%, 800 余次."""

    label: Text
    value: int | float
    unit: str = ""  # what follows the number: 项, %, 余次, %以上
    prefix: str = ""  # what precedes it: 近, 约, 超过, 不到


class Case(EntryModel):
    title: Text
    kind: CaseKind
    date: PartialDate
    region: Text
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
