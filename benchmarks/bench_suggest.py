"""Suggesting tags for a 20,000-character report, the learned reader's model loaded from its
file each time (target: at most 0.2 s, best of 5); the rules alone beside it."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from annotations.learner import BASE_MODEL, Model, suggest_learned
from annotations.model import Report
from annotations.suggest import suggest
from annotations.workspace import Workspace

SEEDS = Path(__file__).parent.parent / "seeds"
CHARS = 20_000
RUNS = 5
TARGET = 0.2


def long_report(home: Path) -> Report:
    """A report of about CHARS characters: the seeds' lines, one after another, imported."""
    lines: list[str] = []
    size = 0
    while size < CHARS:
        for path in sorted(SEEDS.glob("*.txt")):
            for line in path.read_text(encoding="utf-8-sig").splitlines():
                lines.append(line)
                size += len(line) + 1
                if size >= CHARS:
                    break
            if size >= CHARS:
                break
    file = home / "long-report.txt"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Workspace.open(home / "ws", seed=False).import_report(file)


def main() -> None:
    """Print the best time of RUNS suggestion runs on one long report."""
    with tempfile.TemporaryDirectory() as home:
        report = long_report(Path(home))
    suggest(report)  # the first call also pays for regex compilation

    def learned() -> list[object]:
        model = Model.from_json(json.loads(BASE_MODEL.read_text(encoding="utf-8")))
        return list(suggest_learned(report, model))

    times, rules = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        found = learned()
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        suggest(report)
        rules.append(time.perf_counter() - started)
    best = min(times)
    verdict = "ok" if best <= TARGET else "SLOWER THAN TARGET"
    print(f"   {len(report.text)} chars, {len(report.sentences)} sentences, "
          f"{len(found)} suggestions")
    print(f"   suggest with the learned reader, model file loaded, best of {RUNS}: "
          f"{best * 1000:.1f} ms (target {TARGET * 1000:.0f} ms) {verdict}; "
          f"rules alone {min(rules) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
