"""Review as a team: two workspaces, two reviewers, export → merge → agreement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations import Annotation, Report, Tag, Workspace
from annotations.agreement import (
    CONSENSUS_REVIEWER,
    agreement_report,
    disagreements,
    resolve_sentence,
)
from tui import cli
from tui.cli import main

TAGS = list(Tag)


def marks_of_a(report: Report) -> list[dict[str, object]]:
    """Every other sentence of the first forty, whole, tags in turn."""
    return [
        {"report_id": report.id, "start": s.start, "end": s.end, "tag": TAGS[k % 3],
         "reviewer": "A"}
        for k, s in enumerate(report.sentences[:40]) if k % 2 == 0
    ]


def marks_of_b(report: Report) -> list[dict[str, object]]:
    """Every third sentence of the first forty, a little shorter, tags in another turn:
    overlapping A's marks on some sentences, agreeing on some, differing on others."""
    return [
        {"report_id": report.id, "start": s.start + (s.end - s.start) // 4, "end": s.end,
         "tag": TAGS[(k // 3) % 3], "reviewer": "B"}
        for k, s in enumerate(report.sentences[:40]) if k % 3 == 0
    ]


@pytest.fixture
def two_workspaces(tmp_path: Path) -> tuple[Workspace, Workspace, Report]:
    ws_a = Workspace.open(tmp_path / "a", reviewer="A")
    ws_b = Workspace.open(tmp_path / "b", reviewer="B")
    report = ws_a.report(ws_a.resolve("常州").id)
    assert ws_b.report(report.id).sha256 == report.sha256
    return ws_a, ws_b, report


def test_round_trip_through_export_and_merge(
    two_workspaces: tuple[Workspace, Workspace, Report], tmp_path: Path
) -> None:
    ws_a, ws_b, report = two_workspaces
    ws_a.annotate_many(marks_of_a(report))
    gone = ws_a.annotate(report.id, 0, 10, "plan")
    ws_a.delete_annotation(gone.id)
    ws_b.annotate_many(marks_of_b(report))
    other = ws_b.report(ws_b.resolve("清远").id)
    ws_b.annotate(other.id, other.sentences[0].start, other.sentences[0].end, "plan")
    a_marks, b_marks = ws_a.annotations(), ws_b.annotations()
    direct = agreement_report(
        [(report, [*a_marks, *b_marks]), (other, ws_b.annotations(report_id=other.id))]
    )

    path = tmp_path / "a.json"
    assert ws_a.export("json", path, reviewer="A") == len(a_marks) + 1  # the tombstone too
    result = ws_b.merge(path)
    assert (result.added, result.orphaned) == (len(a_marks) + 1, 0)

    assert ws_b.annotations(reviewer="A") == a_marks
    merged = agreement_report(ws_b)
    assert merged == direct
    assert [r.report_id for r in merged.reports] == [report.id]
    assert merged.skipped == ((other.id, other.title),)
    figures = merged.overall
    assert figures.reviewers == ("A", "B") and figures.units == len(report.sentences)
    # the marks overlap without matching, so no figure pretends to perfect agreement
    assert figures.cohen_kappa is not None and figures.cohen_kappa < 1
    assert figures.unitizing is not None and figures.unitizing.alpha is not None
    assert figures.unitizing.alpha < 1
    assert sum(map(sum, figures.pairs[0].confusion.counts)) == len(report.sentences)


def test_a_resolution_travels_as_marks_of_the_consensus_reviewer(
    two_workspaces: tuple[Workspace, Workspace, Report], tmp_path: Path
) -> None:
    ws_a, ws_b, report = two_workspaces
    ws_a.annotate_many(marks_of_a(report))
    ws_b.annotate_many(marks_of_b(report))
    ws_a.export("json", tmp_path / "a.json", reviewer="A")
    ws_b.merge(tmp_path / "a.json")
    before = agreement_report(ws_b)
    first = disagreements(report, ws_b.annotations(report_id=report.id), ["A", "B"])[0]
    resolve_sentence(ws_b, report.id, first, Tag.SHORTCOMING)
    assert ws_b.export("json", tmp_path / "c.json", reviewer=CONSENSUS_REVIEWER) == 1
    ws_a.merge(tmp_path / "c.json")
    [resolution] = ws_a.annotations(reviewer=CONSENSUS_REVIEWER)
    assert (resolution.start, resolution.end, resolution.tag) == (
        first.start, first.end, Tag.SHORTCOMING)
    assert agreement_report(ws_b) == before


def run_cli(home: Path, *args: str) -> None:
    assert main(["--home", str(home), *args]) == 0


def test_round_trip_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    report = Workspace.open(home_a).report(Workspace.open(home_a).resolve("常州").id)
    Workspace.open(home_b)
    for reviewer, home, items in (("A", home_a, marks_of_a(report)),
                                  ("B", home_b, marks_of_b(report))):
        for item in items:
            tag = item["tag"]
            assert isinstance(tag, Tag)
            run_cli(home, "--reviewer", reviewer, "annotate", report.id, "--start",
                    str(item["start"]), "--end", str(item["end"]), "--tag", tag.value)
    marks: list[Annotation] = [*Workspace.open(home_a).annotations(),
                               *Workspace.open(home_b).annotations()]
    path = tmp_path / "f.json"
    run_cli(home_a, "export", "--reviewer", "A", "-o", str(path))
    run_cli(home_b, "merge", str(path))
    capsys.readouterr()
    run_cli(home_b, "agree", report.id[:6], "--reviewers", "A,B", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == agreement_report([(report, marks)]).to_json()
    assert printed["overall"]["reviewers"] == ["A", "B"]

    run_cli(home_b, "agree")
    out = capsys.readouterr().out
    assert out.startswith("# agreement on sentences")
    header, *rows = out.split("\n\n")[0].splitlines()[1:]
    assert header.split("\t")[:3] == ["report", "reviewers", "sentences"]
    assert [r.split("\t")[0] for r in rows] == [report.title, "overall"]
    assert "# A (rows) × B (columns)" in out


def test_agree_with_one_reviewer_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "a"
    run_cli(home, "--reviewer", "A", "annotate", "常州", "--start", "0", "--end", "5",
            "--tag", "plan")
    assert main(["--home", str(home), "agree"]) == 1
    err = capsys.readouterr().err
    assert "only A marked these reports" in err and "shenyue merge" in err
    assert "Traceback" not in err


def test_tables_on_a_terminal_never_read_cells_as_markup(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "stdout_is_terminal", lambda: True)
    cli.print_table("[bold]title[/]", ("report", "α"), [("[/] [@click=app.quit]x", "0.500")])
    out = capsys.readouterr().out
    assert "[bold]title[/]" in out and "[/] [@click=app.quit]x" in out and "0.500" in out
