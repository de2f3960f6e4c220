"""What a workspace's reviewers teach the learned reader, and the model they make.

Examples: every sentence a reviewer marked (the tag covering most of it; the `suggest`
reviewer's stored suggestions are not a reviewer's decision and teach nothing), and every
rejected suggestion's sentence nobody marked, as "none". Together with the bundled examples
they train the workspace's model, saved as `model/suggest.json` with a key of what it was
trained on (per report: the text version, title and year the rules read, the live marks and
the rejected passages; and the bundled examples): a model whose key no longer matches is stale
and is trained again. Other writes (a follow-through decision, a correction of another field
or of a report nobody marked) leave the key as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.fsutil import atomic_write_text
from annotations.learner import (
    BASE_EXAMPLES,
    VERSION,
    Example,
    Model,
    base_model,
    example_from_json,
    example_to_json,
    examples_of,
    load_examples,
    load_fit_libraries,
    train,
)
from annotations.model import Report, Tag
from annotations.readings import kept_contexts
from annotations.rejections import load_rejected
from annotations.store import Doc
from annotations.suggest import REVIEWER

if TYPE_CHECKING:
    from annotations.workspace import Workspace

MODEL_FILE = Path("model") / "suggest.json"
EXAMPLES_DIR = Path("model") / "examples"
KEY_FILE = Path("model") / "key.json"


def _rejection_files(home: Path) -> list[Path]:
    return sorted((home / "suggest").glob("*.json"))


@dataclass(frozen=True, slots=True)
class Decision:
    """What the learner reads of a live mark: its span, tag and reviewer."""

    start: int
    end: int
    tag: Tag
    reviewer: str


@dataclass(frozen=True)
class Lesson:
    """What one report teaches: the text version, title and year the rules read it with,
    its reviewers' live marks, and the passages rejected on it."""

    report_id: str
    reading: tuple[str, str, int | None]
    marks: tuple[Decision, ...]
    refused: frozenset[str]

    @cached_property
    def key(self) -> str:
        """A short hash of everything the report's examples are made of (the bundled
        examples change whenever the rules' reading does: tests/test_learner.py)."""
        marks = sorted((m.start, m.end, m.tag.value, m.reviewer) for m in self.marks)
        raw = json.dumps([_bundled(), self.reading, marks, sorted(self.refused)],
                         ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def lessons(ws: Workspace) -> list[Lesson]:
    """What each report of the workspace teaches, by report id (reports that teach nothing
    are left out); reads the marks as stored (no objects made), never a report's text."""
    rejected: dict[str, set[str]] = {}
    for path in _rejection_files(ws.home):
        for report_id, quotes in load_rejected(path).items():
            rejected.setdefault(report_id, set()).update(quotes)
    marks_by_report: dict[str, list[Doc]] = {}
    for doc in ws.mark_docs():  # tombstones left out
        if doc["reviewer"] != REVIEWER:
            marks_by_report.setdefault(doc["report_id"], []).append(doc)
    index = ws.index()
    out = []
    for report_id in sorted(set(marks_by_report) | set(rejected)):
        meta = index.get(report_id)
        if meta is None:
            continue  # a rejection of a report that is no longer here
        # live: placed on the current text (not an orphan, nor waiting to be re-anchored)
        marks = tuple(Decision(d["start"], d["end"], Tag(d["tag"]), d["reviewer"])
                      for d in marks_by_report.get(report_id, [])
                      if d["text_sha256"] == meta.sha256 and not d.get("orphan", False))
        refused = frozenset(rejected.get(report_id, ()))
        if marks or refused:
            out.append(Lesson(report_id, (meta.sha256, meta.title, meta.year), marks, refused))
    return out


@cache
def _bundled() -> str:
    """What the model learns besides the workspace: the bundled examples (read once)."""
    return f"{VERSION}:{hashlib.sha256(BASE_EXAMPLES.read_bytes()).hexdigest()[:16]}"


def lessons_key(found: Sequence[Lesson]) -> str:
    """The key of a model trained on these lessons and the bundled examples."""
    raw = json.dumps([_bundled(), [(x.report_id, x.key) for x in found]])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def model_key(ws: Workspace) -> str:
    """The key of the model the workspace's marks and rejections make now.

    Working it out reads every mark, so it is kept in `model/key.json` under a stamp of the
    store, the report index and the rejection files (a few `stat`s): while none of them
    changed, the key is read back; after a write that teaches nothing, it comes out the same.
    """
    stamp = _stamp(ws)
    return _kept_key(ws, stamp) or _lessons_and_key(ws, stamp)[1]


def _kept_key(ws: Workspace, stamp: list[object]) -> str | None:
    kept = _read_json(ws.home / KEY_FILE)
    key = kept.get("key")
    return key if kept.get("stamp") == stamp and isinstance(key, str) else None


def _stamp(ws: Workspace) -> list[object]:
    files = []
    for path in _rejection_files(ws.home):
        stat = path.stat()
        files.append([path.name, stat.st_mtime_ns, stat.st_size])
    # as it reads back from the file (lists, not tuples)
    raw = json.dumps([_bundled(), ws.store_stamp(), ws.library.stamp(), files])
    stamp = json.loads(raw)
    assert isinstance(stamp, list)
    return stamp


def _lessons_and_key(ws: Workspace, stamp: list[object]) -> tuple[list[Lesson], str]:
    """The workspace's lessons and their key, kept in `model/key.json` under `stamp` (taken
    before the marks were read: a write meanwhile makes the next stamp differ)."""
    found = lessons(ws)
    key = lessons_key(found)
    with suppress(OSError):  # only a cache: a read-only workspace works it out every time
        path = ws.home / KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"stamp": stamp, "key": key}) + "\n", durable=False)
    return found, key


