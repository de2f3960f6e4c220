"""Small modal dialogs: a one-line prompt and a yes/no question."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label

from tui.i18n import _, localise_bindings


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; enter answers it, esc gives None, tab takes the completion
    shown in grey (when there is a suggester)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
        Binding("tab", "complete", "Complete", id="prompt.complete", show=False),
    ]

    def __init__(self, question: str, value: str = "", suggester: Suggester | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.question = question
        self.value = value
        self.suggester = suggester

    def compose(self) -> ComposeResult:
        hint = _("tab completes the grey part · enter answers · esc cancels")
        with Vertical(classes="dialog"):
            yield Label(self.question, markup=False)
            yield Input(self.value, suggester=self.suggester, id="prompt-input",
                        placeholder=hint if self.suggester else "")
            if self.suggester is not None:
                yield Label(hint, markup=False, classes="hint")

    def action_complete(self) -> None:
        """Take the completion shown after the cursor into the input."""
        box = self.query_one("#prompt-input", Input)
        if box.cursor_at_end:
            box.action_cursor_right()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y answers yes, n or esc answers no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        localise_bindings(self)
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, markup=False)
            yield Label(_("y: yes   n: no"), markup=False, classes="hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
