"""Editing one's own marks: tag, remove, retag, extend, join, take over — one undo step each."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations import Tag, UserError, Workspace
from annotations.editing import EditKind
from tests.appkit import seed_id


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="甲")


def rid_of(ws: Workspace) -> str:
    return seed_id(ws, "changxingdao")


def state(ws: Workspace, rid: str) -> set[tuple[int, int, str, str, str]]:
    return {(m.start, m.end, m.tag.value, m.comment, m.reviewer)
            for m in ws.annotations(report_id=rid)}


def test_tag_passage_adds_removes_retags_and_extends(ws: Workspace) -> None:
    rid = rid_of(ws)
    assert ws.tag_passage(rid, 10, 20, Tag.PLAN).kind is EditKind.ADDED
    (mark,) = ws.annotations(report_id=rid)
    ws.update_annotation(mark.id, comment="留")
    edit = ws.tag_passage(rid, 12, 15, Tag.ACHIEVEMENT)
    assert (edit.kind, state(ws, rid)) == (EditKind.RETAGGED, {(10, 20, "achievement", "留", "甲")})
    edit = ws.tag_passage(rid, 15, 30, Tag.ACHIEVEMENT)
    assert (edit.kind, state(ws, rid)) == (EditKind.EXTENDED, {(10, 30, "achievement", "留", "甲")})
    assert edit.mark is not None and edit.mark.quote == ws.report(rid).text[10:30]
    assert ws.tag_passage(rid, 12, 14, "achievement").kind is EditKind.REMOVED
    assert state(ws, rid) == set()


def test_join_is_one_undo_step(ws: Workspace) -> None:
    rid = rid_of(ws)
    one = ws.annotate(rid, 10, 20, Tag.PLAN, comment="一")
    two = ws.annotate(rid, 30, 40, Tag.PLAN, comment="二")
    before = state(ws, rid)
    edit = ws.join([one.id, two.id])
    assert edit.kind is EditKind.JOINED
    assert state(ws, rid) == {(10, 40, "plan", "一\n二", "甲")}
    assert str(ws.undo()) == "undid: join 2 marks into «" + ws.report(rid).text[10:29] + "…»"
    assert state(ws, rid) == before


def test_marks_of_two_tags_or_a_colleagues_are_not_joined(ws: Workspace) -> None:
    rid = rid_of(ws)
    one = ws.annotate(rid, 10, 20, Tag.PLAN)
    two = ws.annotate(rid, 30, 40, Tag.SHORTCOMING)
    theirs = ws.annotate(rid, 50, 60, Tag.PLAN, reviewer="乙")
    with pytest.raises(UserError, match="one tag"):
        ws.join([one.id, two.id])
    with pytest.raises(UserError, match="take it over first"):
        ws.join([one.id, theirs.id])
    with pytest.raises(UserError, match="take it over first"):
        ws.retag(theirs.id, Tag.ACHIEVEMENT)


def test_take_over_copies_the_comment_once(ws: Workspace) -> None:
    rid = rid_of(ws)
    theirs = ws.annotate(rid, 10, 20, Tag.PLAN, comment="他的", reviewer="乙")
    edit = ws.take_over(theirs.id)
    assert edit is not None and edit.kind is EditKind.TOOK_OVER
    assert (10, 20, "plan", "他的", "甲") in state(ws, rid)
    assert ws.take_over(theirs.id) is None
    assert str(ws.undo()) == "undid: take over 乙's mark «" + ws.report(rid).text[10:20] + "»"
