"""Suggested tags as ghost marks, colleagues' marks, and the disagreement view, in the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from appkit import app_test, open_workspace, seed_id
from rich.color import Color
from rich.style import Style
from textual.widgets import DataTable

from annotations.agreement import CONSENSUS_REVIEWER
from annotations.model import Tag
from annotations.workspace import Workspace
from tui.app import ShenyueApp
from tui.screens.disagreements import DisagreementScreen
from tui.screens.review import ReviewScreen
from tui.widgets.marking import MarkingDocument
from tui.widgets.marks_pane import MarksPane
from tui.widgets.status import StatusBar

SIZE = (120, 40)
SIZES = [(120, 40), (80, 24)]


def review(app: ShenyueApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def document(app: ShenyueApp) -> MarkingDocument:
    return review(app).document


def status(app: ShenyueApp) -> str:
    return review(app).query_one("#status", StatusBar).text.plain


def notices(app: ShenyueApp) -> list[str]:
    notice = app.screen.notice if isinstance(app.screen, ReviewScreen) else None
    return [n.message for n in app._notifications] + ([notice.plain] if notice else [])


def style_at(view: MarkingDocument, offset: int) -> Style:
    """The style the document draws the character at `offset` in."""
    index = view._layout.line_of(offset)
    start, _end = view._layout.lines[index]
    at = start
    for segment in view._render_visual_line(index, view.look(), view.frame()):
        if at <= offset < at + len(segment.text):
            return segment.style or Style()
        at += len(segment.text)
    raise AssertionError(f"offset {offset} is not drawn")


def tag_color(app: ShenyueApp, tag: Tag) -> Color | None:
    """The colour the theme in force draws `tag` in."""
    return document(app).look().tags.tags[tag].color


def spans(ws: Workspace, rid: str, reviewer: str) -> list[tuple[int, int, Tag]]:
    return [(m.start, m.end, m.tag) for m in ws.annotations(report_id=rid, reviewer=reviewer)]


def two_reviewers(tmp_path: Path, name: str = "qingyuan") -> tuple[Workspace, str]:
    """A workspace where A and B marked the same report, agreeing on sentence 1 only."""
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, name)
    stops = ws.report(rid).sentences
    for reviewer, marks in (("A", ((1, Tag.ACHIEVEMENT), (2, Tag.ACHIEVEMENT))),
                            ("B", ((1, Tag.ACHIEVEMENT), (2, Tag.SHORTCOMING), (4, Tag.PLAN)))):
        for number, tag in marks:
            ws.annotate(rid, stops[number].start, stops[number].end, tag, reviewer=reviewer)
    return ws, rid


# -- suggestions ------------------------------------------------------------------------------


@app_test
async def test_suggestions_are_ghosts_until_accepted(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert document(app).ghosts == []
        assert "suggestions left" not in status(app)
        await pilot.press("S")
        ghosts = document(app).ghosts
        assert ghosts == ws.suggestions(rid)
        assert f"{len(ghosts)} suggestions left" in status(app)
        first = ghosts[0]
        assert first.tag is not None
        document(app).go_to(first.start)
        await pilot.pause()
        note = review(app).query_one("#marks", MarksPane).note.plain
        assert first.reason in note
        drawn = style_at(document(app), first.start)
        assert drawn.dim and drawn.underline2
        await pilot.press("enter")
        assert spans(ws, rid, "tester") == [(first.start, first.end, first.tag)]
        assert first not in document(app).ghosts
        assert f"{len(ghosts) - 1} suggestions left" in status(app)
        confirmed = style_at(document(app), first.start)
        assert confirmed.color == tag_color(app, first.tag)
        assert not confirmed.dim and not confirmed.underline2
        await pilot.press("S")
        assert document(app).ghosts == []


@app_test
async def test_a_rejected_suggestion_never_comes_back(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changzhou")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        target = document(app).ghosts[3]
        document(app).go_to(target.start)
        await pilot.press("backspace")
        assert target not in document(app).ghosts
        assert ws.annotations(report_id=rid) == []
        await app.action_quit()
    fresh = Workspace.open(tmp_path / "ws", reviewer="tester")
    again = ShenyueApp(fresh, rid)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        starts = [(g.start, g.end) for g in document(again).ghosts]
        assert starts and (target.start, target.end) not in starts
        colleague = Workspace.open(tmp_path / "ws", reviewer="colleague")
        # the rejection is the tester's: nothing is held back from a colleague (what the
        # shared learner made of it is another matter, tested in test_learner.py)
        assert colleague.suggestions(rid) == colleague.suggested(rid)


@app_test
async def test_accept_the_whole_section_in_one_undo_step(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    report = ws.report(rid)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S", "right_square_bracket", "j")
        section = report.section_path(document(app).cursor_offset)[-1]
        expected = [(g.start, g.end, g.tag) for g in document(app).ghosts
                    if section.start <= g.start < section.end]
        assert len(expected) > 1
        await pilot.press("A")
        assert spans(ws, rid, "tester") == expected
        assert not [g for g in document(app).ghosts if section.start <= g.start < section.end]
        await pilot.press("u")
        assert ws.annotations(report_id=rid) == []
        assert len([g for g in document(app).ghosts
                    if section.start <= g.start < section.end]) == len(expected)


@app_test
async def test_suggestion_keys_say_why_they_do_nothing(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "A")
        await pilot.pause()
        assert ws.annotations(report_id=rid) == []
        assert "Suggestions are hidden: S shows them." in notices(app)


# -- colleagues' marks ------------------------------------------------------------------------


@app_test
async def test_R_cycles_whose_marks_are_shown(tmp_path: Path) -> None:
    ws, rid = two_reviewers(tmp_path)
    stops = ws.report(rid).sentences
    ws.annotate(rid, stops[6].start, stops[6].end, Tag.PLAN)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert {m.reviewer for m in document(app).marks} == {"A", "B", "tester"}
        assert "marks: everyone's" in status(app)
        seen = []
        for _step in range(4):
            await pilot.press("R")
            seen.append(({m.reviewer for m in document(app).marks}, status(app)))
        assert [names for names, _text in seen] == [
            {"tester"}, {"A", "tester"}, {"B", "tester"}, {"A", "B", "tester"}]
        assert "marks: mine" in seen[0][1]
        assert "marks: mine + A" in seen[1][1]
        assert "marks: everyone's" in seen[3][1]


@app_test
async def test_a_colleagues_mark_is_read_only_until_taken_over(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    sentence = ws.report(rid).sentences[4]
    ws.annotate(rid, sentence.start, sentence.end, Tag.PLAN, comment="见2018年", reviewer="wang")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        document(app).go_to(sentence.start)
        await pilot.press("x", "c", "e")
        await pilot.pause()
        (theirs,) = ws.annotations(report_id=rid)
        assert (theirs.reviewer, theirs.tag, theirs.deleted) == ("wang", Tag.PLAN, False)
        assert isinstance(app.screen, ReviewScreen)
        assert any("read-only" in n for n in notices(app))
        await pilot.press("t")
        mine = ws.annotations(report_id=rid, reviewer="tester")
        assert [(m.start, m.end, m.tag, m.comment) for m in mine] == [
            (sentence.start, sentence.end, Tag.PLAN, "见2018年")]
        await pilot.press("x")
        assert ws.annotations(report_id=rid, reviewer="tester") == []
        assert len(ws.annotations(report_id=rid, reviewer="wang")) == 1


@app_test
async def test_tagging_keys_act_on_my_marks_beside_a_colleagues(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    sentence = ws.report(rid).sentences[4]
    ws.annotate(rid, sentence.start, sentence.end, Tag.SHORTCOMING, reviewer="wang")
    whole = (sentence.start, sentence.end)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert review(app).showing is None  # everyone's marks are shown
        document(app).go_to(sentence.start)
        await pilot.press("a", "s")  # s on my achievement mark changes its tag
        await pilot.pause()
        assert spans(ws, rid, "tester") == [(*whole, Tag.SHORTCOMING)]
        await pilot.press("s")  # the same key removes my mark, never the colleague's
        assert spans(ws, rid, "tester") == []
        assert spans(ws, rid, "wang") == [(*whole, Tag.SHORTCOMING)]
        await pilot.press("a")
        assert spans(ws, rid, "tester") == [(*whole, Tag.ACHIEVEMENT)]
        # my mark is drawn on top of the colleague's
        assert style_at(document(app), sentence.start).color == tag_color(app, Tag.ACHIEVEMENT)
        await pilot.press("x", "x")  # my achievement mark, then only the colleague's is left
        assert spans(ws, rid, "tester") == []
        assert spans(ws, rid, "wang") == [(*whole, Tag.SHORTCOMING)]
        assert any("read-only" in n for n in notices(app))


@app_test
async def test_my_mark_is_drawn_over_a_colleagues_overlapping_one(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    stops = ws.report(rid).sentences
    ws.annotate(rid, stops[4].start, stops[5].end, Tag.ACHIEVEMENT)
    ws.annotate(rid, stops[5].start, stops[5].end, Tag.SHORTCOMING, reviewer="wang")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        drawn = style_at(document(app), stops[5].start)
        assert drawn.color == tag_color(app, Tag.ACHIEVEMENT)


# -- the disagreement view ----------------------------------------------------------------------


@app_test
async def test_disagreements_side_by_side_jump_and_resolve(tmp_path: Path) -> None:
    ws, rid = two_reviewers(tmp_path)
    stops = ws.report(rid).sentences
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        document(app).go_to(0)  # the view opens on the review's sentence: the first one here
        await pilot.press("D")
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        table = screen.query_one(DataTable)
        labels = [c.label.plain for c in table.ordered_columns]
        assert labels[-3:] == ["A", "B", "Consensus"]
        assert table.row_count == len(stops)
        assert table.cursor_row == 0
        await pilot.press("right_square_bracket")
        assert table.cursor_row == 2
        await pilot.press("right_square_bracket")
        assert table.cursor_row == 4
        await pilot.press("left_square_bracket")
        assert table.cursor_row == 2
        await pilot.press("a")
        (agreed,) = ws.annotations(report_id=rid, reviewer=CONSENSUS_REVIEWER)
        assert (agreed.start, agreed.end, agreed.tag) == (stops[2].start, stops[2].end,
                                                          Tag.ACHIEVEMENT)
        assert table.get_cell("2", "consensus").plain == "Achievement"
        assert table.get_cell("2", "marker").plain == "✓"
        assert table.get_cell("4", "marker").plain == "≠"
        await pilot.press("p")
        assert [m.tag for m in ws.annotations(report_id=rid, reviewer=CONSENSUS_REVIEWER)] == [
            Tag.PLAN]
        await pilot.press("right_square_bracket", "enter")
        assert isinstance(app.screen, ReviewScreen)
        assert document(app).cursor_offset == stops[4].start


@app_test
async def test_disagreements_need_two_reviewers(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    first = ws.report(rid).sentences[1]
    ws.annotate(rid, first.start, first.end, Tag.ACHIEVEMENT)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert any("two reviewers" in n for n in notices(app))


@app_test
async def test_the_disagreement_view_is_in_the_command_palette(tmp_path: Path) -> None:
    ws, rid = two_reviewers(tmp_path)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (command,) = [c for c in app.get_system_commands(app.screen)
                      if c.help.endswith("review.disagreements")]
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, DisagreementScreen)


# -- what it looks like -----------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_ghost_suggestions(snap_compare: Any, tmp_path: Path,
                                    size: tuple[int, int]) -> None:
    ws, rid = two_reviewers(tmp_path)
    stops = ws.report(rid).sentences
    ws.annotate(rid, stops[3].start, stops[3].end, Tag.SHORTCOMING)
    assert snap_compare(ShenyueApp(ws, rid), press=["S", *"j" * 4],  # from the body's start
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_disagreements(snap_compare: Any, tmp_path: Path,
                                size: tuple[int, int]) -> None:
    ws, rid = two_reviewers(tmp_path)
    assert snap_compare(ShenyueApp(ws, rid), press=["D", "right_square_bracket", "a",
                                                    "right_square_bracket"],
                        terminal_size=size)



# -- section roles and the learned reader in the app ---------------------------------------


@app_test
async def test_the_outline_names_the_parts_and_suggestions_still_work(tmp_path: Path) -> None:
    from textual.widgets import Tree

    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        tree = review(app).query_one("#outline", Tree)
        labels = [str(node.label) for node in review(app).outline_nodes() if node.data]
        assert labels[0].startswith("review 一、2019年")
        assert any(label.startswith("tasks 二、2020年") for label in labels)
        assert not labels[1].startswith(("review", "tasks"))  # named where the part begins
        assert tree is not None
        await pilot.press("S")
        ghosts = list(document(app).ghosts)
        assert ghosts and all(g.reason.startswith("learned from") for g in ghosts)
        document(app).go_to(ghosts[0].start)
        await pilot.press("enter")
        assert [m.start for m in ws.annotations(report_id=rid)] == [ghosts[0].start]
        document(app).go_to(ghosts[1].start)
        await pilot.press("backspace")
        assert ghosts[1] not in document(app).ghosts
        # the marks changed: the learner is trained again in the background, then redraws
        await app.learn().wait()
        await pilot.pause()
        reasons = {g.reason.split(";")[0] for g in document(app).ghosts}
        assert reasons == {"learned from 2 marks"}
        await pilot.press("S")
        assert document(app).ghosts == []


@app_test
async def test_one_trainer_process_serves_every_retraining_and_ends_with_the_app(
    tmp_path: Path,
) -> None:
    """The learned reader is trained in a child that stays (numpy and SciPy loaded once);
    a child that died is started again; when the app ends, so does the child."""
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        tagged = [s for s in ws.suggested(rid) if s.tag is not None]  # sentences that teach
        trainers = []
        for count, span in enumerate(tagged[:3], 1):
            ws.annotate(rid, span.start, span.end, "plan")
            await app.learn().wait()
            assert ws.model().marks == count  # trained on every mark so far
            trainer = app._trainer
            assert trainer is not None and trainer.poll() is None
            trainers.append(trainer)
            if count == 2:
                trainer.kill()  # the next training starts another
                trainer.wait()
        assert trainers[0] is trainers[1] is not trainers[2]
        await pilot.pause()
    assert trainers[2].wait(timeout=30) == 0  # its input ended with the app
