"""Colours come from the theme end to end: every cell of a document row carries the
document's colours, a theme restyles the tags, a light theme keeps them readable, and
NO_COLOR still tells them apart. Styles are read as the terminal gets them: through
Textual's whole drawing (its line filters included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.color import Color
from textual.geometry import Region

from annotations.model import Annotation, Tag
from tests.appkit import app_test, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.widgets.document import DocumentView, printable
from tui.widgets.marking import MarkingDocument

SIZE = (120, 40)
TAGGED = ((8, Tag.ACHIEVEMENT), (9, Tag.SHORTCOMING), (10, Tag.PLAN))  # sentences in view
READABLE = 3.0  # WCAG's least contrast for large text; tags are bold, underlined or italic


def marked_app(tmp_path: Path) -> tuple[ShenyueApp, list[Annotation]]:
    """The Qingyuan report opened with one mark of each tag on sentences in view."""
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "qingyuan")
    stops = ws.report(rid).sentences
    marks = [ws.annotate(rid, stops[n].start, stops[n].end, tag) for n, tag in TAGGED]
    return ShenyueApp(ws, rid), marks


def document(app: ShenyueApp) -> MarkingDocument:
    return app.screen.query_one("#document", MarkingDocument)


def drawn_rows(view: DocumentView) -> list[list[tuple[str, Style]]]:
    """The rows in view as the terminal gets them: (text, style) per segment."""
    strips = view.render_lines(Region(0, 0, view.size.width, view.size.height))
    return [[(s.text, s.style or Style()) for s in strip] for strip in strips]


def cell_style(view: DocumentView, offset: int) -> Style:
    """The style the terminal gets for the character at `offset`."""
    line = view._layout.line_of(offset)
    start, _end = view._layout.lines[line]
    row = drawn_rows(view)[line - round(view.scroll_y)]
    x = cell_len(printable(view.report.text[start:offset]))
    at = 0
    for text, style in row:
        if at <= x < at + cell_len(text):
            return style
        at += cell_len(text)
    raise AssertionError(f"offset {offset} is not in view")


def contrast(one: Color, other: Color) -> float:
    """WCAG 2 contrast ratio of two colours."""
    def luminance(color: Color) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(style: Style, background: bool = False) -> Color:
    color = style.bgcolor if background else style.color
    assert color is not None and color.triplet is not None, style
    return Color(*color.triplet)


@app_test
async def test_every_cell_of_a_document_row_carries_the_documents_colours(
    tmp_path: Path,
) -> None:
    app, _marks = marked_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = document(app)
        rows = drawn_rows(view)
        assert len(rows) == view.size.height
        for row in rows:
            for text, style in row:
                assert style.color is not None and style.bgcolor is not None, (text, style)
        # a row of plain text: its text on the same ground as the rest of the row
        plain = next(row for row in rows if len(row) == 3)  # text, padding, position bar
        assert plain[0][1].bgcolor == plain[1][1].bgcolor
        assert plain[0][0].strip() and not plain[1][0].strip()


@app_test
async def test_a_theme_restyles_the_tags_and_a_light_one_keeps_them_readable(
    tmp_path: Path,
) -> None:
    app, marks = marked_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        seen: dict[str, list[Style]] = {}
        for theme in ("textual-dark", "textual-light", "solarized-light", "nord"):
            app.theme = theme
            await pilot.pause()
            view = document(app)
            styles = [cell_style(view, mark.start) for mark in marks]
            seen[theme] = styles
            ground = rgb(cell_style(view, marks[0].start - 1), background=True)
            for style in styles:
                assert contrast(rgb(style), rgb(style, background=True)) >= READABLE, theme
                assert rgb(style, background=True) == ground  # a tag colours the text only
            # the tags stay apart by an attribute, not by colour alone
            assert len({(s.bold, s.underline, s.italic) for s in styles}) == 3
            assert len({s.color for s in styles}) == 3
        assert seen["textual-dark"] != seen["textual-light"]
        # the status bar's counts are redrawn in the new theme's colours too
        status = app.screen.query_one("#status")
        counts = [span.style for span in status.text.spans  # type: ignore[attr-defined]
                  if isinstance(span.style, Style) and span.style.color is not None]
        assert {s.color for s in counts} >= {s.color for s in seen["nord"]}


@app_test
async def test_no_color_still_tells_the_tags_apart(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app, marks = marked_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = document(app)
        styles = [cell_style(view, mark.start) for mark in marks]
        for style in styles:  # no hue left: grey at most
            color = rgb(style)
            assert color.r == color.g == color.b, style
        assert len({(s.bold, s.underline, s.italic) for s in styles}) == 3
