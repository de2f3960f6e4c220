"""How tags look and how marks add up: shared by every screen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from rich.text import Text

from annotations.model import Annotation, Section, Tag
from tui.i18n import _

# each tag differs by an attribute as well as a colour: NO_COLOR and monochrome tell them apart
TAG_STYLES = {
    Tag.ACHIEVEMENT: Style(bold=True, color="#5fd75f"),
    Tag.SHORTCOMING: Style(underline=True, color="#ff6f6f"),
    Tag.PLAN: Style(italic=True, color="#6fb6ff"),
}
# a suggestion is its tag's style faded and double-underlined: the second line tells it
# from a confirmed mark where colours are off (NO_COLOR, monochrome)
GHOST_STYLES = {tag: style + Style(dim=True, underline2=True) for tag, style in TAG_STYLES.items()}
# a colleague's mark: a line over it and a tinted ground on top of the tag's own style
OTHERS_STYLE = Style(overline=True, bgcolor="#303048")
TAG_BAR_CHARS = {Tag.ACHIEVEMENT: "█", Tag.SHORTCOMING: "▓", Tag.PLAN: "░"}
TAG_KEYS = {Tag.ACHIEVEMENT: "a", Tag.SHORTCOMING: "s", Tag.PLAN: "p"}


def tag_label(tag: Tag) -> str:
    """The tag's name in the interface language."""
    return _(tag.value.capitalize())


def mark_style(tag: Tag, mine: bool) -> Style:
    """How a mark of `tag` is drawn: the reviewer's own, or a colleague's (read-only)."""
    return TAG_STYLES[tag] if mine else TAG_STYLES[tag] + OTHERS_STYLE


def live_marks(marks: Iterable[Annotation]) -> list[Annotation]:
    """The marks placed in the current text (no orphans, no deleted ones), by position."""
    return sorted((m for m in marks if not m.orphan and not m.deleted),
                  key=lambda m: (m.start, m.end, m.id))


def counts_bar(counts: dict[Tag, int], width: int = 10) -> Text:
    """A stacked bar of the tag counts, one glyph per tag, `width` cells at most."""
    total = sum(counts.values())
    bar = Text(no_wrap=True, end="")
    if total == 0:
        return bar
    for tag in Tag:
        cells = round(width * counts[tag] / total) if counts[tag] else 0
        if counts[tag] and cells == 0:
            cells = 1
        bar.append(TAG_BAR_CHARS[tag] * cells, style=Style(color=TAG_STYLES[tag].color))
    return bar


def counts_text(counts: dict[Tag, int]) -> Text:
    """`成效 3 不足 1 计划 0` with each tag in its own style."""
    out = Text(no_wrap=True, end="")
    for tag in Tag:
        if out:
            out.append(" ")
        out.append(f"{tag_label(tag)} {counts[tag]}", style=TAG_STYLES[tag])
    return out


def section_title_path(sections: Sequence[Section]) -> str:
    """`一、… › （二）…`: a chain of section titles."""
    return " › ".join(s.title for s in sections)
