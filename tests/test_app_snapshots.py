"""What each screen looks like, at 120×40 and 80×24 (pytest-textual-snapshot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from annotations.model import Tag
from tests.appkit import open_workspace, seed_id
from tui.app import ShenyueApp
from tui.i18n import set_language
from tui.widgets.marking import MarkingDocument

SIZES = [(120, 40), (80, 24)]


def marked_app(tmp_path: Path, report: str | None = "qingyuan",
               language: str = "en") -> ShenyueApp:
    """The seed workspace with a few marks on the Qingyuan report, opened on `report`, in
    `language` (the `chinese` fixture sets English back afterwards)."""
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    stops = ws.report(rid).sentences
    for number, tag in ((1, Tag.ACHIEVEMENT), (2, Tag.SHORTCOMING), (4, Tag.PLAN)):
        ws.annotate(rid, stops[number].start, stops[number].end, tag,
                    comment="数量可核实" if tag is Tag.ACHIEVEMENT else "")
    set_language(language)
    return ShenyueApp(ws, seed_id(ws, report) if report else None)


@pytest.fixture
def chinese() -> Iterator[None]:
    """The interface in Chinese for one test (its widest labels), English after it."""
    yield
    set_language("en")


async def mark_two(pilot: Any) -> None:
    """Mark the first and third report of the library and compare them."""
    await pilot.press("space", "down", "down", "space", "c")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_library(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, None), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_review(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path), press=["j", "J"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_compare_tags(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path), press=["v"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_compare_reports(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, None), run_before=mark_two, terminal_size=size)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
def test_library_zh(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, None, "zh"), terminal_size=size)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
def test_review_zh(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, language="zh"), press=["j", "J"],
                        terminal_size=size)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
def test_compare_reports_zh(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, None, "zh"), run_before=mark_two,
                        terminal_size=size)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
def test_compare_tags_zh(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, language="zh"), press=["v"], terminal_size=size)


@pytest.mark.usefixtures("chinese")
def test_too_small_zh(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(marked_app(tmp_path, language="zh"), terminal_size=(40, 12))


@pytest.mark.parametrize("size", SIZES)
def test_lookup(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, None), press=["ctrl+f", *"行政复议", "enter"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path), press=["question_mark"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_follow_through(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = marked_app(tmp_path, None)

    async def follow_two(pilot: Any) -> None:
        table = app.screen.query_one("#reports", DataTable)
        for name in ("changhai", "changzhou"):
            table.move_cursor(row=table.get_row_index(seed_id(app.ws, name)))
            await pilot.press("space")
        await pilot.press("f", "j", "j", "right_square_bracket")
        await pilot.pause()

    assert snap_compare(app, run_before=follow_two, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_stats(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(marked_app(tmp_path, None), press=["s"], terminal_size=size)


def test_review_in_a_light_theme(snap_compare: Any, tmp_path: Path) -> None:
    """Tags, a colleague's mark, search hits and the cursor in textual-light, readable."""
    app = marked_app(tmp_path)
    rid = seed_id(app.ws, "qingyuan")
    stops = app.ws.report(rid).sentences
    app.ws.annotate(rid, stops[6].start, stops[6].end, Tag.SHORTCOMING, reviewer="wang")

    async def light(pilot: Any) -> None:
        app.theme = "textual-light"
        app.screen.query_one("#document", MarkingDocument).set_search("法治")
        await pilot.press("g", "j")
        await pilot.pause()

    assert snap_compare(app, run_before=light, terminal_size=(120, 40))
