"""Screens that fit: the status bar by priority, counts before headings, titles over compared
columns, library columns at 80×24, the notice below 80×24, and j/k/g/G in every list."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, OptionList, Tree

from annotations.model import ReportMeta, Tag
from tests.appkit import app_test, open_workspace, seed_id
from tests.test_app_team import two_reviewers
from tui.app import ShenyueApp
from tui.i18n import set_language
from tui.screens.compare import CompareScreen
from tui.screens.disagreements import DisagreementScreen
from tui.screens.follow import FollowScreen
from tui.screens.library import COLUMNS, Row, column_widths
from tui.screens.lookup import LookupScreen
from tui.screens.review import ReviewScreen
from tui.screens.small import TooSmallScreen
from tui.screens.stats import StatsScreen
from tui.widgets.lists import ListScroll
from tui.widgets.marks_pane import MarksPane
from tui.widgets.status import Part, StatusBar, fit_parts


def bar_line(app: ShenyueApp) -> str:
    """What the review's status bar shows at its width now."""
    bar = app.screen.query_one("#status", StatusBar)
    return fit_parts(bar.parts, bar.size.width).plain


def test_fit_parts_shows_parts_by_priority_and_cuts_only_the_last_one_shown() -> None:
    parts = [Part(Text("reviewer"), 5), Part(Text("saved"), 2, 3), Part(Text("12/345"), 0),
             Part(Text("成效 12 不足 3"), 1), Part(Text("一、主要成效和做法"), 8, 6),
             Part(Text("某市2021年法治政府建设年度报告"), 9, 6)]
    assert fit_parts(parts, 200).plain == " │ ".join(p.text.plain for p in parts)
    for width in range(0, 120):
        line = fit_parts(parts, width)
        assert line.cell_len <= width
        pieces = line.plain.split(" │ ") if line.plain else []
        shown = [p for p in parts if any(piece == p.text.plain or (
            piece.endswith("…") and p.text.plain.startswith(piece[:-1].rstrip()))
            for piece in pieces)]
        assert len(shown) == len(pieces)  # every piece is a part, whole or ended with …
        assert [p.text.plain for p in shown] == [
            p.text.plain for p in parts if p in shown]  # in their order
        if width >= 6:
            assert "12/345" in pieces  # the position: whole, always
        if width >= 6 + 3 + 14:
            assert "成效 12 不足 3" in pieces
        cut = [p for p, piece in zip(shown, pieces, strict=True) if piece != p.text.plain]
        for part in cut:  # nothing less important than a shortened part is shown
            assert all(other.priority <= part.priority for other in shown)
    assert fit_parts(parts, 40).plain == "saved │ 12/345 │ 成效 12 不足 3 │ 一、 …"
    assert fit_parts(parts, 75).plain.endswith("│ 一、主要成效和做法 │ 某市2021…")


@app_test
async def test_the_status_bar_keeps_position_counts_and_save_state_at_80_columns(
        tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "a")
        await pilot.pause()
        line = bar_line(app)
        assert "/" in line and "Achievement 1 Shortcoming 0 Plan 0" in line
        assert "saved" in line
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        line = bar_line(app)
        assert line.rstrip().endswith("…")  # section and title there, the title shortened
        assert ws.report(rid).title[:6] in line


