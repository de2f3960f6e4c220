"""How tags look and how marks add up: shared by every screen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from rich.style import Style
from rich.text import Text

from annotations.model import Annotation, Tag
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


