"""Training the learned reader at 10,000 marks (target: at most 2 s), on 10,000 distinct
sentences and on copies of the seeds (591 sentences again and again: equal examples are one
row of the fit), each timed in a new process as a reviewer meets it: the workspace's first
training (numpy and SciPy imported, the marks read and joined to the rules' readings of the
marked reports, kept since their first mark — readings.py —, the fit), then training again
in that process after one more mark (the changed report's examples made again, the others'
kept from the last training). Beside them, in the same run: the fit alone in a new process,
ours against scikit-learn's LogisticRegression (which it equals) with their imports, on the
same examples; and how long the model key takes after a write that teaches nothing (no
training); and the app's own retraining: its trainer process, started and warmed up, asked
again after a mark and after its undo."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from annotations.learner import MAX_ITER, C, load_examples
from annotations.learning import model_key, workspace_examples
from annotations.workspace import Workspace

SEEDS = Path(__file__).parent.parent / "seeds"
MARKS = 10_000
TARGET = 2.0
RUNS = 5
TAGS = ("achievement", "shortcoming", "plan")
T = TypeVar("T")


def marked_workspace(home: Path, distinct: bool) -> Workspace:
    """A workspace with MARKS marks, one a sentence, over copies of the seeds: the same 591
    sentences again and again, or (`distinct`) each sentence of each copy made unlike any
    other by two characters of its own before its full stop, as 10,000 sentences of many
    reports are."""
    ws = Workspace.open(home / "ws", reviewer="bench", seed=False)
    text = "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(SEEDS.glob("*.txt")))
    rng = random.Random(0)
    items: list[dict[str, object]] = []
    copy = 0
    while len(items) < MARKS:
        file = home / f"copy-{copy}.txt"
        *parts, last = text.split("。")
        body = text if not distinct else "".join(
            f"{part}{chr(0x4E00 + rng.randrange(0x5000))}{chr(0x4E00 + rng.randrange(0x5000))}。"
            for part in parts) + last
        file.write_text(f"第{copy}份报告\n{body}", encoding="utf-8")
        report = ws.import_report(file)
        for span in report.sentences[1:]:
            items.append({"report_id": report.id, "start": span.start, "end": span.end,
                          "tag": rng.choice(TAGS)})
        copy += 1
    ws.annotate_many(items[:MARKS])
    return ws


def _timed(action: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def train_twice(home: Path) -> dict[str, object]:
    """In this (new) process: the first training, then training again after one more mark
    (taken back afterwards)."""
    ws = Workspace.open(home, reviewer="bench", seed=False)
    model, first, first_cpu = _timed(ws.learn)
    report = ws.report(ws.reports()[0].id)
    span = report.sentences[0]
    ws.annotate(report.id, span.start, span.end, "plan")
    _, again, again_cpu = _timed(ws.learn)
    ws.undo()
    return {"first": first, "first_cpu": first_cpu, "again": again, "again_cpu": again_cpu,
            "marks": model.marks, "examples": model.examples}


def fit_alone(home: Path, how: str) -> dict[str, object]:
    """In this (new) process: the examples' matrix and the fit, imports included, by our fit
    or by scikit-learn's LogisticRegression."""
    ws = Workspace.open(home, reviewer="bench", seed=False)
    examples = [*load_examples(), *workspace_examples(ws)]

    def ours() -> object:
        from annotations.learner import design, fit

        return fit(design(examples))

    def scikit_learns() -> object:
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        from annotations.learner import design

        found = design(examples)
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # stopped after MAX_ITER steps, as ours is
            return LogisticRegression(C=C, max_iter=MAX_ITER).fit(
                found.matrix, found.targets, sample_weight=found.weight)

    _, took, cpu = _timed(ours if how == "ours" else scikit_learns)
    return {"took": took, "cpu": cpu}


def key_after_unrelated_write(home: Path) -> dict[str, object]:
    """In this (new) process: the model key after a metadata correction of a report nobody
    marked (every mark read once, no training), then again (read back from its file)."""
    ws = Workspace.open(home, reviewer="bench", seed=False)
    before = model_key(ws)
    ws.correct(ws.reports()[-1].id, issuer="某某人民政府")
    fresh = Workspace.open(home, reviewer="bench", seed=False)
    key, took, _ = _timed(lambda: model_key(fresh))
    _, again, _ = _timed(lambda: model_key(fresh))
    ws.undo()
    return {"took": took, "again": again, "same": key == before}


