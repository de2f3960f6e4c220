"""The rules' reading of each report version, kept for the learned reader: written on a
version's first mark, read back while the version, title, year and rules are the same, read
again when one of them changed, and training from it learns what training from the rules
does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotations.learner import contexts_of, examples_of
from annotations.learning import MODEL_FILE, workspace_examples
from annotations.readings import READINGS_DIR, kept_contexts, kept_key, reading_key
from annotations.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester")


def _file(ws: Workspace, report_id: str) -> Path:
    return ws.home / READINGS_DIR / f"{report_id}.json"


def _mislabel(ws: Workspace, report_id: str) -> None:
    """Give every kept context another role: only a reader of the file sees it."""
    path = _file(ws, report_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["contexts"] = [["kept", *row[1:]] for row in data["contexts"]]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _mark(ws: Workspace, report_id: str) -> None:
    span = ws.report(report_id).sentences[3]
    ws.annotate(report_id, span.start, span.end, "plan")


def test_a_reports_first_mark_keeps_its_reading(ws: Workspace) -> None:
    for meta in ws.reports():
        report = ws.report(meta.id)
        assert not kept_key(ws.home, report)  # importing reads nothing through the rules
        _mark(ws, meta.id)
        assert kept_key(ws.home, report)
        assert kept_contexts(ws.home, report) == contexts_of(report)


def test_a_kept_reading_is_read_back_not_read_again(ws: Workspace) -> None:
    report = ws.report(ws.resolve("常州").id)
    _mark(ws, report.id)
    _mislabel(ws, report.id)
    found = kept_contexts(ws.home, report)
    assert {c.role for c in found if c is not None} == {"kept"}


@pytest.mark.parametrize("damage", ["{damaged", '{"key": "0000", "contexts": []}',
                                    '{"key": "KEY", "contexts": [], "sentences": [0]}'])
def test_a_damaged_or_stale_reading_is_read_again(ws: Workspace, damage: str) -> None:
    report = ws.report(ws.resolve("常州").id)
    _mark(ws, report.id)
    _file(ws, report.id).write_text(damage.replace("KEY", reading_key(report)),
                                    encoding="utf-8")
    assert kept_contexts(ws.home, report) == contexts_of(report)
    assert kept_key(ws.home, report)  # and kept again


def test_a_new_version_or_a_corrected_year_reads_the_report_again(
    ws: Workspace, tmp_path: Path
) -> None:
    file = tmp_path / "report.txt"
    file.write_text("某某市2020年法治政府建设情况报告\n一、主要工作\n我们完成了立法工作。\n",
                    encoding="utf-8")
    first = ws.import_report(file)
    ws.annotate(first.id, first.sentences[-1].start, first.sentences[-1].end, "achievement")
    _mislabel(ws, first.id)
    file.write_text("某某市2020年法治政府建设情况报告\n一、主要工作\n我们完成了立法工作。\n"
                    "二、存在的问题\n执法不够规范。\n", encoding="utf-8")
    second = ws.import_report(file)
    assert second.id == first.id and second.sha256 != first.sha256
    assert not kept_key(ws.home, second)
    ws.annotate(second.id, second.sentences[-1].start, second.sentences[-1].end, "shortcoming")
    assert kept_contexts(ws.home, second) == contexts_of(second)
    _mislabel(ws, second.id)
    ws.correct(second.id, year="2016")
    corrected = ws.report(second.id)
    assert not kept_key(ws.home, corrected)
    assert kept_contexts(ws.home, corrected) == contexts_of(corrected)


def test_suggesting_keeps_a_reading_that_was_missing(ws: Workspace) -> None:
    rid = ws.resolve("常州").id
    assert not (ws.home / READINGS_DIR).exists()
    ws.suggested(rid)
    assert kept_key(ws.home, ws.report(rid))


def test_training_from_kept_readings_equals_training_from_the_rules(ws: Workspace) -> None:
    rid, other = ws.resolve("常州").id, ws.resolve("长海").id
    for report_id, tag in ((rid, "plan"), (other, "shortcoming")):
        spans = ws.report(report_id).sentences[20:40]
        ws.annotate_many({"report_id": report_id, "start": s.start, "end": s.end, "tag": tag}
                         for s in spans)
    from_kept = ws.learn()
    taught = workspace_examples(ws)
    # the same examples as the rules give when read now
    by_rules = []
    for report_id, tag in ((rid, "plan"), (other, "shortcoming")):
        report = ws.report(report_id)
        labels = [tag if 20 <= k < 40 else None for k in range(len(report.sentences))]
        by_rules += examples_of(report, labels, mark=True)
    assert sorted(taught, key=repr) == sorted(by_rules, key=repr)
    # from scratch: no kept reading, no examples, no model
    shutil.rmtree(ws.home / READINGS_DIR)
    shutil.rmtree((ws.home / MODEL_FILE).parent)
    fresh = Workspace.open(ws.home, reviewer="other")
    assert fresh.learn().to_json() == from_kept.to_json()
    assert kept_key(ws.home, ws.report(rid)) and kept_key(ws.home, ws.report(other))
