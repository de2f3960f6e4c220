"""A lookup reads the fields it sorts and filters by from a mark record's bytes: they must
be what parsing the whole record gives, for any text a mark can hold."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.markscan import Found, found_in_doc, found_in_record
from annotations.model import Tag
from annotations.records import CONTROL
from annotations.store import StoreError, encode_line, parse_mark

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
ANY_TEXT = st.one_of(TEXT, st.sampled_from(['"', "\\", '", "', "\\u0000", "行政复议", "\n", "]}"]))
NAME = st.one_of(TEXT.filter(lambda name: name.strip() and not CONTROL.search(name)),
                 st.sampled_from(['甲 "乙"', "a\\b", "丙"]))


def a_mark(**fields: Any) -> dict[str, Any]:
    doc = {"id": "m1", "report_id": "r1", "text_sha256": "a" * 64, "start": 3, "end": 9,
           "quote": "行政复议", "prefix": "", "suffix": "", "tag": "plan", "comment": "",
           "reviewer": "甲", "created": "2026-01-01T00:00:00.000000Z",
           "updated": "2026-01-01T00:00:00Z", "orphan": False, "deleted": False}
    return {**doc, **fields}


def records_of(line: bytes) -> list[bytes]:
    """Each record of a journal line, cut as the search cuts them: from one record's start to
    the next one's (the last up to the line's end)."""
    head = b'{"table": "'
    starts = [at for at in range(len(line)) if line.startswith(head, at)]
    return [line[a:b] for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]


def fields(found: Found | None) -> tuple[Any, ...] | None:
    if found is None:
        return None
    return (found.report_id, found.mark_id, found.start, found.end, found.tag, found.reviewer,
            found.orphan, found.doc())


def parsed(record: bytes) -> dict[str, Any]:
    return parse_mark(record, Path("store"), 0)


def counting(calls: list[bytes]) -> Callable[[bytes], dict[str, Any]]:
    """`parsed`, noting each record it parses in `calls`."""
    def parse(record: bytes) -> dict[str, Any]:
        calls.append(record)
        return parsed(record)

    return parse


@given(quote=ANY_TEXT, comment=ANY_TEXT, reviewer=NAME, prefix=ANY_TEXT,
       tag=st.sampled_from([t.value for t in Tag]), orphan=st.booleans(),
       deleted=st.booleans(), needle=ANY_TEXT.filter(bool), batch=st.booleans())
def test_fields_read_from_bytes_are_those_of_the_parsed_record(
    quote: str, comment: str, reviewer: str, prefix: str, tag: str, orphan: bool,
    deleted: bool, needle: str, batch: bool,
) -> None:
    doc = a_mark(quote=quote, comment=comment, reviewer=reviewer, prefix=prefix,
                 suffix=needle, tag=tag, orphan=orphan, deleted=deleted)
    other = a_mark(id="m2", quote=needle)
    line = encode_line([("r1", "m1", doc), ("r1", "m2", other)] if batch else
                       [("r1", "m1", doc)])
    record = records_of(line)[0]
    calls: list[bytes] = []
    found = found_in_record(record, needle, counting(calls))
    assert calls == []  # the store's own layout: nothing parsed until a mark is shown
    assert fields(found) == fields(found_in_doc(doc, needle))


def test_a_record_in_another_layout_is_parsed_whole_and_checked() -> None:
    calls: list[bytes] = []
    counted = counting(calls)
    doc = a_mark()
    reordered = {"table": "r1", "id": "m1", "doc": dict(reversed(list(doc.items())))}
    record = (json.dumps(reordered, ensure_ascii=False) + "\n").encode()
    found = found_in_record(record, "复议", counted)
    assert calls == [record] and fields(found) == fields(found_in_doc(doc, "复议"))
    misfiled = encode_line([("r2", "m1", doc)])
    with pytest.raises(StoreError, match="filed under another report"):
        found_in_record(misfiled, "复议", parsed)


def test_a_shown_mark_is_checked_in_full() -> None:
    record = encode_line([("r1", "m1", a_mark(reviewer=" "))])  # a blank reviewer: refused
    found = found_in_record(record, "复议", parsed)
    assert found is not None
    with pytest.raises(StoreError, match="reviewer"):
        found.doc()
