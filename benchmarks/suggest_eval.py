"""How well the suggested tags agree with hand labels, on reports the suggestions never
learned from.

    python -m benchmarks.suggest_eval

Labels: the five seeds (tests/data/suggest_labels.json, every sentence) and runs of
sentences of eight government work reports (tests/data/corpus_labels.json, two readers,
adjudicated), whose "split" names the dev reports (read and tuned on) and the test reports
(only ever measured here; their text and labels are read by nobody working on the rules).
The corpus texts are read from $SHENYUE_CORPUS, else ../shared/corpus beside the repository.

Printed, each on reports held out from training:
- the seeds, leave one report out (the learner trained on the other seeds and the dev reports);
- the dev reports, leave one report out (trained on the seeds and the other dev reports);
- the test reports (trained on the seeds and all dev reports), separately;
each with the majority-class baseline, accuracy and per-tag precision/recall/F1 with 95 %
bootstrap intervals over sentences, beside the rules alone; then a learning curve: accuracy
on report B after a reviewer's 0, 25, 50, 100 marks on report A of the same kind.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotations.learner import Example, Model, context_of, contexts_of, examples_of, train
from annotations.model import Report
from annotations.suggest import Reading, read_report, weigh
from annotations.workspace import Workspace

ROOT = Path(__file__).parent.parent
LABELS = ROOT / "tests" / "data" / "suggest_labels.json"
CORPUS_LABELS = ROOT / "tests" / "data" / "corpus_labels.json"
CORPUS = Path(os.environ.get("SHENYUE_CORPUS", ROOT.parent / "shared" / "corpus"))
TAGS = ("achievement", "shortcoming", "plan", "none")
CURVE = (0, 25, 50, 100)
CURVE_FROM = "gwr-2016.txt"  # the dev report with over 100 labelled sentences
RESAMPLES = 1000


@dataclass(frozen=True)
class Case:
    """One labelled report: its readings and the hand label of each sentence (None: none)."""

    name: str
    report: Report
    readings: tuple[Reading, ...]
    gold: tuple[str | None, ...]


def load_labels(path: Path = LABELS) -> dict[str, list[tuple[str, str]]]:
    """Report file name -> [(sentence text, tag)] in document order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: [(item["text"], item["tag"]) for item in items]
        for name, items in data["reports"].items()
    }


def load_split(path: Path = CORPUS_LABELS) -> dict[str, list[str]]:
    """{"dev": [file names], "test": [file names]} of the corpus labels."""
    return dict(json.loads(path.read_text(encoding="utf-8"))["split"])


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


def indexed_gold(report: Report, items: Sequence[dict[str, object]]) -> list[str | None]:
    """The label of each sentence from corpus items carrying the sentence's index."""
    out: list[str | None] = [None] * len(report.sentences)
    for item in items:
        index = int(str(item["index"]))
        span = report.sentences[index]
        if report.text[span.start : span.end].strip() != str(item["text"]).strip():
            raise ValueError(f"{report.title}: sentence {index} is not the labelled one")
        out[index] = str(item["tag"])
    return out


def make_case(name: str, report: Report, gold: Sequence[str | None]) -> Case:
    """A case with its readings worked out."""
    return Case(name, report, tuple(read_report(report)), tuple(gold))


def seed_cases(home: Path) -> list[Case]:
    """Every labelled seed report."""
    ws = Workspace.open(home, reviewer="eval")
    reports = {Path(meta.source or "").name: ws.report(meta.id) for meta in ws.reports()}
    return [make_case(name, reports[name], gold_tags(reports[name], labelled))
            for name, labelled in load_labels().items()]


def corpus_cases(home: Path, names: Sequence[str]) -> list[Case]:
    """The labelled corpus reports `names`, imported from CORPUS."""
    data = json.loads(CORPUS_LABELS.read_text(encoding="utf-8"))["reports"]
    ws = Workspace.open(home, reviewer="eval", seed=False)
    out = []
    for name in names:
        report = ws.import_report(CORPUS / name)
        out.append(make_case(name, report, indexed_gold(report, data[name])))
    return out


