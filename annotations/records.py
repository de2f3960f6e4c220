"""What a stored mark, a metadata correction and an undo-history entry must look like,
checked wherever one enters: read from the journal, or merged from another reviewer's export.

Each check returns the first problem as a short phrase ("mark 3f… has start 9 after end 4")
or None; callers wrap it in their own one-line refusal.
"""

from __future__ import annotations

import re
from operator import itemgetter
from typing import Any

from annotations.model import Kind, Tag

SAFE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}"
SHA256_PATTERN = r"[0-9a-f]{64}"
TIMESTAMP_PATTERN = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z"  # as now_iso writes
SAFE_ID = re.compile(SAFE_ID_PATTERN + r"\Z")
SHA256 = re.compile(SHA256_PATTERN + r"\Z")
TIMESTAMP = re.compile(TIMESTAMP_PATTERN + r"\Z")
# a mark's ids, hash and times joined by NUL, checked in one match (the common case: all good)
MARK_KEYS = re.compile("\0".join(
    (SAFE_ID_PATTERN, SAFE_ID_PATTERN, SHA256_PATTERN, TIMESTAMP_PATTERN, TIMESTAMP_PATTERN)
) + r"\Z")
MAX_COMMENT = 10_000  # characters: a long note, not a document (the app draws every comment)
MAX_OFFSET = 16 * 1024 * 1024  # no report text is longer (ingest refuses larger files)
TAGS = frozenset(tag.value for tag in Tag)
TEXT_KEYS = ("quote", "prefix", "suffix", "comment")  # the free text of a mark
HISTORY_STATES = frozenset({"done", "undone"})
LINKS_TABLE = "_links"
VERDICTS = frozenset({"kept", "partly", "no_trace"})
MAX_LINKED = 50  # passages one plan's decision may confirm or reject
META_TABLE = "_meta"  # the store table of metadata corrections
META_FIELDS = ("title", "place", "year", "issuer", "kind")
REMOVED_FIELD = "removed"  # not a field of a report: its correction (true) sets the report aside
MAX_META_TEXT = 200  # characters: a title or a name, not a paragraph
YEAR_RANGE = (1900, 2100)
KINDS = frozenset(kind.value for kind in Kind)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # a one-line value holds none


def is_int(value: Any) -> bool:
    """Whether `value` is a whole number (JSON `true` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


MARK_TYPES = {
    "id": str, "report_id": str, "text_sha256": str, "start": int, "end": int, "quote": str,
    "prefix": str, "suffix": str, "comment": str, "tag": str, "reviewer": str, "created": str,
    "updated": str, "orphan": bool, "deleted": bool,
}
MARK_FIELDS = itemgetter(*MARK_TYPES)  # one C call for all fields: a journal holds 100,000s
MARK_TYPE_ROW = tuple(MARK_TYPES.values())


def mark_problem(doc: Any) -> str | None:
    """Why `doc` is not a well-formed mark (every field present, of its type and in range),
    or None."""
    try:
        values = MARK_FIELDS(doc)
    except (KeyError, TypeError):
        values = None
    if values is None or tuple(map(type, values)) != MARK_TYPE_ROW:
        return mark_type_problem(doc)
    (mark_id, report_id, sha, start, end, _quote, _prefix, _suffix, comment, tag, reviewer,
     created, updated, orphan, _deleted) = values
    if not MARK_KEYS.match("\0".join((mark_id, report_id, sha, created, updated))):
        return mark_key_problem(mark_id, report_id, sha, created, updated)
    if not 0 <= start <= end <= MAX_OFFSET:
        return f"mark {mark_id} spans {start} to {end}"
    if start == end and not orphan:
        return f"mark {mark_id} is empty ({start} to {end})"  # only an orphan may shrink so
    if len(comment) > MAX_COMMENT:
        return f"mark {mark_id} has a comment of {len(comment):,} characters"
    if tag not in TAGS:
        return f"mark {mark_id} has the tag {short_repr(tag)}"
    if not reviewer.strip():
        return f"mark {mark_id} has the reviewer {short_repr(reviewer)}"
    return None


def mark_key_problem(mark_id: str, report_id: str, sha: str, created: str, updated: str) -> str:
    """Which of a mark's ids, hash and times is malformed (`mark_problem` found one)."""
    if not SAFE_ID.match(mark_id):
        return f"a mark has the id {short_repr(mark_id)}"
    if not SAFE_ID.match(report_id):
        return f"mark {mark_id} has the report id {short_repr(report_id)}"
    if not SHA256.match(sha):
        return f"mark {mark_id} has no text hash"
    for key, value in (("created", created), ("updated", updated)):
        if not TIMESTAMP.match(value):
            return f"mark {mark_id} has the time {short_repr(value)} as {key}"
    return f"mark {mark_id} has an id with a NUL in it"


def mark_type_problem(doc: Any) -> str:
    """Which field of `doc` is missing or of the wrong type (`mark_problem` found one)."""
    if not isinstance(doc, dict):
        return f"a mark is {type(doc).__name__}, not an object"
    name = f"mark {doc['id']}" if type(doc.get("id")) is str else "a mark"
    for key, kind in MARK_TYPES.items():
        value = doc.get(key)
        if type(value) is not kind:
            if kind is int:
                return f"{name} has offsets {short_repr(doc.get('start'))} and " \
                       f"{short_repr(doc.get('end'))}"
            if kind is bool:
                return f"{name} has {short_repr(value)} as {key} (not true/false)"
            if key in ("tag", "reviewer", "created", "updated", "id", "report_id"):
                return f"{name} has the {key} {short_repr(value)}"
            return f"{name} has a {key} of type {type(value).__name__}"
    return f"{name} is malformed"


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
    """Why one change of a history entry is malformed, or None. A change's `report_id` is
    the table it changed: a report's marks, the metadata corrections or the follow-through
    links."""
    if not isinstance(change, dict):
        return "a change is not an object"
    for key in ("report_id", "id", "stamp"):
        if not isinstance(change.get(key), str):
            return f"a change has no {key}"
    check = {LINKS_TABLE: link_problem, META_TABLE: correction_problem}.get(
        change["report_id"], mark_problem)
    for key in ("before", "after"):
        if change.get(key) is not None:
            problem = check(change[key])
            if problem:
                return problem
    return None


