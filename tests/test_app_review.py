"""The review screen: keys, marks, comments, undo, search, copy, refresh and resume."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.widgets import Tree

from annotations.model import Report, Span, Tag
from annotations.workspace import seed_files
from tests.appkit import app_test, open_workspace, seed_id, visible_text
from tui.app import SETTLE_DELAY, ShenyueApp
from tui.i18n import set_language
from tui.screens.comment import CommentScreen
from tui.screens.prompt import ConfirmScreen
from tui.screens.review import ReviewScreen
from tui.widgets.document import is_chrome, paragraphs, stops_of, wrap
from tui.widgets.marking import MarkingDocument
from tui.widgets.marks_pane import MarksPane
from tui.widgets.status import StatusBar

SIZE = (120, 40)


def document(app: ShenyueApp) -> MarkingDocument:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen.document


def body_stops(report: Report) -> list[Span]:
    """The cursor's stops that j and k land on: all but the web-page furniture."""
    return [s for s in stops_of(report) if not is_chrome(report, s)]


def status(app: ShenyueApp) -> str:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen.query_one("#status", StatusBar).text.plain


@app_test
async def test_opens_on_the_first_sentence(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = document(app)
        first = ws.report(rid).sentences[0]
        assert view.selection_span() == first
        assert "2017年度大连市法治政府建设工作情况综述" in visible_text(view)


@app_test
async def test_tag_then_same_key_removes_it(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changxingdao")
    sentences = stops_of(ws.report(rid))
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "a")
        marks = ws.annotations(report_id=rid)
        assert [(m.start, m.end, m.tag) for m in marks] == [
            (sentences[1].start, sentences[1].end, Tag.ACHIEVEMENT)]
        assert document(app).marks[0].id == marks[0].id
        await pilot.press("a")
        assert ws.annotations(report_id=rid) == []
        assert document(app).marks == []


@app_test
async def test_extended_selection_is_tagged_whole(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changxingdao")
    sentences = stops_of(ws.report(rid))
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "J", "J", "K", "s")
        (mark,) = ws.annotations(report_id=rid)
        assert (mark.start, mark.end, mark.tag) == (
            sentences[1].start, sentences[2].end, Tag.SHORTCOMING)
        await pilot.press("j", "p")
        plans = ws.annotations(report_id=rid, tag=Tag.PLAN)
        assert [(m.start, m.end) for m in plans] == [(sentences[3].start, sentences[3].end)]


@app_test
async def test_comment_saved_with_ctrl_s(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "c")
        assert isinstance(app.screen, CommentScreen)
        await pilot.press(*"ok [bold]")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReviewScreen)
        (mark,) = ws.annotations(report_id=rid)
        assert mark.comment == "ok [bold]"


@app_test
async def test_escape_asks_before_dropping_a_typed_comment(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "c", "x", "y", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, CommentScreen)
        await pilot.press("escape", "y")
        assert isinstance(app.screen, ReviewScreen)
        assert ws.annotations(report_id=rid)[0].comment == ""


