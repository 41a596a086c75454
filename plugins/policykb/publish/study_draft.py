"""`build.py study draft --problem ID`: a study pack drafted from a problem's hub, to edit.

What the knowledge base holds becomes the pack's reading list and quiz; what it lacks is
said in comments at the top of the file. The draft is `draft: true` and passes `check`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from ..linker import KnowledgeBase
from ..loader import Entry
from ..schema import LEVELS
from .blocks import number, region_label
from .selection import descendants

FOLDER = "content/study"


def _level_rank(kb: KnowledgeBase, rule: Entry) -> int:
    level = kb.get(rule.data.source).data.level
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _stable(items: list, salt: str) -> list:
    """A fixed shuffle: the same knowledge base drafts the same pack."""
    return sorted(items, key=lambda x: hashlib.sha256(f"{salt}:{x}".encode()).hexdigest())


def draft(kb: KnowledgeBase, problem_id: str) -> tuple[dict, list[str]]:
    """(the pack's fields, what the hub lacks)."""
    problem = kb.get(problem_id)
    family = descendants(kb, [problem_id])
    members = [kb.get(p) for p in sorted(family)]
    title = problem.data.title
    rules = sorted(
        {r.id: r for m in members for r in kb.incoming(m, "rule")}.values(),
        key=lambda r: (_level_rank(kb, r), r.id),
    )
    cases = {c.id: c for m in members for c in kb.cases(m)}.values()
    by_figures = sorted(cases, key=lambda c: (-len(c.data.figures), c.data.date, c.id))
    practices = [c for c in by_figures if c.data.kind == "practice"][:3]
    problem_cases = [c for c in by_figures if c.data.kind == "problem-case"][:1]
    negatives = sorted(
        {n.id: n for m in members for n in kb.incoming(m, "negative")}.values(), key=lambda n: n.id
    )[:3]
    missing = []
    if not rules:
        missing.append("该问题没有关联的规定条款：请补充“规定要求”一节的条款")
    if not practices:
        missing.append("该问题下没有经验做法：请补充“经验做法”一节")
    if not problem_cases:
        missing.append("该问题下没有典型问题：请补充“典型问题”一节")
    if not any(c.data.figures for c in practices + problem_cases):
        missing.append("所选案例没有数据（figures）：无法生成填空题")

    sections = []
    for heading, notes, entries in (
        ("规定要求", f"先读条款原文，再看通俗解读，弄清规定对{title}划出的红线。", rules[:4]),
        ("经验做法", "阅读时留意每项做法针对的具体问题、采取的办法和取得的成效。", practices),
        ("典型问题", "对照规定，分析问题的表现、成因和应当承担的责任。", problem_cases),
        ("负面清单", "以下做法列入负面清单，应当坚决杜绝。", negatives),
    ):
        if entries:
            sections.append(
                {"heading": heading, "notes": notes, "entries": [e.id for e in entries]}
            )
    if not sections:
        sections.append({"heading": "阅读材料", "notes": "待补充。", "entries": [problem.id]})

    signs = problem.data.signs[:2]
    objectives = [f"了解{title}的主要表现" + (f"：{'、'.join(signs)}" if signs else "")]
    if rules:
        sources = list(dict.fromkeys(kb.get(r.data.source).title for r in rules[:4]))
        objectives.append(f"掌握《{sources[0]}》等规定中针对{title}的要求")
    if practices:
        places = "、".join(dict.fromkeys(region_label(c.data.region) for c in practices))
        objectives.append(f"借鉴{places}等地的做法，对照查找本地区本单位的问题")

    discussion = [
        f"本单位在{title}方面有哪些表现？"
        + (f"对照“{signs[0]}”等典型表现逐一查找。" if signs else "")
    ]
    if practices:
        discussion.append(f"“{practices[0].title}”中，哪些做法可以在本地借鉴？需要什么条件？")
    if problem_cases:
        discussion.append(
            f"“{problem_cases[0].title}”暴露出什么问题？违反了哪些规定？应当如何整改？"
        )

    quiz = _quiz(kb, problem, rules, practices + problem_cases, negatives)
    pack = {
        "title": f"{title}专题学习",
        "audience": "基层干部、机关干部",
        "duration": 90,
        "objectives": objectives,
        "sections": sections,
        "discussion": discussion,
        "quiz": quiz,
        "draft": True,
        "answer_key": "public",
    }
    return pack, missing


def _quiz(kb, problem, rules, cases, negatives) -> list[dict]:
    items: list[dict] = []
    for case in cases:
        for f in case.data.figures:
            value = number(f.value)
            question = f"{region_label(case.data.region)}：{f.label}{f.prefix}____{f.unit}。"
            if value in f.label or len(items) >= 2:
                continue
            items.append(
                {
                    "type": "fill",
                    "question": question,
                    "answer": value,
                    "explanation": f"见 [[{case.id}]]。",
                    "refs": [case.id],
                }
            )
            break
    for rule in rules[:2]:
        source = kb.get(rule.data.source).title
        wording = f"规定：“{rule.data.text}”" if rule.data.verbatim else f"要求{rule.data.text}"
        items.append(
            {
                "type": "truefalse",
                "question": f"《{source}》{wording}",
                "answer": True,
                "explanation": f"见 [[{rule.id}]]。",
                "refs": [rule.id],
            }
        )
    for negative in negatives[:1]:
        items.append(
            {
                "type": "truefalse",
                "question": f"“{negative.data.item}”是允许的做法。",
                "answer": False,
                "explanation": f"该做法列入{negative.data.list}，属于禁止事项，"
                f"见 [[{negative.id}]]。",
                "refs": [negative.id],
            }
        )
    others = [r for r in kb.of_kind("rule") if r not in rules and r.data.text]
    for rule in rules[:1]:
        distractors = _stable([r.data.text for r in others], rule.id)[:3]
        if len(distractors) < 3:
            break
        options = _stable([rule.data.text, *distractors], "options:" + rule.id)
        items.append(
            {
                "type": "single",
                "question": f"下列哪一项是针对“{problem.data.title}”的规定？",
                "options": options,
                "answer": rule.data.text,
                "explanation": f"见 [[{rule.id}]]；其余选项出自针对其他问题的规定。",
                "refs": [rule.id],
            }
        )
    return items


def write(root: Path, pack_id: str, pack: dict, missing: list[str], problem_id: str) -> Path:
    path = root / FOLDER / f"{pack_id}.yaml"
    if path.exists():
        raise FileExistsError(f"{path.relative_to(root)} exists: give another --id")
    header = [
        f"# 学习材料草稿，由 build.py study draft --problem {problem_id} 生成。",
        "# 请逐项修改：测验题应考查理解，而不是字面记忆；改定后把 draft 改为 false 发布。",
    ]
    header += [f"# 待补充：{m}" for m in missing]
    body = yaml.safe_dump(pack, allow_unicode=True, sort_keys=False, width=1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    return path
