"""The review screen: outline, document, the current section's marks, and a status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Region
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from annotations.errors import UserError
from annotations.model import Annotation, Report, Section, Tag, section_trail
from annotations.roles import Placed, Role, section_roles
from annotations.stats import covered_share, tag_counts
from annotations.suggest import Suggestion
from tui.i18n import _, localise_bindings
from tui.marks import (
    TAG_COMPONENTS,
    Palette,
    counts_text,
    palette,
    tag_label,
)
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTree
from tui.widgets.marking import MarkingDocument
from tui.widgets.marks_pane import MarksPane
from tui.widgets.status import Part, StatusBar

if TYPE_CHECKING:
    from tui.app import ShenyueApp


# notices differ by an attribute too, so that NO_COLOR tells an error from a warning
NOTICE_STYLES = {"information": "bold", "warning": "bold yellow", "error": "bold reverse red"}


class ReviewScreen(Screen[None]):
    """One report under review."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    # focused from the start: each change of focus makes the footer compose its keys again
    AUTO_FOCUS = "#document"
    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "back", "Back", id="review.back"),
        Binding("v", "compare_tags", "Marks side by side", id="review.compare_tags"),
        Binding("S", "toggle_suggestions", "Show/hide suggested tags", id="review.suggestions",
                show=False),
        Binding("enter", "accept_suggestion", "Accept the suggestion here",
                id="review.accept_suggestion", show=False),
        Binding("backspace", "reject_suggestion", "Reject the suggestion here",
                id="review.reject_suggestion", show=False),
        Binding("A", "accept_section", "Accept all suggestions in this section",
                id="review.accept_section", show=False),
        Binding("R", "cycle_reviewers", "Whose marks to show", id="review.reviewers",
                show=False),
        Binding("D", "disagreements", "Disagreements between reviewers",
                id="review.disagreements", show=False),
    ]

    def __init__(self, report: Report, offset: int | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.report = report
        self.start_offset = offset
        # kept, not queried: the position is asked for even while the screen is torn down
        self._document = MarkingDocument(report, id="document", on_move=self._document_moved)
        self.all_marks: list[Annotation] = []
        self.shown_marks: list[Annotation] = []
        self.show_suggestions = False
        # whose marks are shown: None everyone's, else this reviewer's own plus `showing`'s
        self.showing: str | None = None
        self._pane_key: tuple[object, ...] | None = None
        self._marks_read = 0  # how many times the marks were read: the pane's cache key
        self._outline_section: Section | None = None
        self._outline_counts: dict[int, tuple[int, ...] | None] = {}
        self._styles: Palette | None = None  # the tag styles the outline and pane were drawn in
        self._outline_nodes: list[TreeNode[Section]] = []
        self._roles: dict[tuple[int, int], Role] = {}  # where the outline names a role
        # progress and counts change only with the marks, not with every cursor move
        self._progress = 0.0
        self._counts = Text()
        self.notice: Text | None = None  # a notice shown in the status bar, for a while
        self._notice_timer: Timer | None = None

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    @property
    def document(self) -> MarkingDocument:
        """The document view."""
        return self._document

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            tree: Tree[Section] = ListTree(Text(self.report.title, no_wrap=True), id="outline")
            tree.show_root = False
            yield tree
            yield self._document
            yield MarksPane(id="marks")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        tree = self.query_one("#outline", Tree)
        self._roles = shown_roles(self.report.sections, section_roles(self.report))
        # added open, not opened after: expand_all posts a message per node (~4,000 at 1 MB)
        tree.root.expand()
        self._add_sections(tree.root, self.report.sections)
        self._outline_nodes = tree_nodes(tree.root)  # the tree never changes: walked once
        document = self.document
        document.focus()
        self.reload_marks()
        if self.start_offset is not None:
            document.go_to(self.start_offset)
        else:
            document.action_top()

    def _add_sections(self, node: TreeNode[Section], sections: tuple[Section, ...]) -> None:
        for section in sections:
            label = self._section_label(section)
            if section.children:
                self._add_sections(node.add(label, data=section, expand=True), section.children)
            else:
                node.add_leaf(label, data=section)

    def reload_marks(self) -> None:
        """Read this report's marks again and redraw everything that shows them."""
        ws = self.shenyue.ws
        self.all_marks = ws.annotations(report_id=self.report.id)
        self._marks_read += 1
        self.shown_marks = sorted(
            (m for m in self.all_marks
             if self.showing is None or m.reviewer in (ws.reviewer, self.showing)),
            key=lambda m: (m.start, m.end, m.reviewer, m.id))
        self.document.set_marks(self.shown_marks)
        self.document.set_ghosts(ws.suggestions(self.report.id) if self.show_suggestions else [])
        self._progress = covered_share(self.report.sentences, self.document.marks)
        styles = palette(self)
        if styles != self._styles:  # another theme: every label and the pane are drawn again
            self._styles = styles
            self._outline_counts.clear()
            self._pane_key = None
        self._counts = counts_text(tag_counts(self.document.marks), styles)
        self._update_outline(styles)
        self._update_marks_pane()
        self._update_status()

    def on_screen_resume(self) -> None:
        self.reload_marks()

    def _update_outline(self, styles: Palette) -> None:
        counts: dict[int, dict[Tag, int]] = {}
        for mark in self.document.marks:
            for holder in self.report.section_path(mark.start):
                counts.setdefault(holder.start, dict.fromkeys(Tag, 0))[mark.tag] += 1
        for node in self.outline_nodes():
            section = node.data
            if section is None:
                continue
            mine = counts.get(section.start)
            key = tuple(mine.values()) if mine else None
            if self._outline_counts.get(section.start) == key:
                continue  # relabelling costs a layout pass: only when the counts changed
            self._outline_counts[section.start] = key
            label = Text(no_wrap=True, overflow="ellipsis")
            if mine:  # before the heading, which the pane's width cuts short
                for tag in Tag:
                    if mine[tag]:
                        label.append(f"{mine[tag]}{tag_label(tag)[:1]}", style=styles.tags[tag])
                label.append(" ")
            node.set_label(label.append_text(self._section_label(section)))

    def _section_label(self, section: Section) -> Text:
        """A section's title, after the role of the part it opens where that changes."""
        label = Text(no_wrap=True, overflow="ellipsis")
        role = self._roles.get((section.start, section.level))
        if role is not None:
            label.append(f"{role_label(role)} ", style="dim")
        label.append(section.title)
        return label

    def outline_nodes(self) -> list[TreeNode[Section]]:
        """Every node of the outline, in order."""
        return self._outline_nodes

    def _current_section(self) -> Section | None:
        path = self.report.section_path(self.document.cursor_offset)
        return path[-1] if path else None

    def _update_marks_pane(self) -> None:
        section = self._current_section()
        ghost = self.document.ghost_under_cursor()
        key = (section, ghost, self._marks_read)
        if key == self._pane_key:
            return  # same section, same marks: nothing to redraw
        self._pane_key = key
        start, end = self._section_span(section)
        self.query_one("#marks", MarksPane).show(
            [m for m in self.shown_marks if not m.deleted and (m.orphan or start <= m.start < end)],
            owner=self.shenyue.ws.reviewer,
            note=suggestion_note(ghost, self._styles or palette(self)) if ghost else None)

    def _section_span(self, section: Section | None) -> tuple[int, int]:
        return (section.start, section.end) if section else (0, len(self.report.text))

    def _update_status(self) -> None:
        document = self.document
        section = section_trail(self.report.section_path(document.cursor_offset)[:1])
        parts = [Part(Text(f" {self.shenyue.ws.reviewer} ", style="bold reverse"), 5, 8)]
        if self.shenyue.synced:
            parts.append(Part(Text(self.shenyue.synced, style="dim"), 5, 8))
        if self.showing is not None or self.colleagues():
            parts.append(Part(Text(self.showing_label()), 6))
        if self.show_suggestions:
            parts.append(Part(Text(_("{count} suggestions left").format(
                count=len(document.ghosts)), style="italic"), 7))
        if self.notice is not None:  # a notice says more than the counts, while it lasts
            parts.append(Part(self.notice, 0, 24))
        else:
            parts.append(Part(Text(self.shenyue.save_state_label), 2, 12))
        parts.append(Part(Text(_("{n}/{total}").format(n=document.sentence_index + 1,
                                                        total=document.sentence_count)), 0))
        if document.selected_count > 1:
            parts.append(Part(Text(_("{count} sentences selected").format(
                count=document.selected_count), style="bold"), 3))
        parts.append(Part(Text(_("done {percent:.0%}").format(percent=self._progress)), 4))
        parts.append(Part(self._counts, 1))
        parts.append(Part(Text(section or "—"), 8, 8))
        parts.append(Part(Text(self.report.title), 9, 8))
        self.query_one("#status", StatusBar).show(parts)

    def show_notice(self, message: Text, severity: str, timeout: float) -> None:
        """Say `message` in the status bar for `timeout` seconds instead of in a toast: a toast
        over the panes loses wide characters where it crosses a pane's edge (Textual #6357)."""
        self.notice = message
        message.stylize(NOTICE_STYLES.get(severity, ""))
        if self._notice_timer is not None:
            self._notice_timer.stop()
        self._notice_timer = self.set_timer(timeout, self.end_notice)
        self._update_status()

    def end_notice(self) -> None:
        """Take the notice out of the status bar (its time is up, or a change says more)."""
        self.notice = None
        self._update_status()

    def _document_moved(self) -> None:
        """The cursor moved: the marks pane, status bar and outline follow at once, so that
        they reach the terminal in the document's frame (a posted message or a deferred
        scroll would paint them a frame later)."""
        self._update_marks_pane()
        self._update_status()
        section = self._current_section()
        if section is self._outline_section:
            return
        self._outline_section = section
        tree = self.query_one("#outline", Tree)
        for node in self.outline_nodes():
            if node.data is section and section is not None:
                if tree.cursor_node is not node:
                    tree.cursor_line = node.line
                    top = round(tree.scroll_y)
                    if not top <= node.line < top + tree.scrollable_content_region.height:
                        # centred: the next few sections need no scroll (a scroll repaints it all)
                        tree.scroll_to_region(Region(0, node.line, tree.virtual_size.width, 1),
                                              animate=False, immediate=True, center=True,
                                              x_axis=False)
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

    # -- suggested tags ------------------------------------------------------------------------

    def action_toggle_suggestions(self) -> None:
        self.show_suggestions = not self.show_suggestions
        self.reload_marks()

    def suggestion_here(self) -> Suggestion | None:
        """The suggestion under the cursor, or None (with a notice saying why)."""
        if not self.show_suggestions:
            self.notify(_("Suggestions are hidden: S shows them."), timeout=2)
            return None
        ghost = self.document.ghost_under_cursor()
        if ghost is None:
            self.notify(_("No suggestion here."), timeout=2)
        return ghost

    def action_accept_suggestion(self) -> None:
        ghost = self.suggestion_here()
        if ghost is None or ghost.tag is None:
            return
        self.accept([ghost], _("Accepted {tag}").format(tag=tag_label(ghost.tag)))

    def action_accept_section(self) -> None:
        if not self.show_suggestions:
            self.notify(_("Suggestions are hidden: S shows them."), timeout=2)
            return
        section = self._current_section()
        # before the first heading, "this section" is the opening text, not the whole report
        start, end = (self._section_span(section) if section or not self.report.sections
                      else (0, self.report.sections[0].start))
        ghosts = [g for g in self.document.ghosts if start <= g.start < end]
        if not ghosts:
            self.notify(_("No suggestions left in this section."), timeout=2)
            return
        self.accept(ghosts, _("Accepted {count} suggestions").format(count=len(ghosts)))

    def accept(self, ghosts: list[Suggestion], done: str) -> None:
        """Store these suggestions as the reviewer's own marks, in one undo step."""
        try:
            self.shenyue.ws.annotate_many(
                {"report_id": self.report.id, "start": g.start, "end": g.end, "tag": g.tag}
                for g in ghosts)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(done)

    def action_reject_suggestion(self) -> None:
        ghost = self.suggestion_here()
        if ghost is None:
            return
        try:
            self.shenyue.ws.reject_suggestion(self.report.id, ghost.start, ghost.end)
        except (UserError, OSError) as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(_("Rejected the suggestion"))

    # -- reviewers ---------------------------------------------------------------------------

    def colleagues(self) -> list[str]:
        """The other reviewers with marks on this report, by name."""
        me = self.shenyue.ws.reviewer
        return sorted({m.reviewer for m in self.all_marks if not m.deleted} - {me})

    def showing_label(self) -> str:
        """Whose marks are shown, for the status bar."""
        if self.showing is None:
            return _("marks: everyone's")
        if self.showing == self.shenyue.ws.reviewer:
            return _("marks: mine")
        return _("marks: mine + {reviewer}").format(reviewer=self.showing)

    def action_cycle_reviewers(self) -> None:
        """Everyone's marks → mine → mine and each colleague's in turn → everyone's."""
        colleagues = self.colleagues()
        if not colleagues and self.showing is None:
            self.notify(_("No colleague has marked this report."), timeout=2)
            return
        views: list[str | None] = [None, self.shenyue.ws.reviewer, *colleagues]
        here = views.index(self.showing) if self.showing in views else 0
        self.showing = views[(here + 1) % len(views)]
        self.reload_marks()

    def action_disagreements(self) -> None:
        from annotations.agreement import marking_reviewers
        from tui.screens.disagreements import DisagreementScreen

        reviewers = marking_reviewers(self.all_marks)
        if len(reviewers) < 2:
            self.notify(_("Disagreements need the marks of two reviewers; this report has "
                          "marks of {count}.").format(count=len(reviewers)), timeout=3)
            return

        def read(offset: int | None) -> None:
            if offset is not None:
                self.document.go_to(offset)

        self.app.push_screen(DisagreementScreen(self.report, self.document.cursor_offset), read)

    def position(self) -> int:
        """Where the cursor is, for resuming later."""
        return self.document.cursor_offset


def shown_roles(
    sections: tuple[Section, ...], roles: dict[tuple[int, int], Placed], parent: Role = Role.OTHER
) -> dict[tuple[int, int], Role]:
    """The sections whose role the outline names: those whose role differs from their
    parent's (a top-level section's parent is "other"), so a role is named where it begins."""
    out: dict[tuple[int, int], Role] = {}
    for section in sections:
        key = (section.start, section.level)
        role = roles[key].role if key in roles else parent
        if role is not parent:
            out[key] = role
        out |= shown_roles(section.children, roles, role)
    return out


def role_label(role: Role) -> str:
    """The short name of a part's role, as the outline shows it."""
    return {Role.REVIEW: _("review"), Role.PROBLEMS: _("problems"), Role.TASKS: _("tasks"),
            Role.OTHER: _("other")}[role]


def suggestion_note(ghost: Suggestion | None, styles: Palette) -> Text | None:
    """The suggestion under the cursor with its score and reason, for the marks pane."""
    if ghost is None or ghost.tag is None:
        return None
    note = Text(end="")
    note.append(_("Suggested: "), style="dim")
    note.append(tag_label(ghost.tag), style=styles.ghost(ghost.tag))
    note.append(f" {ghost.score:.2f}\n", style="dim")
    note.append(ghost.reason, style="italic")
    note.append("\n")
    note.append(_("enter accept · backspace reject"), style="dim")
    return note


def tree_nodes(node: TreeNode[Section]) -> list[TreeNode[Section]]:
    """`node` and everything under it, in order."""
    out = [node]
    for child in node.children:
        out.extend(tree_nodes(child))
    return out
