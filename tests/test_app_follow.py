"""The follow-through screen: promises of one report beside the next report's evidence."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from textual.widgets import DataTable, Static

from tests.appkit import app_test, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.screens.follow import FollowScreen


def reports_table(app: ShenyueApp) -> DataTable[object]:
    return app.screen.query_one("#reports", DataTable)


def static_text(widget: Static) -> str:
    """What a Static holding Rich renderables shows, as plain text (wide: no wrapping)."""
    console = Console(width=400, color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


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
        await pilot.press("j")
        second = screen.items[1]
        assert screen.current() == second
        assert second.plan.text.split()[0][:8] in static_text(
            screen.query_one("#evidence", Static))
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
