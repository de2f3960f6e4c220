"""The document view with the reviewer's keys: tag, comment, delete, copy."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType

from annotations.errors import UserError
from annotations.model import Annotation, Tag
from tui.i18n import _
from tui.marks import section_title_path, tag_label
from tui.widgets.document import DocumentView

if TYPE_CHECKING:
    from tui.app import ShenyueApp


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
    ]

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def action_tag(self, name: str) -> None:
        """Tag the selection; the same tag on an already tagged passage removes it."""
        tag = Tag(name)
        span = self.selection_span()
        if span.end <= span.start:
            return
        same = [m for m in self.marks if m.tag == tag and m.start < span.end and m.end > span.start]
        ws = self.shenyue.ws
        try:
            if same:
                for mark in same:
                    ws.delete_annotation(mark.id)
                done = _("Removed {tag}").format(tag=tag_label(tag))
            else:
                ws.annotate(self.report.id, span.start, span.end, tag)
                done = _("Tagged {tag}").format(tag=tag_label(tag))
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        self.shenyue.marks_changed(done)

    def mark_here(self) -> Annotation | None:
        """The tightest mark under the cursor, or None (with a notice)."""
        marks = self.marks_under_cursor()
        if not marks:
            self.notify(_("No mark here: tag the passage first (a, s or p)."), severity="warning")
            return None
        return marks[0]

    def action_comment(self) -> None:
        from tui.screens.comment import CommentScreen

        mark = self.mark_here()
        if mark is None:
            return
        heading = f"{tag_label(mark.tag)} · {short_quote(mark.quote, 40)}"

        def save(comment: str | None) -> None:
            if comment is not None and comment != mark.comment:
                self.set_comment(mark, comment)

        self.app.push_screen(CommentScreen(heading, mark.comment), save)

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
        sections = section_title_path(self.report.section_path(span.start))
        quote = f"{passage}\n——{citation(self.report.title, sections, self.report.year)}"
        self.shenyue.copy_text(quote)
