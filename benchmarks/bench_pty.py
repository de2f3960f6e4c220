"""The review app in a real 120×40 pseudo-terminal, as a reviewer meets it: a real `shenyue`
process in a temporary workspace holding the seeds and a 1 MB report. Per key (j, pagedown,
a): key written → first byte, and key written → the last byte before the screen falls quiet,
median and p90 of PRESSES presses, and the frames drawn per key; start → a quiet first
screen. Beside it, in the same run: a one-Static echo app and Textual's TextArea on the same
text (`benchmarks/anchor_apps.py`)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotations.workspace import Workspace
from benchmarks.bench_app import big_report
from benchmarks.terminal import SHENYUE, PtyProcess, shenyue_env

PRESSES = 30
QUIET = 0.1  # no output for this long after a key: the screen has settled
START_QUIET = 0.5  # the same after starting (a start may pause between screens)
START_RUNS = 3
RESET_EVERY = 10  # page down goes back to the top this often, so it keeps moving
REVIEWER = "benchpty"
ANCHOR = [sys.executable, "-m", "benchmarks.anchor_apps"]


@dataclass(frozen=True)
class App:
    """A program to time: how to start it, what it shows when ready, its keys."""

    name: str
    args: list[str]
    ready: bytes  # bytes of its first full screen (the start is timed to the quiet after it)
    keys: dict[str, str]  # the key timed → the key this program gets for it
    top: tuple[str, ...]  # the keys that go back to the top (not timed)


def shenyue(home: Path, report_id: str) -> list[str]:
    """The command that opens `report_id` for review."""
    return [SHENYUE, "--home", str(home), "--reviewer", REVIEWER, "--lang", "en", "open",
            report_id]


def quantile(values: Sequence[float], share: float) -> float:
    """The `share` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def bench_env() -> dict[str, str]:
    """A child's environment with byte-code caches on, as an installed app has them (this
    machine sets PYTHONDONTWRITEBYTECODE, which would compile every module at every start)."""
    env = shenyue_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_start(app: App) -> tuple[float, float, PtyProcess]:
    """Seconds from starting `app` to the last byte of its first quiet screen, and the
    processor seconds it used by then (what a quiet machine would take, roughly)."""
    term = PtyProcess(app.args, bench_env())
    term.read_until(app.ready, timeout=60)
    settled = term.settle(START_QUIET) - term.started
    return settled, term.cpu_seconds(), term


def time_keys(term: PtyProcess, app: App) -> dict[str, str]:
    """One printed line per key: first byte, settled (median, p90), frames per press."""
    out = {}
    for timed, key in app.keys.items():
        firsts, lasts, frames = [], [], []
        for number in range(PRESSES):
            if timed == "pagedown" and number % RESET_EVERY == 0:
                for key_back in app.top:
                    term.press(key_back, QUIET)
            burst = term.press(key, QUIET)
            firsts.append(burst.first * 1000)
            lasts.append(burst.last * 1000)
            frames.append(burst.frames)
        out[timed] = (f"first {statistics.median(firsts):5.1f} ms; settled median "
                      f"{statistics.median(lasts):5.1f} ms, p90 {quantile(lasts, 0.9):5.1f} ms; "
                      f"frames per key {statistics.mean(frames):.2f} (max {max(frames)})")
    return out


def measure(app: App) -> None:
    """Print the start and per-key figures of `app`."""
    starts, cpus = [], []
    term = None
    for run in range(START_RUNS):
        took, cpu, term = time_start(app)
        starts.append(took)
        cpus.append(cpu)
        if run < START_RUNS - 1:
            term.stop()
    assert term is not None
    try:
        lines = time_keys(term, app)
    finally:
        term.stop()
    print(f"{app.name}: start to a quiet first screen {statistics.median(starts):.2f} s "
          f"(median of {START_RUNS}: {', '.join(f'{s:.2f}' for s in starts)}; processor time "
          f"{statistics.median(cpus):.2f} s)", flush=True)
    for timed, line in lines.items():
        print(f"   {timed:<8} {line}", flush=True)


def main() -> None:
    """Print every measurement with its target."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = root / "ws"
        ws = Workspace.open(home, reviewer=REVIEWER)
        seed = max(ws.reports(), key=lambda m: m.chars)
        big_path = big_report(root)
        big = ws.import_report(big_path).meta
        seed_path = root / "seed.txt"
        seed_path.write_text(ws.report(seed.id).text, encoding="utf-8")
        print(f"{PRESSES} presses per key, 120×40; seed: {seed.title} ({seed.chars:,} chars); "
              f"1 MB: {big.chars:,} chars. Targets: settled median <= 16.7 ms, p90 <= 33 ms; "
              f"start <= 1.0 s (seed), <= 1.5 s (1 MB)", flush=True)
        # write the byte-code caches once, before anything is timed
        subprocess.run([sys.executable, "-c", "import tui.cli, tui.app, benchmarks.anchor_apps"],
                       env=bench_env(), check=True)
        ours = {"j": "j", "pagedown": "pagedown", "a": "a"}
        area = {"j": "down", "pagedown": "pagedown", "a": "a"}
        area_top = ("pageup",) * RESET_EVERY
        ready = f" {REVIEWER} ".encode()
        for app in (
            App("echo app (one Static)", [*ANCHOR, "echo"], b"ready", ours, ("g",)),
            App("shenyue, seed", shenyue(home, seed.id), ready, ours, ("g",)),
            App("TextArea, seed (down / pagedown / typing a)", [*ANCHOR, "textarea",
                str(seed_path)], b"\x1b[?2026l", area, area_top),
            App("shenyue, 1 MB", shenyue(home, big.id), ready, ours, ("g",)),
            App("TextArea, 1 MB", [*ANCHOR, "textarea", str(big_path)], b"\x1b[?2026l", area,
                area_top),
        ):
            measure(app)


if __name__ == "__main__":
    main()
