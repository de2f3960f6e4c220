"""The library's Place column and the metadata form (`m`), with undo from the library."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Input, Label

from tests.appkit import app_test, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.screens.library import LibraryScreen
from tui.screens.meta import MetaScreen

SIZE = (120, 40)


def table(app: ShenyueApp) -> DataTable[object]:
    assert isinstance(app.screen, LibraryScreen)
    return app.screen.query_one("#reports", DataTable)


def cursor_to(app: ShenyueApp, report_id: str) -> None:
    table(app).move_cursor(row=table(app).get_row_index(report_id))


@app_test
async def test_the_filter_matches_the_place_and_made_up_titles_are_italic(tmp_path: Path
                                                                           ) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"长兴岛经济技术开发区")
        assert table(app).row_count == 1
        _mark, title, place, *_rest = table(app).get_row_at(0)
        assert isinstance(title, Text) and "italic" in str(title.style)
        assert str(place) == "大连长兴岛经济技术开发区"


@app_test
async def test_the_metadata_form_corrects_a_report_and_u_undoes_it(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    report_id = seed_id(ws, "changhai")
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        cursor_to(app, report_id)
        await pilot.press("m")
        assert isinstance(app.screen, MetaScreen)
        app.screen.query_one("#meta-issuer", Input).value = "长海县人民政府"
        app.screen.query_one("#meta-year", Input).value = "3000"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MetaScreen)  # a bad year keeps the form open
        error = app.screen.query_one("#meta-error", Label)
        assert "1900 to 2100" in str(error.render())
        app.screen.query_one("#meta-year", Input).value = "2012"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert ws.resolve(report_id).issuer == "长海县人民政府"
        assert any(str(cell) == "长海县人民政府" for cell in table(app).get_row(report_id))
        await pilot.press("u")
        await pilot.pause()
        assert ws.resolve(report_id).issuer == "政府办秘书科"
        assert any(str(cell) == "政府办秘书科" for cell in table(app).get_row(report_id))


@app_test
async def test_escape_leaves_the_form_without_a_change(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, MetaScreen)
        app.screen.query_one("#meta-place", Input).value = "别处"
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen) and ws.corrections() == []
