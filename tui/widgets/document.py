"""The document view: a report (or chosen ranges of it) on Textual's Line API.

One ScrollView draws only the visible lines. The text is wrapped by terminal cell width
into visual lines, each a (start, end) range of code points, so every style — sentence
cursor, marks, boilerplate, search hits, mouse selection — is applied by offset.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import ClassVar, Protocol, TypeVar

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from annotations.model import Annotation, Report, Span
from annotations.suggest import Suggestion
from tui.i18n import _, localise_bindings
from tui.marks import TAG_COMPONENTS, Palette, component_style, palette

# control characters would move the terminal's cursor; one replacement char keeps offsets intact
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

# the component classes of the passages the document marks out, in the order of Look's fields
# (tui/shenyue.tcss styles them and the tags, so that a theme restyles them all)
PASSAGE_CLASSES = ("document--heading", "document--boilerplate", "document--hit",
                   "document--cursor")
BAR_WIDTH = 1  # the position bar in the last column
BLURRED_CURSOR = Style(underline=True)  # the cursor of a document another pane took focus from

Line = tuple[int, int]


Drawn = Annotation | Suggestion
MAX_PARTIAL_REDRAW = 64
Layer = tuple[int, int, Style]  # a style over [start, end) of a visual line


@dataclass(frozen=True)
class Look:
    """How the document draws each kind of passage, in the theme in force."""

    base: Style  # the document's own colours: every cell of every row carries them
    tags: Palette
    thumb: Segment  # the position bar's cell beside the rows in view
    track: Segment  # and beside the others
    heading: Style
    boilerplate: Style
    hit: Style
    cursor: Style


@dataclass(frozen=True)
class Frame:
    """What every row of one drawing of the view shares."""

    width: int  # the cells of a line of text: the widget's less the position bar
    height: int  # the rows in view
    thumb_top: int  # the rows [thumb_top, thumb_end) of the position bar show the thumb
    thumb_end: int
    focused: bool  # the cursor is drawn solid (else underlined)


@lru_cache(maxsize=4096)
def combined(base: Style, over: tuple[Style, ...]) -> Style:
    """`base` with the `over` styles on top, in order."""
    return Style.combine([base, *over])


def styled_segments(text: str, base: Style, layers: Sequence[Layer]) -> list[Segment]:
    """`text` cut where a layer begins or ends, each piece in `base` with the layers over it
    on top (later ones last)."""
    if not layers:
        return [Segment(text, base)] if text else []
    cuts = sorted({0, len(text), *(lo for lo, _hi, _s in layers), *(hi for _lo, hi, _s in layers)})
    return [Segment(text[a:b], combined(base, tuple(s for lo, hi, s in layers
                                                      if lo <= a and b <= hi)))
            for a, b in pairwise(cuts) if a < b]


class Spanned(Protocol):
    """A mark or a suggestion: what lies over a stretch of the text."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=Spanned)


def reaching(items: Sequence[S], starts: Sequence[int], reach: int, start: int,
             end: int) -> list[S]:
    """The items (sorted by start, none longer than `reach`) overlapping [start, end)."""
    low = bisect_left(starts, start - reach)
    high = bisect_left(starts, max(end, start + 1))
    return [item for item in items[low:high] if item.end > start]


def drawn_key(item: Drawn) -> tuple[int, int, tuple[object, ...]]:
    """What decides how a mark or suggestion is drawn: its span, then the rest."""
    if isinstance(item, Annotation):
        return (item.start, item.end, (item.tag, item.reviewer, item.id))
    return (item.start, item.end, (item.tag,))


def printable(text: str) -> str:
    """`text` with every control character replaced by U+FFFD (same length)."""
    return _CONTROL.sub("\ufffd", text)