# -- predicting and scoring -------------------------------------------------------------------


def rule_tags(case: Case) -> list[str]:
    """The rules' tag of each sentence ("none" for no tag)."""
    out = []
    for reading in case.readings:
        tag = weigh(reading).tag
        out.append("none" if tag is None else tag.value)
    return out


def learned_tags(case: Case, model: Model) -> list[str]:
    """The learner's tag of each sentence (the rules' untagged ones stay none)."""
    length = len(case.report.text)
    out = []
    for reading in case.readings:
        if reading.untagged is not None:
            out.append("none")
            continue
        text = case.report.text[reading.start : reading.end]
        out.append(model.predict(text, context_of(reading, length))[0])
    return out


def pairs(case: Case, predicted: Sequence[str]) -> list[tuple[str, str]]:
    """(gold, predicted) for every labelled sentence."""
    return [(g, p) for g, p in zip(case.gold, predicted, strict=True) if g is not None]


def examples(cases: Sequence[Case]) -> list[Example]:
    """The training examples of labelled cases."""
    return [e for c in cases
            for e in examples_of(c.report, c.gold, contexts=contexts_of(c.report, c.readings))]


@dataclass(frozen=True)
class Scores:
    """Per-tag precision, recall, F1, support and predicted count, and sentence accuracy."""

    per_tag: dict[str, tuple[float, float, float, int, int]]
    accuracy: float
    sentences: int


def score(found: Sequence[tuple[str, str]]) -> Scores:
    """Scores of (gold, predicted) pairs."""
    counts: Counter[tuple[str, str]] = Counter(found)
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
    return Scores(per_tag, right / len(found) if found else 0.0, len(found))


