"""`shenyue annotate | lookup | export | merge | undo | redo`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotations import Workspace
from tui.cli import main


@pytest.fixture
def home(tmp_path: Path) -> Path:
    Workspace.open(tmp_path / "ws")
    return tmp_path / "ws"


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), "--reviewer", "甲", *args])


def journal(home: Path) -> bytes:
    path = home / "store" / "annotations.jsonl"
    return path.read_bytes() if path.exists() else b""


def test_annotate_by_quote_then_look_it_up(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "annotate", "常州", "--quote", "行政复议工作机制", "--tag", "不足",
               "--comment", "需要跟进") == 0
    mark_id, tag, span, quote = capsys.readouterr().out.strip().split("\t")
    assert (tag, quote) == ("shortcoming", "行政复议工作机制")
    assert main(["--home", str(home), "lookup", "跟进", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [h["annotation"]["id"] for h in hits] == [mark_id]
    assert hits[0]["report"].startswith("常州") and hits[0]["section"]
    assert f"{hits[0]['start']}-{hits[0]['end']}" == span


def test_annotate_by_offsets_and_by_quote_after_start(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Workspace.open(home).report(Workspace.open(home).resolve("常州").id).text
    second = text.index("行政复议", text.index("行政复议") + 1)
    assert run(home, "annotate", "常州", "--quote", "行政复议", "--start", str(second - 1),
               "--tag", "plan") == 0
    assert capsys.readouterr().out.split("\t")[2] == f"{second}-{second + 4}"
    assert run(home, "annotate", "常州", "--start", "10", "--end", "20", "--tag", "plan") == 0
    assert capsys.readouterr().out.split("\t")[3] == " ".join(text[10:20].split()) + "\n"


@pytest.mark.parametrize(
    ("args", "code", "phrase"),
    [
        (["常州", "--quote", "行政复议", "--tag", "plan"], 1, "occurs"),
        (["常州", "--quote", "不存在的句子", "--tag", "plan"], 1, "does not occur"),
        (["常州", "--start", "9", "--end", "3", "--tag", "plan"], 1, "before the end"),
        (["常州", "--start", "0", "--end", "99999999", "--tag", "plan"], 1, "outside"),
        (["常州", "--start", "0", "--end", "5", "--tag", "good"], 1, "Unknown tag"),
        (["没有这个报告", "--start", "0", "--end", "5", "--tag", "plan"], 1, "No report"),
        (["常州", "--tag", "plan"], 2, "--quote"),
        (["常州", "--start", "0", "--end", "5"], 2, "--tag"),
        (["常州", "--start", "x", "--end", "5", "--tag", "plan"], 2, "invalid int"),
        (["常州", "--quote", "行政复议", "--start", "-5", "--tag", "plan"], 1, "outside"),
        (["常州", "--quote", "行政复议", "--start", "99999999", "--tag", "plan"], 1, "outside"),
        (["常州", "--quote", "行政复议工作机制", "--start", "0", "--end", "9", "--tag", "plan"],
         2, "--end goes with --start"),
    ],
)
def test_bad_annotate_input(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, phrase: str
) -> None:
    assert run(home, "annotate", *args) == code
    err = capsys.readouterr().err
    assert phrase in err and "Traceback" not in err
    assert journal(home) == b""


def test_lookup_plain_and_filtered(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "annotate", "常州", "--quote", "行政复议工作机制", "--tag", "shortcoming")
    capsys.readouterr()
    assert main(["--home", str(home), "lookup", "行政复议", "--limit", "5"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 5 and all(len(line.split("\t")) == 8 for line in lines)
    assert lines[0].split("\t")[3] == "shortcoming"  # marks come first
    assert "--limit" in captured.err
    assert main(["--home", str(home), "lookup", "行政复议", "--tag", "plan"]) == 0
    assert capsys.readouterr().out == ""
    assert run(home, "lookup", "行政复议", "--reviewer", "甲", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_lookup_refuses_a_limit_below_one(
    home: Path, capsys: pytest.CaptureFixture[str], limit: str
) -> None:
    assert run(home, "lookup", "行政复议", "--limit", limit) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and f"--limit must be at least 1, not {limit}" in captured.err


def test_export_merge_undo_redo(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(home, "annotate", "常州", "--quote", "行政复议工作机制", "--tag", "shortcoming")
    capsys.readouterr()
    assert run(home, "export", "--format", "json") == 0
    exported = json.loads(capsys.readouterr().out)
    assert len(exported["annotations"]) == 1
    out = tmp_path / "marks.json"
    assert run(home, "export", "--format", "json", "-o", str(out), "--tag", "shortcoming") == 0
    assert "exported 1 marks" in capsys.readouterr().err
    other = tmp_path / "other"
    Workspace.open(other)
    assert main(["--home", str(other), "merge", str(out), str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{out}: 1 added, 0 updated, 0 unchanged",
        f"{out}: 0 added, 0 updated, 1 unchanged",
    ]
    assert run(home, "undo") == 0
    assert capsys.readouterr().out.startswith("undid: add shortcoming mark")
    assert run(home, "undo") == 0 and capsys.readouterr().out == "nothing to undo\n"
    assert run(home, "redo") == 0 and capsys.readouterr().out.startswith("redid:")


def test_bad_export_and_merge_input(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "export", "--format", "xml") == 2
    assert run(home, "export", "-o", str(tmp_path / "missing" / "x.json")) == 1
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"annotations": []}', encoding="utf-8")
    assert run(home, "merge", str(foreign)) == 1
    assert "not a Shenyue export" in capsys.readouterr().err
    assert journal(home) == b""


def test_annotation_commands_do_not_import_the_interface(home: Path) -> None:
    code = (
        "import sys\nfrom tui.cli import main\n"
        f"for args in (['lookup', '行政'], ['export'], ['undo']):\n"
        f"    main(['--home', {str(home)!r}, *args])\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr


def test_retag_join_and_take_over_are_one_undo_step_each(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = []
    for start, end in ((10, 20), (30, 40)):
        assert run(home, "annotate", "常州", "--start", str(start), "--end", str(end),
                   "--tag", "plan", "--comment", f"c{start}") == 0
        ids.append(capsys.readouterr().out.split("\t")[0])
    assert run(home, "retag", ids[1], "成效") == 0
    assert capsys.readouterr().out.split("\t")[1:3] == ["achievement", "30-40"]
    assert run(home, "retag", ids[1], "plan") == 0
    assert run(home, "join", *ids) == 0
    out = capsys.readouterr().out.splitlines()[-1].split("\t")
    assert (out[0], out[2]) == (ids[0], "10-40")
    assert run(home, "undo") == 0
    marks = Workspace.open(home, reviewer="甲").annotations()
    assert [(m.start, m.end, m.comment) for m in marks] == [(10, 20, "c10"), (30, 40, "c30")]
    assert main(["--home", str(home), "--reviewer", "乙", "take-over", ids[0]]) == 0
    assert capsys.readouterr().out.split("\t")[2] == "10-20"
    assert {m.reviewer for m in Workspace.open(home).annotations()} == {"甲", "乙"}
