"""How well the suggested tags agree with the hand labels of the five seed reports.

    python -m benchmarks.suggest_eval

Leave one report out: the evidence weights are fitted (coordinate search on a small grid)
on four reports and measured on the fifth, for each of the five; the pooled figure is over
the five held-out reports. The figures for the hand-set default weights and what each kind
of evidence contributes are printed too.

Read the figures with care: the cue lists, heading patterns and rules are hand-written, and
they were written and corrected while looking at all five reports; only the weights are held
out. On reports nobody has read, expect lower figures.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from annotations.model import Report
from annotations.suggest import DEFAULT_WEIGHTS, Reading, Weights, read_report, weigh
from annotations.workspace import Workspace

LABELS = Path(__file__).parent.parent / "tests" / "data" / "suggest_labels.json"
TAGS = ("achievement", "shortcoming", "plan", "none")
GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0)
PASSES = 3


@dataclass(frozen=True)
class Case:
    """One labelled report: its readings and the hand label of each (None: no label)."""

    name: str
    readings: tuple[Reading, ...]
    gold: tuple[str | None, ...]


def load_labels(path: Path = LABELS) -> dict[str, list[tuple[str, str]]]:
    """Report file name -> [(sentence text, tag)] in document order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: [(item["text"], item["tag"]) for item in items]
        for name, items in data["reports"].items()
    }


def gold_tags(report: Report, labelled: Sequence[tuple[str, str]]) -> list[str | None]:
    """The label of each sentence of `report` (matched by text, occurrence by occurrence)."""
    queues: dict[str, deque[str]] = {}
    for text, tag in labelled:
        queues.setdefault(text, deque()).append(tag)
    out: list[str | None] = []
    for span in report.sentences:
        queue = queues.get(report.text[span.start : span.end].strip())
        out.append(queue.popleft() if queue else None)
    return out


def seed_reports(home: Path) -> dict[str, Report]:
    """The bundled seed reports, imported into a workspace at `home`, by file name."""
    ws = Workspace.open(home, reviewer="eval")
    return {Path(meta.source or "").name: ws.report(meta.id) for meta in ws.reports()}


def load_cases(home: Path) -> list[Case]:
    """Every labelled seed report with its readings."""
    reports = seed_reports(home)
    return [
        Case(name, tuple(read_report(reports[name])), tuple(gold_tags(reports[name], labelled)))
        for name, labelled in load_labels().items()
    ]


def predict(case: Case, weights: Weights) -> list[str]:
    """The suggested tag of each sentence ("none" for no tag)."""
    out = []
    for reading in case.readings:
        tag = weigh(reading, weights).tag
        out.append("none" if tag is None else tag.value)
    return out


@dataclass(frozen=True)
class Scores:
    """Per-tag precision, recall, F1, support and predicted count, and sentence accuracy."""

    per_tag: dict[str, tuple[float, float, float, int, int]]
    accuracy: float
    sentences: int


def score(pairs: Sequence[tuple[str, str]]) -> Scores:
    """Scores of (gold, predicted) pairs."""
    counts: Counter[tuple[str, str]] = Counter(pairs)
    per_tag = {}
    for tag in TAGS:
        hit = counts[(tag, tag)]
        predicted = sum(n for (_, p), n in counts.items() if p == tag)
        support = sum(n for (g, _), n in counts.items() if g == tag)
        precision = hit / predicted if predicted else 0.0
        recall = hit / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_tag[tag] = (precision, recall, f1, support, predicted)
    right = sum(n for (g, p), n in counts.items() if g == p)
    return Scores(per_tag, right / len(pairs) if pairs else 0.0, len(pairs))


def pairs_of(cases: Sequence[Case], weights: Weights) -> list[tuple[str, str]]:
    """(gold, predicted) for every labelled sentence of `cases`."""
    out = []
    for case in cases:
        for gold, predicted in zip(case.gold, predict(case, weights), strict=True):
            if gold is not None:
                out.append((gold, predicted))
    return out


def objective(scores: Scores) -> float:
    """What fitting maximises: accuracy plus the mean F1 of the tags present."""
    present = [f1 for _p, _r, f1, n, _k in scores.per_tag.values() if n]
    return scores.accuracy + sum(present) / len(present)


def fit(cases: Sequence[Case], start: Weights = DEFAULT_WEIGHTS) -> Weights:
    """Weights that maximise `objective` on `cases`, by coordinate search on GRID."""
    best = start
    best_value = objective(score(pairs_of(cases, best)))
    for _ in range(PASSES):
        improved = False
        for kind in Weights.kinds():
            for value in GRID:
                trial = replace(best, **{kind: value})
                trial_value = objective(score(pairs_of(cases, trial)))
                if trial_value > best_value + 1e-9:
                    best, best_value, improved = trial, trial_value, True
        if not improved:
            break
    return best


def format_scores(title: str, scores: Scores) -> str:
    """A small readable table."""
    lines = [f"{title}: accuracy {scores.accuracy:.3f} over {scores.sentences} sentences"]
    for tag, (p, r, f1, n, predicted) in scores.per_tag.items():
        if n == 0 and predicted == 0:
            lines.append(f"  {tag:<12} n/a (no such sentence, none suggested)")
        else:
            lines.append(f"  {tag:<12} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (n={n})")
    return "\n".join(lines)


def held_out(cases: Sequence[Case], fitter: Callable[[Sequence[Case]], Weights]) -> list[
    tuple[Case, Weights, list[tuple[str, str]]]
]:
    """For each case: the weights fitted on the others and its (gold, predicted) pairs."""
    out = []
    for case in cases:
        weights = fitter([c for c in cases if c is not case])
        out.append((case, weights, pairs_of([case], weights)))
    return out


def coverage(cases: Sequence[Case]) -> float:
    """The share of sentences that carry a hand label."""
    total = sum(len(c.gold) for c in cases)
    return sum(g is not None for c in cases for g in c.gold) / total if total else 0.0


def main() -> None:
    """Print the leave-one-report-out figures, then the hand-set weights' figures."""
    with tempfile.TemporaryDirectory() as home:
        cases = load_cases(Path(home))
    print(f"labelled sentences: {sum(g is not None for c in cases for g in c.gold)}, "
          f"coverage of the splitter's sentences {coverage(cases):.1%}")
    print("cue lists and rules were written looking at all five reports: only the weights "
          "are held out")
    print("\n== leave one report out: weights fitted on the other four ==")
    pooled: list[tuple[str, str]] = []
    for case, weights, pairs in held_out(cases, fit):
        pooled += pairs
        print(format_scores(f"\n{case.name} (held out)", score(pairs)))
        print("  fitted on the others: " + ", ".join(
            f"{k}={weights.of(k):g}" for k in Weights.kinds()))
    print(format_scores("\nPOOLED held-out", score(pooled)))
    print("\n== hand-set default weights (no fitting; the cue lists were written after "
          "reading all five) ==")
    for case in cases:
        print(format_scores(f"\n{case.name}", score(pairs_of([case], DEFAULT_WEIGHTS))))
    print(format_scores("\nPOOLED default", score(pairs_of(cases, DEFAULT_WEIGHTS))))
    print("\n== what each kind of evidence contributes: default weights, one kind off ==")
    for kind in Weights.kinds():
        off = score(pairs_of(cases, replace(DEFAULT_WEIGHTS, **{kind: 0.0})))
        f1s = "  ".join(f"{tag} {off.per_tag[tag][2]:.2f}" for tag in TAGS[:3])
        print(f"   without {kind:<16} accuracy {off.accuracy:.3f}   F1 {f1s}")


if __name__ == "__main__":
    main()
