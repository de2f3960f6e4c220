"""The anchors the pty benchmark times beside Shenyue, each run as its own process:

`python -m benchmarks.anchor_apps echo` — one Static that shows the last key (the least a
Textual app can do per key); `python -m benchmarks.anchor_apps textarea FILE` — Textual's
own TextArea (soft-wrapped, cursor not blinking) on the text of FILE.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static, TextArea


class EchoApp(App[None]):
    """One Static that names the last key pressed."""

    def compose(self) -> ComposeResult:
        yield Static("ready", id="echo")

    def on_key(self, event: events.Key) -> None:
        self.query_one("#echo", Static).update(f"key {event.key}")


class TextAreaApp(App[None]):
    """Textual's TextArea on a report's text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        area = TextArea(self.text, soft_wrap=True)
        area.cursor_blink = False  # a blinking cursor would never let the screen fall quiet
        yield area


def main(argv: list[str]) -> None:
    """Run the anchor named by `argv[0]`."""
    if argv[0] == "echo":
        EchoApp().run()
    elif argv[0] == "textarea":
        TextAreaApp(Path(argv[1]).read_text(encoding="utf-8")).run()
    else:
        raise SystemExit(f"unknown anchor {argv[0]!r}: echo or textarea FILE")


if __name__ == "__main__":
    main(sys.argv[1:])
