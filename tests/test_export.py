"""Export formats and merging native exports."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import Tag, UserError, Workspace
from annotations import export as export_module
from annotations.model import now_iso


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="甲")


def seeded_copy(ws: Workspace, tmp_path: Path, name: str, reviewer: str = "乙") -> Workspace:
    """Another workspace with the same reports and no marks (another machine)."""
    shutil.copytree(ws.home / "reports", tmp_path / name / "reports")
    return Workspace.open(tmp_path / name, reviewer=reviewer)


def some_marks(ws: Workspace) -> None:
    rid = ws.resolve("常州").id
    text = ws.report(rid).text
    at = text.index("行政复议")
    ws.annotate(rid, at, at + 4, "shortcoming", '信息化程度不高,"需跟进"')
    ws.annotate(rid, 0, 12, "achievement")
    gone = ws.annotate(ws.resolve("大连市").id, 30, 50, "plan", "删掉")
    ws.delete_annotation(gone.id)


def test_json_export_is_stable_and_complete(ws: Workspace, tmp_path: Path) -> None:
    some_marks(ws)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert ws.export("json", first) == 3
    ws.export("json", second)
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("shenyue", 1)
    assert [r["id"] for r in data["reports"]] == sorted(r["id"] for r in data["reports"])
    assert all(set(r) >= {"id", "sha256", "title"} for r in data["reports"])
    assert [a["deleted"] for a in data["annotations"]].count(True) == 1
    assert "需跟进" in first.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_w3c_export(ws: Workspace, tmp_path: Path) -> None:
    some_marks(ws)
    out = tmp_path / "w3c.json"
    assert ws.export("w3c", out) == 2
    items = json.loads(out.read_text(encoding="utf-8"))["first"]["items"]
    mark = next(a for a in ws.annotations() if a.comment)
    item = next(i for i in items if i["id"] == f"urn:uuid:{mark.id}")
    quote, position = item["target"]["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": mark.quote, "prefix": mark.prefix,
                     "suffix": mark.suffix}
    assert position == {"type": "TextPositionSelector", "start": mark.start, "end": mark.end}
    assert item["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "shortcoming"},
        {"type": "TextualBody", "purpose": "commenting", "value": mark.comment},
    ]
    assert item["creator"]["name"] == "甲" and item["modified"] == mark.updated


def test_csv_export_has_a_bom_and_one_row_per_mark(ws: Workspace, tmp_path: Path) -> None:
    some_marks(ws)
    out = tmp_path / "marks.csv"
    ws.export("csv", out, tag=Tag.SHORTCOMING)
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["tag"] == "shortcoming" and rows[0]["quote"] == "行政复议"
    mark = ws.annotations(tag="shortcoming")[0]
    expected = ws.report(mark.report_id).section_path(mark.start)[-1].title
    assert rows[0]["section"].endswith(expected) and "常州" in rows[0]["report"]


def test_md_export_groups_report_section_tag(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    some_marks(ws)
    assert ws.export("md", None) == 2
    out = capsys.readouterr().out
    assert out.startswith("# 常州市2017年法治政府建设工作报告")
    assert "### 不足 shortcoming" in out and "- > 行政复议" in out


def test_the_command_line_offers_every_export_format() -> None:
    from tui.cli import EXPORT_FORMATS

    assert EXPORT_FORMATS == export_module.FORMATS


def test_unknown_format_and_bad_paths_are_refused(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Unknown export format"):
        ws.export("xml", tmp_path / "x")
    with pytest.raises(UserError, match="does not exist"):
        ws.export("json", tmp_path / "no" / "x.json")
    with pytest.raises(UserError, match="folder"):
        ws.export("json", tmp_path)


def test_merge_is_idempotent_and_newer_wins(ws: Workspace, tmp_path: Path) -> None:
    some_marks(ws)
    theirs = seeded_copy(ws, tmp_path, "other")
    exported = tmp_path / "mine.json"
    ws.export("json", exported)
    first = theirs.merge(exported)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    again = theirs.merge(exported)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    mark = ws.annotations()[0]
    ws.update_annotation(mark.id, comment="更新后的评论")
    theirs.update_annotation(ws.annotations()[1].id, comment="他们的更新")
    ws.export("json", exported)
    result = theirs.merge(exported)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 2)
    assert theirs.annotation(mark.id).comment == "更新后的评论"
    assert theirs.annotation(ws.annotations()[1].id).comment == "他们的更新"  # theirs is newer


def test_merge_never_resurrects_a_deleted_mark(ws: Workspace, tmp_path: Path) -> None:
    some_marks(ws)
    old_export = tmp_path / "old.json"
    ws.export("json", old_export)
    theirs = seeded_copy(ws, tmp_path, "other")
    theirs.merge(old_export)
    victim = theirs.annotations()[0].id
    theirs.delete_annotation(victim)
    theirs.merge(old_export)
    assert theirs.annotation(victim).deleted
    newer = tmp_path / "newer.json"
    theirs.export("json", newer)
    ws.merge(newer)
    assert ws.annotation(victim).deleted


def test_merge_refuses_what_is_not_ours(ws: Workspace, tmp_path: Path) -> None:
    cases = {
        "garbage.json": b"\x00not json",
        "other.json": b'{"format": "label-studio", "version": 1}',
        "newer.json": b'{"format": "shenyue", "version": 7, "reports": [], "annotations": []}',
        "damaged.json": b'{"format": "shenyue", "version": 1, "reports": [], "annotations": [{}]}',
    }
    phrases = ["not a Shenyue export", "not a Shenyue export", "newer Shenyue", "damaged"]
    for (name, content), phrase in zip(cases.items(), phrases, strict=True):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(UserError, match=phrase):
            ws.merge(path)
    with pytest.raises(UserError, match="no such file"):
        ws.merge(tmp_path / "missing.json")
    assert not (ws.home / "store" / "annotations.jsonl").exists()


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"version": True}, "newer Shenyue"),
        ({"start": 40, "end": 30}, "spans 40 to 30"),
        ({"start": 5, "end": 9}, "does not quote the text"),
        ({"end": 10**9}, "spans 0 to 1000000000"),
        ({"updated": "9"}, "time '9' as updated"),
        ({"updated": "9999-01-01T00:00:00.000000Z"}, "updated in the future"),
        ({"deleted": "false"}, "'false' as deleted"),
        ({"reviewer": None}, "reviewer None"),
        ({"reviewer": " "}, "reviewer ''"),
        ({"comment": {"a": 1}}, "comment of type dict"),
        ({"comment": "x" * 10_001}, "10,001 characters"),
        ({"start": 3, "end": 3}, "is empty"),
    ],
)
def test_merge_refuses_an_export_with_impossible_values(
    ws: Workspace, tmp_path: Path, change: dict[str, object], phrase: str
) -> None:
    some_marks(ws)
    path = tmp_path / "mine.json"
    ws.export("json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if "version" in change:
        data.update(change)
    else:
        data["annotations"][0].update(change)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = seeded_copy(ws, tmp_path, "other")
    with pytest.raises(UserError, match=phrase):
        other.merge(path)
    assert other.annotations(include_deleted=True) == []


def test_control_characters_never_reach_a_terminal(ws: Workspace, tmp_path: Path) -> None:
    rid = ws.resolve("常州").id
    mark = ws.annotate(rid, 0, 4, "plan", "见\x1b]52;c;ZXZpbA==\x07附件\x1b[2J")
    assert mark.comment == "见附件"
    path = tmp_path / "mine.json"
    ws.export("json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["annotations"][0].update(comment="\x1b[31m红\x1b[0m", reviewer="乙\x07",
                                  updated=now_iso())
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ws.merge(path)
    merged = ws.annotation(mark.id)
    assert (merged.comment, merged.reviewer) == ("红", "乙")


def exported_data(ws: Workspace, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """An export of some marks: its path and its parsed content."""
    some_marks(ws)
    path = tmp_path / "mine.json"
    ws.export("json", path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_merge_refuses_one_mark_id_in_two_reports(ws: Workspace, tmp_path: Path) -> None:
    path, data = exported_data(ws, tmp_path)
    first, second = data["annotations"][:2]
    twin = {**second, "id": first["id"]}
    data["annotations"] = [first, twin]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = seeded_copy(ws, tmp_path, "other")
    with pytest.raises(UserError, match="appears twice"):
        other.merge(path)
    assert other.annotations(include_deleted=True) == []


def test_merge_refuses_a_mark_this_workspace_has_on_another_report(
    ws: Workspace, tmp_path: Path
) -> None:
    path, data = exported_data(ws, tmp_path)
    moved = next(d for d in data["annotations"] if d["report_id"] != ws.resolve("常州").id)
    moved.update(report_id=ws.resolve("常州").id, updated=now_iso())
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = (ws.home / "store" / "annotations.jsonl").read_bytes()
    with pytest.raises(UserError, match="has that mark on report"):
        ws.merge(path)
    assert (ws.home / "store" / "annotations.jsonl").read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [b'{"format": "shenyue", "version": 1, "annotations": ' + b"[" * 100_000 + b"]" * 100_000
     + b"}", b'{"format": "shenyue", "version": 1, "reports": [], "annotations": [Infinity]}'],
    ids=["deep nesting", "Infinity"],
)
def test_merge_refuses_json_that_would_crash_a_reader(
    ws: Workspace, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(UserError, match="not JSON we write"):
        ws.merge(path)


def test_merge_refuses_a_file_larger_than_any_export(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _data = exported_data(ws, tmp_path)
    monkeypatch.setattr(export_module, "MAX_MERGE_BYTES", 100)
    with pytest.raises(UserError, match="larger than"):
        ws.merge(path)


def test_merge_refuses_marks_on_a_report_we_lack(ws: Workspace, tmp_path: Path) -> None:
    some_marks(ws)
    exported = tmp_path / "mine.json"
    ws.export("json", exported)
    bare = Workspace.open(tmp_path / "bare", seed=False, reviewer="乙")
    with pytest.raises(UserError, match="import that report first"):
        bare.merge(exported)
    assert bare.annotations(include_deleted=True) == []


def test_merge_reanchors_marks_made_on_another_version(tmp_path: Path) -> None:
    source = tmp_path / "draft.txt"
    source.write_text("一、成效\n审查规范性文件65件。\n二、不足\n行政复议信息化程度不高。\n",
                      encoding="utf-8")
    theirs = Workspace.open(tmp_path / "theirs", seed=False, reviewer="乙")
    report = theirs.import_report(source)
    at = report.text.index("行政复议")
    mark = theirs.annotate(report.id, at, at + 11, "shortcoming")
    exported = tmp_path / "theirs.json"
    theirs.export("json", exported)
    mine = seeded_copy(theirs, tmp_path, "mine", reviewer="甲")
    source.write_text("一、成效\n全年审查规范性文件65件。\n二、不足\n行政复议信息化程度不高。\n",
                      encoding="utf-8")
    new = mine.import_report(source)
    assert new.id == report.id and new.sha256 != report.sha256
    result = mine.merge(exported)
    assert (result.added, result.reanchored, result.orphaned) == (1, 1, 0)
    moved = mine.annotation(mark.id)
    assert (moved.start, moved.quote) == (new.text.index("行政复议"), mark.quote)
    assert moved.text_sha256 == new.sha256
    assert mine.merge(exported).unchanged == 1


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3000), st.integers(1, 40),
                          st.sampled_from(list(Tag)), st.text(max_size=12), st.booleans()),
                max_size=12))
def test_export_merge_export_is_byte_identical(
    ws: Workspace, tmp_path_factory: pytest.TempPathFactory,
    marks: list[tuple[int, int, int, Tag, str, bool]],
) -> None:
    tmp = tmp_path_factory.mktemp("roundtrip")
    metas = ws.reports()
    for n, start, length, tag, comment, delete in marks:
        meta = metas[n]
        s = start % (meta.chars - length)
        made = ws.annotate(meta.id, s, s + length, tag, comment)
        if delete:
            ws.delete_annotation(made.id)
    first = tmp / "first.json"
    ws.export("json", first)
    empty = seeded_copy(ws, tmp, "empty")
    empty.merge(first)
    second = tmp / "second.json"
    empty.export("json", second)
    assert first.read_bytes() == second.read_bytes()
