"""Agreement on the five seed reports fully marked by three reviewers (every sentence tagged,
ends jittered): `agreement_report` on the workspace and u-α alone on one long continuum."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from annotations.agreement import agreement_report
from annotations.model import Tag
from annotations.reliability import unitizing_alpha
from annotations.workspace import Workspace
from benchmarks.timing import median_ms

REVIEWERS = ("A", "B", "C")
RUNS = 5
CONTINUUM = 1_000_000
UNITS = 20_000

def mark_everything(ws: Workspace, rng: random.Random) -> int:
    """Each reviewer tags every sentence of every report, ends moved by up to 3 characters."""
    items = []
    for meta in ws.reports():
        report = ws.report(meta.id)
        for s in report.sentences:
            for reviewer in REVIEWERS:
                start = min(s.start + rng.randrange(0, 4), s.end - 1)
                items.append({"report_id": meta.id, "start": start, "end": s.end,
                              "tag": rng.choice(list(Tag)), "reviewer": reviewer})
    ws.annotate_many(items)
    return len(items)


def main() -> None:
    """Print the timings."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.open(Path(folder) / "ws", reviewer="A")
        marks = mark_everything(ws, rng)
        ms = median_ms(lambda: agreement_report(ws), RUNS)
        print(f"agreement_report, 5 reports, 3 reviewers, {marks} marks: {ms:.1f} ms (median)")
    coders = [
        [(o, o + rng.randrange(5, 40), rng.choice("xyz"))
         for o in sorted(rng.sample(range(CONTINUUM - 50), UNITS))]
        for _ in range(2)
    ]
    ms = median_ms(lambda: unitizing_alpha(coders, 0, CONTINUUM), RUNS)
    print(f"u-α, 2 coders x {UNITS} units on {CONTINUUM} characters: {ms:.1f} ms (median)")


if __name__ == "__main__":
    main()