def app_retrains(home: Path) -> list[float]:
    """Seconds the app's trainer (`python -m annotations.learning --serve`, started and
    warmed up first) takes to answer after each of RUNS writes: a mark, then its undo."""
    ws = Workspace.open(home, reviewer="bench", seed=False)
    report = ws.report(ws.reports()[0].id)
    span = report.sentences[1]
    trainer = subprocess.Popen([sys.executable, "-m", "annotations.learning", "--serve",
                                str(home), "bench"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    asks, answers = trainer.stdin, trainer.stdout
    assert asks is not None and answers is not None

    def train() -> float:
        started = time.perf_counter()
        asks.write("train\n")
        asks.flush()
        answers.readline()
        return time.perf_counter() - started

    train()
    took = []
    for run in range(RUNS):
        if run % 2 == 0:
            ws.annotate(report.id, span.start, span.end, "plan")
        else:
            ws.undo()
        took.append(train())
    asks.close()
    trainer.wait()
    return took


def _in_new_process(what: str, home: Path, *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_learner", what, str(home),
                           *args], check=True, capture_output=True, text=True)
    result = json.loads(done.stdout)
    assert isinstance(result, dict)
    return result


def main() -> None:
    """Print the first training and the training again on both workspaces, then the fits
    and the key on the one of distinct sentences, medians of RUNS new processes each."""
    trained: dict[str, list[dict[str, object]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        retrains: list[float] = []
        for name, distinct in (("distinct sentences", True), ("seed copies", False)):
            home = marked_workspace(Path(tmp) / name, distinct).home
            trained[name] = []
            for _ in range(RUNS):
                shutil.rmtree(home / "model", ignore_errors=True)  # a workspace never trained
                trained[name].append(_in_new_process("train", home))
            if distinct:
                retrains = app_retrains(home)
        fits = {how: [_in_new_process("fit", home, how) for _ in range(RUNS)]
                for how in ("ours", "scikit-learn")}
        keys = [_in_new_process("key", home) for _ in range(RUNS)]

    def median(rows: list[dict[str, object]], field: str) -> float:
        return statistics.median(float(str(r[field])) for r in rows)

    for name, runs in trained.items():
        first, again = median(runs, "first"), median(runs, "again")
        marks, examples = runs[0]["marks"], runs[0]["examples"]
        print(f"   {MARKS} marks on {name} ({marks} marked sentences + "
              f"{int(str(examples)) - int(str(marks))} bundled), medians of {RUNS} new processes:")
        for label, took, cpu in (
                ("the workspace's first training", first, median(runs, "first_cpu")),
                ("train again after one more mark", again, median(runs, "again_cpu"))):
            verdict = "ok" if took <= TARGET else "SLOWER THAN TARGET"
            print(f"   {label}: {took:.2f} s (CPU {cpu:.2f} s; target {TARGET:.0f} s) {verdict}")
    warm = statistics.median(retrains)
    verdict = "ok" if warm <= TARGET else "SLOWER THAN TARGET"
    print(f"   the app's trainer, distinct sentences, after a mark or its undo (median of "
          f"{RUNS}): {warm:.2f} s (target {TARGET:.0f} s) {verdict}")
    print(f"   the fit alone with its imports (seed copies): ours "
          f"{median(fits['ours'], 'took'):.2f} s (CPU {median(fits['ours'], 'cpu'):.2f} s), "
          f"scikit-learn's LogisticRegression {median(fits['scikit-learn'], 'took'):.2f} s "
          f"(CPU {median(fits['scikit-learn'], 'cpu'):.2f} s)")
    same = all(k["same"] for k in keys)
    print(f"   the model key after a correction nobody's marks depend on: "
          f"{median(keys, 'took') * 1000:.0f} ms, then {median(keys, 'again') * 1000:.1f} ms "
          f"({'unchanged: no training' if same else 'CHANGED'})")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        child: dict[str, Callable[..., dict[str, object]]] = {
            "train": train_twice, "fit": fit_alone, "key": key_after_unrelated_write}
        print(json.dumps(child[sys.argv[1]](Path(sys.argv[2]), *sys.argv[3:])))
    else:
        main()
