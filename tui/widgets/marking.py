"""The document view with the reviewer's keys: tag, comment, delete, copy."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType

from annotations.editing import EditKind, MarkEdit
from annotations.errors import UserError
from annotations.model import Annotation, Tag
from tui.i18n import _
from tui.marks import tag_label
from tui.widgets.document import DocumentView

if TYPE_CHECKING:
    from tui.app import ShenyueApp


def edit_message(edit: MarkEdit) -> str:
    """What the status bar says after a/s/p, in the interface language."""
    message = {
        EditKind.ADDED: _("Tagged {tag}"),
        EditKind.REMOVED: _("Removed {tag}"),
        EditKind.RETAGGED: _("Changed the mark to {tag}"),
        EditKind.EXTENDED: _("Extended {tag} to the selection"),
        EditKind.JOINED: _("Joined the {tag} marks"),
    }.get(edit.kind, _("Tagged {tag}"))
    return message.format(tag=tag_label(edit.tag))


def citation(title: str, sections: str, year: int | None) -> str:
    """`《title》, section, year` in the interface language."""
    parts = [f"《{title}》"]
    if sections:
        parts.append(sections)
    if year is not None:
        parts.append(_("{year}").format(year=year))
    return _(", ").join(parts)


def short_quote(text: str, limit: int = 24) -> str:
    """The start of a passage, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class MarkingDocument(DocumentView):
    """A document view whose keys change the reviewer's marks in the workspace."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "tag('achievement')", "Achievement", id="doc.tag_achievement"),
        Binding("s", "tag('shortcoming')", "Shortcoming", id="doc.tag_shortcoming"),
        Binding("p", "tag('plan')", "Plan", id="doc.tag_plan"),
        Binding("c", "comment", "Comment", id="doc.comment"),
        Binding("e", "edit_comment", "Edit comment in $EDITOR", id="doc.edit_comment",
                show=False),
        Binding("x", "delete_mark", "Delete mark", id="doc.delete_mark", show=False),
        Binding("u", "app.undo", "Undo", id="doc.undo"),
        Binding("ctrl+r", "app.redo", "Redo", id="doc.redo", show=False),
        Binding("y", "copy", "Copy with citation", id="doc.copy", show=False),
        Binding("t", "take_over", "Take over a colleague's mark", id="doc.take_over",
                show=False),
    ]

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def is_mine(self, mark: Annotation) -> bool:
        """Whether `mark` is the workspace reviewer's own (the others' are read-only)."""
        return mark.reviewer == self.shenyue.ws.reviewer

    def say_read_only(self, mark: Annotation) -> None:
        """Tell the reviewer that a colleague's mark cannot be changed, only taken over."""
        self.notify(_("This mark is {reviewer}'s and read-only: t takes it over as yours, "
                      "R shows only yours.")
                    .format(reviewer=mark.reviewer), severity="warning", markup=False, timeout=3)

    def action_tag(self, name: str) -> None:
        """Tag the selection as the reviewer's own, by the core's rule (`Workspace.tag_passage`):
        the same key inside their mark of that tag removes it, a selection reaching beyond it
        stretches it, and inside their mark of another tag it changes that mark's tag."""
        span = self.selection_span()
        if span.end <= span.start:
            return
        try:
            edit = self.shenyue.ws.tag_passage(self.report.id, span.start, span.end, Tag(name))
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(edit_message(edit))

    def mark_here(self) -> Annotation | None:
        """The reviewer's own tightest mark under the cursor, or None (with a notice)."""
        marks = self.marks_under_cursor()
        mine = [m for m in marks if self.is_mine(m)]
        if mine:
            return mine[0]
        if marks:
            self.say_read_only(marks[0])
        else:
            self.notify(_("No mark here: tag the passage first (a, s or p)."), severity="warning")
        return None

    def action_take_over(self) -> None:
        """Copy the colleague's mark under the cursor as the reviewer's own."""
        theirs = next((m for m in self.marks_under_cursor() if not self.is_mine(m)), None)
        if theirs is None:
            self.notify(_("No colleague's mark here to take over."), severity="warning",
                        timeout=3)
            return
        try:
            edit = self.shenyue.ws.take_over(theirs.id)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        if edit is None:
            self.notify(_("You already have this mark."), timeout=3)
            return
        self.shenyue.marks_changed(_("Took over {reviewer}'s {tag}").format(
            reviewer=theirs.reviewer, tag=tag_label(theirs.tag)))

    def action_comment(self) -> None:
        from tui.screens.comment import CommentScreen

        mark = self.mark_here()
        if mark is None:
            return
        heading = f"{tag_label(mark.tag)} · {short_quote(mark.quote, 40)}"

        drafts = self.shenyue.drafts

        def save(comment: str | None) -> None:
            drafts.pop(mark.id, None)  # saved or knowingly dropped: the draft has done its work
            if comment is not None and comment != mark.comment:
                self.set_comment(mark, comment)

        self.app.push_screen(
            CommentScreen(heading, mark.comment, mark.id, drafts.get(mark.id)), save)

    def set_comment(self, mark: Annotation, comment: str) -> None:
        """Store a new comment on `mark`."""
        try:
            self.shenyue.ws.update_annotation(mark.id, comment=comment)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(_("Comment changed"))

    def action_edit_comment(self) -> None:
        mark = self.mark_here()
        if mark is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "comment.txt"
            path.write_text(mark.comment, encoding="utf-8")
            try:
                with self.app.suspend():
                    subprocess.run([*shlex.split(editor), str(path)], check=False)
            except Exception as exc:  # no terminal to hand over, or no such editor
                self.notify(_("Cannot run the editor {editor}: {error}").format(
                    editor=editor, error=exc), severity="error", markup=False)
                return
            comment = path.read_text(encoding="utf-8").strip()
        if comment != mark.comment:
            self.set_comment(mark, comment)

    def action_delete_mark(self) -> None:
        mark = self.mark_here()
        if mark is None:
            return
        try:
            self.shenyue.ws.delete_annotation(mark.id)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(_("Deleted {tag}").format(tag=tag_label(mark.tag)))

    def action_copy(self) -> None:
        """Copy the selected passage with its citation."""
        span = self.selection_span()
        passage = self.report.text[span.start:span.end].strip()
        sections = self.report.section_title(span.start)
        quote = f"{passage}\n——{citation(self.report.title, sections, self.report.year)}"
        self.shenyue.copy_text(quote)