def link_problem(doc: Any) -> str | None:
    """Why `doc` is not a well-formed follow-through decision (a plan of one report, the
    passages of the next report confirmed or rejected as its evidence, a verdict), or None."""
    if not isinstance(doc, dict):
        return f"a link is {type(doc).__name__}, not an object"
    link_id = doc.get("id")
    if not (isinstance(link_id, str) and SAFE_ID.match(link_id)):
        return f"a link has the id {short_repr(link_id)}"
    for key in ("plan_report", "review_report"):
        if not (isinstance(doc.get(key), str) and SAFE_ID.match(doc[key])):
            return f"link {link_id} has the {key} {short_repr(doc.get(key))}"
    problem = passage_problem(doc.get("plan"))
    if problem:
        return f"link {link_id}: its plan {problem}"
    if not (doc.get("verdict") is None or doc.get("verdict") in VERDICTS):
        return f"link {link_id} has the verdict {short_repr(doc.get('verdict'))}"
    for key in ("confirmed", "rejected"):
        passages = doc.get(key)
        if not (isinstance(passages, list) and len(passages) <= MAX_LINKED):
            return f"link {link_id} has no list of {key} passages"
        for passage in passages:
            problem = passage_problem(passage)
            if problem:
                return f"link {link_id}: a {key} passage {problem}"
    reviewer = doc.get("reviewer")
    if not (isinstance(reviewer, str) and reviewer.strip()):
        return f"link {link_id} has the reviewer {short_repr(reviewer)}"
    for key in ("created", "updated"):
        if not (isinstance(doc.get(key), str) and TIMESTAMP.match(doc[key])):
            return f"link {link_id} has the time {short_repr(doc.get(key))} as {key}"
    if not isinstance(doc.get("deleted"), bool):
        return f"link {link_id} has {short_repr(doc.get('deleted'))} as deleted"
    return None


def passage_problem(passage: Any) -> str | None:
    """Why `passage` is not {"start", "end", "quote"} with 0 <= start < end, or None."""
    if not isinstance(passage, dict):
        return "is not an object"
    start: Any = passage.get("start")
    end: Any = passage.get("end")
    quote: Any = passage.get("quote")
    if not (is_int(start) and is_int(end) and 0 <= start < end <= MAX_OFFSET):
        return f"spans {short_repr(start)} to {short_repr(end)}"
    if not isinstance(quote, str):
        return "has no quote"
    return None


CORRECTION_TYPES = {"id": str, "report_id": str, "field": str, "reviewer": str, "updated": str,
                    "deleted": bool}


def correction_problem(doc: Any) -> str | None:
    """Why `doc` is not a well-formed metadata correction (every field present, of its type
    and in range; its id `<report_id>:<field>`), or None."""
    if not isinstance(doc, dict):
        return f"a correction is {type(doc).__name__}, not an object"
    name = f"correction {short_repr(doc.get('id'))}"
    for key, kind in CORRECTION_TYPES.items():
        if type(doc.get(key)) is not kind:
            return f"{name} has the {key} {short_repr(doc.get(key))}"
    if not SAFE_ID.match(doc["report_id"]):
        return f"{name} has the report id {short_repr(doc['report_id'])}"
    if doc["field"] not in (*META_FIELDS, REMOVED_FIELD):
        return f"{name} corrects the field {short_repr(doc['field'])}"
    if doc["id"] != f"{doc['report_id']}:{doc['field']}":
        return f"{name} is filed under another report or field"
    if not TIMESTAMP.match(doc["updated"]):
        return f"{name} has the time {short_repr(doc['updated'])}"
    if not doc["reviewer"].strip() or CONTROL.search(doc["reviewer"]):
        return f"{name} has the reviewer {short_repr(doc['reviewer'])}"
    return value_problem(name, doc["field"], doc.get("value"))


def value_problem(name: str, field: str, value: Any) -> str | None:
    """Why `value` cannot be the corrected `field` (`name` names the correction), or None."""
    if field == REMOVED_FIELD:
        if value is not True:
            return f"{name} has {short_repr(value)} as removed (not true)"
    elif field == "year":
        low, high = YEAR_RANGE
        if not (is_int(value) and low <= value <= high):
            return f"{name} has the year {short_repr(value)}"
    elif field == "kind":
        if value not in KINDS:
            return f"{name} has the kind {short_repr(value)}"
    elif not (isinstance(value, str) and value.strip() and len(value) <= MAX_META_TEXT
              and not CONTROL.search(value)):
        return f"{name} has the {field} {short_repr(value)}"
    return None


def refuse_constant(name: str) -> Any:
    """json's hook for NaN and Infinity, which no record of ours holds."""
    raise ValueError(f"{name} is not a value Shenyue writes")


def short_repr(value: Any, width: int = 40) -> str:
    """`repr(value)` cut to `width` characters, for a message naming a bad value."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
