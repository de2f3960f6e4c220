"""The learned reader: deterministic, saved and read back, retrained when the marks change,
taught by marks and by rejected suggestions."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.learner import (
    BASE_MODEL,
    MAX_ITER,
    C,
    Context,
    Example,
    Model,
    base_model,
    context_features,
    context_of,
    design,
    features,
    fit,
    folded,
    gram_entries,
    load_examples,
    suggest_learned,
    train,
)
from annotations.learning import EXAMPLES_DIR, MODEL_FILE, model_key, workspace_examples
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


@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=8), max_size=6))
def test_training_hashes_every_sentence_as_suggesting_hashes_one(texts: list[str]) -> None:
    """The n-grams of many sentences hashed at once with numpy (training) are those each
    sentence gets on its own (suggesting), repeats included."""
    rows, found = gram_entries(texts)
    context = Context("review", "none", (), 0)
    for k, text in enumerate(texts):
        own = features(text, context)
        grams = own[: len(own) - len(context_features(context, len(folded(text))))]
        assert sorted(grams) == sorted(found[rows == k].tolist())


@pytest.mark.parametrize("marks", [0, 40])
def test_the_fit_is_scikit_learns_logistic_regression(bundled: list[Example], marks: int) -> None:
    """`fit` minimises scikit-learn's objective its way: the same weights, without the import."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    taught = [Example(e.text, e.context, "plan", mark=True) for e in bundled[-marks:][:marks]]
    found = design([*bundled[:400], *taught])
    coef, intercept = fit(found)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it stops after MAX_ITER steps, as ours does
        reference = LogisticRegression(C=C, max_iter=MAX_ITER).fit(
            found.matrix, found.targets, sample_weight=found.weight)
    assert np.allclose(coef, reference.coef_, rtol=0, atol=1e-7)
    assert np.allclose(intercept, reference.intercept_, rtol=0, atol=1e-7)
    assert np.abs(coef).max() > 0.1  # it learned something


def test_an_example_given_twice_is_one_row_of_double_weight(bundled: list[Example]) -> None:
    """Merging equal examples changes nothing in what is fitted: scikit-learn given every
    example as a row of its own finds the same weights."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    examples = [*bundled[:120], *bundled[:40]]
    found = design(examples)
    rows = list(dict.fromkeys((e.text, e.context, e.tag) for e in examples))
    assert found.matrix.shape[0] == len(rows) < len(examples)
    each = [rows.index((e.text, e.context, e.tag)) for e in examples]
    coef, intercept = fit(found)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it stops after MAX_ITER steps, as ours does
        reference = LogisticRegression(C=C, max_iter=MAX_ITER).fit(
            found.matrix[each], found.targets[each])
    assert np.allclose(coef, reference.coef_, rtol=0, atol=1e-6)
    assert np.allclose(intercept, reference.intercept_, rtol=0, atol=1e-6)


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


def test_the_model_key_follows_only_what_the_model_learns_from(ws: Workspace) -> None:
    rid, other = ws.resolve("常州").id, ws.resolve("长海").id
    sentences = ws.report(rid).sentences
    ws.annotate(rid, sentences[40].start, sentences[40].end, Tag.SHORTCOMING)
    model = ws.model()
    trained = (ws.home / MODEL_FILE).stat().st_mtime_ns
    stamp = ws.store_stamp()
    # writes that teach nothing: a follow-through decision, a correction of a report nobody
    # marked, a correction of a field the rules do not read
    ws.decide_follow(other, rid, ws.plan_passages(other)[0], verdict="kept")
    ws.correct(other, year="2013")
    ws.correct(rid, issuer="常州市人民政府")
    assert ws.store_stamp() != stamp
    assert model_key(ws) == model.key and not ws.model_stale() and ws.model() is model
    again = Workspace.open(ws.home, reviewer="other")
    assert again.model().key == model.key
    assert (ws.home / MODEL_FILE).stat().st_mtime_ns == trained  # not trained again
    # what it learns from: the marks, the rejections, the year and title the rules read
    ws.annotate(rid, sentences[41].start, sentences[41].end, Tag.PLAN)
    assert ws.model_stale()
    ws.undo()
    assert model_key(ws) == model.key  # the same marks again
    ws.correct(rid, year="2016")
    assert ws.model_stale()
    ws.undo()
    target = ws.suggestions(rid)[5]
    ws.reject_suggestion(rid, target.start, target.end)
    assert ws.model_stale() and ws.model().key != model.key


def test_each_reports_examples_are_kept_and_read_back(ws: Workspace) -> None:
    rid, other = ws.resolve("常州").id, ws.resolve("长海").id
    for report_id, tag in ((rid, "plan"), (other, "achievement")):
        spans = ws.report(report_id).sentences[30:33]
        ws.annotate_many({"report_id": report_id, "start": s.start, "end": s.end, "tag": tag}
                         for s in spans)
    taught = workspace_examples(ws)
    folder = ws.home / EXAMPLES_DIR
    assert sorted(p.name for p in folder.glob("*.json")) == sorted([f"{rid}.json",
                                                                    f"{other}.json"])
    assert workspace_examples(Workspace.open(ws.home, reviewer="x")) == taught  # from files
    (folder / f"{other}.json").write_text("{damaged", encoding="utf-8")
    assert workspace_examples(Workspace.open(ws.home, reviewer="x")) == taught  # made again
    ws.undo()  # the marks on the other report
    assert {e.tag for e in workspace_examples(ws)} == {"plan"}
    assert [p.name for p in folder.glob("*.json")] == [f"{rid}.json"]

