"""The library's keys: removing a report (confirmed, undone) and importing a folder."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from annotations.model import Tag
from tests.appkit import app_test, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.screens.library import CONFIRM_IMPORT_FILES, LibraryScreen
from tui.screens.prompt import ConfirmScreen, PromptScreen

SIZE = (120, 40)
REPORT = "某县{n}年法治政府建设情况报告\n一、主要成效\n审查文件{n}件。\n"


def rows(app: ShenyueApp) -> list[str]:
    assert isinstance(app.screen, LibraryScreen)
    table = app.screen.query_one("#reports", DataTable)
    return [str(key.value) for key in table.rows]


def status(app: ShenyueApp) -> str:
    return str(app.screen.query_one("#library-status").render())


@app_test
async def test_x_asks_then_removes_the_report_and_u_brings_it_back_with_its_marks(
        tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    sentences = ws.report(rid).sentences
    for sentence, tag in zip(sentences[1:4], Tag, strict=True):
        ws.annotate(rid, sentence.start, sentence.end, tag)
    marks = ws.annotations(report_id=rid)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#reports", DataTable)
        table.move_cursor(row=rows(app).index(rid))
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "3" in app.screen.question and ws.report(rid).title in app.screen.question
        await pilot.press("n")  # no: nothing happens
        assert rid in rows(app) and rid in ws.index()
        await pilot.press("delete", "y")
        await pilot.pause()
        assert rid not in rows(app) and rid in ws.removed()
        assert ws.annotations(report_id=rid) == marks
        assert "removed «" in status(app)
        await pilot.press("u")
        await pilot.pause()
        assert rid in rows(app) and rid in ws.index()
        assert ws.annotations(report_id=rid) == marks
        assert "undid: remove report «" in status(app)


@app_test
async def test_a_report_marked_for_compare_and_then_removed_is_unmarked(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "space", "x", "y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and screen.marked == []
        assert len(rows(app)) == 4


def many_reports(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        (folder / f"r{n}.txt").write_text(REPORT.format(n=2000 + n), encoding="utf-8")
    return folder


async def import_folder(app: ShenyueApp, pilot: Pilot[None], folder: Path) -> None:
    """`i`, type the folder into the (empty) prompt, enter; wait for the finding of files."""
    await pilot.press("i")
    assert isinstance(app.screen, PromptScreen)
    box = app.screen.query_one(Input)
    assert box.value == ""  # the prompt starts empty: enter alone imports nothing
    await pilot.press(*str(folder), "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


@app_test
async def test_a_folder_of_more_than_20_files_asks_first(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    folder = many_reports(tmp_path / "many", CONFIRM_IMPORT_FILES + 1)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await import_folder(app, pilot, folder)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"{CONFIRM_IMPORT_FILES + 1} report files" in app.screen.question
        await pilot.press("n")
        await app.workers.wait_for_complete()
        assert len(ws.reports()) == 5
        await import_folder(app, pilot, folder)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(ws.reports()) == 5 + CONFIRM_IMPORT_FILES + 1
        assert len(rows(app)) == len(ws.reports())


@app_test
async def test_a_folder_of_20_files_is_imported_without_asking(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    folder = many_reports(tmp_path / "twenty", CONFIRM_IMPORT_FILES)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD.txt").write_text(REPORT.format(n=1999), encoding="utf-8")
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await import_folder(app, pilot, folder)
        assert isinstance(app.screen, LibraryScreen)
        assert len(ws.reports()) == 5 + CONFIRM_IMPORT_FILES  # .git passed over
        assert len(rows(app)) == len(ws.reports())


@app_test
async def test_enter_on_the_empty_import_prompt_imports_nothing(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen) and len(ws.reports()) == 5
        assert not app._notifications