@app_test
async def test_comment_without_a_mark_is_refused(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws, seed_id(ws, "dalian"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ReviewScreen)


@app_test
async def test_undo_and_redo(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "j", "a")
        assert len(ws.annotations(report_id=rid)) == 2
        await pilot.press("u")
        assert [m.tag for m in ws.annotations(report_id=rid)] == [Tag.PLAN]
        assert [m.tag for m in document(app).marks] == [Tag.PLAN]
        await pilot.press("ctrl+r")
        assert {m.tag for m in document(app).marks} == {Tag.PLAN, Tag.ACHIEVEMENT}


@app_test
async def test_delete_mark_under_cursor(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s", "x")
        assert ws.annotations(report_id=rid) == []


@app_test
async def test_search_and_next_hit(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    text = ws.report(rid).text
    first = text.index("行政复议")
    second = text.index("行政复议", first + 1)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"行政复议", "enter")
        view = document(app)
        span = view.selection_span()
        assert span.start <= first < span.end
        await pilot.press("n")
        span = view.selection_span()
        assert span.start <= second < span.end
        await pilot.press("N")
        assert view.selection_span().start <= first < view.selection_span().end


@app_test
async def test_section_and_mark_jumps(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    report = ws.report(rid)
    starts = sorted(s.start for s in report.all_sections())
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        view = document(app)
        assert view.cursor_offset >= starts[0]
        assert report.section_path(view.cursor_offset)[-1].start == starts[0]
        await pilot.press("right_square_bracket", "a", "g")
        assert view.sentence_index == 0
        await pilot.press("right_curly_bracket")
        assert report.section_path(view.cursor_offset)[-1].start == starts[1]
        await pilot.press("G")  # the last sentence of the body: the page's footer is passed by
        last = max(i for i, span in enumerate(stops_of(report)) if not view.is_chrome(span))
        assert view.sentence_index == last < view.sentence_count - 1
        await pilot.press("left_curly_bracket")
        assert report.section_path(view.cursor_offset)[-1].start == starts[1]


@app_test
async def test_next_mark_passes_a_mark_inside_a_sentence(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    report = ws.report(rid)
    inside, later = report.sentences[5], report.sentences[9]
    ws.annotate(rid, inside.start + 3, inside.end, Tag.PLAN)  # a mouse selection's mark
    ws.annotate(rid, later.start, later.end, Tag.ACHIEVEMENT)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        view = document(app)
        await pilot.press("right_curly_bracket")
        assert view.selection_span() == inside
        await pilot.press("right_curly_bracket")
        assert view.selection_span() == later
        await pilot.press("left_curly_bracket")
        assert view.selection_span() == inside


@app_test
async def test_hidden_boilerplate_is_skipped(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    report = ws.report(rid)
    assert report.boilerplate
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        view = document(app)
        for _ in range(8):
            span = view.selection_span()
            assert not any(b.start <= span.start and span.end <= b.end for b in report.boilerplate)
            await pilot.press("j")
        assert "字号" not in visible_text(view)
        await pilot.press("b")
        assert "字号" in visible_text(view)


@app_test
async def test_hiding_boilerplate_at_the_end_keeps_the_cursor(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    report = ws.report(rid)
    assert report.boilerplate[-1].end >= len(report.text.rstrip())  # the page footer is last
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G", "b")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ReviewScreen)
        view = document(app)
        assert view.sentence_index == view.sentence_count - 1
        span = view.selection_span()
        assert not any(b.start <= span.start and span.end <= b.end for b in report.boilerplate)
        await pilot.press("b", "k")
        assert app.is_running


@app_test
async def test_copy_puts_the_passage_and_citation_on_the_clipboard(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changzhou")
    report = ws.report(rid)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "y")
        span = document(app).selection_span()
        assert report.text[span.start:span.end].strip() in app.clipboard
        assert f"《{report.title}》" in app.clipboard
        assert "2017" in app.clipboard.splitlines()[-1]


@app_test
async def test_a_colleagues_mark_appears_without_restart(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    sentence = ws.report(rid).sentences[5]
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert document(app).marks == []
        colleague = open_workspace(tmp_path, reviewer="colleague")
        colleague.annotate(rid, sentence.start, sentence.end, Tag.PLAN, comment="see 2018")
        for _ in range(20):  # the promise: within two seconds
            await pilot.pause(0.1)
            if document(app).marks:
                break
        assert [(m.start, m.reviewer) for m in document(app).marks] == [
            (sentence.start, "colleague")]


@app_test
async def test_resume_where_the_reviewer_left_off(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j")
        offset = document(app).cursor_offset
        await app.action_quit()
    again = ShenyueApp(open_workspace(tmp_path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ReviewScreen)
        assert again.screen.report.id == rid
        assert document(again).cursor_offset == offset


@app_test
async def test_a_report_opens_without_reading_the_other_reports_marks(tmp_path: Path) -> None:
    earlier = open_workspace(tmp_path)  # the sessions before: marks on every report
    for meta in earlier.reports():
        sentences = earlier.report(meta.id).sentences
        earlier.annotate_many({"report_id": meta.id, "start": s.start, "end": s.end,
                               "tag": "plan"} for s in sentences[:10])
    rid = seed_id(earlier, "qingyuan")
    ws = open_workspace(tmp_path)
    ws.check_store()
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(document(app).marks) == 10
        assert not ws.store.journal.complete()  # its own marks only, through the store's index
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        assert ws.store.journal.complete()  # the library counts every report's marks


@app_test
async def test_back_to_the_library_and_quit(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws, seed_id(ws, "dalian"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        assert type(app.screen).__name__ == "LibraryScreen"
        await pilot.press("q")
    assert app.return_code == 0


def test_wrapping_by_cell_width_covers_the_text_exactly() -> None:
    text = "法治政府建设" * 30 + "abc def " * 10 + "\t[/]"
    lines = wrap(text, [(0, len(text))], 21)
    assert "".join(text[s:e] for s, e in lines) == text
    assert all(cell_len(text[s:e]) <= 21 for s, e in lines)
    assert all(lines[i][1] == lines[i + 1][0] for i in range(len(lines) - 1))


@app_test
async def test_outline_and_marks_pane_move_the_cursor(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changxingdao")
    report = ws.report(rid)
    second = report.sections[1]
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "j", "j", "a", "g")
        mark = ws.annotations(report_id=rid)[0]
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        tree = screen.query_one("#outline", Tree)
        node = next(n for n in screen.outline_nodes() if n.data is second)
        tree.select_node(node)
        await pilot.pause()
        assert report.section_path(document(app).cursor_offset)[0] is second
        await pilot.press("g", "tab")
        assert isinstance(app.focused, MarksPane)
        assert [m.id for m in app.focused.marks] == [mark.id]
        await pilot.press("enter")
        assert app.focused is document(app)
        assert document(app).cursor_offset == mark.start


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="法治政府建设成效不足计划abc 1,，。、；：？！《》（）()“”", max_size=300),
    width=st.integers(min_value=4, max_value=50),
)
def test_wrapping_covers_any_text_within_the_width(text: str, width: int) -> None:
    lines = wrap(text, [(0, len(text))], width)
    assert "".join(text[s:e] for s, e in lines) == text
    assert all(cell_len(text[s:e]) <= width for s, e in lines)


def test_no_seed_line_starts_with_closing_punctuation() -> None:
    for path in seed_files():
        text = path.read_text(encoding="utf-8")
        pieces = paragraphs(text, [Span(0, len(text))])
        for width in range(20, 81, 7):
            starts = [text[s] for s, e in wrap(text, pieces, width)[1:] if e > s]
            assert not [c for c in starts if c in "。，,、；;：:？！)）》”"], (path.name, width)


@app_test
async def test_extending_the_selection_and_tagging_extends_the_mark(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    stops = stops_of(ws.report(rid))
    seventh = stops[7]
    part = ws.annotate(rid, seventh.start + 2, seventh.end - 2, Tag.ACHIEVEMENT, comment="好")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        document(app).go_to(seventh.start)
        await pilot.pause()
        assert "sentences selected" not in status(app)
        await pilot.press("J", "J")
        assert "3 sentences selected" in status(app)
        await pilot.press("a")
        (mark,) = ws.annotations(report_id=rid)
        assert (mark.id, mark.start, mark.end, mark.tag, mark.comment) == (
            part.id, seventh.start, stops[9].end, Tag.ACHIEVEMENT, "好")
        assert "Extended Achievement" in status(app)
        await pilot.press("K")  # now inside the mark: the same key removes it
        assert "2 sentences selected" in status(app)
        await pilot.press("a")
        assert ws.annotations(report_id=rid) == []


@app_test
async def test_tagging_across_two_of_my_marks_joins_them(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    stops = stops_of(ws.report(rid))
    ws.annotate(rid, stops[3].start, stops[3].end, Tag.PLAN, comment="甲")
    ws.annotate(rid, stops[5].start, stops[5].end, Tag.PLAN, comment="乙")
    ws.annotate(rid, stops[4].start, stops[4].end, Tag.SHORTCOMING)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        document(app).go_to(stops[3].start)
        await pilot.press("J", "J", "p")
        plans = [m for m in ws.annotations(report_id=rid) if m.tag == Tag.PLAN]
        assert [(m.start, m.end, m.comment) for m in plans] == [
            (stops[3].start, stops[5].end, "甲\n乙")]
        assert len(ws.annotations(report_id=rid)) == 2
        before = {(m.start, m.end, m.tag, m.comment) for m in ws.annotations(report_id=rid)}
        await pilot.press("u")  # the join is one undo step: both plan marks come back
        assert {(m.start, m.end, m.tag, m.comment) for m in ws.annotations(report_id=rid)} == {
            (stops[3].start, stops[3].end, Tag.PLAN, "甲"),
            (stops[5].start, stops[5].end, Tag.PLAN, "乙"),
            (stops[4].start, stops[4].end, Tag.SHORTCOMING, "")}
        assert before != {(m.start, m.end, m.tag, m.comment)
                          for m in ws.annotations(report_id=rid)}


@app_test
async def test_another_tag_key_on_my_mark_retags_it_and_keeps_the_comment(
        tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    stops = stops_of(ws.report(rid))
    mark = ws.annotate(rid, stops[3].start, stops[4].end, Tag.PLAN, comment="甲")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        document(app).go_to(stops[4].start)
        await pilot.press("a")
        (after,) = ws.annotations(report_id=rid)
        assert (after.id, after.start, after.end, after.tag, after.comment) == (
            mark.id, mark.start, mark.end, Tag.ACHIEVEMENT, "甲")
        assert "Changed the mark to Achievement" in status(app)
        await pilot.press("u")
        assert [m.tag for m in ws.annotations(report_id=rid)] == [Tag.PLAN]


@app_test
async def test_reopening_a_report_returns_to_where_its_review_was(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j", "q")
        offset = body_stops(ws.report(rid))[4].start
        await pilot.press("q")
    assert app.return_code == 0
    again = ShenyueApp(open_workspace(tmp_path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(again.screen).__name__ == "LibraryScreen"
        await pilot.press("enter")  # the library's cursor is on the report last reviewed
        assert isinstance(again.screen, ReviewScreen)
        assert again.screen.report.id == rid
        assert document(again).cursor_offset == offset
        await pilot.press("q", "q")
    third = ShenyueApp(open_workspace(tmp_path), rid)
    async with third.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert document(third).cursor_offset == offset


@app_test
async def test_comparing_reports_does_not_change_the_last_report(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = ws.reports()[0].id
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "j", "j", "q", "down", "space", "down", "space", "c")
        assert type(app.screen).__name__ == "CompareScreen"
        await pilot.press("q", "q")
    state = open_workspace(tmp_path).load_state()
    assert state["report"] == rid
    assert state["offsets"] == {rid: body_stops(ws.report(rid))[2].start}


@app_test
async def test_the_older_saved_position_is_still_read(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    offset = ws.report(rid).sentences[6].start
    ws.save_state({"screen": "review", "report": rid, "offset": offset})
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert document(app).cursor_offset == offset


@app_test
async def test_another_report_opens_without_the_last_change_message(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws, ws.reports()[0].id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "a", "u", "ctrl+r")
        assert "redid: add achievement mark «" in status(app)
        await pilot.press("q", "down", "enter")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.report.id == ws.reports()[1].id
        assert "redid" not in status(app)
        assert "all marks saved" in status(app)


def test_numbers_and_latin_words_are_not_split_across_lines() -> None:
    text = "为深入完成对标上海工作经验,将社会满意度调查(CATI)范围在2016年调查市本级的基础上扩大"
    for width in range(12, 60):
        lines = wrap(text, [(0, len(text))], width)
        ends = {e for _, e in lines[:-1]}
        assert not ends & {text.index("2016") + k for k in (1, 2, 3)}, width
        assert not ends & {text.index("CATI") + k for k in (1, 2, 3)}, width


@app_test
async def test_a_zh_notice_keeps_every_character_on_screen(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    set_language("zh")
    app = ShenyueApp(ws, seed_id(ws, "dalian"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")  # no mark here: the notice says so
        await pilot.pause()
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any("此处没有标注：请先标注该段落（a、s 或 p）。" in row for row in rows)


@app_test
async def test_a_saved_web_page_opens_at_its_body_and_j_k_pass_its_furniture(
        tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changzhou")
    report = ws.report(rid)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = document(app)
        stops = stops_of(report)
        assert view.is_chrome(stops[0])  # the page starts with its metadata table
        first = next(s for s in stops if not view.is_chrome(s))
        assert view.selection_span() == first
        seen = [view.selection_span()]
        for _ in range(len(stops)):
            await pilot.press("j")
            seen.append(view.selection_span())
        assert not any(view.is_chrome(span) for span in seen)
        assert seen[-1] == next(s for s in reversed(stops) if not view.is_chrome(s))
        await pilot.press("g", "k")
        assert view.selection_span() == first
        await pilot.press("b", "g")  # furniture hidden, then shown again: the same body start
        await pilot.press("b", "g")
        assert view.selection_span() == first


@app_test
async def test_a_screen_change_sets_the_memory_aside_and_a_closed_review_is_collected(
    tmp_path: Path,
) -> None:
    """Once the reviewer reads, every live object is set aside from the cyclic collector (a
    full collection over a 1 MB report could fall in a key press); what a closed screen
    leaves is still collected, and the process's collector is left as it was."""
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws, seed_id(ws, "dalian"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(SETTLE_DELAY + 0.5)
        assert gc.get_freeze_count() > 0
        review = weakref.ref(app.screen)
        await pilot.press("q")  # back to the library
        await pilot.pause(SETTLE_DELAY + 0.5)
        assert review() is None
    assert gc.get_freeze_count() == 0
