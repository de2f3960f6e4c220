"""What a terminal below 80×24 shows instead of a layout that cannot fit."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import _, localise_bindings

MIN_SIZE = Size(80, 24)


def too_small(size: Size) -> bool:
    """Whether a terminal of `size` is too small for the app's screens."""
    return size.width < MIN_SIZE.width or size.height < MIN_SIZE.height


class TooSmallScreen(ModalScreen[None]):
    """A notice over everything while the terminal is too small; it goes by itself once
    the terminal is large enough again, and whatever was open below is as it was."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", id="small.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self.show_size(self.app.size)

    def on_resize(self, event: events.Resize) -> None:
        self.show_size(event.size)

    def on_screen_resume(self) -> None:
        if not too_small(self.app.size):
            self.dismiss()  # a notice left below another screen while the terminal grew
        else:
            self.show_size(self.app.size)

    def show_size(self, size: Size) -> None:
        """Say how large the terminal is and how large it must be."""
        text = Text(justify="center")
        text.append(_("Enlarge the terminal (at least {width}×{height}).").format(
            width=MIN_SIZE.width, height=MIN_SIZE.height), style="bold")
        text.append("\n" + _("It is {width}×{height} now; q quits.").format(
            width=size.width, height=size.height))
        self.query_one("#too-small", Static).update(text)
