"""The xlsx export read back with openpyxl, as Excel would read it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from rich.cells import cell_len

from annotations.model import Tag
from annotations.workspace import Workspace
from annotations.xlsx import COUNT_COLUMNS, MARK_COLUMNS
from tui.cli import main

HOSTILE = ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """The five seeds with 25 marks by two reviewers, five of them with hostile comments."""
    ws = Workspace.open(tmp_path / "ws", reviewer="王")
    items = []
    for n, meta in enumerate(ws.reports()):
        report = ws.report(meta.id)
        for i, sentence in enumerate(report.sentences[3:8]):
            items.append({"report_id": meta.id, "start": sentence.start, "end": sentence.end,
                          "tag": list(Tag)[(n + i) % 3], "reviewer": "王李"[i % 2],
                          "comment": HOSTILE[n] if i == 0 else "数量可核实,但未说明质量"})
    ws.annotate_many(items)
    return ws


def test_marks_sheet_keeps_text_as_text(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "marks.xlsx"
    assert ws.export("xlsx", out) == 25
    book = openpyxl.load_workbook(out)
    sheet = book["marks"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == MARK_COLUMNS
    marks = {m.id: m for m in ws.annotations()}
    assert len(rows) == 26
    for row in rows[1:]:
        mark = marks[row[MARK_COLUMNS.index("id")]]
        meta = ws.report(mark.report_id).meta
        assert row[:3] == (meta.title, meta.issuer, meta.year)
        assert row[5] == mark.quote  # Chinese text intact
        assert row[6] == mark.comment
        assert (row[4], row[7], row[10], row[11]) == (mark.tag.value, mark.reviewer,
                                                      mark.start, mark.end)
    comments = [row[6] for row in sheet.iter_rows(min_row=2)]
    hostile = [cell for cell in comments if cell.value in HOSTILE]
    assert sorted(c.value for c in hostile) == sorted(HOSTILE)
    for cell in hostile:  # stored as text, and Excel keeps it text when the cell is edited
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert not any(c.quotePrefix for c in comments if c.value not in HOSTILE)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N26"


def test_counts_sheet_and_widths(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "marks.xlsx"
    ws.export("xlsx", out)
    book = openpyxl.load_workbook(out)
    rows = list(book["counts"].iter_rows(values_only=True))
    assert rows[0] == COUNT_COLUMNS
    tally = Counter((m.report_id, m.tag.value) for m in ws.annotations())
    by_title = {m.title: m for m in ws.reports()}
    assert len(rows) == 6
    for row in rows[1:]:
        meta = by_title[row[0]]
        per_tag = [tally[(meta.id, t.value)] for t in Tag]
        assert list(row[3:]) == [*per_tag, sum(per_tag)]
    assert book["counts"].freeze_panes == "A2"
    sheet = book["marks"]
    widths = {name: sheet.column_dimensions[chr(ord("A") + i)].width
              for i, name in enumerate(MARK_COLUMNS)}
    longest_place = max(cell_len(m.issuer or "") for m in ws.reports())
    assert widths["place"] >= longest_place  # a Han character takes two cells
    assert widths["passage"] >= 60 > widths["tag"]


def test_same_marks_same_bytes(ws: Workspace, tmp_path: Path) -> None:
    ws.export("xlsx", tmp_path / "a.xlsx")
    ws.export("xlsx", tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_cli_export_xlsx(ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "marks.xlsx"
    assert main(["--home", str(ws.home), "export", "--format", "xlsx", "-o", str(out),
                 "--tag", "plan"]) == 0
    assert "exported" in capsys.readouterr().err
    rows = list(openpyxl.load_workbook(out)["marks"].iter_rows(min_row=2, values_only=True))
    assert {row[4] for row in rows} == {"plan"}
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["--home", str(ws.home), "export", "--format", "xlsx"]) == 1
    assert "-o FILE.xlsx" in capsys.readouterr().err
