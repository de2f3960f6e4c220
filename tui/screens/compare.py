"""Side by side: two or three document views, scrolling on their own or in step."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from annotations.model import Annotation, Report, Section, Span, Tag
from tui.i18n import _, localise_bindings
from tui.marks import TAG_COMPONENTS, palette, tag_label
from tui.widgets.document import DocumentView
from tui.widgets.footer import KeyFooter
from tui.widgets.marking import MarkingDocument

if TYPE_CHECKING:
    from tui.app import ShenyueApp

_NUMBERING = re.compile(r"^\s*[（(]?[一二三四五六七八九十百\d]+[)）]?[、.．,，\s]*")
MIN_SIMILARITY = 0.35


@dataclass(frozen=True)
class Column:
    """One column: a report and the ranges of it to show (empty: nothing to show)."""

    report: Report
    ranges: tuple[Span, ...]
    heading: str
    tag: Tag | None = None


def heading_key(title: str) -> str:
    """A section title without its numbering, for comparing headings."""
    return _NUMBERING.sub("", title).strip()


def best_section(title: str, sections: list[Section]) -> Section | None:
    """The section whose heading is most like `title`, if any is alike enough."""
    key = heading_key(title)
    scored = [(SequenceMatcher(None, key, heading_key(s.title)).ratio(), -i, s)
              for i, s in enumerate(sections)]
    if not scored:
        return None
    score, _i, section = max(scored, key=lambda t: (t[0], t[1]))
    return section if score >= MIN_SIMILARITY else None


def section_columns(reports: list[Report]) -> list[list[Column]]:
    """Groups of columns: each section of the first report that has a similarly titled
    section in another report, beside it; the whole reports if no section matches."""
    first, others = reports[0], reports[1:]
    groups = []
    for section in first.all_sections():
        group = [Column(first, (Span(section.start, section.end),), section.title)]
        for other in others:
            match = best_section(section.title, other.all_sections())
            if match is None:
                group.append(Column(other, (), _("(no matching section)")))
            else:
                group.append(Column(other, (Span(match.start, match.end),), match.title))
        if any(column.ranges for column in group[1:]):
            groups.append(group)
    return groups or [[Column(r, (Span(0, len(r.text)),), r.title) for r in reports]]


def merged_spans(spans: list[Span]) -> tuple[Span, ...]:
    """`spans` sorted, with overlapping ones joined (two reviewers' marks on one passage
    must show it once)."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and span.start < out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, span.end))
        else:
            out.append(span)
    return tuple(out)


def tag_columns(report: Report, marks: list[Annotation]) -> list[list[Column]]:
    """One group: the report's achievement, shortcoming and plan marks as three columns."""
    return [[Column(report, merged_spans([Span(m.start, m.end) for m in marks if m.tag == tag]),
                    tag_label(tag), tag) for tag in Tag]]


class CompareScreen(Screen[None]):
    """Columns of documents; every review key works in the focused column."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "back", "Back", id="compare.back"),
        Binding("equals_sign", "toggle_step", "Scroll in step", id="compare.step",
                key_display="="),
        Binding("greater_than_sign", "group(1)", "Next section pair", id="compare.next_group",
                key_display=">"),
        Binding("less_than_sign", "group(-1)", "Previous section pair",
                id="compare.prev_group", key_display="<"),
    ]

    def __init__(self, groups: list[list[Column]]) -> None:
        super().__init__()
        localise_bindings(self)
        self.groups = groups
        self.group = 0
        self.in_step = False
        self._syncing = False

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="compare-title")
        yield Horizontal(id="columns")
        yield Static(id="compare-status", markup=False)
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self._show_group()

    async def _show_group(self) -> None:
        holder = self.query_one("#columns", Horizontal)
        await holder.remove_children()
        group = self.groups[self.group]
        # one report (its marks by tag): its title once above; several: each over its column
        shared = len({column.report.id for column in group}) == 1
        title = self.query_one("#compare-title", Static)
        title.display = shared
        title.update(Text(group[0].report.title, style="bold", no_wrap=True, overflow="ellipsis"))
        columns = []
        styles = palette(self)
        for number, column in enumerate(group):
            headings = [] if shared else [
                Static(Text(column.report.title, style="bold", no_wrap=True, overflow="ellipsis"),
                       classes="column-heading")]
            headings.append(Static(Text(column.heading, no_wrap=True, overflow="ellipsis",
                                        style=styles.tags[column.tag] if column.tag else ""),
                                   classes="column-heading"))
            body = (MarkingDocument(column.report, column.ranges, id=f"column-{number}")
                    if column.ranges else Static(_("Nothing to show here."), markup=False,
                                                 classes="empty-column"))
            columns.append(Vertical(*headings, body, classes="column"))
        await holder.mount_all(columns)
        for document in self.documents():
            self.watch(document, "scroll_y", self._follower(document), init=False)
        self.reload_marks()
        documents = self.documents()
        if documents:
            documents[0].focus()
        self._update_status()

    def documents(self) -> list[MarkingDocument]:
        """The columns' document views, left to right."""
        return list(self.query(MarkingDocument))

    def reload_marks(self) -> None:
        """Redraw every column's marks."""
        for document in self.documents():
            document.set_marks(self.shenyue.ws.annotations(report_id=document.report.id))

    def on_screen_resume(self) -> None:
        self.reload_marks()

    def _follower(self, leader: DocumentView) -> Callable[[], None]:
        def follow() -> None:
            self._follow(leader)

        return follow

    def _follow(self, leader: DocumentView) -> None:
        if not self.in_step or self._syncing or self.focused is not leader:
            return
        share = leader.scroll_y / leader.max_scroll_y if leader.max_scroll_y else 0.0
        self._syncing = True
        try:
            for document in self.documents():
                if document is not leader:
                    document.scroll_to(y=round(share * document.max_scroll_y), animate=False,
                                       immediate=True)
        finally:
            self._syncing = False

    def _update_status(self) -> None:
        mode = _("in step") if self.in_step else _("independent")
        status = _("section pair {n}/{total} · scrolling {mode}").format(
            n=self.group + 1, total=len(self.groups), mode=mode)
        self.query_one("#compare-status", Static).update(Text(status))

    def action_toggle_step(self) -> None:
        self.in_step = not self.in_step
        self._update_status()

    async def action_group(self, step: int) -> None:
        target = min(max(self.group + step, 0), len(self.groups) - 1)
        if target != self.group:
            self.group = target
            await self._show_group()

    def action_back(self) -> None:
        self.app.pop_screen()
