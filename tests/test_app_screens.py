"""Library, compare, lookup, help, command palette, language and untrusted text."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.geometry import Offset
from textual.selection import Selection
from textual.widgets import DataTable, Input, Static

from annotations.model import Span, Tag
from tests.appkit import app_test, open_workspace, seed_id, visible_text
from tui.app import ShenyueApp
from tui.i18n import _, set_language
from tui.screens.compare import CompareScreen, best_section, heading_key
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen, PathSuggester
from tui.screens.lookup import LookupScreen
from tui.screens.prompt import PromptScreen
from tui.screens.review import ReviewScreen
from tui.widgets.marking import MarkingDocument
from tui.widgets.status import StatusBar

SIZE = (120, 40)


def table(app: ShenyueApp) -> DataTable[object]:
    assert isinstance(app.screen, LibraryScreen)
    return app.screen.query_one("#reports", DataTable)


@app_test
async def test_library_lists_every_report_and_opens_one(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert table(app).row_count == len(ws.reports()) == 5
        await pilot.press("down", "enter")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.report.id == ws.reports()[1].id


@app_test
async def test_library_filter_and_sort(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"常州")
        assert table(app).row_count == 1
        await pilot.press("enter", "escape")
        assert table(app).row_count == 5
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        while screen.sort_column != "year":
            await pilot.press("o")
        years = [screen.rows_by_id[str(k.value)].meta.year or 0 for k in table(app).rows]
        assert years == sorted(years, reverse=True)


@app_test
async def test_library_shows_progress_and_counts(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changxingdao")
    report = ws.report(rid)
    for sentence in report.sentences:
        ws.annotate(rid, sentence.start, sentence.end, Tag.PLAN)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        row = table(app).get_row(rid)
        assert str(row[6]).strip() == "100%"
        assert str(row[7]) == "░" * 10


@app_test
async def test_compare_marked_reports_aligns_sections(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    dalian, qingyuan = seed_id(ws, "dalian"), seed_id(ws, "qingyuan")
    async with app.run_test(size=(80, 24)) as pilot:
        for rid in (dalian, qingyuan):
            table(app).move_cursor(row=table(app).get_row_index(rid))
            await pilot.press("space")
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        columns = screen.documents()
        assert [d.report.id for d in columns] == [dalian, qingyuan]
        assert app.focused is columns[0]
        await pilot.press("tab")
        assert app.focused is columns[1]
        await pilot.press("a")
        assert [m.tag for m in ws.annotations(report_id=qingyuan)] == [Tag.ACHIEVEMENT]
        await pilot.press("equals_sign")
        assert screen.in_step
        await pilot.press("pagedown")
        await pilot.pause()
        assert columns[1].scroll_y > 0
        share = columns[1].scroll_y / columns[1].max_scroll_y
        assert abs(columns[0].scroll_y - share * columns[0].max_scroll_y) <= 1
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert screen.group == 1


def test_headings_are_matched_without_their_numbering() -> None:
    assert heading_key("（三）行政复议工作") == "行政复议工作"
    from annotations.model import Section

    sections = [Section("一、依法行政", 1, 0, 10, 5), Section("二、行政复议和应诉", 1, 10, 20, 15)]
    assert best_section("3.加强行政复议工作", sections) is sections[1]
    assert best_section("完全不同的标题内容", sections) is None


@app_test
async def test_v_shows_the_marks_by_tag_in_three_columns(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changxingdao")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "j", "s", "j", "p", "j", "j", "p", "v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        columns = screen.documents()
        assert len(columns) == 3
        text = ws.report(rid).text
        marks = ws.annotations(report_id=rid)
        plans = [m for m in marks if m.tag == Tag.PLAN]
        assert [r.start for r in columns[2].ranges] == [m.start for m in plans]
        assert text[plans[0].start:plans[0].start + 8] in visible_text(columns[2])
        await pilot.press("q")
        assert isinstance(app.screen, ReviewScreen)


@app_test
async def test_a_passage_two_reviewers_tagged_shows_once_side_by_side(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "changxingdao")
    report = ws.report(rid)
    sentence = report.sentences[3]
    ws.annotate(rid, sentence.start, sentence.end, Tag.ACHIEVEMENT, reviewer="colleague")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        app.screen.document.go_to(sentence.start)
        await pilot.press("t", "v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        achievements = screen.documents()[0]
        assert len(ws.annotations(report_id=rid)) == 2
        assert achievements.ranges == (Span(sentence.start, sentence.end),)
        passage = " ".join(report.text[sentence.start:sentence.end].split())[:6]
        assert visible_text(achievements).count(passage) == 1


@app_test
async def test_lookup_jumps_to_the_passage(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, LookupScreen)
        await pilot.press(*"行政复议", "enter")
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        assert screen.hits
        hit = screen.hits[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.report.id == hit.report.id
        span = app.screen.document.selection_span()
        assert span.start <= hit.start < max(span.end, span.start + 1)


@app_test
async def test_lookup_and_help_wait_while_the_palette_is_open(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("ctrl+f", "ctrl+p")
        await pilot.pause()
        assert app.is_running
        assert not any(isinstance(s, LookupScreen) for s in app.screen_stack)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, LookupScreen)


@app_test
async def test_an_empty_lookup_clears_the_results_and_their_count(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f", *"行政复议", "enter")
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        status = screen.query_one("#lookup-status", Static)
        assert "行政复议" in str(status.render())
        box = screen.query_one("#query", Input)
        box.focus()
        box.value = ""
        await pilot.press("enter")
        assert screen.hits == []
        assert "行政复议" not in str(status.render())


@app_test
async def test_help_lists_the_bindings_of_the_screen(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws, seed_id(ws, "dalian"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        ids = {row[2] for row in screen.rows}
        assert {"doc.tag_achievement", "doc.next_sentence", "doc.search", "review.back",
                "app.lookup"} <= ids
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


@app_test
async def test_palette_offers_the_screens_actions(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Achievement", "Next section", "Copy with citation", "Back"} <= titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Plan")
        command.callback()
        await pilot.pause()
        assert [m.tag for m in ws.annotations(report_id=rid)] == [Tag.PLAN]


@app_test
async def test_keymap_file_rebinds_a_key(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    (ws.home / "keymap.toml").write_text('"doc.tag_achievement" = "z"\n', encoding="utf-8")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("z")
        assert [m.tag for m in ws.annotations(report_id=rid)] == [Tag.ACHIEVEMENT]


INJECTION = (
    "关于[/]的报告\n\n一、[bold]总体情况[/bold]\n"
    "[@click=app.quit]点击这里[/]。\x1b[31m红色\x1b[0m文字。\n"
    + "很长的一行" * 3000 + "。\n"
)


@app_test
async def test_markup_and_escapes_in_a_report_show_literally(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    path = tmp_path / "injection.txt"
    path.write_text(INJECTION, encoding="utf-8")
    report = ws.import_report(path)
    app = ShenyueApp(ws, report.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#document", MarkingDocument)
        shown = visible_text(view)
        assert "[@click=app.quit]" in shown
        assert "[bold]" in shown
        assert "[/]" in shown
        assert "\x1b" not in shown
        await pilot.click(MarkingDocument, offset=(3, 4))
        await pilot.press("j", "j", "a", "G", "p", "pagedown", "pageup")
        assert app.is_running
        assert isinstance(app.screen, ReviewScreen)
        assert len(ws.annotations(report_id=report.id)) == 2


def test_the_catalogue_speaks_when_its_language_is_chosen() -> None:
    set_language("zh")
    try:
        assert (_("Achievement"), _("Next sentence")) == ("成效", "下一句")
    finally:
        set_language("en")
    assert _("Next sentence") == "Next sentence"


@app_test
async def test_the_interface_speaks_chinese(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    set_language("zh")
    try:
        app = ShenyueApp(ws, seed_id(ws, "dalian"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert "成效" in titles
            # Textual's own keys and commands speak the catalogue's language too
            assert {"下一个窗格", "主题", "命令面板"} <= titles
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert "Scroll Left" not in {description for _k, description, _i in app.screen.rows}
    finally:
        set_language("en")


@app_test
async def test_import_from_the_library(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    folder = tmp_path / "new"
    folder.mkdir()
    text = "某县2020年法治政府建设情况报告\n一、主要成效\n审查文件12件。\n"
    (folder / "extra.txt").write_text(text, encoding="utf-8")
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", "ctrl+u", *str(folder), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table(app).row_count == 6
        assert any("某县" in m.title for m in ws.reports())


@app_test
async def test_path_completion_offers_what_exists(tmp_path: Path) -> None:
    (tmp_path / "reports-2021").mkdir()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    suggester = PathSuggester()
    assert await suggester.get_suggestion(str(tmp_path / "rep")) == f"{tmp_path}/reports-2021/"
    assert await suggester.get_suggestion(str(tmp_path / "no")) == str(tmp_path / "notes.txt")
    assert await suggester.get_suggestion(str(tmp_path / "zz")) is None


@app_test
async def test_mouse_selection_maps_to_code_point_offsets(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    report = ws.report(rid)
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#document", MarkingDocument)
        lines = view._layout.lines
        selection = Selection(Offset(2, 5), Offset(4, 6))
        expected = report.text[lines[5][0] + 2:lines[6][0] + 4]
        assert view.get_selection(selection) == (expected, "\n")
        view.selection_updated(selection)
        await pilot.press("s")
        (mark,) = ws.annotations(report_id=rid)
        assert (mark.start, mark.end) == (lines[5][0] + 2, lines[6][0] + 4)


@app_test
async def test_undo_and_redo_speak_chinese_and_keep_the_quote(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    first = ws.report(rid).sentences[0]
    quote = " ".join(ws.report(rid).text[first.start:first.end].split())[:19]
    set_language("zh")
    try:
        app = ShenyueApp(ws, rid)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("p", "u")
            line = app.screen.query_one("#status", StatusBar).text.plain
            assert f"已撤销：添加“计划”标注«{quote}" in line
            await pilot.press("ctrl+r")
            line = app.screen.query_one("#status", StatusBar).text.plain
            assert f"已重做：添加“计划”标注«{quote}" in line
            assert "redid" not in line
    finally:
        set_language("en")


@app_test
async def test_an_error_of_the_core_speaks_chinese(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    ws.annotate(rid, 0, 4, "plan")
    set_language("zh")
    try:
        app = ShenyueApp(ws, rid)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            with ws.store.path.open("ab") as journal:  # another program damages the store
                journal.write(b"not a record\n")
            await pilot.press("j", "s")
            screen = app.screen
            assert isinstance(screen, ReviewScreen) and screen.notice is not None
            notice = screen.notice.plain
            assert notice.startswith(
                f"标注库 {ws.store.path} 第 3 行已损坏（JSONDecodeError）；已原样保留")
            assert "damaged" not in notice
    finally:
        set_language("en")
    assert ws.store.path.read_bytes().count(b"\n") == 3  # nothing was written after it


@app_test
async def test_the_library_survives_a_report_whose_text_went_missing(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    first, second = ws.reports()[0].id, ws.reports()[1].id
    app = ShenyueApp(ws, first)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        colleague = open_workspace(tmp_path, reviewer="colleague")
        passage = colleague.report(second).sentences[1]
        colleague.annotate(second, passage.start, passage.end, Tag.PLAN)
        (ws.library.folder / f"{second}.txt").unlink()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert table(app).row_count == 5
        assert any("is missing" in n.message for n in app._notifications)


@app_test
async def test_tab_takes_the_path_completion_into_the_import_prompt(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    folder = tmp_path / "new-reports"
    folder.mkdir()
    text = "某县2020年法治政府建设情况报告\n一、主要成效\n审查文件12件。\n"
    (folder / "extra.txt").write_text(text, encoding="utf-8")
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", "ctrl+u")
        assert isinstance(app.screen, PromptScreen)
        box = app.screen.query_one(Input)
        assert "tab" in str(box.placeholder)
        await pilot.press(*str(tmp_path / "new-"))
        await pilot.pause()
        await pilot.press("tab")
        assert box.value == f"{folder}/"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("某县" in m.title for m in ws.reports())


@app_test
async def test_q_after_lookup_jumps_goes_back_to_the_library(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):  # three jumps, into the same report or another one
            await pilot.press("ctrl+f", *"行政复议", "enter", "down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
        assert sum(isinstance(s, ReviewScreen) for s in app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


@app_test
async def test_j_k_g_G_move_in_the_library_and_help_shows_only_our_keys(
        tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    app = ShenyueApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reports = table(app)
        await pilot.press("g", "j", "j")
        assert reports.cursor_row == 2
        await pilot.press("k")
        assert reports.cursor_row == 1
        await pilot.press("G")
        assert reports.cursor_row == reports.row_count - 1
        await pilot.press("question_mark")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        assert all(row[2] for row in screen.rows)
        assert not {"Page Left", "Focus Next"} & {row[1] for row in screen.rows}
        assert "list.down" in {row[2] for row in screen.rows}
