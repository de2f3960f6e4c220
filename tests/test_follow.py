"""Following plans into the next year's review: the matcher, the workspace and the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import UserError, Workspace
from annotations.follow import Passage, features, follow
from tests.appkit import seed_id

ROOT = Path(__file__).parent.parent


def passages(*texts: str) -> list[Passage]:
    """Passages laid end to end."""
    out, at = [], 0
    for text in texts:
        out.append(Passage(at, at + len(text), text))
        at += len(text)
    return out


REVIEW = passages(
    "深入推进依法行政，进一步加强政府自身建设。",
    "基本公共卫生服务经费人均补助标准提高到45元。",
    "新建改建农村公路30多万公里，农村交通条件明显改善。",
    "深入推进简政放权，进一步加强事中事后监管。",
)


def test_a_shared_figure_and_programme_outweigh_shared_boilerplate() -> None:
    [health, roads] = follow(
        passages("深入推进改革，基本公共卫生服务经费财政补助从人均40元提高到45元。",
                 "进一步加强农村公路建设，新建改建农村公路20万公里。"),
        REVIEW,
    )
    assert health.evidence[0].passage == REVIEW[1] and health.verdict != "no_trace"
    assert roads.evidence[0].passage == REVIEW[2]


def test_a_plan_the_review_never_mentions_has_no_trace() -> None:
    [plan] = follow(passages("积极商签区域全面经济伙伴关系协定，加快中日韩自贸区谈判。"), REVIEW)
    assert plan.verdict == "no_trace"


def test_full_width_figures_match_half_width_ones() -> None:
    assert "#45元" in features("提高到４５元")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="依法行政农村公路提高到元万公里2045，。", min_size=1, max_size=30),
                min_size=1, max_size=6),
       st.lists(st.text(alphabet="依法行政农村公路提高到元万公里2045，。", min_size=1, max_size=30),
                min_size=1, max_size=8))
def test_evidence_is_ranked_bounded_and_deterministic(plans: list[str], review: list[str]) -> None:
    found = follow(passages(*plans), passages(*review))
    assert found == follow(passages(*plans), passages(*review))
    assert len(found) == len(plans)
    for item in found:
        scores = [e.score for e in item.evidence]
        assert len(scores) <= 3 and scores == sorted(scores, reverse=True)
        assert all(0.0 < s <= 1.0 + 1e-9 for s in scores)
        assert item.verdict in {"kept", "partly", "no_trace"}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="甲")


def test_reviewers_plan_marks_are_the_plans_when_there_are_any(ws: Workspace) -> None:
    plan_doc = seed_id(ws, "changhai")
    report = ws.report(plan_doc)
    first = report.sentences[3]
    assert len(ws.plan_passages(plan_doc)) > 1  # the suggestions' plans
    ws.annotate(plan_doc, first.start, first.end, "plan")
    assert [(p.start, p.end) for p in ws.plan_passages(plan_doc)] == [(first.start, first.end)]


def test_follow_command_prints_json_with_code_point_offsets(ws: Workspace) -> None:
    plan_doc, later = seed_id(ws, "changhai"), seed_id(ws, "changzhou")
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(ws.home), "follow", plan_doc, later,
         "--json"], capture_output=True, text=True, cwd=ROOT, check=True,
    )
    items = json.loads(result.stdout)
    plan_text, later_text = ws.report(plan_doc).text, ws.report(later).text
    assert items and {"plan", "evidence", "verdict"} <= set(items[0])
    for item in items:
        plan = item["plan"]
        assert plan_text[plan["start"] : plan["end"]] == plan["text"]
        for e in item["evidence"]:
            assert later_text[e["start"] : e["end"]] == e["text"]


def test_follow_command_refuses_an_unknown_report_in_one_line(ws: Workspace) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(ws.home), "follow", "nonesuch", "常州"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def test_a_reviewers_decisions_reorder_evidence_and_set_the_verdict(ws: Workspace) -> None:
    plan_doc, later = seed_id(ws, "changhai"), seed_id(ws, "changzhou")
    first = ws.follow(plan_doc, later)[0]
    wrong = first.evidence[0].passage
    right = ws.review_passages(later)[-1]
    ws.decide_follow(plan_doc, later, first.plan, reject=wrong)
    ws.decide_follow(plan_doc, later, first.plan, confirm=right, verdict="kept")
    again = Workspace.open(ws.home, reviewer="甲").follow(plan_doc, later)[0]
    assert again.evidence[0].passage == right and again.evidence[0].confirmed
    assert wrong not in [e.passage for e in again.evidence]
    assert (again.verdict, again.decided) == ("kept", True)
    assert Workspace.open(ws.home, reviewer="乙").follow(plan_doc, later)[0] == first
    ws.undo()
    undone = ws.follow(plan_doc, later)[0]
    assert not undone.decided and wrong not in [e.passage for e in undone.evidence]
    ws.undo()
    assert ws.follow(plan_doc, later)[0] == first


def test_a_decision_names_a_verdict_we_know(ws: Workspace) -> None:
    plan_doc, later = seed_id(ws, "changhai"), seed_id(ws, "changzhou")
    first = ws.follow(plan_doc, later)[0]
    with pytest.raises(UserError, match="Unknown verdict"):
        ws.decide_follow(plan_doc, later, first.plan, verdict="done")


def test_decisions_travel_with_export_and_merge(ws: Workspace, tmp_path: Path) -> None:
    plan_doc, later = seed_id(ws, "changhai"), seed_id(ws, "changzhou")
    first = ws.follow(plan_doc, later)[0]
    chosen = ws.review_passages(later)[-1]
    ws.decide_follow(plan_doc, later, first.plan, confirm=chosen, verdict="partly")
    exported = tmp_path / "mine.json"
    ws.export("json", exported)
    other = Workspace.open(tmp_path / "other", reviewer="甲")
    result = other.merge(exported)
    assert result.links == 1
    assert other.follow(plan_doc, later) == ws.follow(plan_doc, later)
    again = tmp_path / "again.json"
    other.export("json", again)
    assert again.read_bytes() == exported.read_bytes()
    assert other.merge(exported).links == 0


def test_a_merged_decision_is_checked_like_every_record(ws: Workspace, tmp_path: Path) -> None:
    plan_doc, later = seed_id(ws, "changhai"), seed_id(ws, "changzhou")
    ws.decide_follow(plan_doc, later, ws.follow(plan_doc, later)[0].plan, verdict="kept")
    exported = tmp_path / "mine.json"
    ws.export("json", exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["links"][0]["verdict"] = "done"
    exported.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = Workspace.open(tmp_path / "other", reviewer="甲")
    with pytest.raises(UserError, match="verdict 'done'"):
        other.merge(exported)
