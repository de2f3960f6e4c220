"""The review app, headless: time per key press above an empty Textual app, time to open a
report, and the library's first paint and memory with 2,000 reports."""

from __future__ import annotations

import asyncio
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static

from annotations.model import Tag
from annotations.workspace import Workspace, seed_files
from benchmarks.bench_cli import make_reports
from tui.app import ShenyueApp
from tui.i18n import set_language
from tui.screens.library import LibraryScreen
from tui.screens.review import ReviewScreen

SIZE = (120, 40)
PRESSES = 60
MB_TARGET = 1_000_000


class EmptyApp(App[None]):
    """The baseline: an app that does nothing with the keys it gets."""

    def compose(self) -> ComposeResult:
        yield Static("baseline")


async def press_and_paint(app: App[None], pilot: Pilot[None], key: str) -> None:
    """Deliver one key, wait until every message it caused is handled, then paint the screen.

    (Pilot.press also waits for the process to look idle, in 20 ms steps: too coarse here.)
    """
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)
    await pilot._wait_for_screen()
    await pilot._wait_for_screen()
    app.screen._on_timer_update()


async def time_presses(app: App[None], keys: Sequence[str], ready: type | None) -> dict[str, float]:
    """Seconds per press of each key (pressed PRESSES times) in a running `app`."""
    out: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if ready is not None:
            assert isinstance(app.screen, ready), app.screen
        for key in keys:
            started = time.perf_counter()
            for number in range(PRESSES):
                # back to the top now and then, so page down keeps moving
                await press_and_paint(app, pilot, key if key != "pagedown" or number % 10 else "g")
            out[key] = (time.perf_counter() - started) / PRESSES
            await pilot.pause()
    return out


async def time_open(ws_path: Path, report_id: str) -> float:
    """Seconds from asking for a report (not yet read in this process) to its painted screen."""
    ws = Workspace.open(ws_path, reviewer="bench")
    ws.save_state({"screen": "library"})  # start in the library, not in a review resumed
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        app.open_report(report_id)
        while not (isinstance(app.screen, ReviewScreen) and app.screen.query("#document")
                   and app.screen.document.report.id == report_id
                   and app.screen.document.virtual_size.height):  # laid out: wrapped
            await asyncio.sleep(0.001)
        await pilot._wait_for_screen()
        app.screen._on_timer_update()
        return time.perf_counter() - started


async def time_library(ws_path: Path) -> tuple[float, float]:
    """Seconds from starting the app to the painted library, and the resident memory (MB)."""
    ws = Workspace.open(ws_path, reviewer="bench")
    started = time.perf_counter()
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        while not isinstance(app.screen, LibraryScreen):
            await asyncio.sleep(0.001)
        await pilot._wait_for_screen()
        app.screen._on_timer_update()
        took = time.perf_counter() - started
        rows = app.screen.query_one("#reports").row_count  # type: ignore[attr-defined]
        assert rows == len(ws.reports()), rows
        return took, resident_mb()


def resident_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def big_report(folder: Path) -> Path:
    """A ~1 MB UTF-8 report made of the seeds, numbered so no paragraph repeats exactly."""
    texts = [p.read_text(encoding="utf-8") for p in seed_files()]
    parts, size, n = [], 0, 0
    while size < MB_TARGET:
        chunk = f"\n（{n}）第{n}部分\n" + texts[n % len(texts)]
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
        n += 1
    path = folder / "big-1mb.txt"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def report_keys(ws: Workspace, report_id: str) -> dict[str, float]:
    """Per-press times in the review of `report_id`."""
    return asyncio.run(time_presses(ShenyueApp(ws, report_id), ["j", "pagedown", "a"],
                                    ReviewScreen))


def main() -> None:
    """Print every measurement with its target."""
    set_language("en")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace.open(root / "ws", reviewer="bench")
        largest = max(ws.reports(), key=lambda m: m.chars)
        big = ws.import_report(big_report(root)).meta
        print(f"largest seed: {largest.title} ({largest.chars:,} chars); "
              f"big report: {big.chars:,} chars")
        base = asyncio.run(time_presses(EmptyApp(), ["j", "pagedown", "a"], None))
        seed = report_keys(ws, largest.id)
        one_mb = report_keys(ws, big.id)
        for key in ("j", "pagedown", "a"):
            above_seed = (seed[key] - base[key]) * 1000
            above_big = (one_mb[key] - base[key]) * 1000
            print(f"key {key:<8}: empty app {base[key] * 1000:5.1f} ms; seed +{above_seed:5.1f} ms"
                  f" (target <= 10); 1 MB +{above_big:5.1f} ms (target <= "
                  f"{max(above_seed, 0) * 1.5:.1f}, 1.5x seed)")
        opened_seed = asyncio.run(time_open(root / "ws", largest.id))
        opened_big = asyncio.run(time_open(root / "ws", big.id))
        print(f"open seed to first paint : {opened_seed * 1000:6.0f} ms (target <= 300)")
        print(f"open 1 MB to first paint : {opened_big * 1000:6.0f} ms (target <= 1000)")

        files = root / "many"
        files.mkdir()
        make_reports(files, 2000)
        many = Workspace.open(root / "many-ws", reviewer="bench", seed=False)
        many.import_paths([files])
        for meta in many.reports()[:200]:
            first = many.report(meta.id).sentences[0]
            many.annotate(meta.id, first.start, first.end, Tag.ACHIEVEMENT)
        took, rss = asyncio.run(time_library(root / "many-ws"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
        print(f"library of 2,000 reports (200 with marks): first paint {took * 1000:.0f} ms "
              f"(target <= 1000); RSS {rss:.0f} MB now, {peak:.0f} MB peak (target <= 300)")


if __name__ == "__main__":
    main()
