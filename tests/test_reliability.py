"""Marks survive kill -9 and several processes writing at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from annotations import Workspace

WRITER = """
import sys
from annotations import Workspace
home, reviewer, report_id, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ws = Workspace.open(home, reviewer=reviewer)
for i in range(count):
    start = (i * 7) % 2000
    mark = ws.annotate(report_id, start, start + 5, "plan", f"{reviewer} {i}")
    print(mark.id, flush=True)
"""
ROOT = Path(__file__).parent.parent


def writer(home: Path, reviewer: str, report_id: str, count: int) -> subprocess.Popen[bytes]:
    """A child process adding `count` marks, printing each id once `annotate` returned."""
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), reviewer, report_id, str(count)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )


def printed_ids(output: bytes) -> list[str]:
    """The ids on complete lines (a line cut by the kill was never confirmed)."""
    return [line.decode() for line in output.split(b"\n")[:-1] if line]


def test_every_confirmed_mark_survives_kill_9(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    report_id = Workspace.open(home).resolve("常州").id
    rng = random.Random(2024)
    confirmed: list[str] = []
    for round_ in range(22):
        child = writer(home, f"r{round_}", report_id, 1_000_000)
        time.sleep(rng.uniform(0.25, 0.7))
        os.kill(child.pid, signal.SIGKILL)
        output, _ = child.communicate()
        confirmed.extend(printed_ids(output))
    assert len(confirmed) > 22  # the kills did land while marks were being written
    survivors = {m.id for m in Workspace.open(home).annotations()}
    missing = [mark_id for mark_id in confirmed if mark_id not in survivors]
    assert missing == []
    assert len(survivors) >= len(confirmed)


def test_four_processes_writing_at_once_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    report_id = Workspace.open(home).resolve("大连市").id
    children = [writer(home, f"p{n}", report_id, 200) for n in range(4)]
    printed: list[str] = []
    for child in children:
        output, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        printed.extend(printed_ids(output))
    marks = Workspace.open(home).annotations()
    assert len(printed) == 800 and len(set(printed)) == 800
    assert sorted(m.id for m in marks) == sorted(printed)
    assert {m.comment for m in marks} == {f"p{n} {i}" for n in range(4) for i in range(200)}
