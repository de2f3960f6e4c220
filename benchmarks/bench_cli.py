"""`shenyue list` on a workspace of 2,000 reports, from a cold process (wall time)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from annotations.workspace import Workspace, seed_files
from benchmarks.timing import wall

REPORTS = 2000
RUNS = 7


def make_reports(folder: Path, count: int) -> None:
    """Write `count` distinct reports: the seeds with a numbered paragraph added."""
    seeds = [p.read_text(encoding="utf-8") for p in seed_files()]
    for i in range(count):
        text = seeds[i % len(seeds)] + f"\n附:第{i}号补充说明。\n"
        (folder / f"r{i:05d}.txt").write_text(text, encoding="utf-8")

def main() -> None:
    """Build the workspace once, then time `shenyue list` against a bare interpreter."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = root / "files"
        files.mkdir()
        make_reports(files, REPORTS)
        started = time.perf_counter()
        ws = Workspace.open(root / "ws", seed=False)
        summary = ws.import_paths([files])
        took = time.perf_counter() - started
        print(f"import {summary.count('imported')} reports: {took:.1f} s")
        shenyue = str(Path(sys.executable).parent / "shenyue")
        env_cmd = [shenyue, "--home", str(root / "ws"), "list"]
        baseline = wall([sys.executable, "-c", "pass"], RUNS)
        listing = wall(env_cmd, RUNS)
        as_json = wall([*env_cmd, "--json"], RUNS)
        print(f"python -c pass          : {baseline * 1000:6.0f} ms (median of 7)")
        print(f"shenyue list   ({REPORTS})  : {listing * 1000:6.0f} ms wall (target <= 300)")
        print(f"shenyue list --json     : {as_json * 1000:6.0f} ms wall")


if __name__ == "__main__":
    main()
