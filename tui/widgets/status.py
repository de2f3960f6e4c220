"""A one-line status bar that redraws without a layout pass."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from tui.i18n import _


class StatusBar(Widget):
    """One line of plain text (never markup)."""

    DEFAULT_CSS = "StatusBar { height: 1; width: 1fr; background: $panel; color: $foreground; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()

    def show(self, text: Text) -> None:
        """Replace the text if it changed."""
        if text.plain != self.text.plain or text.spans != self.text.spans:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        """The current text."""
        return self.text


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
