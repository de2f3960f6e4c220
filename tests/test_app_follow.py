"""The follow-through screen: promises of one report beside the next report's evidence."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import DataTable, Static

from tests.appkit import app_test, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.screens.follow import FollowScreen


def pane_text(screen: FollowScreen) -> str:
    """What the evidence pane shows, as plain text."""
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(screen.query_one("#evidence", Static).content)
    return console.export_text()


def reports_table(app: ShenyueApp) -> DataTable[object]:
    return app.screen.query_one("#reports", DataTable)


@app_test
async def test_follow_two_marked_reports_and_decide(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    plans, later = seed_id(ws, "changhai"), seed_id(ws, "changzhou")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        assert not isinstance(app.screen, FollowScreen)  # nothing marked: a notice, no screen
        for rid in (later, plans):
            reports_table(app).move_cursor(row=reports_table(app).get_row_index(rid))
            await pilot.press("space")
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FollowScreen)
        assert (screen.earlier.id, screen.later.id) == (plans, later)  # ordered by year
        assert screen.items == ws.follow(plans, later)
        await pilot.press("G")
        assert screen.current() == screen.items[-1]
        await pilot.press("g")
        assert screen.current() == screen.items[0]
        assert screen.items[0].plan.text.split()[0][:8] in pane_text(screen)
        await pilot.press("j")
        second = screen.items[1]
        assert screen.current() == second
        assert second.plan.text.split()[0][:8] in pane_text(screen)
        await pilot.press("right_square_bracket", "y")
        await pilot.pause()
        chosen = second.evidence[1].passage
        assert screen.items[1].evidence[0].passage == chosen
        assert screen.items[1].evidence[0].confirmed
        await pilot.press("3")
        assert (screen.items[1].verdict, screen.items[1].decided) == ("no_trace", True)
        await pilot.press("u")
        await pilot.pause()
        assert not screen.items[1].decided
        await pilot.press("q")
        assert not isinstance(app.screen, FollowScreen)
