"""Training the learned reader again after one more mark, at 10,000 marks (target: at most
2 s): reading the marks, the changed report's sentences as the rules see them (the others'
examples are kept from the last training), and the fit. The first training of a workspace,
which reads every marked report, is timed beside it."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from annotations.workspace import Workspace

SEEDS = Path(__file__).parent.parent / "seeds"
MARKS = 10_000
TARGET = 2.0
TAGS = ("achievement", "shortcoming", "plan")


def marked_workspace(home: Path) -> Workspace:
    """A workspace with MARKS marks, one a sentence, over copies of the seeds."""
    ws = Workspace.open(home / "ws", reviewer="bench", seed=False)
    text = "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(SEEDS.glob("*.txt")))
    rng = random.Random(0)
    items: list[dict[str, object]] = []
    copy = 0
    while len(items) < MARKS:
        file = home / f"copy-{copy}.txt"
        file.write_text(f"第{copy}份报告\n{text}", encoding="utf-8")
        report = ws.import_report(file)
        for span in report.sentences[1:]:
            items.append({"report_id": report.id, "start": span.start, "end": span.end,
                          "tag": rng.choice(TAGS)})
        copy += 1
    ws.annotate_many(items[:MARKS])
    return ws


def main() -> None:
    """Print how long one retraining takes at MARKS marks."""
    with tempfile.TemporaryDirectory() as home:
        ws = marked_workspace(Path(home))
        import sklearn.linear_model  # noqa: F401  the import is paid once per process

        started = time.perf_counter()
        ws.learn()
        first = time.perf_counter() - started
        report = ws.report(ws.reports()[0].id)
        span = report.sentences[0]
        ws.annotate(report.id, span.start, span.end, "plan")
        started = time.perf_counter()
        model = ws.learn()
        took = time.perf_counter() - started
    verdict = "ok" if took <= TARGET else "SLOWER THAN TARGET"
    print(f"   retrain after one more mark, {model.marks} marked sentences + "
          f"{model.examples - model.marks} bundled: {took:.2f} s (target {TARGET:.0f} s) "
          f"{verdict}; the workspace's first training: {first:.2f} s")


if __name__ == "__main__":
    main()
