"""Follow-through: how often the right evidence comes first or among the first three, how
often "no trace" is right, and how long `shenyue follow` takes as a fresh process.

    python -m benchmarks bench_follow

The links are tests/data/follow_links.json: plans of three consecutive-year pairs of
government work reports, linked to the next year's review by two readers before the matcher
ran on them. Each labelled plan is followed into the sentences the workspace takes as the
next report's review (`Workspace.review_passages`), exactly as `shenyue follow` does. The
figures are on the pairs the matcher was developed on: read them as development figures.
The speed is measured on two 60,000-character reports, beside `grep -c` reading the same two
files (the floor a fresh process can reach).
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.follow import Passage, follow
from annotations.workspace import Workspace
from benchmarks.timing import wall

ROOT = Path(__file__).parent.parent
LINKS = ROOT / "tests" / "data" / "follow_links.json"
CORPUS = ROOT.parent / "shared" / "corpus"
RUNS = 5
LONG = 60_000


@dataclass(frozen=True)
class Tally:
    """Plans with evidence and how many had it first / in the first three; plans without
    evidence and how many were called "no trace"."""

    with_evidence: int = 0
    first: int = 0
    top3: int = 0
    without: int = 0
    no_trace: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.row(), other.row(), strict=True)))

    def row(self) -> tuple[int, int, int, int, int]:
        """The counts in field order."""
        return (self.with_evidence, self.first, self.top3, self.without, self.no_trace)

    def line(self, name: str) -> str:
        """One line of the table."""
        n, m = max(self.with_evidence, 1), max(self.without, 1)
        return (f"{name:<26} {self.with_evidence:>4} {self.first / n:>9.2f} {self.top3 / n:>9.2f} "
                f"{self.without:>4} {self.no_trace / m:>9.2f}")


def tally_pair(ws: Workspace, pair: dict[str, Any]) -> Tally:
    """Follow the labelled plans of one pair and count what came out right."""
    earlier = ws.import_report(CORPUS / str(pair["plan_report"]))
    later = ws.import_report(CORPUS / str(pair["review_report"]))
    links: list[dict[str, Any]] = pair["links"]
    wanted = {link["index"] for link in links}
    plans = [Passage(s.start, s.end, earlier.text[s.start : s.end])
             for k, s in enumerate(earlier.sentences) if k in wanted]
    by_start = {s.start: k for k, s in enumerate(later.sentences)}
    found = {f.plan.start: f for f in follow(plans, ws.review_passages(later.id))}
    tally = Tally()
    for link in links:
        got = found[earlier.sentences[link["index"]].start]
        ranked = [by_start[e.passage.start] for e in got.evidence]
        if link["evidence"]:
            tally += Tally(1, int(ranked[:1] != [] and ranked[0] in link["evidence"]),
                           int(any(k in link["evidence"] for k in ranked[:3])), 0, 0)
        else:
            tally += Tally(0, 0, 0, 1, int(got.verdict == "no_trace"))
    return tally


def timing(home: Path) -> None:
    """`shenyue follow` on two 60,000-character reports, a fresh process each run."""
    files = []
    for name in ("gwr-2016.txt", "gwr-2017.txt"):
        text = (CORPUS / name).read_text(encoding="utf-8")
        while len(text) < LONG:
            text += text
        path = home / f"long-{name}"
        path.write_text(text[:LONG], encoding="utf-8")
        files.append(path)
    ws = Workspace.open(home / "ws", reviewer="bench", seed=False)
    ids = [ws.import_report(f).id for f in files]
    follow_s = wall([sys.executable, "-m", "tui.cli", "--home", str(home / "ws"), "follow",
                     *ids, "--json"], RUNS)
    grep_s = wall(["grep", "-c", "将", *map(str, files)], RUNS)
    print(f"shenyue follow, two {LONG:,}-character reports (fresh process, median of {RUNS}): "
          f"{follow_s:.2f} s; grep -c on the same files: {grep_s:.3f} s")


def main() -> None:
    """Print the follow-through figures and the timing."""
    data = json.loads(LINKS.read_text(encoding="utf-8"))
    print(f"{'pair':<26} {'ev':>4} {'recall@1':>9} {'recall@3':>9} {'none':>4} {'no_trace':>9}")
    with tempfile.TemporaryDirectory() as home:
        ws = Workspace.open(Path(home) / "eval", reviewer="bench", seed=False)
        total = Tally()
        for pair in data["pairs"]:
            tally = tally_pair(ws, pair)
            total += tally
            print(tally.line(f"{pair['plan_report']} → {pair['review_report'][4:8]}"))
        print(total.line("all"))
        timing(Path(home))


if __name__ == "__main__":
    main()
