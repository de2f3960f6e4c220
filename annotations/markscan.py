"""What a search needs of a mark's journal record, read from its bytes without parsing it.

A common word is in thousands of marks; a lookup shows a few. A search hands back each
record that holds the phrase in its quote or comment as a `Candidate`, read only if the
lookup gets as far as its report; reading it takes the fields a lookup sorts and filters by
with one strict pattern of the layout the store writes. The whole record is parsed and
checked only for the marks shown (`Found.doc`), or at once for a record of another layout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from annotations.records import (
    MAX_OFFSET,
    SAFE_ID_PATTERN,
    SHA256_PATTERN,
    TAGS,
    TIMESTAMP_PATTERN,
)

Doc = dict[str, Any]

_ID = b"(" + SAFE_ID_PATTERN.encode() + b")"
_STRING = rb'"([^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*)"'  # a JSON string's body
_NUMBER = rb"(0|[1-9][0-9]{0,9})"
_BOOL = rb"(true|false)"
_TIME = b'"' + TIMESTAMP_PATTERN.encode() + b'"'
MARK_RECORD = re.compile(
    rb'\{"table": "' + _ID + rb'", "id": "' + _ID + rb'", "doc": \{"id": "' + _ID
    + rb'", "report_id": "' + _ID + rb'", "text_sha256": "' + SHA256_PATTERN.encode()
    + rb'", "start": ' + _NUMBER + rb', "end": ' + _NUMBER + rb', "quote": ' + _STRING
    + rb', "prefix": ' + _STRING + rb', "suffix": ' + _STRING + rb', "tag": "([a-z]+)", '
    rb'"comment": ' + _STRING + rb', "reviewer": ' + _STRING + rb', "created": ' + _TIME
    + rb', "updated": ' + _TIME + rb', "orphan": ' + _BOOL + rb', "deleted": ' + _BOOL
    + rb"\}\}"
)
Fields = tuple[str, str, int, int, str, str, bool]  # Found's, in order, without the record
RECORD_ENDS = (b"\n", b", ", b"]}\n")  # alone on its line, within a batch, a batch's last


@dataclass(frozen=True)
class Found:
    """A live mark that holds the phrase: the fields a lookup sorts and filters by, and the
    record it came from (parsed and checked when `doc` is called)."""

    report_id: str
    mark_id: str
    start: int
    end: int
    tag: str
    reviewer: str
    orphan: bool
    doc: Callable[[], Doc]


class Candidate(NamedTuple):
    """A live mark's record in which the phrase was seen in the quote or comment: `found`
    reads it (None if the mark is deleted, or the phrase was only in an escape)."""

    report_id: str
    found: Callable[[], Found | None]


def json_text(body: bytes) -> str:
    """The value of a JSON string from its body between the quotes."""
    if b"\\" not in body:
        return body.decode("utf-8")
    value: str = json.loads(b'"' + body + b'"')
    return value


def found_in_record(record: bytes, needle: str, parse: Callable[[bytes], Doc]) -> Found | None:
    """The live mark in `record` if its quote or comment holds `needle`, else None. `parse`
    turns the record into a checked document: called now for a record not in the store's own
    layout, else only when the mark is shown."""
    fields = _fields(record, needle)
    if fields is False:
        return found_in_doc(parse(record), needle)
    if fields is None:
        return None
    report_id, mark_id, start, end, tag, reviewer, orphan = fields
    return Found(report_id, mark_id, start, end, tag, reviewer, orphan, lambda: parse(record))


def _fields(record: bytes, needle: str) -> Fields | Literal[False] | None:
    """`Found`'s fields read from the record's bytes; None for a deleted mark or one that does
    not hold `needle`; False when the record is not exactly in the store's layout."""
    shape = MARK_RECORD.match(record)
    if shape is None or record[shape.end():] not in RECORD_ENDS:
        return False
    (table, doc_id, mark_id, report_id, start, end, quote, _prefix, _suffix, tag, comment,
     reviewer, orphan, deleted) = shape.groups()
    if ((table, doc_id) != (report_id, mark_id) or not int(start) <= int(end) <= MAX_OFFSET
            or tag.decode() not in TAGS):
        return False  # parsed whole, the record's problem is named
    try:
        holds = needle in json_text(quote) or needle in json_text(comment)
        name = json_text(reviewer)
    except ValueError:  # a bad escape or bad UTF-8
        return False
    if deleted == b"true" or not holds:
        return None
    return (report_id.decode(), mark_id.decode(), int(start), int(end), tag.decode(), name,
            orphan == b"true")


def found_in_doc(doc: Doc, needle: str) -> Found | None:
    """`found_in_record` for a document already parsed and checked."""
    if doc["deleted"] or not (needle in doc["quote"] or needle in doc["comment"]):
        return None
    return Found(doc["report_id"], doc["id"], doc["start"], doc["end"], doc["tag"],
                 doc["reviewer"], doc["orphan"], lambda: doc)
