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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.errors import UserError
from annotations.fsutil import atomic_write_text
from annotations.learner import Example, Model, base_model, examples_of, load_examples, train
from annotations.model import Annotation
from annotations.rejections import load_rejected
from annotations.suggest import REVIEWER, read_report

if TYPE_CHECKING:
    from annotations.workspace import Workspace

MODEL_FILE = Path("model") / "suggest.json"


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
    """The reviewers' decisions in the workspace as examples (marked as marks)."""
    from annotations.agreement import live_marks, sentence_labels  # it imports the workspace

    rejected: dict[str, set[str]] = {}
    for path in _rejection_files(ws.home):
        for report_id, quotes in load_rejected(path).items():
            rejected.setdefault(report_id, set()).update(quotes)
    marks_by_report: dict[str, list[Annotation]] = {}
    for mark in ws.annotations():
        if mark.reviewer != REVIEWER:
            marks_by_report.setdefault(mark.report_id, []).append(mark)
    out: list[Example] = []
    for report_id in sorted(set(marks_by_report) | set(rejected)):
        try:
            report = ws.report(report_id)
        except UserError:
            continue  # a rejection of a report that is no longer here
        marks = live_marks(report, marks_by_report.get(report_id, []))
        reviewers = sorted({m.reviewer for m in marks})
        labels = sentence_labels(report, marks, reviewers)
        marked = [any(labels[r][k] is not None for r in reviewers)
                  for k in range(len(report.sentences))]
        readings = read_report(report)  # once per report, however many reviewers
        for reviewer in reviewers:
            tags = [None if t is None else t.value for t in labels[reviewer]]
            out += examples_of(report, tags, mark=True, readings=readings)
        if report_id in rejected:
            refused = rejected[report_id]
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
