"""The follow-through screen: each promise of one report on the left, the next report's
evidence for the promise under the cursor on the right, and the reviewer's decisions."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from annotations.errors import UserError
from annotations.follow import FollowUp, Passage
from annotations.model import ReportMeta
from tui.i18n import _, localise_bindings
from tui.widgets.document import printable
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import ShenyueApp

VERDICT_WIDTH = 10
# kept / partly / no trace differ without colour too: bold, plain, dim
VERDICT_STYLES = {"kept": "bold green", "partly": "yellow", "no_trace": "dim"}


def verdict_label(verdict: str) -> str:
    """A verdict in the interface language."""
    return {"kept": _("kept"), "partly": _("partly"), "no_trace": _("no trace")}[verdict]


def verdict_cell(item: FollowUp) -> Text:
    """The verdict in its style, marked ✎ when a reviewer set it."""
    mark = "✎" if item.decided else " "
    return Text(f"{mark}{verdict_label(item.verdict)}", style=VERDICT_STYLES[item.verdict])


def one_line(text: str) -> str:
    """Report text as one printable line."""
    return " ".join(printable(text).split())


class FollowScreen(Screen[None]):
    """Promises of `earlier` beside the evidence in `later`'s review of what was done."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "back", "Back", id="follow.back"),
        Binding("j", "move(1)", "Next promise", id="follow.next"),
        Binding("k", "move(-1)", "Previous promise", id="follow.previous"),
        Binding("g", "move_to(0)", "First promise", id="follow.first", show=False),
        Binding("G", "move_to(-1)", "Last promise", id="follow.last", show=False),
        Binding("right_square_bracket", "evidence(1)", "Next evidence", id="follow.next_evidence",
                key_display="]"),
        Binding("left_square_bracket", "evidence(-1)", "Previous evidence",
                id="follow.previous_evidence", key_display="["),
        Binding("y", "confirm", "Confirm evidence", id="follow.confirm"),
        Binding("x", "reject", "Reject evidence", id="follow.reject"),
        Binding("1", "verdict('kept')", "Kept", id="follow.kept"),
        Binding("2", "verdict('partly')", "Partly", id="follow.partly"),
        Binding("3", "verdict('no_trace')", "No trace", id="follow.no_trace"),
        Binding("0", "verdict('auto')", "Matcher's verdict", id="follow.auto"),
        Binding("u", "app.undo", "Undo", id="follow.undo"),
    ]

    def __init__(self, earlier: ReportMeta, later: ReportMeta) -> None:
        super().__init__()
        localise_bindings(self)
        self.earlier, self.later = earlier, later
        self.items: list[FollowUp] = []
        self.chosen = 0  # the evidence under the cursor, in the right pane

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    @property
    def table(self) -> DataTable[Text]:
        """The table of promises."""
        return cast("DataTable[Text]", self.query_one("#promises", DataTable))

    def compose(self) -> ComposeResult:
        title = _("{earlier} → {later}").format(earlier=one_line(self.earlier.title),
                                                  later=one_line(self.later.title))
        yield Static(Text(title, style="bold", no_wrap=True, overflow="ellipsis"),
                     id="follow-title")
        with Horizontal(id="follow-panes"):
            yield DataTable(id="promises", cursor_type="row")
            with VerticalScroll(id="evidence-pane"):
                yield Static(id="evidence", markup=False)
        yield Static(id="follow-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.table
        table.add_column(Text(_("Verdict")), width=VERDICT_WIDTH, key="verdict")
        table.add_column(Text(_("Promise")), key="promise")
        self.reload_marks()
        table.focus()

    def reload_marks(self) -> None:
        """Follow the plans again (after a decision, an undo, a colleague's change)."""
        try:
            fresh = self.shenyue.ws.follow(self.earlier.id, self.later.id)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        table = self.table
        row = table.cursor_row
        if [f.plan for f in fresh] != [f.plan for f in self.items]:
            table.clear()
            for k, item in enumerate(fresh):
                table.add_row(verdict_cell(item), Text(one_line(item.plan.text), no_wrap=True,
                                                        overflow="ellipsis"), key=str(k))
        else:
            for k, (old, new) in enumerate(zip(self.items, fresh, strict=True)):
                if (old.verdict, old.decided) != (new.verdict, new.decided):
                    table.update_cell(str(k), "verdict", verdict_cell(new))
        self.items = fresh
        if fresh:
            table.move_cursor(row=min(max(row, 0), len(fresh) - 1))
        self.show_evidence()

    def current(self) -> FollowUp | None:
        """The promise under the cursor."""
        row = self.table.cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.chosen = 0
        self.show_evidence()

    def show_evidence(self) -> None:
        """The promise in full and its evidence, the chosen one in reverse video."""
        item = self.current()
        pane = self.query_one("#evidence", Static)
        if item is None:
            pane.update(Text(_("No plans found in this report: mark plans (p) or check its "
                               "suggested tags."), style="dim"))
            self._update_status()
            return
        head = Text()
        head.append(_("Promise") + "\n", style="bold")
        head.append(one_line(item.plan.text) + "\n\n")
        head.append(_("Evidence"), style="bold")
        # a grid, not one wrapped line: Chinese text has no spaces to break at but the score's
        evidence = Table.grid(padding=(0, 1), expand=True)
        evidence.add_column(width=5, justify="right")
        evidence.add_column(ratio=1, overflow="fold")
        self.chosen = min(self.chosen, max(len(item.evidence) - 1, 0))
        for k, found in enumerate(item.evidence):
            mark = "✓" if found.confirmed else f"{found.score:.2f}"
            evidence.add_row(Text(mark), Text(one_line(found.passage.text)),
                             style="reverse" if k == self.chosen else "")
        empty = Text(_("Nothing in the review resembles this promise."), style="dim")
        pane.update(Group(head, evidence if item.evidence else empty))
        self._update_status()

    def _update_status(self) -> None:
        counts = Counter(item.verdict for item in self.items)
        status = _("{total} promises: {kept} kept, {partly} partly, {none} no trace · "
                   "]/[ evidence, y confirm, x reject, 1/2/3 verdict, 0 matcher's").format(
            total=len(self.items), kept=counts["kept"], partly=counts["partly"],
            none=counts["no_trace"])
        self.query_one("#follow-status", Static).update(Text(status, no_wrap=True,
                                                              overflow="ellipsis"))

    def action_move(self, step: int) -> None:
        if self.items:
            self.table.move_cursor(row=min(max(self.table.cursor_row + step, 0),
                                           len(self.items) - 1))

    def action_move_to(self, row: int) -> None:
        """Move to a row (-1: the last)."""
        if self.items:
            self.table.move_cursor(row=row % len(self.items))

    def action_evidence(self, step: int) -> None:
        item = self.current()
        if item is not None and item.evidence:
            self.chosen = min(max(self.chosen + step, 0), len(item.evidence) - 1)
            self.show_evidence()

    def _decide(self, message: str, *, confirm: Passage | None = None,
                reject: Passage | None = None, verdict: str | None = None) -> None:
        item = self.current()
        if item is None:
            return
        try:
            self.shenyue.ws.decide_follow(self.earlier.id, self.later.id, item.plan,
                                          confirm=confirm, reject=reject, verdict=verdict)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(message)

    def action_confirm(self) -> None:
        item = self.current()
        if item is not None and item.evidence:
            self._decide(_("Evidence confirmed"), confirm=item.evidence[self.chosen].passage)

    def action_reject(self) -> None:
        item = self.current()
        if item is not None and item.evidence:
            self._decide(_("Evidence rejected"), reject=item.evidence[self.chosen].passage)

    def action_verdict(self, verdict: str) -> None:
        label = _("matcher's verdict") if verdict == "auto" else verdict_label(verdict)
        self._decide(_("Verdict: {verdict}").format(verdict=label), verdict=verdict)

    def action_back(self) -> None:
        self.dismiss(None)
