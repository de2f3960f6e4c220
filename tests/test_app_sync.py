"""Sync from the app: the palette's command, its notices, and the last sync in the status bars."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

import tui.app
from annotations.sync import STEPS
from annotations.workspace import Workspace
from tests.appkit import app_test, choose_in_palette, open_workspace, seed_id
from tests.synckit import bare_repository, tag_sentences
from tui.app import ShenyueApp, sync_steps
from tui.screens.library import LibraryScreen
from tui.screens.review import ReviewScreen
from tui.widgets.status import StatusBar, synced_label

SIZE = (120, 40)


class RecordingApp(ShenyueApp):
    """The app, keeping what the library's status line said at each step of a sync."""

    CSS_PATH = str(Path(tui.app.__file__).parent / "shenyue.tcss")  # not beside this file

    def __init__(self, ws: Workspace) -> None:
        super().__init__(ws)
        self.steps_shown: list[str] = []

    def sync_step(self, step: str) -> None:
        super().sync_step(step)
        self.steps_shown.append(library_status(self))


def library_status(app: ShenyueApp) -> str:
    return str(app.screen.query_one("#library-status", Static).content)


def messages(app: ShenyueApp) -> list[str]:
    notice = app.screen.notice if isinstance(app.screen, ReviewScreen) else None
    return [n.message for n in app._notifications] + ([notice.plain] if notice else [])


async def run_sync_from_palette(app: ShenyueApp, pilot: Pilot[None]) -> None:
    await choose_in_palette(app, pilot, "sync")
    await app.workers.wait_for_complete()
    await pilot.pause()


@app_test
async def test_sync_from_the_palette_and_the_time_in_the_status_bars(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    ws = open_workspace(tmp_path)
    ws.sync_init(str(remote))
    rid = seed_id(ws, "changzhou")
    marks = tag_sentences(ws, 3, report_ids=[rid])
    colleague = Workspace.open(tmp_path / "li", reviewer="li")
    colleague.sync_init(str(remote))
    theirs = tag_sentences(colleague, 2, skip=1, report_ids=[rid])
    colleague.sync()
    app = RecordingApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LibraryScreen) and "synced" not in library_status(app)
        await run_sync_from_palette(app, pilot)
        assert [line.split(" · ")[-1] for line in app.steps_shown] == [
            sync_steps()[step] for step in STEPS]  # every step, in order, then the time
        assert sync_steps()["fetch"] == "syncing: fetching…"
        label = synced_label(ws.last_synced())
        assert label.startswith("synced ") and len(label) == len("synced 12:34")
        assert library_status(app).endswith(f" · {label}")
        assert "Synced: 2 marks in, yours pushed." in messages(app)
        table = app.screen.query_one("#reports", DataTable)
        table.move_cursor(row=table.get_row_index(rid))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert {m.id for m in theirs} <= {m.id for m in app.screen.all_marks}
        status = app.screen.query_one("#status", StatusBar).text.plain
        assert status.startswith(f" tester  │ {label} │")
    pushed = subprocess.run(["git", "--git-dir", str(remote), "log", "-1", "--format=%an"],
                            capture_output=True, text=True, check=True).stdout
    assert pushed.strip()
    colleague.sync()
    assert {m.id for m in marks} <= {m.id for m in colleague.annotations(rid)}


@app_test
async def test_sync_before_init_says_how_in_the_app(tmp_path: Path) -> None:
    app = ShenyueApp(open_workspace(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await run_sync_from_palette(app, pilot)
        assert any(m.startswith("This workspace does not sync yet; run `shenyue sync init")
                   for m in messages(app))
        assert "synced" not in library_status(app)


def test_the_label_says_the_time_today_and_the_date_before() -> None:
    now = datetime(2025, 3, 4, 12, 0).astimezone()  # noon here, whatever the time zone
    today = now.astimezone(UTC) - timedelta(minutes=30)
    earlier = now.astimezone(UTC) - timedelta(days=3)
    stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
    assert synced_label(today.strftime(stamp), now) == \
        f"synced {today.astimezone().strftime('%H:%M')}"
    assert synced_label(earlier.strftime(stamp), now) == \
        f"synced {earlier.astimezone().strftime('%Y-%m-%d')}"
    assert synced_label(None) == "" and synced_label("garbage") == ""
