"""Faults injected into the journal while a long-running process holds it: no complete line
is ever removed, a refused store stays refused, and records are checked as they are read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import StoreError, Workspace
from annotations.model import Annotation
from annotations.records import mark_problem
from annotations.store import TORN_FILE, encode_line
from tests.test_reliability import printed_ids, writer
from tests.test_store import a_report, add, journal_path, mark_doc


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="甲")


def torn_path(ws: Workspace) -> Path:
    return ws.home / "store" / TORN_FILE


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def test_another_writers_line_as_long_as_my_torn_tail_is_kept(ws: Workspace) -> None:
    """The first race: same size before and after, but the bytes are another's mark."""
    rid = a_report(ws)
    add(ws)
    rehearsal = ws.home.parent / "rehearsal"
    shutil.copytree(ws.home, rehearsal)
    before = journal_path(ws).stat().st_size
    child = writer(rehearsal, "乙", rid, 1)
    child.communicate(timeout=60)
    length = (rehearsal / "store" / "annotations.jsonl").stat().st_size - before
    with journal_path(ws).open("ab") as handle:  # a writer killed mid-append, as long
        handle.write(b"x" * length)
    holder = Workspace.open(ws.home, reviewer="甲")
    assert len(holder.annotations()) == 1  # the torn tail waits, unread
    child = writer(ws.home, "乙", rid, 1)
    out, _ = child.communicate(timeout=60)
    [theirs] = printed_ids(out)
    assert journal_path(ws).stat().st_size == before + length  # the same size as torn
    mine = add(holder, 500)
    assert {m.id for m in Workspace.open(ws.home).annotations()} >= {theirs, mine}
    assert theirs.encode() not in torn_path(ws).read_bytes()
    assert b"x" * length in torn_path(ws).read_bytes()


def test_a_line_inserted_while_the_app_runs_is_refused_for_good(ws: Workspace) -> None:
    """The second race: after a refusal, the next write must not repair what it never read."""
    add(ws)
    add(ws, 300)
    path = journal_path(ws)
    holder = Workspace.open(ws.home, reviewer="甲")
    assert len(holder.annotations()) == 2
    lines = lines_of(path)
    damaged = b"\n".join([lines[0], b'{"table": "x", "id": "inserted by hand"', *lines[1:]])
    path.write_bytes(damaged)
    for _ in range(3):  # refused now, and at every later look
        with pytest.raises(StoreError, match="damaged"):
            holder.annotations()
    with pytest.raises(StoreError, match="damaged"):
        add(holder, 700)
    assert path.read_bytes() == damaged
    assert not torn_path(ws).exists()
    with pytest.raises(StoreError):
        Workspace.open(ws.home).annotations()


def test_a_foreign_complete_line_at_the_end_stays_in_the_journal(ws: Workspace) -> None:
    add(ws)
    holder = Workspace.open(ws.home, reviewer="甲")
    holder.annotations()
    path = journal_path(ws)
    with path.open("ab") as handle:
        handle.write(b'{"not": "ours"}\n')
    damaged = path.read_bytes()
    for _ in range(2):
        with pytest.raises(StoreError, match="line 3"):
            holder.annotations()
    with pytest.raises(StoreError):
        add(holder, 900)
    assert path.read_bytes() == damaged
    assert not torn_path(ws).exists()


def test_a_refused_store_is_usable_again_once_a_person_repaired_it(ws: Workspace) -> None:
    kept = add(ws)
    holder = Workspace.open(ws.home, reviewer="甲")
    holder.annotations()
    path = journal_path(ws)
    good = path.read_bytes()
    path.write_bytes(good + b"garbage\n")
    with pytest.raises(StoreError):
        holder.annotations()
    path.write_bytes(good)  # the person removed the bad line
    assert [m.id for m in holder.annotations()] == [kept]
    assert add(holder, 600) in {m.id for m in Workspace.open(ws.home).annotations()}


def test_a_torn_tail_that_grew_into_a_line_is_applied(ws: Workspace) -> None:
    """A tail that was torn at one look and complete at the next is a slow writer's line."""
    rid = a_report(ws)
    add(ws)
    holder = Workspace.open(ws.home, reviewer="甲")
    holder.annotations()
    line = encode_line([(rid, "slow", mark_doc("slow", rid))])
    path = journal_path(ws)
    with path.open("ab") as handle:
        handle.write(line[:-20])
    assert len(holder.annotations()) == 1
    with path.open("ab") as handle:
        handle.write(line[-20:])
    assert "slow" in {m.id for m in holder.annotations()}


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"start": 9, "end": 4}, "spans 9 to 4"),
        ({"tag": None}, "tag None"),
        ({"deleted": "false"}, "deleted"),
        ({"reviewer": None}, "reviewer None"),
        ({"reviewer": " "}, "reviewer"),
        ({"comment": {"a": 1}}, "comment of type dict"),
        ({"comment": "长" * 10_001}, "10,001 characters"),
        ({"start": 3, "end": 3}, "empty"),
        ({"updated": "yesterday"}, "time 'yesterday'"),
        ({"start": True}, "offsets True"),
    ],
)
def test_records_that_parse_but_are_wrong_are_refused(
    ws: Workspace, change: dict[str, object], phrase: str
) -> None:
    rid = a_report(ws)
    add(ws)
    path = journal_path(ws)
    with path.open("ab") as handle:
        handle.write(encode_line([(rid, "bad", mark_doc("bad", rid, **change))]))
    content = path.read_bytes()
    fresh = Workspace.open(ws.home, reviewer="甲")
    with pytest.raises(StoreError, match=phrase) as refused:
        fresh.annotations()
    assert "\n" not in str(refused.value) and "line 3" in str(refused.value)
    with pytest.raises(StoreError):
        add(fresh, 800)
    assert path.read_bytes() == content


