"""Fresh `shenyue` processes at 100,000 marks (2,000 reports × 50, the store benchmark's
workspace): annotate, undo, lookup, show and list, each a new process, median of RUNS.

Beside them, in the same run: `python -c pass` and `grep -rF` over the store folder; the
same commands on the same 2,000 reports with no marks at all; and with the store's index made
unusable (a file where `store/index/` belongs, so no process can use or write it): every
process then reads the whole journal. With
`SHENYUE_BENCH_BEFORE=DIR` (a source tree of another version of Shenyue, e.g. from `git
archive`), that version's commands are timed on the same workspace too. Bytecode is compiled
first, as an installed package has it.
"""

from __future__ import annotations

import compileall
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_store import MARKS, marked_workspace
from benchmarks.timing import median_ms, wall

RUNS = 9  # a shared machine: the median of more runs moves less
TARGET_S = 0.3
QUERY = "行政复议"
IN_PROCESS_RUNS = 60
ROOT = Path(__file__).parent.parent


def commands(shenyue: list[str], home: Path, report_id: str) -> dict[str, list[str]]:
    """The commands timed, by the name printed."""
    base = [*shenyue, "--home", str(home), "--reviewer", "bench"]
    return {
        "annotate": [*base, "annotate", report_id, "--start", "10", "--end", "30", "--tag",
                     "plan", "--comment", "冷启动"],
        "undo": [*base, "undo"],  # takes back one of the RUNS annotates just made
        f"lookup {QUERY} --json": [*base, "lookup", QUERY, "--json"],
        "show": [*base, "show", report_id],
        "list": [*base, "list"],
    }


def time_all(cmds: dict[str, list[str]]) -> dict[str, float]:
    """Median wall seconds of each command, in order (annotate before undo)."""
    return {name: wall(cmd, RUNS) for name, cmd in cmds.items()}


def main() -> None:
    """Build the workspace, then time each command three ways."""
    rng = random.Random(7)
    for package in ("annotations", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(os.environ.get("SHENYUE_BENCH_DIR") or tmp)
        home = root / "cold"
        ws, ids, _files = marked_workspace(root, "cold", rng)
        report_id = ids[len(ids) // 2]
        text = ws.report(report_id).text

        def annotate_here() -> None:
            start = rng.randrange(0, len(text) - 40)
            ws.annotate(report_id, start, start + 20, "plan")

        in_process = median_ms(annotate_here, IN_PROCESS_RUNS)
        baseline = wall([sys.executable, "-c", "pass"], RUNS)
        grep = wall(["grep", "-rF", QUERY, str(home / "store")], RUNS)
        shenyue = [str(Path(sys.executable).parent / "shenyue")]
        indexed = time_all(commands(shenyue, home, report_id))
        empty = root / "no-marks"
        shutil.copytree(home / "reports", empty / "reports")
        unmarked = time_all(commands(shenyue, empty, report_id))
        index = home / "store" / "index"
        aside = root / "index-aside"
        index.rename(aside)
        index.write_text("not an index", encoding="utf-8")
        whole = time_all(commands(shenyue, home, report_id))
        index.unlink()
        aside.rename(index)
        before_tree = os.environ.get("SHENYUE_BENCH_BEFORE")
        before = {}
        if before_tree:
            runner = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
                      "from tui.cli import main; sys.exit(main(sys.argv[1:]))", before_tree]
            for package in ("annotations", "tui"):
                compileall.compile_dir(Path(before_tree) / package, quiet=1)
            shutil.rmtree(index)  # that version knows no index: keep it from going stale
            before = time_all(commands(runner, home, report_id))
        print(f"   python -c pass                      : {baseline * 1000:5.0f} ms")
        print(f"   grep -rF {QUERY} store/             : {grep * 1000:5.0f} ms")
        print(f"   {'fresh process, median of ' + str(RUNS):<36} {MARKS:,} marks   no marks"
              "   journal whole" + ("     before" if before else ""))
        for name, took in indexed.items():
            target = "" if name in ("show", "list") else (
                " ok" if took <= TARGET_S else " SLOWER THAN TARGET")
            extra = f"  {before[name] * 1000:7.0f} ms" if before else ""
            print(f"   shenyue {name:<28}: {took * 1000:7.0f} ms  {unmarked[name] * 1000:6.0f} ms"
                  f"  {whole[name] * 1000:10.0f} ms{extra}{target}")
        print(f"   annotate in process (median of {IN_PROCESS_RUNS}): {in_process:6.2f} ms "
              "(target <= 20, incl. fsync)")


if __name__ == "__main__":
    main()
