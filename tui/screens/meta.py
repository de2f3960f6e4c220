"""The metadata form: correct a report's title, place, year, issuer and kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from annotations.corrections import MetaValue
from annotations.errors import UserError
from annotations.model import KIND_LABELS_ZH, Kind
from tui.i18n import _, error_text, localise_bindings

if TYPE_CHECKING:
    from tui.app import ShenyueApp


def field_label(field: str) -> str:
    """The name of a metadata field in the interface language."""
    labels = {"title": _("Title"), "place": _("Place"), "year": _("Year"),
              "issuer": _("Issuer"), "kind": _("Kind")}
    return labels[field]


def kind_label(kind: Kind) -> str:
    """A kind of document in the interface language, with its Chinese name."""
    labels = {Kind.ANNUAL_REPORT: _("annual report"), Kind.WORK_PLAN: _("work plan"),
              Kind.OTHER: _("other")}
    return f"{labels[kind]} {KIND_LABELS_ZH[kind]}"


def origin_text(value: MetaValue) -> str:
    """Where a value came from: the file, derived, or whose correction and when."""
    if value.origin == "correction":
        when = (value.updated or "")[:16].replace("T", " ")
        return _("corrected by {reviewer}, {when}").format(reviewer=value.reviewer, when=when)
    return _("read from the file") if value.origin == "file" else _("derived by Shenyue")


class MetaScreen(ModalScreen[bool]):
    """Correct a report's metadata: ctrl+s (or enter in a field) saves, esc cancels. An
    emptied field drops its correction. Answers whether anything was saved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="meta.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="meta.cancel", priority=True),
    ]

    def __init__(self, report_id: str) -> None:
        super().__init__()
        localise_bindings(self)
        self.report_id = report_id
        self.shown: dict[str, str] = {}  # the values in force, as the form first shows them

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def compose(self) -> ComposeResult:
        ws = self.shenyue.ws
        values = {v.field: v for v in ws.metadata(self.report_id)}
        self.shown = {f: "" if v.value is None else str(v.value) for f, v in values.items()}
        title = ws.index()[self.report_id].title
        with Vertical(classes="dialog meta-dialog"):
            yield Label(Text(_("Metadata of «{title}»").format(title=title)))
            with Grid(id="meta-fields"):
                for field, value in values.items():
                    yield Label(Text(field_label(field)))
                    if field == "kind":
                        yield Select([(kind_label(k), k.value) for k in Kind], allow_blank=False,
                                     value=self.shown["kind"] or Kind.OTHER.value,
                                     id="meta-kind", compact=True)
                    else:
                        yield Input(self.shown[field], id=f"meta-{field}", compact=True)
                    yield Label(Text(origin_text(value)), classes="hint")
            yield Label(Text(_("ctrl+s: save   esc: cancel   an emptied field goes back to "
                               "what was read or derived")), classes="hint", id="meta-hint")
            yield Label("", id="meta-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#meta-title", Input).focus()

    def entered(self) -> dict[str, str]:
        """What the form holds now, by field."""
        values = {f: self.query_one(f"#meta-{f}", Input).value for f in self.shown if f != "kind"}
        values["kind"] = str(self.query_one("#meta-kind", Select).value)
        return values

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        changes = {f: v for f, v in self.entered().items() if v.strip() != self.shown[f]}
        if not changes:
            self.dismiss(False)
            return
        ws = self.shenyue.ws
        before = ws.metadata(self.report_id)
        try:
            ws.correct(self.report_id, **changes)
        except UserError as exc:  # a year of 3000: say so in the form, keep what was typed
            self.query_one("#meta-error", Label).update(Text(error_text(exc)))
            return
        # emptying a field that had no correction changes nothing
        self.dismiss(ws.metadata(self.report_id) != before)

    def action_cancel(self) -> None:
        self.dismiss(False)
