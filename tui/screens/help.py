"""Every key of the screen below, generated from its bindings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.i18n import _, localise_bindings
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable


def binding_rows(screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(keys, what it does, binding id) for every binding of ours active on `screen` (those
    with an id: Textual's own, such as Page Left or Focus Next, are left out)."""
    by_action: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], str] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not binding.id:
            continue
        group = (binding.action, _(binding.description))
        display = binding.key_display or screen.app.get_key_display(binding)
        keys = by_action.setdefault(group, [])
        if display not in keys:
            keys.append(display)
        ids[group] = binding.id
    return [(" ".join(keys), description, ids[(action, description)])
            for (action, description), keys in by_action.items()]


class HelpScreen(Screen[None]):
    """The keys of the screen it was opened from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "back", "Back", id="help.back"),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        localise_bindings(self)
        self.rows = binding_rows(below)

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Keys (change them in keymap.toml in the workspace folder: "
                            "binding id = \"key\")")), id="help-heading")
        yield ListTable(id="help-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("Action"), _("Binding id"))
        for keys, description, binding_id in self.rows:
            table.add_row(Text(keys, style="bold"), Text(description),
                          Text(binding_id, style="dim"))
        table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
