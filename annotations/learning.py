"""What a workspace's reviewers teach the learned reader, and the model they make.

Examples: every sentence a reviewer marked (the tag covering most of it; the `suggest`
reviewer's stored suggestions are not a reviewer's decision and teach nothing), and every
rejected suggestion's sentence nobody marked, as "none". Together with the bundled examples
they train the workspace's model, saved as `model/suggest.json` with a key of what it was
trained on (the store's stamp, the rejection files): a model whose key no longer matches is
stale and is trained again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.errors import UserError
from annotations.fsutil import atomic_write_text
from annotations.learner import (
    Example,
    Model,
    base_model,
    example_from_json,
    example_to_json,
    examples_of,
    load_examples,
    train,
)
from annotations.model import Annotation, Report
from annotations.rejections import load_rejected
from annotations.suggest import REVIEWER, read_report

if TYPE_CHECKING:
    from annotations.workspace import Workspace

MODEL_FILE = Path("model") / "suggest.json"
EXAMPLES_FILE = Path("model") / "examples.json"


def _rejection_files(home: Path) -> list[Path]:
    return sorted((home / "suggest").glob("*.json"))


def model_key(ws: Workspace) -> str:
    """What a model of this workspace depends on, as a short hash."""
    files = []
    for path in _rejection_files(ws.home):
        stat = path.stat()
        files.append([path.name, stat.st_mtime_ns, stat.st_size])
    raw = json.dumps([ws.store_stamp(), files])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def workspace_examples(ws: Workspace) -> list[Example]:
    """The reviewers' decisions in the workspace as examples (marked as marks).

    A report's examples are kept in `model/examples.json` under a key of its text and its
    marks and rejections, so training again after one mark reads one report again, not all.
    """
    from annotations.agreement import live_marks  # it imports the workspace

    rejected: dict[str, set[str]] = {}
    for path in _rejection_files(ws.home):
        for report_id, quotes in load_rejected(path).items():
            rejected.setdefault(report_id, set()).update(quotes)
    marks_by_report: dict[str, list[Annotation]] = {}
    for mark in ws.annotations():
        if mark.reviewer != REVIEWER:
            marks_by_report.setdefault(mark.report_id, []).append(mark)
    cache_path = ws.home / EXAMPLES_FILE
    cache = _read_json(cache_path)
    fresh: dict[str, object] = {}
    out: list[Example] = []
    for report_id in sorted(set(marks_by_report) | set(rejected)):
        try:
            report = ws.report(report_id)
        except UserError:
            continue  # a rejection of a report that is no longer here
        marks = live_marks(report, marks_by_report.get(report_id, []))
        refused = rejected.get(report_id, set())
        key = hashlib.sha256(json.dumps([
            report.sha256, sorted((m.start, m.end, m.tag.value, m.reviewer) for m in marks),
            sorted(refused)], ensure_ascii=False).encode()).hexdigest()[:16]
        kept = cache.get(report_id)
        if isinstance(kept, dict) and kept.get("key") == key:
            rows = kept["examples"]
        else:
            rows = [example_to_json(e) for e in _report_examples(report, marks, refused)]
        fresh[report_id] = {"key": key, "examples": rows}
        out += [replace(example_from_json(row), mark=True) for row in rows]
    if fresh != cache:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(cache_path, json.dumps(fresh, ensure_ascii=False) + "\n")
    return out


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _report_examples(
    report: Report, marks: Sequence[Annotation], refused: set[str]
) -> list[Example]:
    """One report's examples: each reviewer's label of each sentence they marked, and the
    rejected sentences nobody marked, as none."""
    from annotations.agreement import sentence_labels  # it imports the workspace

    reviewers = sorted({m.reviewer for m in marks})
    labels = sentence_labels(report, marks, reviewers)
    readings = read_report(report)  # once per report, however many reviewers
    out = []
    for reviewer in reviewers:
        tags = [None if t is None else t.value for t in labels[reviewer]]
        out += examples_of(report, tags, mark=True, readings=readings)
    if refused:
        marked = [any(labels[r][k] is not None for r in reviewers)
                  for k in range(len(report.sentences))]
        nos: list[str | None] = [
            "none" if not marked[k] and report.text[s.start : s.end] in refused else None
            for k, s in enumerate(report.sentences)]
        out += examples_of(report, nos, mark=True, readings=readings)
    return out


def saved_model(ws: Workspace) -> Model | None:
    """The model last saved in the workspace, stale or not; None if there is none."""
    try:
        return Model.from_json(json.loads((ws.home / MODEL_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fresh_model(ws: Workspace) -> Model:
    """The workspace's model, trained again and saved first if the marks changed since."""
    key = model_key(ws)
    saved = saved_model(ws)
    if saved is not None and saved.key == key:
        return saved
    path = ws.home / MODEL_FILE
    taught = workspace_examples(ws)
    if not taught:
        path.unlink(missing_ok=True)
        return replace(base_model(), key=key)
    model = train([*load_examples(), *taught], key=key)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(model.to_json()) + "\n")
    return model


def current_model(ws: Workspace) -> Model:
    """The model to suggest with now, without training: the saved one, else the base."""
    return saved_model(ws) or base_model()


def main(argv: Sequence[str]) -> None:
    """`python -m annotations.learning HOME REVIEWER`: train the learned reader of the
    workspace at HOME if it is stale, at low priority — how the app trains it, in a process
    of its own, so that seconds of training never hold up a key press."""
    from annotations.workspace import Workspace

    os.nice(10)
    fresh_model(Workspace.open(Path(argv[0]), reviewer=argv[1], seed=False))


if __name__ == "__main__":
    main(sys.argv[1:])
