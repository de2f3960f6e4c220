"""`shenyue sync` through a bare repository, fresh processes (wall time): a reviewer pushing 200
new marks, a colleague receiving them, a sync with nothing new; beside the by-hand route
(`shenyue export -o` + `shenyue merge` of the same marks), `git push` of one small commit and
`shenyue list` (a command's start-up). Then the same at 10,000 marks, once."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from annotations.workspace import Workspace
from benchmarks.bench_cli import make_reports
from tests.synckit import bare_repository, tag_sentences

RUNS = 5
SHENYUE = str(Path(sys.executable).parent / "shenyue")


def timed(cmd: list[str]) -> float:
    """Wall time of one command in a new process, in seconds (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def one_round(root: Path, marks: int) -> dict[str, float]:
    """Two workspaces on one bare repository; the wall time of each step."""
    remote = bare_repository(root / "team.git")
    a = Workspace.open(root / "A", reviewer="A")
    b = Workspace.open(root / "B", reviewer="B")
    if marks > 1000:  # the seeds hold about 1,000 sentences: more reports for more marks
        files = root / "files"
        files.mkdir()
        make_reports(files, marks // 100)
        a.import_paths([files])
    for ws in (a, b):
        ws.sync_init(str(remote))
    a.sync()
    b.sync()  # B has the reports before the marks come: the timed syncs carry marks only
    tag_sentences(a, marks)

    def shenyue(home: Path, *args: str) -> list[str]:
        return [SHENYUE, "--home", str(home), *args]

    out = {
        "sync out": timed(shenyue(a.home, "--reviewer", "A", "sync")),
        "sync in": timed(shenyue(b.home, "--reviewer", "B", "sync")),
        "sync, nothing new": timed(shenyue(b.home, "--reviewer", "B", "sync")),
    }
    c = Workspace.open(root / "C", reviewer="C")  # by hand, C needs the reports first
    if (root / "files").exists():
        c.import_paths([root / "files"])
    export = root / "a.json"
    out["export -o + merge"] = (timed(shenyue(a.home, "export", "--reviewer", "A", "-o",
                                              str(export)))
                                + timed(shenyue(c.home, "--reviewer", "C", "merge",
                                                str(export))))
    clone = root / "plain"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(clone)], check=True)
    (clone / "note.txt").write_text("one line\n")
    subprocess.run(["git", "-C", str(clone), "add", "note.txt"], check=True)
    subprocess.run(["git", "-C", str(clone), "commit", "--quiet", "-m", "note"], check=True)
    out["git push (one small commit)"] = timed(["git", "-C", str(clone), "push", "--quiet"])
    out["shenyue list (start-up)"] = timed(shenyue(b.home, "list"))
    out["python -c pass"] = timed([sys.executable, "-c", "pass"])
    return out


def rounds(marks: int, runs: int) -> dict[str, float]:
    """The median of each step over `runs` rounds, each in fresh folders."""
    results: list[dict[str, float]] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(one_round(Path(tmp), marks))
    return {step: statistics.median(r[step] for r in results) for step in results[0]}


def main() -> None:
    """Print each step's wall time at 200 marks (median of 5) and at 10,000 (once)."""
    for marks, runs in ((200, RUNS), (10_000, 1)):
        print(f"{marks:,} marks, median of {runs} round(s), fresh processes:")
        for step, seconds in rounds(marks, runs).items():
            print(f"   {step:30}: {seconds:6.2f} s")


if __name__ == "__main__":
    main()
