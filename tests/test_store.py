"""The annotation store: the journal on disk, refusals, compaction, marks and undo/redo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinydb.table import Document

from annotations import StoreError, Tag, UserError, Workspace
from annotations import store as store_module
from annotations.markscan import Found
from annotations.store import HISTORY, JournalStorage, Store


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="甲")


def journal_path(ws: Workspace) -> Path:
    return ws.home / "store" / "annotations.jsonl"


def a_report(ws: Workspace) -> str:
    return ws.resolve("常州").id


def add(ws: Workspace, start: int = 100, length: int = 10, tag: str = "achievement") -> str:
    return ws.annotate(a_report(ws), start, start + length, tag, "备注").id


# -- the journal on disk -------------------------------------------------------------------


def test_journal_is_readable_utf8_with_a_header(ws: Workspace) -> None:
    mark = ws.annotate(a_report(ws), 10, 20, Tag.PLAN, "数量可核实,但未说明质量")
    lines = journal_path(ws).read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "shenyue-annotations" and header["schema_version"] == 1
    assert "数量可核实" in lines[1]  # ensure_ascii=False: a reviewer can read it
    records = json.loads(lines[1])["batch"]
    assert [r["table"] for r in records] == [mark.report_id, HISTORY]
    assert records[0]["doc"] == mark.to_json()


def test_a_second_workspace_sees_marks_at_once(ws: Workspace) -> None:
    other = Workspace.open(ws.home, reviewer="乙")
    assert other.annotations() == []
    before = other.store_stamp()
    mark_id = add(ws)
    assert other.store_stamp() != before
    assert [m.id for m in other.annotations()] == [mark_id]
    theirs = other.annotate(a_report(ws), 5, 9, "plan").id
    assert {m.id for m in ws.annotations()} == {mark_id, theirs}
    assert len(journal_path(ws).read_text(encoding="utf-8").splitlines()) == 3


def test_annotations_cache_is_the_same_list_until_a_change(ws: Workspace) -> None:
    add(ws)
    rid = a_report(ws)
    first = ws.annotations(rid)
    assert ws.annotations(rid) == first
    assert ws.store.marks(rid) is ws.store.marks(rid)
    add(ws, 300)
    assert len(ws.annotations(rid)) == 2


def test_torn_last_line_is_ignored_then_set_aside(ws: Workspace) -> None:
    kept = add(ws)
    path = journal_path(ws)
    torn = b'{"batch": [{"table": "x", "id": "half'
    with path.open("ab") as handle:
        handle.write(torn)
    fresh = Workspace.open(ws.home, reviewer="甲")
    assert [m.id for m in fresh.annotations()] == [kept]
    second = add(fresh, 400)
    assert {m.id for m in Workspace.open(ws.home).annotations()} == {kept, second}
    assert (ws.home / "store" / "annotations.torn").read_bytes() == torn + b"\n"
    assert torn not in path.read_bytes()


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b'{"format": "shenyue-annot', "no complete header"),
        (b"", "no complete header"),
        (b"\x00\x01garbage\xff\n{}\n", "header"),
        (b'{"format": "something-else", "schema_version": 1}\n', "not written by Shenyue"),
        (b'{"format": "shenyue-annotations", "schema_version": 99}\n', "newer Shenyue"),
    ],
)
def test_a_file_we_cannot_trust_is_refused_and_left_untouched(
    ws: Workspace, content: bytes, phrase: str
) -> None:
    path = journal_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    fresh = Workspace.open(ws.home, reviewer="甲")
    with pytest.raises(StoreError, match=phrase):
        fresh.annotations()
    with pytest.raises(StoreError):
        fresh.annotate(a_report(ws), 1, 5, "plan")
    assert path.read_bytes() == content
    # nothing else written (the refusal may come before the lock is taken: reading the
    # report's corrections already checks the journal)
    assert {p.name for p in path.parent.iterdir()} <= {".lock", "annotations.jsonl"}


def test_a_damaged_middle_line_is_refused(ws: Workspace) -> None:
    add(ws)
    add(ws, 200)
    path = journal_path(ws)
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1][: len(lines[1]) // 2]
    damaged = b"\n".join(lines)
    path.write_bytes(damaged)
    with pytest.raises(StoreError, match="line 2"):
        Workspace.open(ws.home).annotations()
    with pytest.raises(StoreError, match="line 2"):
        Workspace.open(ws.home).annotate(a_report(ws), 1, 5, "plan")
    assert path.read_bytes() == damaged


def test_compaction_keeps_every_live_document(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "COMPACT_MIN_SUPERSEDED", 5)
    monkeypatch.setattr(store_module, "HISTORY_KEEP", 3)
    reader = Workspace.open(ws.home, reviewer="乙")
    reader.annotations()
    mark_id = add(ws)
    for n in range(12):
        ws.update_annotation(mark_id, comment=f"第{n}次")
    path = journal_path(ws)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 8  # rewritten: superseded records and old history are gone
    assert ws.annotation(mark_id).comment == "第11次"
    assert reader.annotation(mark_id).comment == "第11次"  # the other process reloads
    assert Workspace.open(ws.home).annotation(mark_id).comment == "第11次"
    assert ws.undo() is not None
    assert ws.annotation(mark_id).comment == "第10次"


def test_history_that_compaction_keeps_does_not_compact_again(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "COMPACT_MIN_SUPERSEDED", 5)
    monkeypatch.setattr(store_module, "HISTORY_KEEP", 3)
    for name in ("甲", "乙", "丙"):  # three reviewers keep 9 history entries between them
        ws.reviewer = name
        mark_id = add(ws)
        for n in range(4):
            ws.update_annotation(mark_id, comment=f"{name}{n}")
    generations = set()
    for n in range(5):
        ws.update_annotation(mark_id, comment=f"又{n}")
        generations.add(journal_path(ws).read_bytes().split(b"\n", 1)[0])
    assert len(generations) <= 2  # one compaction for the superseded records, not one a write
    assert ws.annotation(mark_id).comment == "又4"


def mark_doc(mark_id: str = "a", report_id: str = "r1", **fields: object) -> dict[str, object]:
    """A well-formed mark document, with `fields` changed."""
    doc: dict[str, object] = {
        "id": mark_id, "report_id": report_id, "text_sha256": "0" * 64, "start": 0, "end": 2,
        "quote": "法治", "prefix": "", "suffix": "", "tag": "plan", "comment": "",
        "reviewer": "甲", "created": "2026-01-01T00:00:00.000000Z",
        "updated": "2026-01-01T00:00:00.000000Z", "orphan": False, "deleted": False}
    return {**doc, **fields}


def test_tinydb_writes_through_the_journal(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    table = store.db.table("r1")
    table.insert(Document(mark_doc(), doc_id="a"))  # type: ignore[arg-type]
    other = Store(tmp_path / "store")
    assert other.db.table("r1").all() == [mark_doc()]
    assert isinstance(store.db.storage, JournalStorage)


def test_cold_search_matches_the_loaded_search(ws: Workspace) -> None:
    rid = a_report(ws)
    text = ws.report(rid).text
    at = text.index("行政复议")
    first = ws.annotate(rid, at, at + 4, "shortcoming", "第一")
    ws.annotate(rid, at, at + 8, "plan", '引号 "行政复议" 在评论里')
    gone = ws.annotate(rid, at, at + 6, "plan").id
    ws.delete_annotation(gone)
    ws.update_annotation(first.id, comment="改过")
    cold = Store(ws.home / "store")
    assert not cold.journal.loaded()
    found = live(cold, "行政复议")
    assert not cold.journal.loaded()
    loaded = live(ws.store, "行政复议")
    assert sorted(f.mark_id for f in found) == sorted(f.mark_id for f in loaded)
    assert {f.doc()["comment"] for f in found} == {"改过", '引号 "行政复议" 在评论里'}
    assert [f.mark_id for f in live(cold, '"行政复议" 在')] != []
    context_word = first.prefix[-3:]  # in every mark's context, in one mark's comment
    ws.update_annotation(first.id, comment=f"见{context_word}")
    assert [f.mark_id for f in live(Store(ws.home / "store"), context_word)] == [first.id]


def live(store: Store, needle: str) -> list[Found]:
    """The live marks a search finds, each read."""
    return [f for c in store.search(needle) if (f := c.found())]


# -- the workspace's marks -------------------------------------------------------------------


def test_annotate_takes_quote_and_context_from_the_text(ws: Workspace) -> None:
    rid = a_report(ws)
    text = ws.report(rid).text
    mark = ws.annotate(rid, 100, 110, "不足", "备注")
    assert mark.quote == text[100:110] and mark.tag is Tag.SHORTCOMING
    assert mark.prefix == text[68:100] and mark.suffix == text[110:142]
    assert mark.text_sha256 == ws.report(rid).sha256 and mark.reviewer == "甲"
    assert ws.annotation(mark.id) == mark


def test_annotate_many_is_one_write_and_one_undo(ws: Workspace) -> None:
    rid = a_report(ws)
    items = [{"report_id": rid, "start": s, "end": s + 5, "tag": "plan"} for s in range(0, 50, 10)]
    marks = ws.annotate_many(items)
    assert len(journal_path(ws).read_text(encoding="utf-8").splitlines()) == 2
    assert [m.start for m in ws.annotations(rid)] == [0, 10, 20, 30, 40]
    assert str(ws.undo()) == "undid: add 5 marks"
    assert ws.annotations() == [] and len(ws.annotations(include_deleted=True)) == len(marks)


@pytest.mark.parametrize(
    ("item", "phrase"),
    [
        ({"start": 5, "end": 5, "tag": "plan"}, "before the end"),
        ({"start": 9, "end": 3, "tag": "plan"}, "before the end"),
        ({"start": -1, "end": 3, "tag": "plan"}, "outside"),
        ({"start": 0, "end": 10**7, "tag": "plan"}, "outside"),
        ({"start": "a", "end": 3, "tag": "plan"}, "whole numbers"),
        ({"start": 0, "end": 3, "tag": "good"}, "Unknown tag"),
        ({"start": 0, "end": 3, "tag": "plan", "colour": "red"}, "Unknown mark field"),
        ({"start": 0, "end": 3}, "needs tag"),
        ({"start": 0, "end": 3, "tag": "plan", "comment": 5}, "comment must be text"),
        ({"start": 0, "end": 3, "tag": "plan", "comment": "长" * 10_001}, "at most 10,000"),
    ],
)
def test_bad_marks_are_refused_and_nothing_is_written(
    ws: Workspace, item: dict[str, object], phrase: str
) -> None:
    good = {"report_id": a_report(ws), "start": 0, "end": 3, "tag": "plan"}
    with pytest.raises(UserError, match=phrase):
        ws.annotate_many([good, {"report_id": a_report(ws), **item}])
    assert not journal_path(ws).exists()


def test_unknown_report_and_mark_are_refused(ws: Workspace) -> None:
    with pytest.raises(UserError, match="No report"):
        ws.annotate("nope", 0, 3, "plan")
    with pytest.raises(UserError, match="No report"):
        ws.annotations("nope")
    for action in (ws.annotation, ws.delete_annotation):
        with pytest.raises(UserError, match="No mark"):
            action("nope")
    with pytest.raises(UserError, match="No mark"):
        ws.update_annotation("nope", comment="x")


def test_update_checks_fields_and_requotes(ws: Workspace) -> None:
    mark_id = add(ws)
    text = ws.report(a_report(ws)).text
    moved = ws.update_annotation(mark_id, start=200, end=230, tag="plan", comment="新")
    assert (moved.quote, moved.tag, moved.comment) == (text[200:230], Tag.PLAN, "新")
    assert moved.created < moved.updated
    with pytest.raises(UserError, match="cannot be changed"):
        ws.update_annotation(mark_id, quote="x")
    with pytest.raises(UserError, match="Unknown tag"):
        ws.update_annotation(mark_id, tag="x")
    assert ws.annotation(mark_id) == moved


def test_delete_leaves_a_tombstone(ws: Workspace) -> None:
    mark_id = add(ws)
    ws.delete_annotation(mark_id)
    assert ws.annotations() == []
    assert ws.annotation(mark_id).deleted
    with pytest.raises(UserError, match="deleted"):
        ws.delete_annotation(mark_id)
    with pytest.raises(UserError, match="deleted"):
        ws.update_annotation(mark_id, comment="x")


def test_filters(ws: Workspace) -> None:
    rid = a_report(ws)
    ws.annotate(rid, 0, 5, "plan")
    ws.annotate(rid, 10, 15, "achievement", reviewer="乙")
    assert [m.tag for m in ws.annotations(tag="计划")] == [Tag.PLAN]
    assert [m.reviewer for m in ws.annotations(reviewer="乙")] == ["乙"]
    assert ws.annotations(rid, tag="plan", reviewer="乙") == []


# -- undo and redo ---------------------------------------------------------------------------


def state(ws: Workspace) -> list[tuple[str, str, str, bool]]:
    return [(m.id, m.tag.value, m.comment, m.deleted) for m in ws.annotations(include_deleted=True)]


def test_undo_and_redo_every_kind_of_change(ws: Workspace) -> None:
    snapshots = [state(ws)]
    mark_id = add(ws)
    snapshots.append(state(ws))
    ws.update_annotation(mark_id, comment="改")
    snapshots.append(state(ws))
    ws.update_annotation(mark_id, tag="plan")
    snapshots.append(state(ws))
    ws.delete_annotation(mark_id)
    snapshots.append(state(ws))
    for expected in reversed(snapshots[1:-1]):
        assert ws.undo() is not None
        assert state(ws) == expected
    assert ws.undo() is not None
    assert [s[3] for s in state(ws)] == [True]  # the added mark is now a tombstone
    assert ws.undo() is None
    for expected in snapshots[1:]:
        assert ws.redo() is not None
        assert state(ws) == expected
    assert ws.redo() is None


def test_history_survives_a_restart_and_is_per_reviewer(ws: Workspace) -> None:
    mine = add(ws)
    theirs = Workspace.open(ws.home, reviewer="乙")
    their_mark = add(theirs, 500)
    restarted = Workspace.open(ws.home, reviewer="甲")
    assert restarted.undo() is not None
    assert restarted.annotation(mine).deleted and not restarted.annotation(their_mark).deleted
    assert Workspace.open(ws.home, reviewer="甲").redo() is not None
    assert not ws.annotation(mine).deleted


def test_a_new_change_ends_the_redo_chain(ws: Workspace) -> None:
    add(ws)
    ws.undo()
    add(ws, 300)
    assert ws.redo() is None


def test_undo_leaves_alone_what_someone_else_changed_since(ws: Workspace) -> None:
    mark_id = add(ws)
    ws.update_annotation(mark_id, comment="mine")
    Workspace.open(ws.home, reviewer="乙").update_annotation(mark_id, comment="theirs")
    outcome = ws.undo()
    assert outcome is not None and "1 mark left alone" in str(outcome)
    assert outcome.code == "history.undid_partly" and outcome.params["count"] == 1
    assert ws.annotation(mark_id).comment == "theirs"


def test_undo_reaches_across_a_new_version_of_the_text(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "draft.txt"
    source.write_text("一、不足\n行政复议信息化程度不高。\n", encoding="utf-8")
    report = ws.import_report(source)
    at = report.text.index("行政复议")
    mark = ws.annotate(report.id, at, at + 11, "shortcoming", "旧评论")
    ws.update_annotation(mark.id, comment="新评论")
    source.write_text("前言。\n一、不足\n行政复议信息化程度不高。\n", encoding="utf-8")
    new = ws.import_report(source)
    assert str(ws.undo()) == "undid: edit mark «行政复议信息化程度不高»"
    restored = ws.annotation(mark.id)
    assert restored.comment == "旧评论" and restored.text_sha256 == new.sha256
    assert new.text[restored.start : restored.end] == "行政复议信息化程度不高"
    assert ws.undo() is not None and ws.annotation(mark.id).deleted


def test_a_mark_made_while_a_new_version_arrives_is_refused(
    ws: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "draft.txt"
    source.write_text("一、不足\n行政复议信息化程度不高。\n", encoding="utf-8")
    report = ws.import_report(source)
    at = report.text.index("行政复议")

    def items() -> Iterator[dict[str, object]]:
        yield {"report_id": report.id, "start": at, "end": at + 4, "tag": "shortcoming"}
        # meanwhile another process imports a new version, re-anchoring the marks it sees
        source.write_text("前言。\n一、不足\n行政复议信息化程度不高。\n", encoding="utf-8")
        Workspace.open(ws.home, reviewer="乙").import_report(source)

    with pytest.raises(UserError, match="new version"):
        ws.annotate_many(items())
    assert ws.annotations(report.id) == []
    text = ws.report(report.id).text
    again = ws.annotate(report.id, text.index("行政复议"), text.index("行政复议") + 4, "plan")
    assert again.quote == "行政复议" and again.text_sha256 != report.sha256


def test_importing_again_finishes_a_re_anchoring_a_kill_left_undone(
    ws: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "draft.txt"
    source.write_text("一、不足\n行政复议信息化程度不高。\n", encoding="utf-8")
    report = ws.import_report(source)
    at = report.text.index("行政复议")
    mark = ws.annotate(report.id, at, at + 4, "shortcoming")
    source.write_text("前言。\n一、不足\n行政复议信息化程度不高。\n", encoding="utf-8")
    ws.import_report(source)
    # the journal as an import killed between saving the index and re-anchoring leaves it
    ws.store.change("甲", lambda _t: (None, [(report.id, mark.id, mark.to_json())]), "",
                    undoable=False)
    fresh = Workspace.open(ws.home, reviewer="甲")
    assert fresh.annotation(mark.id).text_sha256 == report.sha256
    fresh.import_report(source)  # "present": its marks are settled now
    settled = fresh.annotation(mark.id)
    assert fresh.report(report.id).text[settled.start : settled.end] == "行政复议"
    assert settled.text_sha256 != report.sha256
