"""How tags look and how marks add up: shared by every screen."""

from __future__ import annotations

import re
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


# the shapes of the store's change summaries (annotations/workspace.py, annotations/store.py)
_HISTORY_STEP = re.compile(r"(undid|redid): (.*?)"
                           r"(?: \((\d+) mark\(s\) left alone: changed since by someone else\))?")
_CHANGE_SHAPES = (  # in the order of the messages in `change_message`
    re.compile(r"add (?P<tag>achievement|shortcoming|plan) mark «(?P<quote>.*)»"),
    re.compile(r"add (?P<count>\d+) marks"),
    re.compile(r"edit mark «(?P<quote>.*)»"),
    re.compile(r"delete mark «(?P<quote>.*)»"),
    re.compile(r"delete (?P<count>\d+) marks"),
    re.compile(r"retag mark «(?P<quote>.*)» as (?P<tag>achievement|shortcoming|plan)"),
    re.compile(r"extend mark «(?P<quote>.*)»"),
    re.compile(r"join (?P<count>\d+) marks into «(?P<quote>.*)»"),
    re.compile(r"take over (?P<reviewer>.*)'s mark «(?P<quote>.*)»"),
    re.compile(r"re-anchor (?P<count>\d+) marks of (?P<title>.*)"),
    re.compile(r"merge (?P<name>.*)"),
    re.compile(r"follow-through of «(?P<quote>.*)»"),
    re.compile(r"correct (?P<fields>[a-z, ]+) of «(?P<title>.*)»"),
    re.compile(r"remove report «(?P<title>.*)»"),
    re.compile(r"remove (?P<count>\d+) reports"),
    re.compile(r"restore report «(?P<title>.*)»"),
    re.compile(r"restore (?P<count>\d+) reports"),
)


def change_message(summary: str) -> str:
    """A change summary of the store in the interface language; quotes, titles and file
    names are kept verbatim, and a summary of an unknown shape is returned as it is."""
    messages = (_("add {tag} mark «{quote}»"), _("add {count} marks"), _("edit mark «{quote}»"),
                _("delete mark «{quote}»"), _("delete {count} marks"),
                _("retag mark «{quote}» as {tag}"), _("extend mark «{quote}»"),
                _("join {count} marks into «{quote}»"), _("take over {reviewer}'s mark «{quote}»"),
                _("re-anchor {count} marks of {title}"),
                _("merge {name}"), _("follow-through of «{quote}»"),
                _("correct the {fields} of «{title}»"), _("remove report «{title}»"),
                _("remove {count} reports"), _("restore report «{title}»"),
                _("restore {count} reports"))
    for pattern, message in zip(_CHANGE_SHAPES, messages, strict=True):
        found = pattern.fullmatch(summary)
        if found is not None:
            fields = found.groupdict()
            if "tag" in fields:
                fields["tag"] = tag_label(Tag(fields["tag"]))
            return message.format(**fields)
    return summary


def history_message(summary: str) -> str:
    """What undo or redo says it did (`undid: add plan mark «…»`), in the interface language."""
    found = _HISTORY_STEP.fullmatch(summary)
    if found is None:
        return summary
    verb, change, skipped = found.groups()
    text = (_("undid: {change}") if verb == "undid" else _("redid: {change}")).format(
        change=change_message(change))
    if skipped is not None:
        text += _(" ({count} mark(s) left alone: changed since by someone else)").format(
            count=skipped)
    return text