@app_test
async def test_outline_counts_come_before_the_heading(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    report = ws.report(rid)
    section = report.sections[0]
    inside = [s for s in report.sentences if section.heading_end <= s.start < section.end]
    for sentence, tag in zip(inside[:3], (Tag.ACHIEVEMENT, Tag.ACHIEVEMENT, Tag.PLAN),
                             strict=True):
        ws.annotate(rid, sentence.start, sentence.end, tag)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#outline", Tree)
        node = next(n for n in tree.root.children if n.data is section)
        assert str(node.label).startswith("2A1P ")
        assert section.title in str(node.label)


@app_test
async def test_compared_columns_show_their_report_titles(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g", "space", "j", "space", "c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        headings = [str(s.render()) for s in app.screen.query(".column-heading")]
        titles = [m.title for m in ws.reports()[:2]]
        assert titles[0] in headings and titles[1] in headings
        await pilot.press("q", "g", "enter", "v")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert str(app.screen.query_one("#compare-title").render()) == ws.reports()[0].title


def rows_of(metas: list[ReportMeta]) -> list[Row]:
    return [Row(meta, dict.fromkeys(Tag, 0), 0.0) for meta in metas]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_library_columns_fit_and_the_title_gives_way_first(tmp_path: Path,
                                                           language: str) -> None:
    ws = open_workspace(tmp_path)
    set_language(language)
    try:
        rows = rows_of(ws.reports())
        wide = column_widths(200, rows, 2)
        narrow = column_widths(78, rows, 2)
    finally:
        set_language("en")
    assert set(narrow) == {"mark", *COLUMNS}
    assert sum(narrow.values()) + 2 * len(narrow) <= 78
    assert narrow["chars"] >= len("8,760") and narrow["year"] >= 4
    assert narrow["title"] < wide["title"]
    assert narrow["place"] > 6  # the title went down to its floor before the place moved


@app_test
async def test_the_library_at_80x24_shows_every_number_whole(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    set_language("zh")
    app = ShenyueApp(ws)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            table = app.screen.query_one("#reports", DataTable)
            assert sum(c.get_render_width(table) for c in table.ordered_columns) <= 80
            screen = app.export_screenshot()
            for meta in ws.reports():
                assert f"{meta.chars:,}" in screen and str(meta.year) in screen
            assert "进度" in screen and "标注" in screen
    finally:
        set_language("en")


@app_test
async def test_below_80x24_a_notice_covers_the_app_until_it_grows(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small").render())
        assert "at least 80×24" in text and "40×12" in text
        await pilot.press("j", "a")  # the review below takes no keys meanwhile
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.report.id == rid
        assert not ws.annotations(report_id=rid)
        await pilot.resize_terminal(79, 30)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


@app_test
async def test_j_k_g_G_in_lookup_disagreements_stats_and_follow(tmp_path: Path) -> None:
    ws, rid = two_reviewers(tmp_path)
    for meta in ws.reports():  # a stats page longer than the screen
        for sentence in ws.report(meta.id).sentences[3:9]:
            ws.annotate(meta.id, sentence.start, sentence.end, Tag.PLAN)
    app = ShenyueApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f", *"行政", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        hits = app.screen.query_one("#hits", OptionList)
        await pilot.press("j", "j", "k")
        assert hits.highlighted == 1
        await pilot.press("G")
        assert hits.highlighted == hits.option_count - 1
        await pilot.press("g")
        assert hits.highlighted == 0
        await pilot.resize_terminal(80, 24)  # so that the stats page scrolls
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        page = app.screen.query_one(ListScroll)
        assert page.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert page.scroll_y == page.max_scroll_y
        await pilot.press("g", "j", "j")
        await pilot.pause()
        assert page.scroll_y == 2
        await pilot.press("q")
        app.open_report(rid)
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DisagreementScreen)
        rows = app.screen.query_one(DataTable)
        await pilot.press("G")
        assert rows.cursor_row == rows.row_count - 1
        await pilot.press("g", "j")
        assert rows.cursor_row == 1


@app_test
async def test_g_and_G_in_the_follow_through(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#reports", DataTable)
        for name in ("changhai", "changzhou"):
            table.move_cursor(row=table.get_row_index(seed_id(ws, name)))
            await pilot.press("space")
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FollowScreen)
        await pilot.press("G")
        assert screen.table.cursor_row == len(screen.items) - 1
        await pilot.press("g")
        assert screen.table.cursor_row == 0


@app_test
async def test_g_and_G_in_the_marks_pane(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    for sentence in ws.report(rid).sentences[1:4]:  # before the first heading: one pane
        ws.annotate(rid, sentence.start, sentence.end, Tag.PLAN)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        review.document.go_to(0)
        pane = review.query_one(MarksPane)
        pane.focus()
        await pilot.press("G")
        assert pane.highlighted == len(pane.marks) - 1 == 2
        await pilot.press("g")
        assert pane.highlighted == 0
