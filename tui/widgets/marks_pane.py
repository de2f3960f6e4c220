"""The marks of the current section with their comments: a fixed-size list that redraws
without a layout pass (a key press that tags must not re-lay out the screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Console
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget

from annotations.model import Annotation
from tui.i18n import _, localise_bindings
from tui.marks import TAG_COMPONENTS, Palette, palette, tag_label

WRAPPER = Console(legacy_windows=False)  # Text.wrap needs a console; making one costs ~1 ms


def mark_entry(mark: Annotation, width: int, styles: Palette, owner: str | None = None) -> Text:
    """A mark as one line of tag and quote, then up to two lines of its comment; a mark
    of someone other than `owner` names its reviewer."""
    mine = owner is None or mark.reviewer == owner
    head = Text(no_wrap=True, overflow="ellipsis", end="")
    head.append(f"{tag_label(mark.tag)} ", style=styles.mark(mark.tag, mine))
    if not mine:
        head.append(f"[{mark.reviewer}] ", style="bold")
    if mark.orphan:
        head.append(_("(orphan) "), style="dim")
    head.append(" ".join(mark.quote.split()))
    head.truncate(width, overflow="ellipsis")
    if not mark.comment:
        return head
    comment = Text("» " + " ".join(mark.comment.split()), style="italic", end="")
    lines = comment.wrap(WRAPPER, width)
    kept = lines[:2]
    if len(lines) > 2:
        kept[-1].truncate(max(width - 1, 1))
        kept[-1].append("…")
    return Text("\n", end="").join([head, *kept])


class MarksPane(Widget, can_focus=True):
    """A list of marks; up/down choose one, enter asks to go to it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    DEFAULT_CSS = """
    MarksPane { overflow: hidden; padding: 0 1; }
    MarksPane:focus { background-tint: $foreground 5%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next mark", id="marks.next", show=False),
        Binding("up,k", "move(-1)", "Previous mark", id="marks.previous", show=False),
        Binding("g", "move_to(0)", "First mark", id="marks.first", show=False),
        Binding("G", "move_to(-1)", "Last mark", id="marks.last", show=False),
        Binding("enter", "choose", "Go to mark", id="marks.choose"),
    ]

    class Chosen(Message):
        """The reviewer chose a mark in the list."""

        def __init__(self, mark: Annotation) -> None:
            super().__init__()
            self.mark = mark

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        localise_bindings(self)
        self.marks: list[Annotation] = []
        self.highlighted = 0
        self.owner: str | None = None
        self.note = Text(end="")
        self._rows = 0  # the rows of the pane that show text
    def show(self, marks: Sequence[Annotation], owner: str | None = None,
             note: Text | None = None) -> None:
        """List these marks (others than `owner`'s named) under an optional note, keeping
        the highlighted one if it is still there."""
        current = self.marks[self.highlighted].id if self.marks else None
        shown = (self.owner, self.note, self.marks, self.highlighted)
        self.owner = owner
        self.note = note or Text(end="")
        self.marks = list(marks)
        ids = [m.id for m in self.marks]
        self.highlighted = ids.index(current) if current in ids else 0
        if (self.owner, self.note, self.marks, self.highlighted) != shown:
            self._repaint()

    def action_move(self, step: int) -> None:
        if self.marks:
            self.highlighted = min(max(self.highlighted + step, 0), len(self.marks) - 1)
            self._repaint()

    def _repaint(self) -> None:
        """Draw again the rows that showed text or will (all ~40 rows cost ~3 ms; those below
        the marks stay blank)."""
        rows = len(self.render().wrap(WRAPPER, max(self.content_size.width, 1)))
        self.refresh(Region(0, 0, self.size.width, max(rows, self._rows)))
        self._rows = rows

    def action_move_to(self, index: int) -> None:
        """Highlight a mark (-1: the last)."""
        if self.marks:
            self.highlighted = index % len(self.marks)
            self.refresh()

    def action_choose(self) -> None:
        if self.marks:
            self.post_message(self.Chosen(self.marks[self.highlighted]))

    def render(self) -> Text:
        """The marks from the highlighted one's page, the highlighted one reversed."""
        width = max(self.content_size.width, 10)
        out = self.note.copy()
        if out:
            out.append("\n")
        if not self.marks:
            out.append(_("No marks in this section."), style="dim")
            return out
        note_lines = len(out.wrap(WRAPPER, width)) if out else 0
        page = max((self.content_size.height - note_lines) // 3, 1)
        first = (self.highlighted // page) * page
        styles = palette(self)
        for index, mark in enumerate(self.marks[first:], first):
            if index > first:
                out.append("\n")
            entry = mark_entry(mark, width, styles, self.owner)
            if index == self.highlighted and self.has_focus:
                entry.stylize("reverse")
            out.append_text(entry)
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