def subtract(pieces: Sequence[Line], holes: Sequence[Span]) -> list[Line]:
    """`pieces` (sorted, disjoint) with the `holes` (sorted) cut out."""
    out: list[Line] = []
    hole_starts = [h.start for h in holes]
    for start, end in pieces:
        cut = start
        for hole in holes[max(bisect_right(hole_starts, start) - 1, 0):]:
            if hole.start >= end:
                break
            if hole.end <= cut:
                continue
            if hole.start > cut:
                out.append((cut, hole.start))
            cut = max(cut, hole.end)
        if cut < end or (start == end and not _inside(start, holes)):
            out.append((cut, end))
    return out


def overlapping(spans: Sequence[Span], start: int, end: int) -> Sequence[Span]:
    """The spans of a sorted, non-overlapping sequence that overlap [start, end)."""
    low, high = 0, len(spans)
    while low < high:  # the first span ending after `start`
        middle = (low + high) // 2
        if spans[middle].end <= start:
            low = middle + 1
        else:
            high = middle
    first = low
    while low < len(spans) and spans[low].start < max(end, start + 1):
        low += 1
    return spans[first:low]


def _inside(offset: int, holes: Sequence[Span]) -> bool:
    return any(h.start <= offset < h.end for h in holes)


def paragraphs(text: str, ranges: Sequence[Span]) -> list[Line]:
    """The pieces of `ranges` split at line breaks (an empty line stays an empty piece)."""
    out: list[Line] = []
    for number, span in enumerate(ranges):
        if number:
            out.append((span.start, span.start))  # a blank line between separate ranges
        start = span.start
        while start <= span.end:
            newline = text.find("\n", start, span.end)
            if newline < 0:
                out.append((start, span.end))
                break
            out.append((start, newline))
            start = newline + 1
    return out


class _CellWidths(dict[str, int]):
    """The cell width of each character met so far (a dict lookup is several times quicker
    than asking Rich again for every character of a long report)."""

    def __missing__(self, char: str) -> int:
        self[char] = found = get_character_cell_size(char)
        return found


CELL_WIDTHS = _CellWidths()


def wrap(text: str, pieces: Sequence[Line], width: int) -> list[Line]:
    """Visual lines of at most `width` cells, by cell width (a CJK character takes two)."""
    width = max(width, 2)
    lines: list[Line] = []
    append = lines.append
    for start, end in pieces:
        if (end - start) * 2 <= width:
            append((start, end))
            continue
        chunk = text[start:end]
        # cells[i]: the width of chunk[:i + 1]; a line ends before the first char past the width
        cells = list(accumulate(map(CELL_WIDTHS.__getitem__, chunk)))
        line_start, used = 0, 0
        while True:
            index = bisect_right(cells, used + width, line_start)
            if index >= len(chunk):
                break
            # a char wider than the whole line still takes one line of its own
            cut = line_break(chunk, line_start, max(index, line_start + 1))
            append((start + line_start, start + cut))
            line_start, used = cut, cells[cut - 1]
        append((start + line_start, end))
    return lines


# Chinese line-breaking rules (禁则): these never start a line, those never end one.
NO_LINE_START = frozenset("。，、；：？！）》」』】〕〉”’…—,.;:?!)]%")
NO_LINE_END = frozenset("（《「『【〔〈“‘([")
# how far back a line may end early: enough for a year, a count or a document number
MAX_BREAK_BACKOFF = 10


def is_word_char(char: str) -> bool:
    """Part of a run of Latin letters or digits ("2016", "CATI"), which is never split."""
    return char.isascii() and char.isalnum()


def bad_break(chunk: str, cut: int) -> bool:
    """Whether ending a line before `chunk[cut]` breaks a rule."""
    before, after = chunk[cut - 1], chunk[cut]
    return (after in NO_LINE_START or before in NO_LINE_END
            or (is_word_char(before) and is_word_char(after)))


