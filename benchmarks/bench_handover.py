"""Exports for other tools at 100,000 marks: xlsx and qdpx beside csv, in this process; then
importing the qdpx into an empty workspace."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from annotations.workspace import Workspace
from benchmarks.bench_cli import make_reports
from benchmarks.bench_store import fill

MARKS = 100_000
REPORTS = 200


def timed_export(ws: Workspace, fmt: str, path: Path) -> str:
    """One export's wall time and file size, as printed."""
    started = time.perf_counter()
    count = ws.export(fmt, path)
    took = time.perf_counter() - started
    return (f"export --format {fmt:4} ({count} marks): {took:5.2f} s, "
            f"{path.stat().st_size / 2**20:5.1f} MB file")


def main() -> None:
    """Build a workspace of 200 reports and 100,000 marks, then print each figure."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = root / "files"
        files.mkdir()
        make_reports(files, REPORTS)
        ws = Workspace.open(root / "ws", seed=False, reviewer="bench")
        ws.import_paths([files])
        fill(ws, [m.id for m in ws.reports()], MARKS, random.Random(11))
        ws.annotations()  # load the journal once: every export below starts from the cache
        for fmt in ("csv", "xlsx", "qdpx"):
            print(f"   {timed_export(ws, fmt, root / f'marks.{fmt}')}")
        empty = Workspace.open(root / "empty", seed=False, reviewer="bench")
        started = time.perf_counter()
        summary = empty.import_paths([root / "marks.qdpx"])
        took = time.perf_counter() - started
        print(f"   import of that qdpx into an empty workspace: {took:5.2f} s "
              f"({summary.count('imported')} reports; {summary.notes[0].split(': ', 1)[1]})")


if __name__ == "__main__":
    main()
