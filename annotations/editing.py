"""The rules for editing one reviewer's marks: tag, remove, retag, extend, join, take over.

Pure functions from the stored documents to the documents to write; `Workspace` runs each
edit inside one store change, so that an edit is one journal line and one undo step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from annotations.anchor import quote_context
from annotations.errors import UserError
from annotations.messages import Message, say
from annotations.model import Annotation, Tag
from annotations.records import MAX_COMMENT
from annotations.store import Doc, Put


class EditKind(StrEnum):
    """What an edit did to the marks."""

    ADDED = "added"
    REMOVED = "removed"
    RETAGGED = "retagged"
    EXTENDED = "extended"
    JOINED = "joined"
    TOOK_OVER = "took_over"


@dataclass(frozen=True)
class MarkEdit:
    """One edit: what it did, the tag it leaves, its summary for the history, and the
    documents to write (their first is the mark that remains, when one does)."""

    kind: EditKind
    tag: Tag
    summary: Message
    puts: list[Put]

    @property
    def mark(self) -> Annotation | None:
        """The mark the edit leaves in place (None after a removal)."""
        if self.kind is EditKind.REMOVED:
            return None
        return Annotation.from_json(self.puts[0][2])


def short(text: str, width: int = 20) -> str:
    """The start of `text` on one line, for messages and undo descriptions."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def overlapping(docs: Sequence[Doc], start: int, end: int) -> list[Doc]:
    """The live, placed marks among `docs` that overlap [start, end), tightest first."""
    hit = [d for d in docs if not d["deleted"] and not d.get("orphan")
           and d["start"] < end and d["end"] > start]
    return sorted(hit, key=lambda d: (d["end"] - d["start"], d["start"], d["id"]))


def tag_edit(mine: Sequence[Doc], new: Annotation, text: str, now: str) -> MarkEdit:
    """What a/s/p do on the passage of `new` given the reviewer's own marks `mine` on the
    current `text`: remove their mark of that tag holding the passage; else stretch their
    marks of that tag touching it over it (joining them); else retag their mark of another
    tag holding it (its comment kept); else add `new`."""
    near = overlapping(mine, new.start, new.end)
    same = [d for d in near if d["tag"] == new.tag.value]
    holders = [d for d in same if d["start"] <= new.start and new.end <= d["end"]]
    if holders:
        summary = (say("change.delete", quote=short(holders[0]["quote"])) if len(holders) == 1
                   else say("change.delete_many", count=len(holders)))
        return MarkEdit(EditKind.REMOVED, new.tag, summary,
                        [tombstone(d, now) for d in holders])
    if same:
        return join_edit(same, new.start, new.end, text, new.text_sha256, now)
    other = [d for d in near if d["start"] <= new.start and new.end <= d["end"]]
    if other:
        return retag_edit(other[0], new.tag, now)
    return MarkEdit(EditKind.ADDED, new.tag, say("change.add", tag=new.tag, quote=short(new.quote)),
                    [(new.report_id, new.id, new.to_json())])


def retag_edit(doc: Doc, tag: Tag, now: str) -> MarkEdit:
    """Give a mark another tag; its span and comment stay."""
    if doc["tag"] == tag.value:
        raise UserError("mark.already_tagged", quote=short(doc["quote"]), tag=tag)
    return MarkEdit(EditKind.RETAGGED, tag, say("change.retag", quote=short(doc["quote"]), tag=tag),
                    [(doc["report_id"], doc["id"], {**doc, "tag": tag.value, "updated": now})])


def join_edit(docs: Sequence[Doc], start: int, end: int, text: str, sha256: str,
              now: str) -> MarkEdit:
    """Make the first of `docs` (by position) cover [start, end) and all of them, with all
    their distinct comments, quoted afresh from the report's current `text` (hash `sha256`);
    the others become tombstones. One mark and a wider span is an extension."""
    ordered = sorted(docs, key=lambda d: (d["start"], d["end"], d["id"]))
    first, rest = ordered[0], ordered[1:]
    tags = {d["tag"] for d in ordered}
    if len(tags) > 1:
        raise UserError("mark.join_one_tag")
    start = min(start, *(d["start"] for d in ordered))
    end = max(end, *(d["end"] for d in ordered))
    quote, prefix, suffix = quote_context(text, start, end)
    joined = {**first, "start": start, "end": end, "quote": quote, "prefix": prefix,
              "suffix": suffix, "text_sha256": sha256, "orphan": False,
              "comment": joined_comment(ordered), "updated": now}
    kind = EditKind.JOINED if rest else EditKind.EXTENDED
    summary = (say("change.join", count=len(ordered), quote=short(quote)) if rest
               else say("change.extend", quote=short(first["quote"])))
    return MarkEdit(kind, Tag(first["tag"]), summary,
                    [(first["report_id"], first["id"], joined),
                     *(tombstone(d, now) for d in rest)])


def take_over_edit(theirs: Doc, mine: Sequence[Doc], new: Annotation) -> MarkEdit | None:
    """Copy a colleague's mark `theirs` as `new` (the reviewer's own, with its comment);
    None when the reviewer already has a mark of that span and tag among `mine`."""
    if any(not d["deleted"] and (d["start"], d["end"], d["tag"])
           == (theirs["start"], theirs["end"], theirs["tag"]) for d in mine):
        return None
    summary = say("change.take_over", reviewer=theirs["reviewer"], quote=short(theirs["quote"]))
    return MarkEdit(EditKind.TOOK_OVER, new.tag, summary, [(new.report_id, new.id, new.to_json())])


def tombstone(doc: Doc, now: str) -> Put:
    """A deleted mark, kept so that a merge never brings it back."""
    return doc["report_id"], doc["id"], {**doc, "deleted": True, "updated": now}


def joined_comment(docs: Sequence[Doc]) -> str:
    """The distinct comments of `docs`, one per line, in order."""
    comment = "\n".join(dict.fromkeys(d["comment"] for d in docs if d["comment"]))
    if len(comment) > MAX_COMMENT:
        raise UserError("mark.joined_comment_too_long", length=len(comment), limit=MAX_COMMENT)
    return comment
