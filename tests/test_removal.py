"""Removing a report: set aside with its marks, out of every list, one undo step back."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import Tag, UserError, Workspace
from annotations.editing import short
from annotations.store import HISTORY
from annotations.workspace import seed_files

SHENYUE = str(Path(sys.executable).with_name("shenyue"))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester")


def marked(ws: Workspace, name: str, count: int = 2) -> str:
    """The id of the report whose title holds `name`, with `count` marks of the tester."""
    rid = ws.resolve(name).id
    for sentence, tag in zip(ws.report(rid).sentences[1 : count + 1], Tag, strict=False):
        ws.annotate(rid, sentence.start, sentence.end, tag, comment="待核查·甲")
    return rid


def test_a_removed_report_leaves_every_list_and_its_marks_stay_aside(ws: Workspace,
                                                                      tmp_path: Path) -> None:
    rid = marked(ws, "清远")
    other = marked(ws, "常州", 1)
    marks = ws.annotations(report_id=rid)
    history = len(ws.store.tables()[HISTORY])
    (removed,) = ws.remove_reports([rid])
    assert removed.id == rid
    assert len(ws.store.tables()[HISTORY]) == history + 1  # one change, one undo step
    assert rid not in ws.index() and rid not in {m.id for m in ws.reports()}
    assert set(ws.removed()) == {rid}
    assert {m.report_id for m in ws.annotations()} == {other}
    assert ws.annotations(report_id=rid) == marks  # set aside, not destroyed
    assert all(hit.report.id != rid for hit in ws.lookup("行政复议", limit=500))
    assert {h.report.id for h in ws.lookup("待核查·甲")} == {other}
    out = tmp_path / "all.json"
    ws.export("json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {d["report_id"] for d in data["annotations"]} == {other}
    assert rid not in {r["id"] for r in data["reports"]} and data["corrections"] == []
    for refused in (lambda: ws.report(rid), lambda: ws.resolve("清远"),
                    lambda: ws.annotate(rid, 0, 3, Tag.PLAN),
                    lambda: ws.export("json", tmp_path / "one.json", report_id=rid),
                    lambda: ws.correct(rid, year=2020)):
        with pytest.raises(UserError, match=r"was removed.*brings it back"):
            refused()


def test_undo_brings_the_report_back_with_its_marks_and_redo_removes_it_again(
        ws: Workspace) -> None:
    rid = marked(ws, "清远")
    before = ws.annotations(report_id=rid)
    ws.remove_reports([rid])
    assert str(ws.undo()) == f"undid: remove report «{short(ws.report(rid).title)}»"
    assert rid in ws.index() and ws.annotations(report_id=rid) == before
    assert ws.redo() is not None and rid in ws.removed()
    again = Workspace.open(ws.home, reviewer="tester")  # on disk, for every process
    assert rid in again.removed() and rid not in again.index()
    again.undo()
    assert ws.resolve("清远").id == rid


def test_several_reports_go_in_one_step(ws: Workspace) -> None:
    ids = [m.id for m in ws.reports()[:3]]
    ws.remove_reports(ids)
    assert set(ws.removed()) == set(ids) and len(ws.reports()) == 2
    assert str(ws.undo()) == "undid: remove 3 reports"
    assert len(ws.reports()) == 5


def test_restore_and_importing_again_bring_a_report_back(ws: Workspace) -> None:
    rid = marked(ws, "长海")
    ws.remove_reports([rid])
    with pytest.raises(UserError, match="was not removed"):
        ws.restore_reports([ws.resolve("常州").id])
    assert ws.resolve_removed("长海").id == rid
    ws.restore_reports([rid])
    assert rid in ws.index() and len(ws.annotations(report_id=rid)) == 2
    ws.remove_reports([rid])
    seed = next(f for f in seed_files() if "changhai" in f.name)
    summary = ws.import_paths([seed])
    assert [o.status for o in summary.outcomes] == ["restored"]
    assert rid in ws.index() and len(ws.annotations(report_id=rid)) == 2
    ws.remove_reports([rid])
    assert ws.import_report(seed).id == rid and not ws.removed()


def test_removing_twice_or_a_report_we_lack_is_one_sentence(ws: Workspace) -> None:
    rid = ws.reports()[0].id
    ws.remove_reports([rid])
    with pytest.raises(UserError, match="was removed"):
        ws.remove_reports([rid])
    with pytest.raises(UserError, match="No report with id"):
        ws.remove_reports(["nonesuch"])
    with pytest.raises(UserError, match="Name at least one"):
        ws.remove_reports([])


@settings(max_examples=25)
@given(st.lists(st.tuples(st.booleans(), st.sets(st.integers(0, 4), min_size=1)), max_size=5))
def test_any_removals_and_restores_undo_to_where_they_began(
        steps: list[tuple[bool, set[int]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.open(Path(folder) / "ws", reviewer="tester")
        rid = marked(ws, "大连市", 3)
        ids = sorted(ws.index())
        marks = ws.annotations(report_id=rid)
        gone: set[str] = set()
        done = 0
        for removing, picked in steps:
            chosen = [ids[n] for n in sorted(picked)
                      if (ids[n] in gone) != removing]  # only those the step may change
            if not chosen:
                continue
            (ws.remove_reports if removing else ws.restore_reports)(chosen)
            gone = gone | set(chosen) if removing else gone - set(chosen)
            done += 1
            assert set(ws.removed()) == gone and set(ws.index()) == set(ids) - gone
        for _ in range(done):
            assert ws.undo() is not None
        assert sorted(ws.index()) == ids and ws.annotations(report_id=rid) == marks


def shenyue(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`shenyue --home HOME ARGS` in a fresh process."""
    return subprocess.run([SHENYUE, "--home", str(home), *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_command_line_removes_lists_and_restores(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert shenyue(home, "annotate", "清远", "--quote", "行政复议", "--start", "0",
                   "--tag", "shortcoming").returncode == 0
    removed = shenyue(home, "remove", "清远")
    assert removed.returncode == 0 and removed.stdout.startswith("removed ")
    assert "1 mark kept aside" in removed.stderr
    assert "清远" not in shenyue(home, "list").stdout  # a cold list: corrections from a cache
    assert "清远" in shenyue(home, "list", "--removed").stdout
    lookup = shenyue(home, "lookup", "行政复议", "--tag", "shortcoming")
    assert lookup.returncode == 0 and "清远" not in lookup.stdout
    show = shenyue(home, "show", "清远")
    assert show.returncode == 1 and "was removed" in show.stderr
    assert show.stderr.count("\n") == 1 and "Traceback" not in show.stderr
    assert shenyue(home, "undo").stdout.startswith("undid: remove report «清远")
    assert "清远" in shenyue(home, "list").stdout
    assert "清远" in shenyue(home, "lookup", "行政复议", "--tag", "shortcoming").stdout
    shenyue(home, "remove", "清远")
    assert shenyue(home, "restore", "清远").stdout.startswith("restored ")
    again = shenyue(home, "restore", "清远")
    assert again.returncode == 1 and "No report was removed" in again.stderr
