"""A one-line status bar that redraws without a layout pass and fits its parts by priority."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from tui.i18n import _

SEPARATOR = " │ "


@dataclass(frozen=True)
class Part:
    """One piece of the status bar: shown whole if it fits, else left out — or, with
    `min_width`, shortened with … to the room left, if that is at least `min_width` cells."""

    text: Text
    priority: int  # 0 is the most important
    min_width: int | None = None  # None: whole or not at all


def fit_parts(parts: Sequence[Part], width: int) -> Text:
    """`parts` in their order on one line of `width` cells, chosen by priority: each part,
    most important first, is shown whole if it fits in what is left, else shortened to the
    rest if it may be (so a part is cut only when nothing less important is shown), else
    left out. A part is never cut inside, only ended with …."""
    widths: dict[int, int] = {}
    room = width
    for index in sorted(range(len(parts)), key=lambda i: parts[i].priority):
        part = parts[index]
        cost = len(SEPARATOR) if widths else 0
        least = part.min_width
        if part.text.cell_len + cost <= room:
            widths[index] = part.text.cell_len
        elif least is not None and room - cost >= least:
            widths[index] = room - cost
        else:
            continue
        room -= widths[index] + cost
    line = Text(no_wrap=True, end="")
    for index in sorted(widths):
        if line:
            line.append(SEPARATOR)
        piece = parts[index].text.copy()
        piece.truncate(widths[index], overflow="ellipsis")
        line.append_text(piece)
    return line


class StatusBar(Widget):
    """One line of plain text (never markup), made of parts fitted to its width."""

    DEFAULT_CSS = "StatusBar { height: 1; width: 1fr; background: $panel; color: $foreground; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parts: tuple[Part, ...] = ()
        self.text = Text()  # every part, whatever the width: what the bar would say

    def show(self, parts: Sequence[Part]) -> None:
        """Replace the parts if they changed."""
        text = Text(SEPARATOR).join(p.text for p in parts)
        if text.plain != self.text.plain or text.spans != self.text.spans:
            self.parts = tuple(parts)
            self.text = text
            self.refresh()

    def render(self) -> Text:
        """The parts that fit the bar's width now."""
        return fit_parts(self.parts, self.size.width)


def synced_label(synced: str | None, now: datetime | None = None) -> str:
    """When the workspace was last synced, in a few characters: the local time on the day
    itself, else the date ("" when it never was)."""
    if not synced:
        return ""
    try:
        when = datetime.fromisoformat(synced.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return ""
    today = (now or datetime.now().astimezone()).date()
    shown = when.strftime("%H:%M") if when.date() == today else when.strftime("%Y-%m-%d")
    return _("synced {time}").format(time=shown)
