"""The stats screen and the memo written from the app's command palette."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen
from textual.widgets import DataTable, Input

from annotations.model import Tag
from tests.appkit import app_test, choose_in_palette, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.screens.library import LibraryScreen
from tui.screens.prompt import PromptScreen
from tui.screens.stats import StatsScreen

SIZE = (120, 40)


def body_text(screen: Screen[object]) -> str:
    """What the stats screen shows, as plain text."""
    assert isinstance(screen, StatsScreen)
    return "".join(seg.text for seg in screen.app.console.render(screen.shown))


@app_test
async def test_stats_screen_counts_and_redraws(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    stops = ws.report(rid).sentences
    ws.annotate(rid, stops[1].start, stops[1].end, Tag.ACHIEVEMENT)
    ws.correct(rid, title="[bold]清远[/] \x1b]52;c;eA==\x07")  # markup and OSC 52 stay text
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        text = body_text(app.screen)
        assert "Marks per report" in text and "[bold]清远[/]" in text and "\x1b" not in text
        ws.annotate(rid, stops[2].start, stops[2].end, Tag.PLAN)
        app.refresh_marks()
        await pilot.pause()
        assert body_text(app.screen) != text  # the new plan mark is counted
        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)


@app_test
async def test_stats_screen_without_marks(tmp_path: Path) -> None:
    app = ShenyueApp(open_workspace(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert "No marks yet" in body_text(app.screen)


@app_test
async def test_write_memo_from_the_palette(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changzhou")
    stop = ws.report(rid).sentences[3]
    ws.annotate(rid, stop.start, stop.end, Tag.SHORTCOMING, "未说明质量")
    app = ShenyueApp(ws)
    out = tmp_path / "备忘录.html"
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#reports", DataTable)
        table.move_cursor(row=table.get_row_index(rid))
        await choose_in_palette(app, pilot, "write memo")
        assert isinstance(app.screen, PromptScreen)
        box = app.screen.query_one(Input)
        assert box.value.endswith(f"memo-{rid}.docx")
        box.value = str(out)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    text = out.read_text(encoding="utf-8")
    assert "未说明质量" in text and text.startswith("<!DOCTYPE html>")
