"""The disagreement view: per sentence, each reviewer's tag side by side, and the resolution."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from annotations.agreement import (
    SentenceVerdict,
    marking_reviewers,
    next_disagreement,
    resolve_sentence,
    sentence_verdicts,
)
from annotations.errors import UserError
from annotations.model import Report, Tag
from tui.i18n import _, localise_bindings
from tui.marks import TAG_COMPONENTS, Palette, palette, tag_label
from tui.widgets.document import printable
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable

if TYPE_CHECKING:
    from tui.app import ShenyueApp

MARKER_OPEN = "≠"
MARKER_RESOLVED = "✓"
MIN_SENTENCE_WIDTH = 16
# the table's cell padding (one cell either side) and its scrollbar
CELL_PADDING = 2
TABLE_CHROME = 2


def tag_cell(tag: Tag | None, styles: Palette) -> Text:
    """A tag in its style, or a dim dash for an unmarked sentence."""
    if tag is None:
        return Text("—", style="dim")
    return Text(tag_label(tag), style=styles.tags[tag])


def sentence_cell(report: Report, verdict: SentenceVerdict, width: int) -> Text:
    """The sentence on one line, cut to `width` cells; bold where the reviewers differ."""
    flat = " ".join(printable(report.text[verdict.start:verdict.end]).split())
    cell = Text(flat, style="" if verdict.agree else "bold", no_wrap=True, end="")
    cell.truncate(width, overflow="ellipsis")
    return cell


def marker_cell(verdict: SentenceVerdict) -> Text:
    """≠ on an open disagreement, ✓ on a resolved one, nothing where all agree."""
    if verdict.agree:
        return Text(" ")
    if verdict.consensus is None:
        return Text(MARKER_OPEN, style="bold reverse")
    return Text(MARKER_RESOLVED, style="bold")


class DisagreementScreen(Screen[int | None]):
    """Every sentence of a report with each reviewer's tag in a column, then the consensus;
    enter goes back to the review at the sentence under the cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "back", "Back", id="disagree.back"),
        Binding("right_square_bracket", "jump", "Next disagreement", id="disagree.next",
                key_display="]"),
        Binding("left_square_bracket", "jump(True)", "Previous disagreement",
                id="disagree.previous", key_display="["),
        Binding("a", "resolve('achievement')", "Agree on achievement",
                id="disagree.achievement"),
        Binding("s", "resolve('shortcoming')", "Agree on shortcoming",
                id="disagree.shortcoming"),
        Binding("p", "resolve('plan')", "Agree on plan", id="disagree.plan"),
        Binding("u", "app.undo", "Undo", id="disagree.undo"),
    ]

    def __init__(self, report: Report, offset: int = 0) -> None:
        super().__init__()
        localise_bindings(self)
        self.report = report
        self.start_offset = offset
        self.reviewers: list[str] = []
        self.verdicts: list[SentenceVerdict] = []
        self.sentence_width = MIN_SENTENCE_WIDTH

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    @property
    def table(self) -> DataTable[Text]:
        """The table of sentences."""
        return cast("DataTable[Text]", self.query_one("#verdicts", DataTable))

    def compose(self) -> ComposeResult:
        yield Static(Text(self.report.title, style="bold", no_wrap=True, overflow="ellipsis"),
                     id="disagree-title")
        yield ListTable(id="verdicts", cursor_type="row")
        yield Static(id="disagree-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        marks = self.shenyue.ws.annotations(report_id=self.report.id)
        self.reviewers = marking_reviewers(marks)
        self.verdicts = sentence_verdicts(self.report, marks, self.reviewers)
        table = self.table
        tag_width = max(cell_len(tag_label(t)) for t in Tag)
        widths = [max(cell_len(name), tag_width) for name in [*self.reviewers, _("Consensus")]]
        fixed = 1 + 4 + sum(widths) + CELL_PADDING * (len(widths) + 3) + TABLE_CHROME
        self.sentence_width = max(self.app.size.width - fixed, MIN_SENTENCE_WIDTH)
        table.add_column(Text(" "), width=1, key="marker")
        table.add_column(Text("#"), width=4, key="number")
        table.add_column(Text(_("Sentence")), width=self.sentence_width, key="sentence")
        for name, width in zip(self.reviewers, widths, strict=False):
            table.add_column(Text(name, no_wrap=True), width=width, key=f"reviewer:{name}")
        table.add_column(Text(_("Consensus")), width=widths[-1], key="consensus")
        for verdict in self.verdicts:
            table.add_row(*self.cells(verdict), key=str(verdict.index))
        starts = [v.start for v in self.verdicts]
        table.move_cursor(row=max(bisect_right(starts, self.start_offset) - 1, 0))
        table.focus()
        self._update_status()

    def cells(self, verdict: SentenceVerdict) -> list[Text]:
        """One row: marker, number, sentence, each reviewer's tag, the consensus."""
        styles = palette(self)
        return [marker_cell(verdict), Text(str(verdict.index + 1), style="dim"),
                sentence_cell(self.report, verdict, self.sentence_width),
                *(tag_cell(verdict.tag_of(name), styles) for name in self.reviewers),
                tag_cell(verdict.consensus, styles)]

    def reload_marks(self) -> None:
        """Read the marks again and redraw the rows whose tags changed."""
        marks = self.shenyue.ws.annotations(report_id=self.report.id)
        fresh = sentence_verdicts(self.report, marks, self.reviewers)
        table = self.table
        keys = [column.key for column in table.ordered_columns]
        for old, new in zip(self.verdicts, fresh, strict=True):
            if old != new:
                for key, cell in zip(keys, self.cells(new), strict=True):
                    table.update_cell(str(new.index), key, cell)
        self.verdicts = fresh
        self._update_status()

    def current(self) -> SentenceVerdict | None:
        """The sentence under the cursor."""
        row = self.table.cursor_row
        return self.verdicts[row] if 0 <= row < len(self.verdicts) else None

    def _update_status(self) -> None:
        differing = [v for v in self.verdicts if not v.agree]
        open_count = sum(1 for v in differing if v.consensus is None)
        status = _("{open} of {total} disagreements open · reviewers: {names} · "
                   "]/[ next/previous, a/s/p agree on a tag, enter read it").format(
            open=open_count, total=len(differing), names=", ".join(self.reviewers))
        self.query_one("#disagree-status", Static).update(Text(status, no_wrap=True,
                                                                overflow="ellipsis"))

    def action_jump(self, backwards: bool = False) -> None:
        here = self.current()
        offset = here.start if here is not None else 0
        found = next_disagreement(self.verdicts, offset, backwards=backwards)
        if found is None:
            self.notify(_("No more disagreements that way."), timeout=2)
            return
        self.table.move_cursor(row=found.index)

    def action_resolve(self, name: str) -> None:
        verdict = self.current()
        if verdict is None:
            return
        tag = Tag(name)
        try:
            resolve_sentence(self.shenyue.ws, self.report.id, verdict, tag)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(_("Agreed on {tag}").format(tag=tag_label(tag)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.verdicts):
            self.dismiss(self.verdicts[event.cursor_row].start)

    def action_back(self) -> None:
        self.dismiss(None)
