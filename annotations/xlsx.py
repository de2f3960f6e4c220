"""The Excel (xlsx) export: one sheet of marks, one of counts per report and tag.

Made for Excel and WPS in government offices: a frozen header row with filters, columns as
wide as their Chinese text (measured in terminal cells: a Han character is two), passages and
comments wrapped. Every text is written as a string, never as a formula: a comment such as
`=1+1` or `@SUM(A1)` stays text, and cells starting with = + - @ (or a tab or CR) carry
Excel's quote prefix, so that editing such a cell in Excel does not turn it into a formula
either. The same marks give the same bytes (fixed times inside the file).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from annotations.export import place_of
from annotations.model import Annotation, Report, ReportMeta, Tag

MARK_COLUMNS = ("report", "place", "year", "section", "tag", "passage", "comment", "reviewer",
                "created", "updated", "start", "end", "orphan", "id")
COUNT_COLUMNS = ("report", "place", "year", *(t.value for t in Tag), "total")
WRAPPED = frozenset({"passage", "comment"})
MAX_WIDTH = {"passage": 60, "comment": 40, "report": 40, "section": 40}  # in cells; wraps below
DEFAULT_MAX_WIDTH = 40
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel or a CSV reader may evaluate
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def write_xlsx(
    out: BinaryIO,
    marks: Sequence[Annotation],
    metas: Sequence[ReportMeta],
    report: Callable[[str], Report],
) -> None:
    """The marks as an xlsx workbook: the sheet "marks" (one row per mark, times in UTC) and
    the sheet "counts" (one row per report, a column per tag)."""
    import xlsxwriter  # only the xlsx export needs it: other commands start faster

    by_id = {m.id: m for m in metas}
    rows = [mark_row(m, by_id.get(m.report_id), report) for m in marks]
    counts = count_rows(marks, metas)
    buffer = io.BytesIO()
    # in memory, no temporary files: measured faster than streaming rows to disk
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    latest = max((m.updated for m in marks), default="2000-01-01T00:00:00Z")
    workbook.set_properties({"created": utc(latest), "title": "Shenyue marks"})
    styles = Styles(workbook)
    write_sheet(workbook.add_worksheet("marks"), MARK_COLUMNS, rows, styles)
    write_sheet(workbook.add_worksheet("counts"), COUNT_COLUMNS, counts, styles)
    workbook.close()
    out.write(buffer.getvalue())


def mark_row(
    mark: Annotation, meta: ReportMeta | None, report: Callable[[str], Report]
) -> list[Any]:
    """One mark's cells in the order of MARK_COLUMNS."""
    section = "" if mark.orphan else report(mark.report_id).section_title(mark.start)
    return [
        meta.title if meta else mark.report_id, place_of(meta) if meta else None,
        meta.year if meta else None, section, mark.tag.value, mark.quote, mark.comment,
        mark.reviewer, utc(mark.created), utc(mark.updated), mark.start, mark.end,
        "yes" if mark.orphan else "", mark.id,
    ]


def count_rows(marks: Sequence[Annotation], metas: Sequence[ReportMeta]) -> list[list[Any]]:
    """One row per report in the order of COUNT_COLUMNS: its marks per tag and in all."""
    tally = Counter((m.report_id, m.tag) for m in marks)
    rows = []
    for meta in metas:
        per_tag = [tally[(meta.id, tag)] for tag in Tag]
        rows.append([meta.title, place_of(meta), meta.year, *per_tag, sum(per_tag)])
    return rows


def utc(stamp: str) -> datetime:
    """A stored time (ISO 8601, UTC) as the naive datetime Excel stores."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(tzinfo=None)


class Styles:
    """The cell formats of the workbook (XlsxWriter wants each made once)."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True, "bottom": 1})
        self.text = workbook.add_format({"valign": "top"})
        self.wrapped = workbook.add_format({"valign": "top", "text_wrap": True})
        self.quoted = workbook.add_format({"valign": "top", "quote_prefix": True})
        self.wrapped_quoted = workbook.add_format(
            {"valign": "top", "text_wrap": True, "quote_prefix": True})
        self.time = workbook.add_format({"valign": "top", "num_format": TIME_FORMAT})

    def for_text(self, value: str, wrapped: bool) -> Any:
        """The format of a text cell: wrapped or not, quote-prefixed if it looks like a
        formula."""
        if value.startswith(FORMULA_STARTS):
            return self.wrapped_quoted if wrapped else self.quoted
        return self.wrapped if wrapped else self.text


def write_sheet(
    sheet: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], styles: Styles
) -> None:
    """A header, the rows (strings always as strings), widths that fit, a frozen header row
    and filters."""
    for col, width in enumerate(column_widths(columns, rows)):
        sheet.set_column(col, col, width)
    for col, name in enumerate(columns):
        sheet.write_string(0, col, name, styles.header)
    wrapped = [name in WRAPPED for name in columns]
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                text = value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"
                sheet.write_string(r, col, text, styles.for_text(text, wrapped[col]))
            elif isinstance(value, datetime):
                sheet.write_datetime(r, col, value, styles.time)
            else:
                sheet.write_number(r, col, value, styles.text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)


def column_widths(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Each column's width in Excel's units (about one per Latin letter, two per Han
    character): its widest line, at most its cap, and room for the filter button."""
    from rich.cells import cell_len  # only exports measure: commands start without Rich

    widths = []
    for col, name in enumerate(columns):
        cap = MAX_WIDTH.get(name, DEFAULT_MAX_WIDTH)
        widest = cell_len(name) + 2  # the header's filter button
        for row in rows:
            value = row[col]
            if widest >= cap:
                break
            if isinstance(value, datetime):
                widest = max(widest, len(TIME_FORMAT))
            elif value is not None:
                # a few more characters than the cap fill it: no need to measure the rest
                text = str(value)[: cap + 1]
                widest = max(widest, max(cell_len(line) for line in text.split("\n")))
        widths.append(min(widest, cap) + 1)
    return widths
