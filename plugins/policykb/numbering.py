"""How a regulation's parts and items are named: 一、切实精简文件 · 1. 严控文件数量.

Readers ask for 第1条, 第一条, 第1项 or 第一部分 alike; the labels here are what pages
show and what the search index adds, so every form finds the same item.
"""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_PART_NUMERAL = re.compile(r"^([一二三四五六七八九十]+)[、.．]")


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (the forms Chinese documents number with)."""
    if n < 0:
        raise ValueError(f"no Chinese numeral for {n}")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + _DIGITS[rest]
    elif rest < 20:
        tail = "一" + chinese_numeral(rest)
    else:
        tail = chinese_numeral(rest)
    return _DIGITS[hundreds] + "百" + tail


def part_number(part: str) -> str | None:
    """The numeral a part's name starts with: 一、切实精简文件 → 一."""
    m = _PART_NUMERAL.match(part)
    return m.group(1) if m else None


def item_heading(item: int | None, title: str) -> str:
    return f"{item}. {title}" if item else title


def rule_heading(part: str | None, item: int | None, title: str) -> str:
    """一、切实精简文件 · 1. 严控文件数量"""
    return " · ".join(filter(None, (part, item_heading(item, title))))


def search_labels(part: str | None, item: int | None, part_index: int | None = None) -> list[str]:
    """Every way a reader names this item and its part: 第1条, 第一条, 第1项, 第一部分 …

    ``part_index`` is the part's 1-based place among its source's parts.
    """
    labels: list[str] = []
    if item:
        for n in (str(item), chinese_numeral(item)):
            labels += [f"第{n}条", f"第{n}项"]
    numerals = {part_number(part)} if part else set()
    if part_index:
        numerals |= {str(part_index), chinese_numeral(part_index)}
    labels += [f"第{n}部分" for n in sorted(numerals - {None})]
    return labels
