"""The comment editor: a modal TextArea that never loses typed text without asking."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from tui.i18n import _, localise_bindings
from tui.screens.prompt import ConfirmScreen


class CommentScreen(ModalScreen[str | None]):
    """Edit a mark's comment: ctrl+s saves it, esc cancels (asking first if text was typed).

    It opens on `draft` when one was kept (the app ended while it was open)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="comment.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="comment.cancel", priority=True),
    ]

    def __init__(self, heading: str, comment: str, mark_id: str = "",
                 draft: str | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.heading = heading
        self.original = comment
        self.mark_id = mark_id
        self.draft = comment if draft is None else draft

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog comment-dialog"):
            yield Label(self.heading, markup=False)
            yield TextArea(self.draft, id="comment-text", soft_wrap=True)
            yield Label(_("ctrl+s: save   esc: cancel"), markup=False, classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def typed(self) -> str:
        """The text in the editor now."""
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        self.dismiss(self.typed().strip())

    def action_cancel(self) -> None:
        if self.typed() == self.original:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Discard the comment you typed?")), answered)