def test_a_record_without_a_field_is_refused(ws: Workspace) -> None:
    rid = a_report(ws)
    doc = mark_doc("bad", rid)
    del doc["created"]
    journal = journal_path(ws)
    add(ws)
    with journal.open("ab") as handle:
        handle.write(encode_line([(rid, "bad", doc)]))
    with pytest.raises(StoreError, match="created"):
        Workspace.open(ws.home).annotations()


@pytest.mark.parametrize(
    "line",
    [
        b'{"table": "r", "id": "a", "doc": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"table": "r", "id": "a", "doc": {"start": Infinity}}',
        b'{"table": "r", "id": "a", "doc": {"start": NaN}}',
    ],
    ids=["deep nesting", "Infinity", "NaN"],
)
def test_lines_that_would_crash_a_reader_are_refused(ws: Workspace, line: bytes) -> None:
    add(ws)
    with journal_path(ws).open("ab") as handle:
        handle.write(line + b"\n")
    with pytest.raises(StoreError, match="line 3"):
        Workspace.open(ws.home).annotations()


def test_a_header_whose_schema_version_is_not_a_number_is_refused(ws: Workspace) -> None:
    add(ws)
    path = journal_path(ws)
    lines = lines_of(path)
    header = json.loads(lines[0])
    header["schema_version"] = True
    path.write_bytes(b"\n".join([json.dumps(header).encode(), *lines[1:]]))
    with pytest.raises(StoreError, match="schema version"):
        Workspace.open(ws.home).annotations()


def glued(path: Path) -> bytes:
    """The journal with its second line cut short and glued to the third."""
    lines = lines_of(path)
    return b"\n".join([lines[0], lines[1][:-30] + lines[2], *lines[3:]])


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.read_bytes() + b"garbage\n",
        lambda path: b"\n".join([lines_of(path)[0], b"{}", *lines_of(path)[1:]]),
        glued,
    ],
    ids=["foreign line at the end", "foreign line inside", "line glued to the next"],
)
def test_lookup_refuses_what_every_other_command_refuses(ws: Workspace, damage: Any) -> None:
    add(ws)
    add(ws, 300)
    path = journal_path(ws)
    path.write_bytes(damage(path))
    with pytest.raises(StoreError):
        Workspace.open(ws.home).annotations()
    with pytest.raises(StoreError, match="damaged"):
        Workspace.open(ws.home).lookup("法")
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(ws.home), "lookup", "法"],
        capture_output=True, text=True, cwd=Path(__file__).parent.parent, check=False,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "damaged" in result.stderr


def test_lookup_refuses_a_wrong_record_it_finds(ws: Workspace) -> None:
    rid = a_report(ws)
    add(ws)
    with journal_path(ws).open("ab") as handle:
        handle.write(encode_line([(rid, "bad", mark_doc("bad", rid, start=9, end=4))]))
    with pytest.raises(StoreError, match="spans 9 to 4"):
        Workspace.open(ws.home).lookup("法治")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=2),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(mark_doc())), value=JSON_VALUES)
def test_a_record_the_check_accepts_reads_back_exactly(key: str, value: object) -> None:
    """Whatever one field is changed to, the check either names a problem or the record is
    a mark every later step can use as it is."""
    doc: dict[str, Any] = {**mark_doc("m1", "r1"), key: value}
    problem = mark_problem(doc)
    if problem is None:
        assert Annotation.from_json(doc).to_json() == doc
        assert doc["start"] < doc["end"] or doc["orphan"] is True
    else:
        assert "\n" not in problem and len(problem) < 200


def test_a_follow_through_decision_that_is_wrong_is_refused(ws: Workspace) -> None:
    add(ws)
    doc = {"id": "l1", "plan_report": "r1", "review_report": "r2",
           "plan": {"start": 0, "end": 4, "quote": "法治政府"}, "verdict": "done",
           "confirmed": [], "rejected": [], "reviewer": "甲",
           "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "deleted": False}
    with journal_path(ws).open("ab") as handle:
        handle.write(encode_line([("_links", "l1", doc)]))
    with pytest.raises(StoreError, match="verdict 'done'"):
        Workspace.open(ws.home).annotations()
