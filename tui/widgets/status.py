"""A one-line status bar that redraws without a layout pass."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


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
