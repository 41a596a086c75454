"""The one table from entry kind to folder, schema, template and label."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import schema


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str  # relative to the project root
    model: type[BaseModel]
    template: str
    label: str  # 中文名 shown on the site
    url_dir: str  # folder of its pages on the site
    title: Callable[[Any], str]


def _rule_title(data: schema.Rule) -> str:
    return data.title or data.article


KINDS: tuple[Kind, ...] = (
    Kind(
        "source",
        "content/sources",
        schema.Source,
        "source.md.j2",
        "来源文件",
        "sources",
        lambda d: d.title,
    ),
    Kind("rule", "content/rules", schema.Rule, "rule.md.j2", "条款", "rules", _rule_title),
    Kind(
        "negative",
        "content/negatives",
        schema.Negative,
        "negative.md.j2",
        "负面清单",
        "negatives",
        lambda d: d.item,
    ),
    Kind(
        "problem",
        "content/problems",
        schema.Problem,
        "problem.md.j2",
        "问题类型",
        "problems",
        lambda d: d.title,
    ),
    Kind(
        "remedy",
        "content/remedies",
        schema.Remedy,
        "remedy.md.j2",
        "对策措施",
        "remedies",
        lambda d: d.title,
    ),
    Kind("case", "cases", schema.Case, "case.md.j2", "案例", "cases", lambda d: d.title),
    Kind(
        "compilation",
        "content/compilations",
        schema.Compilation,
        "compilation.md.j2",
        "汇编",
        "compilations",
        lambda d: d.title,
    ),
    Kind(
        "study",
        "content/study",
        schema.Study,
        "study.md.j2",
        "学习材料",
        "study",
        lambda d: d.title,
    ),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}

# Page names the site uses inside each kind's folder; an entry id may not take them.
RESERVED_IDS = frozenset({"index", "by-region", "by-year", "by-level", "search", "assets", "draft"})
