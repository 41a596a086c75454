"""Authors' Markdown fields as document blocks: parsed once a process, never stale."""

from __future__ import annotations

from policykb.publish import markdown
from policykb.publish.document import Link, Paragraph


def links_in(blocks) -> list[Link]:
    return [i for b in blocks if isinstance(b, Paragraph) for i in b.inlines if isinstance(i, Link)]


def test_a_field_parsed_again_shows_its_links_as_they_resolve_now():
    text = "见 [[kaohe-qianfenzhi]] 的规定。"
    titles = {"kaohe-qianfenzhi": "考核千分制"}
    asked: list[str] = []

    def resolve(entry_id: str) -> Link:
        asked.append(entry_id)
        return Link(titles[entry_id], f"rules/{entry_id}.md")

    first = markdown.blocks(text, resolve)
    assert [link.text for link in links_in(first)] == ["考核千分制"]
    assert markdown.blocks(text, resolve) == first  # kept: the same link
    titles["kaohe-qianfenzhi"] = "不搞千分制"  # the rule's title changed
    assert [link.text for link in links_in(markdown.blocks(text, resolve))] == ["不搞千分制"]
    assert asked == ["kaohe-qianfenzhi"] * 4  # every use asks: a kept field is checked


def test_kept_blocks_are_not_shared_lists():
    made = markdown.blocks("一段。\n\n二段。", lambda i: Link(i, i))
    made.append("changed by a caller")
    assert len(markdown.blocks("一段。\n\n二段。", lambda i: Link(i, i))) == 2
