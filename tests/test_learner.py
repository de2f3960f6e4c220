"""The learned reader: deterministic, saved and read back, retrained when the marks change,
taught by marks and by rejected suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.learner import (
    BASE_MODEL,
    Example,
    Model,
    base_model,
    context_of,
    load_examples,
    suggest_learned,
    train,
)
from annotations.learning import MODEL_FILE, workspace_examples
from annotations.model import Tag
from annotations.suggest import read_report
from annotations.workspace import Workspace
from benchmarks.suggest_eval import examples, seed_cases


@pytest.fixture(scope="module")
def bundled() -> list[Example]:
    return load_examples()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester")


def test_the_bundled_model_is_trained_on_the_bundled_examples(bundled: list[Example]) -> None:
    assert train(bundled).to_json() == json.loads(BASE_MODEL.read_text(encoding="utf-8"))


def test_the_bundled_examples_begin_with_the_seeds_as_the_rules_read_them(
    tmp_path: Path, bundled: list[Example]
) -> None:
    seeds = examples(seed_cases(tmp_path))
    assert bundled[: len(seeds)] == seeds  # run `python -m benchmarks.base_model` if not


def test_a_model_reads_back_the_same(bundled: list[Example]) -> None:
    model = base_model()
    again = Model.from_json(json.loads(json.dumps(model.to_json())))
    first = bundled[0]
    assert again.scores(first.text, first.context) == model.scores(first.text, first.context)
    with pytest.raises(ValueError):
        Model.from_json({"version": 0})


@settings(max_examples=4)
@given(st.lists(st.sampled_from(["achievement", "shortcoming", "plan", "none"]),
                min_size=1, max_size=12))
def test_training_is_deterministic(tags: list[str]) -> None:
    base = load_examples()[:200]
    taught = [Example(e.text, e.context, tag, mark=True) for e, tag in zip(base, tags,
                                                                             strict=False)]
    assert train([*base, *taught]).to_json() == train([*base, *taught]).to_json()


def test_marks_retrain_the_workspace_model(ws: Workspace) -> None:
    rid = ws.resolve("常州").id
    report = ws.report(rid)
    before = ws.model()
    assert before.marks == 0 and not (ws.home / MODEL_FILE).exists()
    for span in report.sentences[40:45]:
        ws.annotate(rid, span.start, span.end, Tag.SHORTCOMING)
    assert ws.model_stale()
    after = ws.model()
    assert after.marks == 5 and after.key != before.key and not ws.model_stale()
    assert (ws.home / MODEL_FILE).exists()
    assert ws.model() is after  # not trained again while nothing changed
    reasons = {s.reason.split(";")[0] for s in ws.suggested(rid)}
    assert reasons == {"learned from 5 marks"}
    fresh = Workspace.open(ws.home, reviewer="other")
    assert fresh.model().to_json() == after.to_json()  # read back, not trained again


def test_a_rejected_suggestion_teaches_none(ws: Workspace) -> None:
    rid = ws.resolve("常州").id
    target = ws.suggestions(rid)[5]
    ws.reject_suggestion(rid, target.start, target.end)
    taught = workspace_examples(ws)
    text = ws.report(rid).text[target.start : target.end]
    assert [(e.text, e.tag, e.mark) for e in taught] == [(text, "none", True)]
    assert ws.model().marks == 1


def test_a_reviewer_teaches_a_tag_the_rules_miss(ws: Workspace) -> None:
    rid = ws.resolve("常州").id
    report = ws.report(rid)
    readings = [r for r in read_report(report) if r.untagged is None]
    chosen = readings[10:70]
    for reading in chosen:
        ws.annotate(rid, reading.start, reading.end, Tag.SHORTCOMING)
    model = ws.model()
    length = len(report.text)
    right = sum(model.predict(report.text[r.start : r.end], context_of(r, length))[0]
                == "shortcoming" for r in chosen)
    assert right >= 0.9 * len(chosen)
    assert all(s.tag is not None for s in suggest_learned(report, model) if s.reason
               .startswith("learned") and s.start == chosen[0].start)