def line_break(chunk: str, line_start: int, index: int) -> int:
    """Where to end a line that would overflow at `index`: a few characters earlier when
    breaking at `index` would start the next line with closing punctuation, end this one
    with an opening bracket, or split a number or a Latin word."""
    cut = index
    while index - cut < MAX_BREAK_BACKOFF and cut - 1 > line_start and bad_break(chunk, cut):
        cut -= 1
    return index if bad_break(chunk, cut) else cut  # no better place nearby: the plain break


def is_chrome(report: Report, span: Span) -> bool:
    """Whether `span` lies wholly in the report's web-page furniture (boilerplate)."""
    holes = overlapping(report.boilerplate, span.start, span.end)
    return bool(holes) and not subtract([(span.start, span.end)], holes)


def stops_of(report: Report) -> list[Span]:
    """The report's sentences and the headings no sentence covers, in order."""
    sentences = list(report.sentences)
    starts = [s.start for s in sentences]
    for section in report.all_sections():
        heading = Span(section.start, section.heading_end)
        index = bisect_left(starts, heading.start)
        before = sentences[index - 1] if index else None
        after = sentences[index] if index < len(sentences) else None
        if (before is None or before.end <= heading.start) and (
            after is None or after.start >= heading.end
        ):
            sentences.insert(index, heading)
            starts.insert(index, heading.start)
    return sentences


@dataclass(frozen=True, slots=True)
class Layout:
    """The visual lines of the document at one width."""

    lines: list[Line]
    starts: list[int]

    def line_of(self, offset: int) -> int:
        """The visual line holding `offset`."""
        return max(bisect_right(self.starts, offset) - 1, 0)


