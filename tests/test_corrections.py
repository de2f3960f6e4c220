"""Corrections of report metadata: stored beside the report, undoable, exported, merged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotations import UserError, Workspace
from annotations.errors import StoreError
from annotations.model import ReportMeta
from annotations.records import correction_problem
from annotations.store import META
from tui.cli import main


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="甲")


def changhai(ws: Workspace) -> ReportMeta:
    return ws.resolve("长海县")


def test_a_correction_changes_the_metadata_not_the_text(ws: Workspace) -> None:
    report = ws.report(changhai(ws).id)
    meta = ws.correct(report.id, issuer=" 长海县人民政府\x1b[31m ", kind="年度报告", year="2013")
    assert (meta.issuer, meta.kind, meta.year) == ("长海县人民政府", "annual_report", 2013)
    assert ws.report(report.id).text == report.text and ws.report(report.id).year == 2013
    assert ws.library.index()[report.id].issuer == "政府办秘书科"  # as imported, kept
    origins = {v.field: (v.origin, v.reviewer) for v in ws.metadata(report.id)}
    assert origins == {"title": ("derived", None), "place": ("derived", None),
                       "year": ("correction", "甲"), "issuer": ("correction", "甲"),
                       "kind": ("correction", "甲")}


def test_a_corrected_title_is_found_and_no_longer_derived(ws: Workspace) -> None:
    meta = ws.correct(changhai(ws).id, title="长海县人民政府2012年依法行政工作要点")
    assert not meta.title_derived
    assert ws.resolve("长海县人民政府").id == meta.id
    assert [m.title for m in ws.reports()].count(meta.title) == 1
    assert ws.report_order() == [m.id for m in ws.reports()]  # a lookup's order, cheaply
    ws.correct(meta.id, title="0 " + meta.title)  # now it sorts first
    assert ws.report_order()[0] == meta.id == ws.reports()[0].id


@pytest.mark.parametrize(("field", "value", "message"), [
    ("year", "3000", "from 1900 to 2100"),
    ("year", "二〇一二", "from 1900 to 2100"),
    ("kind", "memo", "Unknown kind"),
    ("title", "长" * 201, "at most 200"),
    ("doc_number", "x", "cannot be corrected"),
])
def test_bad_values_are_refused_and_nothing_is_written(
    ws: Workspace, field: str, value: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        ws.correct(changhai(ws).id, **{field: value})
    assert ws.corrections() == []


def test_undo_and_redo_a_correction_and_its_removal(ws: Workspace) -> None:
    rid = changhai(ws).id
    ws.correct(rid, place="大连市长海县")
    ws.correct(rid, place="")  # back to what was derived
    assert ws.resolve(rid).place == "长海县"
    assert str(ws.undo()) == "undid: correct place of «长海县2012年依法行政工作要点»"
    assert ws.resolve(rid).place == "大连市长海县"
    assert ws.undo() is not None and ws.resolve(rid).place == "长海县"
    assert ws.redo() is not None and ws.resolve(rid).place == "大连市长海县"


def test_the_same_value_again_writes_nothing(ws: Workspace) -> None:
    rid = changhai(ws).id
    ws.correct(rid, place="大连市长海县")
    stamp = ws.store_stamp()
    ws.correct(rid, place="大连市长海县", year="")
    assert ws.store_stamp() == stamp


def test_corrections_survive_a_new_version_and_a_reimport(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "plan.txt"
    source.write_text("2020年,全县推进依法行政工作。【责任单位:县司法局】\n", encoding="utf-8")
    first = ws.import_report(source)
    ws.correct(first.id, place="某某县", title="某某县2020年依法行政工作要点")
    source.write_text("前言。\n2020年,全县推进依法行政工作。【责任单位:县司法局】\n",
                      encoding="utf-8")
    second = ws.import_report(source)
    assert second.id == first.id and second.sha256 != first.sha256
    assert (second.meta.place, second.title) == ("某某县", "某某县2020年依法行政工作要点")
    again = Workspace.open(ws.home, reviewer="乙").import_report(source)  # "present"
    assert again.meta.place == "某某县"


def test_corrections_travel_with_export_and_merge(ws: Workspace, tmp_path: Path) -> None:
    rid = changhai(ws).id
    ws.correct(rid, issuer="长海县人民政府", year="2012")
    ws.correct(rid, year="")  # a removal travels too, as a tombstone
    out = tmp_path / "a.json"
    ws.export("json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(c["field"], c["deleted"]) for c in data["corrections"]] == [
        ("issuer", False), ("year", True)]
    assert any(r["id"] == rid for r in data["reports"])  # no marks, but a correction
    shutil.copytree(ws.home / "reports", tmp_path / "other" / "reports")
    other = Workspace.open(tmp_path / "other", reviewer="乙")
    result = other.merge(out)
    assert result.corrections == 2 and other.resolve(rid).issuer == "长海县人民政府"
    assert other.merge(out).corrections == 0  # twice changes nothing
    again = tmp_path / "b.json"
    other.export("json", again)
    assert again.read_bytes() == out.read_bytes()


def test_merge_keeps_the_newer_correction(ws: Workspace, tmp_path: Path) -> None:
    rid = changhai(ws).id
    shutil.copytree(ws.home / "reports", tmp_path / "other" / "reports")
    other = Workspace.open(tmp_path / "other", reviewer="乙")
    other.correct(rid, issuer="旧值")
    ws.correct(rid, issuer="新值")
    theirs, mine = tmp_path / "theirs.json", tmp_path / "mine.json"
    other.export("json", theirs)
    ws.export("json", mine)
    assert ws.merge(theirs).corrections == 0 and ws.resolve(rid).issuer == "新值"
    assert other.merge(mine).corrections == 1 and other.resolve(rid).issuer == "新值"
    assert other.undo() is not None and other.resolve(rid).issuer == "旧值"  # one undo step


@pytest.mark.parametrize(("change", "message"), [
    ({"value": 3000, "field": "year"}, "year 3000"),
    ({"value": "memo", "field": "kind"}, "kind 'memo'"),
    ({"value": ""}, "issuer ''"),
    ({"field": "chars"}, "field 'chars'"),
    ({"reviewer": None}, "reviewer None"),
    ({"updated": "2999-01-01T00:00:00.000000Z"}, "in the future"),
    ({"deleted": "no"}, "deleted 'no'"),
])
def test_merge_refuses_bad_corrections(
    ws: Workspace, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    rid = changhai(ws).id
    ws.correct(rid, issuer="长海县人民政府")
    out = tmp_path / "a.json"
    ws.export("json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    fix = data["corrections"][0]
    fix.update(change)
    fix["id"] = f"{fix['report_id']}:{fix['field']}"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = Workspace.open(tmp_path / "other", reviewer="乙")
    with pytest.raises(UserError, match=message):
        other.merge(out)


def test_merge_cleans_control_characters_and_refuses_unknown_reports(
    ws: Workspace, tmp_path: Path
) -> None:
    rid = changhai(ws).id
    ws.correct(rid, issuer="长海县人民政府")
    out = tmp_path / "a.json"
    ws.export("json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    data["corrections"][0]["value"] = "长海县\x1b]52;c;ZXZpbA==\x07人民政府\n"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copytree(ws.home / "reports", tmp_path / "other" / "reports")
    other = Workspace.open(tmp_path / "other", reviewer="乙")
    other.merge(out)
    assert other.resolve(rid).issuer == "长海县人民政府"
    with pytest.raises(UserError, match="does not have"):
        Workspace.open(tmp_path / "empty", reviewer="丙", seed=False).merge(out)


def test_a_damaged_correction_in_the_journal_is_refused(ws: Workspace) -> None:
    rid = changhai(ws).id
    ws.correct(rid, year="2012")
    journal = ws.store.path
    journal.write_bytes(journal.read_bytes().replace(b'"value": 2012', b'"value": 1200'))
    with pytest.raises(StoreError, match="year 1200"):
        Workspace.open(ws.home).reports()  # the quick path that `shenyue list` takes
    with pytest.raises(StoreError, match="year 1200"):
        Workspace.open(ws.home).annotations()  # the whole journal


def test_the_quick_path_sees_the_last_record_and_ignores_a_torn_tail(ws: Workspace) -> None:
    rid = changhai(ws).id
    ws.correct(rid, place="甲县", year="2011")
    ws.correct(rid, place="乙县")
    with ws.store.path.open("ab") as journal:  # a writer killed mid-append
        journal.write(b'{"table": "_meta", "id": "' + rid.encode() + b':place", "doc": {"id')
    fresh = Workspace.open(ws.home)  # through the store's index
    assert (fresh.resolve(rid).place, fresh.resolve(rid).year) == ("乙县", 2011)
    assert not fresh.store.journal.complete()
    shutil.rmtree(ws.home / "store" / "index")  # without it, through the corrections' cache
    fresh = Workspace.open(ws.home)
    assert (fresh.resolve(rid).place, fresh.resolve(rid).year) == ("乙县", 2011)
    assert not fresh.store.journal.loaded()


def test_correction_records_are_checked_field_by_field() -> None:
    good = {"id": "abc:year", "report_id": "abc", "field": "year", "value": 2012,
            "reviewer": "甲", "updated": "2024-01-01T00:00:00.000000Z", "deleted": False}
    assert correction_problem(good) is None
    assert "another report" in (correction_problem({**good, "id": "abd:year"}) or "")
    assert "year True" in (correction_problem({**good, "value": True}) or "")
    assert "title" in (correction_problem({**good, "field": "title", "id": "abc:title",
                                           "value": "a\x07b"}) or "")
    assert "time" in (correction_problem({**good, "updated": "yesterday"}) or "")


def test_marks_and_lookup_ignore_the_corrections_table(ws: Workspace) -> None:
    rid = changhai(ws).id
    ws.correct(rid, issuer="行政复议办公室")
    assert ws.annotations() == [] and META not in [m.report_id for m in ws.annotations()]
    assert all(h.annotation is None for h in Workspace.open(ws.home).lookup("行政复议"))
    assert all(h.annotation is None for h in ws.lookup("行政复议"))


def test_an_index_from_before_places_is_upgraded_on_open(ws: Workspace) -> None:
    index = ws.home / "reports" / "index.json"
    rows = json.loads(index.read_text(encoding="utf-8"))
    for row in rows:
        del row["place"], row["kind"], row["title_derived"]
        if "changhai" in (row["source"] or ""):
            row["title"] = ("2012年是实施“十二五”规划承上启下的重要一年,"
                            "也是加快推进法治政府建设关键的一年")
    index.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    upgraded = Workspace.open(ws.home)
    meta = upgraded.resolve("长海")
    assert (meta.title, meta.place, meta.kind, meta.title_derived) == (
        "长海县2012年依法行政工作要点", "长海县", "work_plan", True)
    assert not upgraded.library.outdated()


# -- the command line ------------------------------------------------------------------------


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), "--reviewer", "王", *args])


def test_cli_meta_shows_sets_and_undoes(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    home = tmp_path / "ws"
    assert run(home, "meta", "长海县") == 0
    out = capsys.readouterr().out
    assert "place:  长海县  (derived)" in out and "issuer: 政府办秘书科  (file)" in out
    assert run(home, "meta", "长海县", "--issuer", "长海县人民政府", "--kind", "工作要点") == 0
    out = capsys.readouterr().out
    assert "issuer: 长海县人民政府  (corrected by 王, " in out
    assert run(home, "meta", "长海县", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["issuer"]["origin"] == "correction" and data["issuer"]["reviewer"] == "王"
    assert data["kind"] == {"value": "work_plan", "origin": "correction", "reviewer": "王",
                            "updated": data["kind"]["updated"]}
    assert run(home, "list", "--json") == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed[data["id"]]["issuer"] == "长海县人民政府"
    assert run(home, "undo") == 0
    undone = "undid: correct issuer, kind of «长海县2012年依法行政工作要点»"
    assert undone in capsys.readouterr().out
    assert run(home, "show", "长海县", "--outline", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["issuer"], shown["place"], shown["kind"]) == ("政府办秘书科", "长海县",
                                                               "work_plan")


def test_cli_meta_bad_year_is_one_line_and_fails(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path / "ws", "meta", "长海县", "--year", "20122") == 1
    err = capsys.readouterr().err
    assert err == "shenyue: A year is a number from 1900 to 2100, not '20122'.\n"


def unindexed(ws: Workspace) -> Workspace:
    """A fresh process on a store without an index (written before it, or read-only)."""
    shutil.rmtree(ws.home / "store" / "index", ignore_errors=True)
    return Workspace.open(ws.home)


def test_the_corrections_cache_follows_the_journal(ws: Workspace) -> None:
    rid = changhai(ws).id
    cache = ws.store.folder / "corrections.cache.json"
    ws.correct(rid, place="甲县")
    assert unindexed(ws).resolve(rid).place == "甲县"  # scanned, then cached
    offset = json.loads(cache.read_text(encoding="utf-8"))["offset"]
    ws.annotate(rid, 0, 4, "plan")
    ws.correct(rid, place="乙县")
    assert unindexed(ws).resolve(rid).place == "乙县"  # only the new lines read
    assert json.loads(cache.read_text(encoding="utf-8"))["offset"] > offset
    ws.store.journal.compact()  # a new generation: the cache no longer describes it
    ws.correct(rid, place="丙县")
    assert unindexed(ws).resolve(rid).place == "丙县"
    cache.write_text('{"version": 1, "docs": "nonsense"}', encoding="utf-8")
    assert unindexed(ws).resolve(rid).place == "丙县"
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["offset"] = 10 ** 9  # from a longer journal: the bytes before it are not there
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert unindexed(ws).resolve(rid).place == "丙县"
