"""What a stored mark and an undo-history entry must look like, checked wherever one enters:
read from the journal, or merged from another reviewer's export.

Each check returns the first problem as a short phrase ("mark 3f… has start 9 after end 4")
or None; callers wrap it in their own one-line refusal.
"""

from __future__ import annotations

import re
from typing import Any

from annotations.model import Tag

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}\Z")
SHA256 = re.compile(r"[0-9a-f]{64}\Z")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z\Z")  # as now_iso writes
MAX_COMMENT = 10_000  # characters: a long note, not a document (the app draws every comment)
MAX_OFFSET = 16 * 1024 * 1024  # no report text is longer (ingest refuses larger files)
TAGS = frozenset(tag.value for tag in Tag)
TEXT_KEYS = ("quote", "prefix", "suffix", "comment")
HISTORY_STATES = frozenset({"done", "undone"})


def is_int(value: Any) -> bool:
    """Whether `value` is a whole number (JSON `true` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def mark_problem(doc: Any) -> str | None:
    """Why `doc` is not a well-formed mark (every field present, of its type and in range),
    or None."""
    if not isinstance(doc, dict):
        return f"a mark is {type(doc).__name__}, not an object"
    mark_id = doc.get("id")
    if not (isinstance(mark_id, str) and SAFE_ID.match(mark_id)):
        return f"a mark has the id {short_repr(mark_id)}"
    if not (isinstance(doc.get("report_id"), str) and SAFE_ID.match(doc["report_id"])):
        return f"mark {mark_id} has the report id {short_repr(doc.get('report_id'))}"
    if not (isinstance(doc.get("text_sha256"), str) and SHA256.match(doc["text_sha256"])):
        return f"mark {mark_id} has no text hash"
    start: Any = doc.get("start")
    end: Any = doc.get("end")
    if not (is_int(start) and is_int(end)):
        return f"mark {mark_id} has offsets {short_repr(start)} and {short_repr(end)}"
    if not 0 <= start <= end <= MAX_OFFSET:
        return f"mark {mark_id} spans {start} to {end}"
    if start == end and doc.get("orphan") is not True:
        return f"mark {mark_id} is empty ({start} to {end})"  # only an orphan may shrink so
    for key in TEXT_KEYS:
        if not isinstance(doc.get(key), str):
            return f"mark {mark_id} has a {key} of type {type(doc.get(key)).__name__}"
    if len(doc["comment"]) > MAX_COMMENT:
        return f"mark {mark_id} has a comment of {len(doc['comment']):,} characters"
    if doc.get("tag") not in TAGS:
        return f"mark {mark_id} has the tag {short_repr(doc.get('tag'))}"
    reviewer = doc.get("reviewer")
    if not (isinstance(reviewer, str) and reviewer.strip()):
        return f"mark {mark_id} has the reviewer {short_repr(reviewer)}"
    for key in ("created", "updated"):
        if not (isinstance(doc.get(key), str) and TIMESTAMP.match(doc[key])):
            return f"mark {mark_id} has the time {short_repr(doc.get(key))} as {key}"
    for key in ("orphan", "deleted"):
        if not isinstance(doc.get(key), bool):
            return f"mark {mark_id} has {short_repr(doc.get(key))} as {key} (not true/false)"
    return None


def history_problem(entry: Any) -> str | None:
    """Why `entry` is not a well-formed undo-history entry, or None."""
    if not isinstance(entry, dict):
        return f"a history entry is {type(entry).__name__}, not an object"
    entry_id = entry.get("id")
    if not (isinstance(entry_id, str) and SAFE_ID.match(entry_id)):
        return f"a history entry has the id {short_repr(entry_id)}"
    for key in ("reviewer", "summary"):
        if not isinstance(entry.get(key), str):
            return f"history entry {entry_id} has no {key}"
    if not (isinstance(entry.get("time"), str) and TIMESTAMP.match(entry["time"])):
        return f"history entry {entry_id} has the time {short_repr(entry.get('time'))}"
    if entry.get("state") not in HISTORY_STATES:
        return f"history entry {entry_id} has the state {short_repr(entry.get('state'))}"
    undone_at = entry.get("undone_at")
    if not (undone_at is None or (isinstance(undone_at, str) and TIMESTAMP.match(undone_at))):
        return f"history entry {entry_id} has the time {short_repr(undone_at)} as undone_at"
    changes = entry.get("changes")
    if not isinstance(changes, list):
        return f"history entry {entry_id} has no list of changes"
    for change in changes:
        problem = change_problem(change)
        if problem:
            return f"history entry {entry_id}: {problem}"
    return None


def change_problem(change: Any) -> str | None:
    """Why one change of a history entry is malformed, or None."""
    if not isinstance(change, dict):
        return "a change is not an object"
    for key in ("report_id", "id", "stamp"):
        if not isinstance(change.get(key), str):
            return f"a change has no {key}"
    for key in ("before", "after"):
        if change.get(key) is not None:
            problem = mark_problem(change[key])
            if problem:
                return problem
    return None


def refuse_constant(name: str) -> Any:
    """json's hook for NaN and Infinity, which no record of ours holds."""
    raise ValueError(f"{name} is not a value Shenyue writes")


def short_repr(value: Any, width: int = 40) -> str:
    """`repr(value)` cut to `width` characters, for a message naming a bad value."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