class DocumentView(ScrollView, can_focus=True):
    """A report drawn line by line, with a sentence cursor and the reviewer's marks."""

    ALLOW_SELECT = True
    COMPONENT_CLASSES: ClassVar[set[str]] = {*TAG_COMPONENTS, *PASSAGE_CLASSES,
                                             "document--thumb", "document--bar"}
    # Textual's scrollbar is hidden (scrolling stays on): redrawn on every scrolled frame it
    # cost as much as the text; the view draws its own position bar in its last column
    DEFAULT_CSS = """
    DocumentView {
        background: $surface; color: $text; overflow-y: scroll; overflow-x: hidden;
        scrollbar-size-vertical: 0;
    }
    DocumentView:focus { background-tint: $foreground 4%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "next_sentence", "Next sentence", id="doc.next_sentence",
                key_display="j"),
        Binding("k,up", "prev_sentence", "Previous sentence", id="doc.prev_sentence",
                key_display="k"),
        Binding("J", "extend", "Extend selection", id="doc.extend", show=False),
        Binding("K", "shrink", "Shrink selection", id="doc.shrink", show=False),
        Binding("right_square_bracket", "next_section", "Next section", id="doc.next_section",
                key_display="]", show=False),
        Binding("left_square_bracket", "prev_section", "Previous section", id="doc.prev_section",
                key_display="[", show=False),
        Binding("right_curly_bracket", "next_mark", "Next mark", id="doc.next_mark",
                key_display="}", show=False),
        Binding("left_curly_bracket", "prev_mark", "Previous mark", id="doc.prev_mark",
                key_display="{", show=False),
        Binding("g,home", "top", "Top", id="doc.top", key_display="g", show=False),
        Binding("G,end", "bottom", "Bottom", id="doc.bottom", key_display="G", show=False),
        Binding("pagedown,space", "page(1)", "Page down", id="doc.page_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="doc.page_up", show=False),
        Binding("slash", "search", "Search", id="doc.search", key_display="/"),
        Binding("n", "next_hit", "Next hit", id="doc.next_hit", show=False),
        Binding("N", "prev_hit", "Previous hit", id="doc.prev_hit", show=False),
        Binding("b", "toggle_boilerplate", "Hide/show boilerplate", id="doc.boilerplate",
                show=False),
    ]

    def __init__(
        self,
        report: Report,
        ranges: Sequence[Span] | None = None,
        *,
        on_move: Callable[[], None] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        localise_bindings(self)
        self.report = report
        # called as the cursor moves, not posted: what it redraws joins the document's frame
        self._on_move = on_move
        self.ranges = tuple(ranges) if ranges else (Span(0, len(report.text)),)
        self.hide_boilerplate = False
        self.marks: list[Annotation] = []
        self._mark_starts: list[int] = []
        self._mark_reach = 0  # the longest mark: no mark starting further back reaches a line
        self.ghosts: list[Suggestion] = []
        self._ghost_starts: list[int] = []
        self._ghost_reach = 0
        self.hits: list[Span] = []
        self._hit = 0
        self.search_query = ""
        self._lo = 0
        self._hi = 0
        self._mouse_span: Span | None = None
        self._layouts: dict[tuple[int, bool], Layout] = {}
        self._layout = Layout([], [])
        self._strips: LRUCache[int, Strip] = LRUCache(512)
        self._look: Look | None = None
        self._frame: Frame | None = None  # while a frame is drawn
        self._sentences: list[Span] = []
        self._sentence_starts: list[int] = []
        self._chrome: list[bool] = []  # per stop: wholly web-page furniture (j/k pass it by)
        self._sections = [s for s in report.all_sections()
                          if any(r.start <= s.start < r.end for r in self.ranges)]
        self._headings = [Span(s.start, s.heading_end) for s in self._sections]
        self._section_starts = sorted({s.start for s in self._sections})
        self._build_sentences()

    # -- what is shown -----------------------------------------------------------------------

    def _build_sentences(self) -> None:
        """The cursor's stops: sentences and headings clipped to the shown ranges, minus
        hidden boilerplate."""
        stops = stops_of(self.report)
        ends = [s.end for s in stops]
        found: list[Span] = []
        for rng in self.ranges:
            index = bisect_right(ends, rng.start)
            first = len(found)
            while index < len(stops) and stops[index].start < rng.end:
                stop = stops[index]
                found.append(Span(max(stop.start, rng.start), min(stop.end, rng.end)))
                index += 1
            if len(found) == first:
                found.append(rng)  # a range with no sentence is one stop of its own
        if self.hide_boilerplate:
            kept = [s for s in found if subtract([(s.start, s.end)], self.report.boilerplate)]
            found = kept or found
        self._sentences = found
        self._sentence_starts = [s.start for s in found]
        self._chrome = [self.is_chrome(s) for s in found]
        # hiding boilerplate shortens the list: the old selection must still index into it
        last = max(len(found) - 1, 0)
        self._lo, self._hi = min(self._lo, last), min(self._hi, last)

    def is_chrome(self, span: Span) -> bool:
        """Whether `span` lies wholly in the report's web-page furniture (boilerplate)."""
        return is_chrome(self.report, span)

    def _body_stop(self, index: int, step: int) -> int | None:
        """The first stop from `index` on, going by `step`, that is not furniture."""
        while 0 <= index < len(self._sentences):
            if not self._chrome[index]:
                return index
            index += step
        return None

    def _visible_pieces(self) -> list[Line]:
        pieces = paragraphs(self.report.text, self.ranges)
        if self.hide_boilerplate:
            pieces = subtract(pieces, self.report.boilerplate)
        return pieces

    def _relayout(self) -> None:
        width = self.frame().width or self.size.width or 80
        key = (width, self.hide_boilerplate)
        layout = self._layouts.get(key)
        if layout is None:
            lines = wrap(self.report.text, self._visible_pieces(), width)
            layout = Layout(lines, [start for start, _end in lines])
            self._layouts = {key: layout}
        self._layout = layout
        self._strips.clear()
        self.virtual_size = Size(width, len(layout.lines))

    def on_resize(self) -> None:
        """Lay the text out at the width the widget got (the first time too: wrapping a long
        report at a width guessed before the first layout would cost as much again)."""
        self._relayout()
        self.show_cursor()

    # -- the cursor --------------------------------------------------------------------------

    @property
    def sentence_count(self) -> int:
        """How many cursor stops there are."""
        return len(self._sentences)

    @property
    def sentence_index(self) -> int:
        """The index of the first selected sentence."""
        return self._lo

    @property
    def selected_count(self) -> int:
        """How many sentences the keyboard selection spans (0 under a mouse selection)."""
        return 0 if self._mouse_span is not None else self._hi - self._lo + 1

    @property
    def cursor_offset(self) -> int:
        """Where the selection starts (code points)."""
        return self.selection_span().start

    def selection_span(self) -> Span:
        """The selected passage: the mouse selection if any, else the selected sentences."""
        if self._mouse_span is not None:
            return self._mouse_span
        if not self._sentences:
            return Span(self.ranges[0].start, self.ranges[0].start)
        return Span(self._sentences[self._lo].start, self._sentences[self._hi].end)

    def _select(self, lo: int, hi: int | None = None) -> None:
        last = len(self._sentences) - 1
        before = self.selection_span()
        self._lo = min(max(lo, 0), max(last, 0))
        self._hi = min(max(hi if hi is not None else lo, self._lo), max(last, 0))
        if self._mouse_span is not None:
            self._mouse_span = None
            self.screen.clear_selection()
            self._redraw()
        else:
            self._redraw_spans([before, self.selection_span()])
        self.show_cursor()
        self._moved()

    def show_cursor(self) -> None:
        """Scroll so the selected sentences are on screen."""
        if not self._sentences or not self._layout.lines:
            return
        span = self.selection_span()
        top = self._layout.line_of(span.start)
        bottom = self._layout.line_of(max(span.end - 1, span.start))
        height = max(self.scrollable_content_region.height, 1)
        y = round(self.scroll_y)
        if top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom >= y + height:
            self.scroll_to(y=max(min(top, bottom - height + 1), 0), animate=False, immediate=True)

    def sentence_at(self, offset: int) -> int:
        """The index of the sentence holding `offset` (or the next one after it)."""
        index = bisect_right(self._sentence_starts, offset) - 1
        if index < 0:
            return 0
        if self._sentences[index].end <= offset and index + 1 < len(self._sentences):
            return index + 1
        return index

    def go_to(self, offset: int) -> None:
        """Put the cursor on the sentence at `offset`."""
        self._select(self.sentence_at(offset))

    def action_next_sentence(self) -> None:
        found = self._body_stop(self._hi + 1, 1)
        if found is not None:
            self._select(found)

    def action_prev_sentence(self) -> None:
        found = self._body_stop(self._lo - 1, -1)
        if found is not None:
            self._select(found)

    def action_extend(self) -> None:
        self._select(self._lo, self._hi + 1)

    def action_shrink(self) -> None:
        self._select(self._lo, max(self._hi - 1, self._lo))

    def action_top(self) -> None:
        """The first sentence of the body (a saved web page opens past its furniture)."""
        found = self._body_stop(0, 1)
        self._select(0 if found is None else found)

    def action_bottom(self) -> None:
        last = len(self._sentences) - 1
        found = self._body_stop(last, -1)
        self._select(last if found is None else found)

    def action_page(self, direction: int) -> None:
        height = max(self.scrollable_content_region.height - 1, 1)
        line = self._layout.line_of(self.cursor_offset) + direction * height
        line = min(max(line, 0), max(len(self._layout.lines) - 1, 0))
        self.scroll_to(y=max(round(self.scroll_y) + direction * height, 0), animate=False,
                       immediate=True)
        if self._layout.lines:
            self._select(self.sentence_at(self._layout.starts[line]))
        # once this page is on the screen, draw the next one ahead: reading pages on, the next
        # key then finds its lines drawn
        self.call_after_refresh(self._draw_ahead, direction)

    def _draw_ahead(self, direction: int) -> None:
        frame, look = self.frame(), self.look()
        height = max(frame.height, 1)
        first = round(self.scroll_y) + direction * (height - 1)
        for index in range(max(first, 0), min(first + height, len(self._layout.lines))):
            self._kept_line(index, look, frame)

    def action_next_section(self) -> None:
        index = bisect_right(self._section_starts, self.cursor_offset)
        if index < len(self._section_starts):
            self.go_to(self._section_starts[index])

    def action_prev_section(self) -> None:
        index = bisect_left(self._section_starts, self.cursor_offset) - 1
        if index >= 0:
            self.go_to(self._section_starts[index])

    def action_next_mark(self) -> None:
        # from the selection's end: a mark starting inside the selected sentence is already here
        index = bisect_left(self._mark_starts, self.selection_span().end)
        if index < len(self.marks):
            self.go_to(self.marks[index].start)

    def action_prev_mark(self) -> None:
        here = self.cursor_offset
        index = bisect_left(self._mark_starts, here) - 1
        if index >= 0:
            self.go_to(self.marks[index].start)

    def action_toggle_boilerplate(self) -> None:
        offset = self.cursor_offset
        self.hide_boilerplate = not self.hide_boilerplate
        self._build_sentences()
        self._relayout()
        self.go_to(offset)

    # -- marks and search --------------------------------------------------------------------

    def set_marks(self, marks: Sequence[Annotation]) -> None:
        """Show these marks (placed ones only, by position; on the same span the own ones
        last, so their style is drawn on top)."""
        old = self.marks
        self.marks = sorted((m for m in marks if not m.orphan and not m.deleted),
                            key=lambda m: (m.start, m.end, self.is_mine(m), m.reviewer, m.id))
        self._mark_starts = [m.start for m in self.marks]
        self._mark_reach = max((m.end - m.start for m in self.marks), default=0)
        self._redraw_changes(old, self.marks)

    def is_mine(self, mark: Annotation) -> bool:
        """Whether `mark` belongs to the reviewer at the keyboard (drawn as theirs)."""
        return True

    def marks_under_cursor(self) -> list[Annotation]:
        """The marks overlapping the selection, the tightest first (own ones first on ties)."""
        span = self.selection_span()
        hit = [m for m in self.marks
               if m.start < max(span.end, span.start + 1) and m.end > span.start]
        return sorted(hit, key=lambda m: (m.end - m.start, m.start, not self.is_mine(m)))

    def set_ghosts(self, ghosts: Sequence[Suggestion]) -> None:
        """Show these suggested tags faded under the marks (an empty list hides them)."""
        old = self.ghosts
        self.ghosts = sorted((g for g in ghosts if g.tag is not None),
                             key=lambda g: (g.start, g.end))
        self._ghost_starts = [g.start for g in self.ghosts]
        self._ghost_reach = max((g.end - g.start for g in self.ghosts), default=0)
        self._redraw_changes(old, self.ghosts)

    def ghost_under_cursor(self) -> Suggestion | None:
        """The tightest suggestion overlapping the selection, if any."""
        span = self.selection_span()
        before_end = bisect_left(self._ghost_starts, max(span.end, span.start + 1))
        hit = [g for g in self.ghosts[:before_end] if g.end > span.start]
        return min(hit, key=lambda g: (g.end - g.start, g.start), default=None)

    def action_search(self) -> None:
        from tui.screens.prompt import PromptScreen

        def found(query: str | None) -> None:
            if query is not None:
                count = self.set_search(query)
                found = _("{count} matches").format(count=count)
                self.notify(found if query else _("Search cleared"))

        self.app.push_screen(PromptScreen(_("Search in this report"), self.search_query), found)

    def set_search(self, query: str) -> int:
        """Highlight every occurrence of `query` (case-insensitive) and go to the next one."""
        self.search_query = query
        self.hits = []
        if query:
            folded, needle = self.report.text.casefold(), query.casefold()
            if len(folded) == len(self.report.text):
                for rng in self.ranges:
                    at = folded.find(needle, rng.start, rng.end)
                    while at >= 0:
                        self.hits.append(Span(at, at + len(needle)))
                        at = folded.find(needle, at + 1, rng.end)
        self._redraw()
        if self.hits:
            here = self.cursor_offset
            self._go_to_hit(next((i for i, h in enumerate(self.hits) if h.start >= here), 0))
        return len(self.hits)

    def _go_to_hit(self, index: int, step: int = 1) -> None:
        """Go to hit `index`, or the next one by `step` outside the furniture (if any is)."""
        for _tries in range(len(self.hits)):
            if not self.is_chrome(self.hits[index % len(self.hits)]):
                break
            index += step
        self._hit = index % len(self.hits)
        self.go_to(self.hits[self._hit].start)

    def action_next_hit(self) -> None:
        if self.hits:
            self._go_to_hit(self._hit + 1)

    def action_prev_hit(self) -> None:
        if self.hits:
            self._go_to_hit(self._hit - 1, -1)

    # -- mouse selection ---------------------------------------------------------------------

    def _selection_offsets(self, selection: Selection) -> Span | None:
        lines = self._layout.lines
        if not lines:
            return None

        def offset(point: object, default: int) -> int:
            if point is None:
                return default
            x, y = point.x, point.y  # type: ignore[attr-defined]
            y = min(max(y, 0), len(lines) - 1)
            start, end = lines[y]
            return min(start + x, end)

        start = offset(selection.start, lines[0][0])
        end = offset(selection.end, lines[-1][1])
        return Span(start, end) if end > start else None

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under a mouse selection, by code-point offsets."""
        span = self._selection_offsets(selection)
        return (self.report.text[span.start:span.end], "\n") if span else None

    def selection_updated(self, selection: Selection | None) -> None:
        """A mouse selection becomes the passage the next key acts on."""
        self._mouse_span = self._selection_offsets(selection) if selection else None
        self._redraw()
        if self._mouse_span is not None:
            self._moved()

    def _moved(self) -> None:
        if self._on_move is not None:
            self._on_move()

    # -- drawing -----------------------------------------------------------------------------

    def _redraw(self) -> None:
        """Draw every line again (styles, marks or focus changed)."""
        self._strips.clear()
        self._look = None
        self.refresh()

    def _redraw_changes(self, old: Sequence[Drawn], new: Sequence[Drawn]) -> None:
        """Draw again only the lines whose marks (or suggestions) changed: a tag key must not
        repaint the whole screen."""
        changed = set(map(drawn_key, old)) ^ set(map(drawn_key, new))
        if len(changed) > MAX_PARTIAL_REDRAW:
            self._redraw()
        elif changed:
            self._redraw_spans([Span(start, end) for start, end, _ in changed])

    def _redraw_spans(self, spans: Sequence[Span]) -> None:
        """Draw again only the lines that show these spans."""
        for span in spans:
            first = self._layout.line_of(span.start)
            last = self._layout.line_of(max(span.end - 1, span.start))
            for index in range(first, last + 1):
                self._strips.discard(index)
            self.refresh_lines(first, last - first + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._look = None

    def on_mount(self) -> None:
        # a theme can change the passages' styles and not the widget's own
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.call_after_refresh(
            self._redraw))

    def on_unmount(self) -> None:
        # the signal drops a removed subscriber only when next published: till the theme
        # changed, a closed review (and its report) stayed in memory
        self.app.theme_changed_signal.unsubscribe(self)

    def look(self) -> Look:
        """How each kind of passage is drawn in the theme in force (shenyue.tcss)."""
        if self._look is None:
            base = self.rich_style
            thumb = Segment("█", base + component_style(self, "document--thumb"))
            track = Segment(" ", base + component_style(self, "document--bar"))
            self._look = Look(base, palette(self), thumb, track,
                              *(component_style(self, name) for name in PASSAGE_CLASSES))
        return self._look

    def frame(self) -> Frame:
        """What every row of the frame being drawn shares."""
        region = self.scrollable_content_region
        height, total = region.height, len(self._layout.lines)
        thumb = (0, 0)  # the whole text in view: no thumb
        if height < total:
            size = max(round(height * height / total), 1)
            top = round(self.scroll_y / (total - height) * (height - size))
            thumb = (top, top + size)
        return Frame(max(region.width - BAR_WIDTH, 0), height, *thumb,
                     self.has_focus_within_screen())

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows in `crop`, sharing one look at the widget's size, scroll and focus."""
        self._frame = self.frame()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        """One visual line, cropped to the widget, then the position bar's cell in this row."""
        frame = self._frame or self.frame()
        index = round(self.scroll_y) + y
        look = self.look()
        if index < len(self._layout.lines):
            strip = self._kept_line(index, look, frame)
        else:
            strip = Strip.blank(frame.width, look.base)
        bar = look.thumb if frame.thumb_top <= y < frame.thumb_end else look.track
        return Strip([*strip, bar], strip.cell_length + BAR_WIDTH)

    def on_click(self, event: events.Click) -> None:
        """A click on the position bar scrolls there."""
        height = self.scrollable_content_region.height
        if event.x >= self.frame().width and height > 1:
            self.scroll_to(y=round(event.y / (height - 1) * self.max_scroll_y), animate=False)

    def _kept_line(self, index: int, look: Look, frame: Frame) -> Strip:
        """Visual line `index` as drawn (with the offsets a mouse selection reads), kept until
        it changes."""
        strip = self._strips.get(index)
        if strip is None:
            strip = self._render_visual_line(index, look, frame).apply_offsets(0, index)
            self._strips[index] = strip
        return strip

    def _render_visual_line(self, index: int, look: Look, frame: Frame) -> Strip:
        """Visual line `index`, `frame.width` cells: every piece in the base style (the
        theme's colours, end to end) with the styles of the passages over it, later ones on
        top."""
        start, end = self._layout.lines[index]
        text = printable(self.report.text[start:end])
        layers: list[Layer] = []

        def paint(spans: Sequence[Span], style: Style) -> None:
            for span in overlapping(spans, start, end):
                layers.append((max(span.start, start) - start, min(span.end, end) - start, style))

        paint(self._headings, look.heading)
        paint(self.report.boilerplate, look.boilerplate)
        for ghost in reaching(self.ghosts, self._ghost_starts, self._ghost_reach, start, end):
            if ghost.tag is not None:
                layers.append((max(ghost.start, start) - start, min(ghost.end, end) - start,
                               look.tags.ghost(ghost.tag)))
        here = reaching(self.marks, self._mark_starts, self._mark_reach, start, end)
        for mark in sorted(here, key=self.is_mine):  # own marks last: drawn on top
            layers.append((max(mark.start, start) - start, min(mark.end, end) - start,
                           look.tags.mark(mark.tag, self.is_mine(mark))))
        paint(self.hits, look.hit)
        if self._mouse_span is not None:
            paint([self._mouse_span], self.screen.get_component_rich_style("screen--selection"))
        elif self._sentences and frame.focused:
            paint([self.selection_span()], look.cursor)
        elif self._sentences:
            paint([self.selection_span()], BLURRED_CURSOR)
        segments = styled_segments(text, look.base, layers)
        cells = cell_len(text)
        if cells < frame.width:
            segments.append(Segment(" " * (frame.width - cells), look.base))
        strip = Strip(segments, max(cells, frame.width))
        return strip.crop(0, frame.width) if cells > frame.width else strip

    def has_focus_within_screen(self) -> bool:
        """Whether this view is the focused widget of its screen (the cursor is drawn solid)."""
        return self.screen.focused is self

    def on_focus(self) -> None:
        self._redraw()

    def on_blur(self) -> None:
        self._redraw()
