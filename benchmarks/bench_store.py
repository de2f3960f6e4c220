"""The annotation store at 100,000 marks: one `annotate`, a cold `shenyue lookup`, export.

Compared in the same run with TinyDB's default JSONStorage holding the same documents.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from annotations.workspace import Workspace
from benchmarks.bench_cli import make_reports
from benchmarks.timing import median_ms, wall

MARKS = 100_000
REPORTS = 2_000
JSONSTORAGE_RUNS = ((30_000, 10), (100_000, 3))  # each insert rewrites the whole file
BATCH = 5_000
SAMPLES = 60
COMMENTS = ("数量可核实,但未说明质量", "", "与上年相比有所进步", "原因分析不够深入", "")

def random_item(rng: random.Random, report_id: str, text: str) -> dict[str, Any]:
    """A plausible mark: a passage of 8 to 60 characters with a tag and maybe a comment."""
    start = rng.randrange(0, len(text) - 61)
    return {"report_id": report_id, "start": start, "end": start + rng.randrange(8, 60),
            "tag": rng.choice(("achievement", "shortcoming", "plan")),
            "comment": rng.choice(COMMENTS)}


def fill(ws: Workspace, report_ids: list[str], count: int, rng: random.Random) -> None:
    """Add `count` marks spread evenly over `report_ids`, through annotate_many in batches."""
    texts = {rid: ws.report(rid).text for rid in report_ids}
    for first in range(0, count, BATCH):
        batch = (report_ids[i % len(report_ids)] for i in range(first, min(count, first + BATCH)))
        ws.annotate_many(random_item(rng, rid, texts[rid]) for rid in batch)


def one_annotate(ws: Workspace, report_ids: list[str], rng: random.Random) -> float:
    """Median ms of one `annotate` on a random report of `report_ids`."""
    texts = {rid: ws.report(rid).text for rid in report_ids}

    def annotate() -> None:
        rid = rng.choice(report_ids)
        item = random_item(rng, rid, texts[rid])
        ws.annotate(rid, item["start"], item["end"], item["tag"], item["comment"])

    return median_ms(annotate, SAMPLES)


def jsonstorage_insert(folder: Path, ws: Workspace, count: int, runs: int) -> float:
    """Median ms of one insert into TinyDB's default JSONStorage holding `count` marks."""
    docs = [m.to_json() for m in ws.annotations()[:count]]
    path = folder / f"plain-{count}.json"
    db = TinyDB(str(path), encoding="utf-8", ensure_ascii=False)
    db.insert_multiple(docs)
    sample = docs[0]
    result = median_ms(lambda: db.insert(dict(sample)), runs=runs)
    db.close()
    path.unlink()
    return result

def marked_workspace(
    root: Path, name: str, rng: random.Random
) -> tuple[Workspace, list[str], Path]:
    """REPORTS generated reports (written to `root/files`) with MARKS marks spread over them, in
    the workspace `root/name`: the workspace, its report ids and the files' folder."""
    files = root / "files"
    files.mkdir()
    make_reports(files, REPORTS)
    started = time.perf_counter()
    ws = Workspace.open(root / name, seed=False, reviewer="bench")
    ws.import_paths([files])
    ids = [m.id for m in ws.reports()]
    fill(ws, ids, MARKS, rng)
    journal = root / name / "store" / "annotations.jsonl"
    print(f"built {REPORTS} reports + {MARKS} marks: {time.perf_counter() - started:.1f} s; "
          f"journal {journal.stat().st_size / 1e6:.0f} MB")
    return ws, ids, files


def main() -> None:
    """Build both workspaces, then print each figure beside its target."""
    rng = random.Random(7)
    shenyue = str(Path(sys.executable).parent / "shenyue")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(os.environ.get("SHENYUE_BENCH_DIR") or tmp)
        spread, ids, files = marked_workspace(root, "spread", rng)
        reopened = Workspace.open(root / "spread", reviewer="bench")
        started = time.perf_counter()
        reopened.annotations(ids[0])
        took = time.perf_counter() - started
        print(f"open + one report's marks in a new Workspace: {took:.3f} s (through the index)")
        spread_ms = one_annotate(reopened, ids, rng)
        print(f"annotate at {MARKS} marks ({REPORTS} reports x 50): {spread_ms:6.2f} ms median "
              "(target <= 20, incl. fsync)")

        one = Workspace.open(root / "one", seed=False, reviewer="bench")
        single = one.import_report(files / "r00000.txt").id
        fill(one, [single], MARKS, rng)
        one_ms = one_annotate(one, [single], rng)
        print(f"annotate at {MARKS} marks (all on one report):   {one_ms:6.2f} ms median")

        for count, runs in JSONSTORAGE_RUNS:
            plain_ms = jsonstorage_insert(root, spread, count, runs)
            print(f"TinyDB JSONStorage insert at {count} marks: {plain_ms:7.1f} ms median of "
                  f"{runs} (same documents)")

        home = ["--home", str(root / "spread")]
        lookup = wall([shenyue, *home, "lookup", "行政复议", "--json"], 5)
        lookup_plain = wall([shenyue, *home, "lookup", "行政复议"], 5)
        texts = str(root / "spread" / "reports")
        grep = wall(["grep", "-rF", "--include=*.txt", "行政复议", texts], 5)
        print(f"shenyue lookup 行政复议 --json (cold): {lookup * 1000:6.0f} ms wall (<= 500)")
        print(f"shenyue lookup 行政复议 (piped, cold): {lookup_plain * 1000:6.0f} ms wall")
        print(f"grep -rF 行政复议 reports/*.txt     : {grep * 1000:6.0f} ms wall")
        out = root / "export.json"
        export = wall([shenyue, *home, "export", "--format", "json", "-o", str(out)], runs=3)
        print(f"shenyue export --format json ({MARKS + SAMPLES}): {export:5.2f} s wall "
              "(target <= 2)")


if __name__ == "__main__":
    main()