def workspace_examples(ws: Workspace, found: Sequence[Lesson] | None = None) -> list[Example]:
    """The reviewers' decisions in the workspace as examples (marked as marks), from
    `found` (default: the workspace's lessons now).

    A report's examples are kept under its lesson's key in `model/examples/<report id>.json`
    and, while the workspace is open, in `ws.taught`: training again after one mark reads
    one report again and writes one file.
    """
    found = lessons(ws) if found is None else found
    folder = ws.home / EXAMPLES_DIR
    out: list[Example] = []
    for lesson in found:
        made = _kept_examples(ws, lesson)
        if made is None:
            made = _report_examples(ws, ws.report(lesson.report_id), lesson.marks,
                                    lesson.refused)
            rows = [example_to_json(e) for e in made]
            with suppress(OSError):  # only a cache
                folder.mkdir(parents=True, exist_ok=True)
                atomic_write_text(folder / f"{lesson.report_id}.json", json.dumps(
                    {"key": lesson.key, "examples": rows}, ensure_ascii=False) + "\n",
                    durable=False)
        ws.taught[lesson.report_id] = (lesson.key, made)
        out += made
    teaching = {lesson.report_id for lesson in found}
    for report_id in set(ws.taught) - teaching:
        del ws.taught[report_id]
    for path in folder.glob("*.json"):
        if path.stem not in teaching:
            path.unlink(missing_ok=True)
    return out


def _kept_examples(ws: Workspace, lesson: Lesson) -> list[Example] | None:
    """A report's examples as last made for this lesson, or None."""
    memo = ws.taught.get(lesson.report_id)
    if memo is not None and memo[0] == lesson.key:
        return memo[1]
    kept = _read_json(ws.home / EXAMPLES_DIR / f"{lesson.report_id}.json")
    rows = kept.get("examples")
    if kept.get("key") != lesson.key or not isinstance(rows, list):
        return None
    try:
        return [replace(example_from_json(row), mark=True) for row in rows]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a damaged cache is made again


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _report_examples(
    ws: Workspace, report: Report, marks: Sequence[Decision], refused: frozenset[str]
) -> list[Example]:
    """One report's examples: each reviewer's label of each sentence they marked, and the
    rejected sentences nobody marked, as none (in the rules' reading as kept: readings.py)."""
    from annotations.agreement import span_labels  # it imports the workspace

    reviewers = sorted({m.reviewer for m in marks})
    labels = span_labels(report.sentences, marks, reviewers)
    contexts = kept_contexts(ws.home, report)  # once per report, however many reviewers
    out = []
    for reviewer in reviewers:
        tags = [None if t is None else t.value for t in labels[reviewer]]
        out += examples_of(report, tags, mark=True, contexts=contexts)
    if refused:
        marked = [any(labels[r][k] is not None for r in reviewers)
                  for k in range(len(report.sentences))]
        nos: list[str | None] = [
            "none" if not marked[k] and report.text[s.start : s.end] in refused else None
            for k, s in enumerate(report.sentences)]
        out += examples_of(report, nos, mark=True, contexts=contexts)
    return out


def saved_model(ws: Workspace) -> Model | None:
    """The model last saved in the workspace, stale or not; None if there is none."""
    try:
        return Model.from_json(json.loads((ws.home / MODEL_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fresh_model(ws: Workspace) -> Model:
    """The workspace's model, trained again and saved first if the marks changed since."""
    saved = saved_model(ws)
    stamp = _stamp(ws)
    if saved is not None and saved.key == _kept_key(ws, stamp):
        return saved
    found, key = _lessons_and_key(ws, stamp)
    if saved is not None and saved.key == key:
        return saved  # what changed teaches nothing
    path = ws.home / MODEL_FILE
    taught = workspace_examples(ws, found)
    if not taught:
        path.unlink(missing_ok=True)
        return replace(base_model(), key=key)
    model = train([*load_examples(), *taught], key=key)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a cache, as the examples are: trained again when lost
    atomic_write_text(path, json.dumps(model.to_json()) + "\n", durable=False)
    return model


def current_model(ws: Workspace) -> Model:
    """The model to suggest with now, without training: the saved one, else the base."""
    return saved_model(ws) or base_model()


def main(argv: Sequence[str]) -> None:
    """`python -m annotations.learning HOME REVIEWER`: train the learned reader of the
    workspace at HOME if it is stale, at low priority — how the app trains it, in a process
    of its own, so that seconds of training never hold up a key press.

    With `--serve` first, numpy and SciPy are imported at once and the process then trains
    once for each line read from its input, answering a line when done, until its input
    closes: the app keeps one such process, so a retraining pays neither a start nor the
    imports, and the marks' examples stay in memory between trainings."""
    from annotations.workspace import Workspace

    os.nice(10)
    serve = argv[:1] == ["--serve"]
    home, reviewer = argv[1:3] if serve else argv[:2]
    ws = Workspace.open(Path(home), reviewer=reviewer, seed=False)
    if not serve:
        fresh_model(ws)
        return
    load_fit_libraries()
    for _line in sys.stdin:
        fresh_model(ws)
        print("trained", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
