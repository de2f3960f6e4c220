"""The library: every report of the workspace, with how far its review has got."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import DataTable, Input, Static

from annotations.errors import UserError
from annotations.library import FoundFiles, ImportSummary
from annotations.model import Annotation, ReportMeta, Tag
from annotations.stats import covered_share, tag_counts
from tui.i18n import _, localise_bindings, render
from tui.marks import TAG_COMPONENTS, counts_bar, live_marks, palette
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable

if TYPE_CHECKING:
    from tui.app import ShenyueApp

MAX_COMPARE = 3
CONFIRM_IMPORT_FILES = 20  # a folder import of more files asks first (a clone, a home folder)


class PathSuggester(Suggester):
    """Completes a file or folder path from what exists on disk."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """The first existing path that starts with `value`."""
        if not value:
            return None
        typed = Path(value).expanduser()
        folder, stem = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()
                           if p.name.startswith(stem) and not p.name.startswith("."))
        except OSError:
            return None
        if not names:
            return None
        return value + names[0][len(stem):]


@dataclass(frozen=True)
class Row:
    """One report as the library shows it."""

    meta: ReportMeta
    counts: dict[Tag, int]
    progress: float

    def sort_key(self, column: str) -> tuple[object, ...]:
        """The value this row sorts by in `column`."""
        keys: dict[str, tuple[object, ...]] = {
            "title": (self.meta.title,),
            "place": (self.meta.place or "",),
            "issuer": (self.meta.issuer or "",),
            "year": (self.meta.year or 0,),
            "chars": (self.meta.chars,),
            "progress": (self.progress,),
            "marks": (sum(self.counts.values()),),
        }
        return (*keys[column], self.meta.title)


COLUMNS = ("title", "place", "issuer", "year", "chars", "progress", "marks")
# the columns that give way when the terminal is narrow, first to last, and how far
SHRINKING = {"title": 24, "issuer": 8, "marks": 5, "place": 6}
COMFORTABLE = {"place": 16, "issuer": 20, "marks": 10}  # wider than this only as the title


def column_label(column: str) -> str:
    """The heading of a library column in the interface language."""
    labels = {"title": _("Title"), "place": _("Place"), "issuer": _("Issuer"), "year": _("Year"),
              "chars": _("Chars"), "progress": _("Done"), "marks": _("Marks")}
    return labels[column]


def column_widths(width: int, rows: Sequence[Row], gap: int) -> dict[str, int]:
    """The width of each column (the mark column first) so that the table fits `width`
    cells, each column taking `gap` more: numbers whole, their headings whole; the title
    shortened first, then the issuer, the marks bar and the place (down to SHRINKING)."""
    def widest(values: Iterable[str], column: str) -> int:
        return max([cell_len(column_label(column)), *(cell_len(v) for v in values)])

    widths = {
        "mark": 1,
        "year": widest((str(r.meta.year or "—") for r in rows), "year"),
        "chars": widest((f"{r.meta.chars:,}" for r in rows), "chars"),
        "progress": widest(["100%"], "progress"),
        "title": widest((r.meta.title for r in rows), "title"),
        "place": min(widest((r.meta.place or "—" for r in rows), "place"), COMFORTABLE["place"]),
        "issuer": min(widest((r.meta.issuer or "—" for r in rows), "issuer"),
                      COMFORTABLE["issuer"]),
        "marks": max(cell_len(column_label("marks")), COMFORTABLE["marks"]),
    }
    for column, least in SHRINKING.items():
        excess = sum(widths.values()) + gap * len(widths) - width
        if excess <= 0:
            break
        floor = max(least, cell_len(column_label(column)))
        widths[column] = max(floor, widths[column] - excess)
    return widths


class LibraryScreen(Screen[None]):
    """Choose a report to review, or several to compare."""

    AUTO_FOCUS = "#reports"  # not the filter box first: each focus change recomposes the footer
    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="library.open", show=True),
        Binding("space", "toggle_compare", "Mark for compare", id="library.mark"),
        Binding("c", "compare", "Compare", id="library.compare"),
        Binding("f", "follow", "Follow through", id="library.follow"),
        Binding("i", "import", "Import", id="library.import"),
        Binding("x,delete", "remove", "Remove report", id="library.remove", show=False),
        Binding("slash", "filter", "Filter", id="library.filter", key_display="/"),
        Binding("o", "sort", "Sort", id="library.sort"),
        Binding("m", "meta", "Metadata", id="library.meta"),
        Binding("s", "stats", "Stats", id="library.stats"),
        Binding("w", "memo", "Write memo", id="library.memo"),
        Binding("u", "app.undo", "Undo", id="library.undo"),
        Binding("ctrl+r", "app.redo", "Redo", id="library.redo", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="library.clear_filter", show=False),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self, selected: str | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.rows: list[Row] = []
        self.rows_by_id: dict[str, Row] = {}
        self.marked: list[str] = []
        self.sort_column = "title"
        self.sort_reverse = False
        self.filter_text = ""
        self._selected = selected
        self._laid_out_for = 0  # the width the columns were fitted to

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("Filter by title, place, issuer or year"), id="filter")
        yield ListTable(id="reports", cursor_type="row", zebra_stripes=True)
        yield Static(id="library-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#reports", DataTable)
        self.query_one("#filter", Input).display = False
        self.call_later(self.on_screen_resume)  # after the app opened a report over it, or not
        table.focus()

    def on_screen_resume(self) -> None:
        if self.app.screen is self:  # under a review opened at start: read when it is shown
            self.reload_marks()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for:
            self._fill()

    def reload_marks(self) -> None:
        """Read the reports and their marks again and redraw the table."""
        by_report: dict[str, list[Annotation]] = defaultdict(list)
        for mark in live_marks(self.shenyue.ws.annotations()):
            by_report[mark.report_id].append(mark)
        rows = []
        problems: list[UserError] = []
        for meta in self.shenyue.ws.reports():
            marks = by_report.get(meta.id, [])
            try:
                sentences = self.shenyue.ws.report(meta.id).sentences if marks else ()
            except UserError as exc:  # e.g. its text file went missing: the row stays, at 0%
                problems.append(exc)
                sentences = ()
            rows.append(Row(meta, tag_counts(marks), covered_share(sentences, marks)))
        if problems:
            self.shenyue.report_error(problems[0])
        self.rows = rows
        self.rows_by_id = {row.meta.id: row for row in rows}
        self.marked = [rid for rid in self.marked if rid in self.rows_by_id]  # a removed one
        self._fill()

    def selected_report(self) -> str | None:
        """The id of the report under the cursor."""
        table = self.query_one("#reports", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _visible_rows(self) -> list[Row]:
        needle = self.filter_text.casefold()
        rows = [r for r in self.rows if not needle or needle in
                f"{r.meta.title} {r.meta.place or ''} {r.meta.issuer or ''} {r.meta.year or ''}"
                .casefold()]
        return sorted(rows, key=lambda r: r.sort_key(self.sort_column), reverse=self.sort_reverse)

    def _fill(self) -> None:
        table = self.query_one("#reports", DataTable)
        keep = self.selected_report() if table.row_count else self._selected
        table.clear(columns=True)
        self._laid_out_for = self.size.width or self.app.size.width
        widths = column_widths(self._laid_out_for - table.styles.scrollbar_size_vertical,
                               self.rows, 2 * table.cell_padding)
        table.add_column(" ", key="mark", width=widths["mark"])
        for column in COLUMNS:
            table.add_column(column_label(column), key=column, width=widths[column])
        styles = palette(self)
        for row in self._visible_rows():
            meta = row.meta
            table.add_row(
                Text("●" if meta.id in self.marked else ""),
                # a made-up title (the report prints none) is set in italics
                Text(meta.title, no_wrap=True, overflow="ellipsis",
                     style="italic" if meta.title_derived else ""),
                Text(meta.place or "—", no_wrap=True, overflow="ellipsis"),
                Text(meta.issuer or "—", no_wrap=True, overflow="ellipsis"),
                Text(str(meta.year or "—")),
                Text(f"{meta.chars:,}", justify="right"),
                Text(f"{row.progress:4.0%}", justify="right"),
                counts_bar(row.counts, styles, widths["marks"]),
                key=meta.id,
            )
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self._update_status()

    def _update_status(self) -> None:
        total = len(self.rows)
        status = _("{count} reports").format(count=total)
        if self.marked:
            status += " · " + _("{count} marked for compare").format(count=len(self.marked))
        if self.filter_text:
            status += " · " + _("filter: {text}").format(text=self.filter_text)
        status += " · " + self.shenyue.save_state_label
        if self.shenyue.synced:
            status += " · " + self.shenyue.synced
        self.query_one("#library-status", Static).update(Text(status))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.shenyue.open_report(str(event.row_key.value))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        if column in COLUMNS:
            self.sort_reverse = not self.sort_reverse if column == self.sort_column else False
            self.sort_column = column
            self._fill()

    def action_open(self) -> None:
        report = self.selected_report()
        if report is not None:
            self.shenyue.open_report(report)

    def action_sort(self) -> None:
        self.sort_column = COLUMNS[(COLUMNS.index(self.sort_column) + 1) % len(COLUMNS)]
        self.sort_reverse = self.sort_column in ("progress", "marks", "chars", "year")
        self._fill()
        column = column_label(self.sort_column)
        self.notify(_("Sorted by {column}").format(column=column), timeout=2)

    def action_meta(self) -> None:
        from tui.screens.meta import MetaScreen

        report = self.selected_report()
        if report is None:
            return

        def saved(changed: bool | None) -> None:
            if changed:
                self.reload_marks()
                self.notify(_("Metadata saved; u undoes it."), markup=False, timeout=3)

        self.app.push_screen(MetaScreen(report), saved)

    def action_toggle_compare(self) -> None:
        report = self.selected_report()
        if report is None:
            return
        if report in self.marked:
            self.marked.remove(report)
        elif len(self.marked) >= MAX_COMPARE:
            self.notify(_("At most three reports can be compared."), severity="warning")
            return
        else:
            self.marked.append(report)
        table = self.query_one("#reports", DataTable)
        table.update_cell(report, "mark", Text("●" if report in self.marked else ""))
        self._update_status()

    def action_compare(self) -> None:
        from tui.screens.compare import CompareScreen, section_columns

        if len(self.marked) < 2:
            self.notify(_("Mark two or three reports with space first."), severity="warning")
            return
        reports = [self.shenyue.ws.report(report_id) for report_id in self.marked]
        self.app.push_screen(CompareScreen(section_columns(reports)))

    def action_follow(self) -> None:
        from tui.screens.follow import FollowScreen

        if len(self.marked) != 2:
            self.notify(_("Mark two reports with space first: a year's plans and the next "
                          "year's report."), severity="warning")
            return
        metas = [self.shenyue.ws.resolve(report_id) for report_id in self.marked]
        earlier, later = sorted(metas, key=lambda m: (m.year is None, m.year or 0))
        self.app.push_screen(FollowScreen(earlier, later))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter_text = event.value.strip()
            self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one("#reports", DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.query_one("#reports", DataTable).focus()

    def action_import(self) -> None:
        from tui.screens.prompt import PromptScreen

        def chosen(path: str | None) -> None:
            if path:
                self.import_path(path.strip())

        self.app.push_screen(
            PromptScreen(_("Import a report file or a folder of reports"), "", PathSuggester()),
            chosen)

    def action_remove(self) -> None:
        from tui.screens.prompt import ConfirmScreen

        report = self.selected_report()
        if report is None:
            return
        row = self.rows_by_id[report]
        marks = sum(row.counts.values())

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_report(report)

        question = _("Remove «{title}» from the library? Its {count} mark(s) are kept aside: "
                     "u brings it back with them.").format(title=row.meta.title, count=marks)
        self.app.push_screen(ConfirmScreen(question), answered)

    def remove_report(self, report: str) -> None:
        """Set the report aside (the workspace keeps its text and marks) and say so."""
        try:
            (meta,) = self.shenyue.ws.remove_reports([report])
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(_("removed «{title}»").format(title=meta.title))

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def action_memo(self) -> None:
        from tui.screens.prompt import PromptScreen

        reports = list(self.marked) or [r for r in (self.selected_report(),) if r is not None]
        if not reports:
            return

        def chosen(path: str | None) -> None:
            if path and path.strip():
                self.write_memo(reports, path.strip())

        question = _("Write the memo of {count} report(s) to (.docx, .html or .md)").format(
            count=len(reports))
        default = Path.cwd() / f"memo-{reports[0]}.docx"
        self.app.push_screen(PromptScreen(question, str(default), PathSuggester()), chosen)

    @work(thread=True, exclusive=True, group="memo")
    def write_memo(self, reports: list[str], path: str) -> None:
        """Write the memo in the background; a toast says where it went."""
        from annotations.memo import write_memo

        try:
            write_memo(self.shenyue.ws, reports, Path(path).expanduser())
        except UserError as exc:
            self.app.call_from_thread(self.shenyue.report_error, exc)
            return
        self.app.call_from_thread(
            self.notify, _("Memo written to {path}").format(path=path), markup=False)

    @work(thread=True, exclusive=True, group="import")
    def import_path(self, path: str) -> None:
        """Find the files in the background; import them at once, or after asking when
        there are more than CONFIRM_IMPORT_FILES."""
        try:
            found = self.shenyue.ws.report_files([path])
        except UserError as exc:
            self.app.call_from_thread(self.shenyue.report_error, exc)
            return
        if len(found.files) > CONFIRM_IMPORT_FILES:
            self.app.call_from_thread(self._confirm_import, path, found)
        else:
            self._import_found(found)

    def _confirm_import(self, path: str, found: FoundFiles) -> None:
        from tui.screens.prompt import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.import_found(found)

        question = _("{path} holds {count} report files. Import all of them?").format(
            path=path, count=len(found.files))
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exclusive=True, group="import")
    def import_found(self, found: FoundFiles) -> None:
        """Import files already found, in the background."""
        self._import_found(found)

    def _import_found(self, found: FoundFiles) -> None:
        """Import (in a worker thread); the table refreshes when it is done."""
        try:
            summary = self.shenyue.ws.import_paths(found)
        except UserError as exc:
            self.app.call_from_thread(self.shenyue.report_error, exc)
            return
        self.app.call_from_thread(self._imported, summary)

    def _imported(self, summary: ImportSummary) -> None:
        self.reload_marks()
        message = _("Imported {new}, updated {updated}, already present {present}, "
                    "refused {refused}.")
        new = summary.count("imported") + summary.count("restored")  # a removed one, back
        self.notify(message.format(new=new, updated=summary.count("updated"),
                                   present=summary.count("present"),
                                   refused=summary.count("refused")), markup=False)
        for outcome in summary.outcomes:
            if outcome.reason is not None:
                self.notify(render(outcome.reason), severity="warning", markup=False)
