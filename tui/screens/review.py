"""The review screen: outline, document, the current section's marks, and a status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Tree
from textual.widgets.tree import TreeNode

from annotations.model import Annotation, Report, Section, Tag
from tui.i18n import _, localise_bindings
from tui.marks import (
    TAG_STYLES,
    counts_text,
    covered_share,
    section_title_path,
    tag_counts,
    tag_label,
)
from tui.widgets.document import DocumentView
from tui.widgets.marking import MarkingDocument, short_quote
from tui.widgets.marks_pane import MarksPane
from tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from tui.app import ShenyueApp


class ReviewScreen(Screen[None]):
    """One report under review."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "back", "Back", id="review.back"),
        Binding("v", "compare_tags", "Marks side by side", id="review.compare_tags"),
    ]

    def __init__(self, report: Report, offset: int | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.report = report
        self.start_offset = offset
        self.all_marks: list[Annotation] = []
        self._pane_key: tuple[object, ...] | None = None
        self._outline_section: Section | None = None
        self._outline_counts: dict[int, tuple[int, ...] | None] = {}

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    @property
    def document(self) -> MarkingDocument:
        """The document view."""
        return self.query_one("#document", MarkingDocument)

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            tree: Tree[Section] = Tree(Text(self.report.title, no_wrap=True), id="outline")
            tree.show_root = False
            yield tree
            yield MarkingDocument(self.report, id="document")
            yield MarksPane(id="marks")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one("#outline", Tree)
        self._add_sections(tree.root, self.report.sections)
        tree.root.expand_all()
        document = self.document
        document.focus()
        self.reload_marks()
        if self.start_offset is not None:
            document.go_to(self.start_offset)
        else:
            document.action_top()

    def _add_sections(self, node: TreeNode[Section], sections: tuple[Section, ...]) -> None:
        for section in sections:
            label = Text(section.title, no_wrap=True)
            if section.children:
                self._add_sections(node.add(label, data=section), section.children)
            else:
                node.add_leaf(label, data=section)

    def reload_marks(self) -> None:
        """Read this report's marks again and redraw everything that shows them."""
        self.all_marks = self.shenyue.ws.annotations(report_id=self.report.id)
        self.document.set_marks(self.all_marks)
        self._update_outline()
        self._update_marks_pane()
        self._update_status()

    def on_screen_resume(self) -> None:
        self.reload_marks()

    def _update_outline(self) -> None:
        counts: dict[int, dict[Tag, int]] = {}
        for mark in self.document.marks:
            for holder in self.report.section_path(mark.start):
                counts.setdefault(holder.start, dict.fromkeys(Tag, 0))[mark.tag] += 1
        tree = self.query_one("#outline", Tree)
        for node in self.tree_nodes(tree.root):
            section = node.data
            if section is None:
                continue
            mine = counts.get(section.start)
            key = tuple(mine.values()) if mine else None
            if self._outline_counts.get(section.start) == key:
                continue  # relabelling costs a layout pass: only when the counts changed
            self._outline_counts[section.start] = key
            label = Text(section.title, no_wrap=True, overflow="ellipsis")
            if mine:
                label.append(" ")
                for tag in Tag:
                    if mine[tag]:
                        label.append(f"{mine[tag]}{tag_label(tag)[:1]}", style=TAG_STYLES[tag])
            node.set_label(label)

    def tree_nodes(self, node: TreeNode[Section]) -> list[TreeNode[Section]]:
        """`node` and everything under it, in order."""
        out = [node]
        for child in node.children:
            out.extend(self.tree_nodes(child))
        return out

    def _current_section(self) -> Section | None:
        path = self.report.section_path(self.document.cursor_offset)
        return path[-1] if path else None

    def _update_marks_pane(self) -> None:
        section = self._current_section()
        key = (section, tuple((m.id, m.updated) for m in self.all_marks))
        if key == self._pane_key:
            return  # same section, same marks: nothing to redraw
        self._pane_key = key
        start, end = (section.start, section.end) if section else (0, len(self.report.text))
        self.query_one("#marks", MarksPane).show(
            [m for m in self.all_marks if not m.deleted and (m.orphan or start <= m.start < end)])

    def _update_status(self) -> None:
        document = self.document
        section = section_title_path(self.report.section_path(document.cursor_offset)[:1])
        progress = covered_share(self.report.sentences, document.marks)
        status = Text(no_wrap=True, overflow="ellipsis", end="")
        status.append(f" {self.shenyue.ws.reviewer} ", style="bold reverse")
        status.append(f" {self.shenyue.save_state_label} │ ")
        status.append(_("{n}/{total} │ done {percent:.0%} │ ").format(
            n=document.sentence_index + 1, total=document.sentence_count, percent=progress))
        status.append_text(counts_text(tag_counts(document.marks)))
        status.append(f" │ {short_quote(section, 24) or '—'} │ {self.report.title}")
        self.query_one("#status", StatusBar).show(status)

    def on_document_view_moved(self, event: DocumentView.Moved) -> None:
        event.stop()
        self._update_marks_pane()
        self._update_status()
        section = self._current_section()
        if section is self._outline_section:
            return
        self._outline_section = section
        tree = self.query_one("#outline", Tree)
        for node in self.tree_nodes(tree.root):
            if node.data is section and section is not None:
                if tree.cursor_node is not node:
                    tree.move_cursor(node)
                break

    def on_tree_node_selected(self, event: Tree.NodeSelected[Section]) -> None:
        event.stop()
        if event.node.data is not None:
            self.document.go_to(event.node.data.start)
            self.document.focus()

    def on_marks_pane_chosen(self, event: MarksPane.Chosen) -> None:
        event.stop()
        if not event.mark.orphan:
            self.document.go_to(event.mark.start)
            self.document.focus()

    def action_back(self) -> None:
        self.shenyue.leave_review(self)

    def action_compare_tags(self) -> None:
        from tui.screens.compare import CompareScreen, tag_columns

        self.app.push_screen(CompareScreen(tag_columns(self.report, self.document.marks)))

    def position(self) -> int:
        """Where the cursor is, for resuming later."""
        return self.document.cursor_offset