def intervals(found: Sequence[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """95 % bootstrap intervals (resampling sentences, seeded) of accuracy and each F1, P, R."""
    rng = random.Random(0)
    draws: dict[str, list[float]] = {}
    for _ in range(RESAMPLES):
        sample = score([found[rng.randrange(len(found))] for _ in found])
        draws.setdefault("accuracy", []).append(sample.accuracy)
        for tag, (p, r, f1, _n, _k) in sample.per_tag.items():
            for name, value in (("P", p), ("R", r), ("F1", f1)):
                draws.setdefault(f"{tag} {name}", []).append(value)
    out = {}
    for name, values in draws.items():
        values.sort()
        out[name] = (values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1])
    return out


def format_scores(title: str, found: Sequence[tuple[str, str]], majority: str) -> str:
    """Accuracy and per-tag figures with intervals, beside the majority-class baseline."""
    scores, ci = score(found), intervals(found)
    base = sum(g == majority for g, _ in found) / len(found)
    lo, hi = ci["accuracy"]
    lines = [f"{title}: accuracy {scores.accuracy:.3f} [{lo:.3f}, {hi:.3f}] over "
             f"{scores.sentences} sentences (majority class '{majority}': {base:.3f})"]
    for tag, (p, r, f1, n, predicted) in scores.per_tag.items():
        if n == 0 and predicted == 0:
            lines.append(f"  {tag:<12} n/a (no such sentence, none suggested)")
            continue
        cells = []
        for name, value in (("P", p), ("R", r), ("F1", f1)):
            a, b = ci[f"{tag} {name}"]
            cells.append(f"{name} {value:.3f} [{a:.2f}, {b:.2f}]")
        lines.append(f"  {tag:<12} " + "  ".join(cells) + f"  (n={n})")
    return "\n".join(lines)


def majority_of(cases: Sequence[Case]) -> str:
    """The most frequent label of the training cases."""
    counts = Counter(g for c in cases for g in c.gold if g is not None)
    return counts.most_common(1)[0][0]


def held_out(train_on: Sequence[Case], test: Sequence[Case]) -> tuple[
    list[tuple[str, str]], list[tuple[str, str]], str
]:
    """(learned pairs, rules pairs, majority label) of `test` after training on `train_on`."""
    model = train(examples(train_on))
    learned = [p for c in test for p in pairs(c, learned_tags(c, model))]
    rules = [p for c in test for p in pairs(c, rule_tags(c))]
    return learned, rules, majority_of(train_on)


def leave_one_out(
    cases: Sequence[Case], others: Sequence[Case]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """Each of `cases` measured after training on the rest of them and `others`, pooled."""
    learned: list[tuple[str, str]] = []
    rules: list[tuple[str, str]] = []
    majority = majority_of([*cases, *others])
    for case in cases:
        rest = [c for c in cases if c is not case]
        found, ruled, _ = held_out([*rest, *others], [case])
        learned += found
        rules += ruled
        print(f"   {case.name}: learned {score(found).accuracy:.3f}, "
              f"rules {score(ruled).accuracy:.3f} ({len(found)} sentences)")
    return learned, rules, majority


def first_marks(case: Case, count: int) -> Case:
    """`case` with only its first `count` labels, as a reviewer reading from the top marks."""
    gold: list[str | None] = []
    seen = 0
    for tag in case.gold:
        keep = tag is not None and seen < count
        seen += keep
        gold.append(tag if keep else None)
    return Case(case.name, case.report, case.readings, tuple(gold))


def learning_curve(
    seeds: Sequence[Case], dev: Sequence[Case], mark_on: Case, targets: Sequence[Case]
) -> list[str]:
    """Accuracy on each target B after 0, 25, 50, 100 of a reviewer's marks on `mark_on`
    (A), the model trained on the seeds and the dev reports other than A and B."""
    lines = []
    for count in CURVE:
        marked = first_marks(mark_on, count)
        marks = [Example(e.text, e.context, e.tag, mark=True)
                 for e in examples_of(marked.report, marked.gold,
                                      contexts=contexts_of(marked.report, marked.readings))]
        cells = []
        for target in targets:
            base = [*seeds, *(c for c in dev if c is not mark_on and c is not target)]
            model = train([*examples(base), *marks])
            found = pairs(target, learned_tags(target, model))
            cells.append(f"{target.name} {score(found).accuracy:.3f}")
        lines.append(f"   {len(marks):>3} marks on {mark_on.name}: " + "  ".join(cells))
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Print the seeds', the dev reports' and the test reports' figures, and the curve
    (`--dev`: without the test reports, for tuning)."""
    import sys

    dev_only = "--dev" in (sys.argv[1:] if argv is None else argv)
    split = load_split()
    if dev_only:
        split["test"] = []
    with tempfile.TemporaryDirectory() as home:
        seeds = seed_cases(Path(home) / "seeds")
        dev = corpus_cases(Path(home) / "dev", split["dev"])
        test = corpus_cases(Path(home) / "test", split["test"])
    print("== seeds, leave one report out (trained on the other seeds and the dev reports) ==")
    learned, rules, majority = leave_one_out(seeds, dev)
    print(format_scores("seeds, learned", learned, majority))
    print(format_scores("seeds, rules alone", rules, majority))
    print("\n== dev reports, leave one report out (trained on the seeds and the other dev "
          "reports) ==")
    learned, rules, majority = leave_one_out(dev, seeds)
    print(format_scores("dev, learned", learned, majority))
    print(format_scores("dev, rules alone", rules, majority))
    print(f"\n== learning curve: a reviewer marks {CURVE_FROM} from the top; accuracy on "
          "another report (trained on the seeds and the dev reports but these two) ==")
    mark_on = next(c for c in dev if c.name == CURVE_FROM)
    targets = [*(c for c in dev if c is not mark_on), *test]
    for line in learning_curve(seeds, dev, mark_on, targets):
        print(line)
    if not test:
        return
    print("\n== TEST reports (never read, never trained on; trained on the seeds and the dev "
          "reports) ==")
    learned, rules, majority = held_out([*seeds, *dev], test)
    print(format_scores("test, learned", learned, majority))
    print(format_scores("test, rules alone", rules, majority))


if __name__ == "__main__":
    main()
