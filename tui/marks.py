"""How tags look and how marks add up: shared by every screen."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.style import Style
from rich.text import Text

from annotations.model import Annotation, Section, Tag
from tui.i18n import _

# the component classes that style tags in the app (tui/shenyue.tcss; a theme restyles them)
TAG_CLASSES = {tag: f"tag--{tag.value}" for tag in Tag}
SUGGESTED_CLASS = "tag--suggested"  # added to a tag's style for a suggested tag
COLLEAGUE_CLASS = "tag--colleague"  # added to a tag's style for a colleague's mark
TAG_COMPONENTS = frozenset({*TAG_CLASSES.values(), SUGGESTED_CLASS, COLLEAGUE_CLASS})
# the command line has no theme: each tag differs by an attribute as well as a colour there too
CLI_TAG_STYLES = {
    Tag.ACHIEVEMENT: Style(bold=True, color="#5fd75f"),
    Tag.SHORTCOMING: Style(underline=True, color="#ff6f6f"),
    Tag.PLAN: Style(italic=True, color="#6fb6ff"),
}
TAG_BAR_CHARS = {Tag.ACHIEVEMENT: "█", Tag.SHORTCOMING: "▓", Tag.PLAN: "░"}
TAG_KEYS = {Tag.ACHIEVEMENT: "a", Tag.SHORTCOMING: "s", Tag.PLAN: "p"}


class StyleSource(Protocol):
    """A widget whose component classes include TAG_COMPONENTS."""

    def get_component_rich_style(self, *names: str, partial: bool = False,
                                 default: Style | None = None) -> Style: ...


@dataclass(frozen=True)
class Palette:
    """How the app draws tags in the theme in force."""

    tags: Mapping[Tag, Style]
    suggested: Style
    colleague: Style

    def mark(self, tag: Tag, mine: bool = True) -> Style:
        """A mark of `tag`: the reviewer's own, or a colleague's (read-only)."""
        return self.tags[tag] if mine else self.tags[tag] + self.colleague

    def ghost(self, tag: Tag) -> Style:
        """A suggested tag, not yet a mark."""
        return self.tags[tag] + self.suggested


def component_style(source: StyleSource, name: str) -> Style:
    """What a component class sets itself (colour, attributes), its background blended into
    the widget's (a theme's `$primary 25%` is a colour only over something)."""
    own = source.get_component_rich_style(name, partial=True)
    if own.bgcolor is None:
        return own
    return own + Style(bgcolor=source.get_component_rich_style(name).bgcolor)


def palette(source: StyleSource) -> Palette:
    """The tag styles of the theme in force, as `source` sees them."""
    return Palette({tag: component_style(source, TAG_CLASSES[tag]) for tag in Tag},
                   component_style(source, SUGGESTED_CLASS),
                   component_style(source, COLLEAGUE_CLASS))


def tag_label(tag: Tag) -> str:
    """The tag's name in the interface language."""
    return _(tag.value.capitalize())


def live_marks(marks: Iterable[Annotation]) -> list[Annotation]:
    """The marks placed in the current text (no orphans, no deleted ones), by position."""
    return sorted((m for m in marks if not m.orphan and not m.deleted),
                  key=lambda m: (m.start, m.end, m.id))


def counts_bar(counts: dict[Tag, int], styles: Palette, width: int = 10) -> Text:
    """A stacked bar of the tag counts, one glyph per tag, `width` cells at most."""
    total = sum(counts.values())
    bar = Text(no_wrap=True, end="")
    if total == 0:
        return bar
    for tag in Tag:
        cells = round(width * counts[tag] / total) if counts[tag] else 0
        if counts[tag] and cells == 0:
            cells = 1
        bar.append(TAG_BAR_CHARS[tag] * cells, style=Style(color=styles.tags[tag].color))
    return bar


def counts_text(counts: dict[Tag, int], styles: Palette) -> Text:
    """`成效 3 不足 1 计划 0` with each tag in its own style."""
    out = Text(no_wrap=True, end="")
    for tag in Tag:
        if out:
            out.append(" ")
        out.append(f"{tag_label(tag)} {counts[tag]}", style=styles.tags[tag])
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
                _("correct the {fields} of «{title}»"))
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
