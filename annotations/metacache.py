"""The metadata corrections of a store, cached so that `shenyue list` reads them without
parsing — or even reading — the whole journal.

`store/corrections.cache.json` holds the corrections found up to a byte offset of the
journal, with the journal's inode, its header line (whose generation changes when it is
compacted) and the bytes just before that offset. A reader checks all three, reads only the
bytes appended since, parses the `_meta` records among them (their head cannot occur inside
user text, which JSON escapes) and rewrites the cache. It is only a cache: anything odd about
it — missing, damaged, from another journal — and the journal is read from its start.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from annotations.fsutil import atomic_write_text
from annotations.messages import say
from annotations.records import correction_problem
from annotations.store import Doc, check_header, damaged, record_problem, unreadable

CACHE_VERSION = 1
TAIL = 64  # bytes before the offset that must still be there
META_HEAD = b'{"table": "_meta", "id": "'


def cached_corrections(journal: Path, cache: Path) -> list[Doc]:
    """Every correction of the journal (tombstones included), the last record of an id
    winning; StoreError if a `_meta` record of the journal is damaged."""
    try:
        with open(journal, "rb") as handle:
            inode = os.fstat(handle.fileno()).st_ino
            header = check_header(handle.readline(), journal)
            known = read_cache(cache, inode, header)
            offset, tail, docs = known or (len(header), header[-TAIL:], {})
            handle.seek(offset - len(tail))
            if handle.read(len(tail)) != tail:  # not the journal it describes
                known, offset, tail, docs = None, len(header), header[-TAIL:], {}
                handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise unreadable(journal, exc) from exc
    end = data.rfind(b"\n") + 1  # a torn last line is not part of the store
    if end or known is None:
        docs = {**docs, **scan_corrections(data[:end], journal, offset)}
        tail = (tail + data[:end])[-TAIL:]
        with suppress(OSError):  # a read-only workspace: the next reader scans again
            write_cache(cache, inode, header, offset + end, tail, docs)
    return list(docs.values())


def scan_corrections(data: bytes, journal: Path, offset: int) -> dict[str, Doc]:
    """The `_meta` records among complete journal lines `data` (which begin at byte
    `offset` of the journal), each checked; the last of an id wins."""
    found: dict[str, Doc] = {}
    decoder = json.JSONDecoder()
    at = data.find(META_HEAD)
    while at >= 0:
        line_end = data.find(b"\n", at)
        try:
            record = decoder.raw_decode(data[at:line_end].decode("utf-8"))[0]
        except (ValueError, UnicodeDecodeError) as exc:
            raise damaged(journal, say("store.damaged_byte", byte=offset + at)) from exc
        problem = record_problem(record.get("table"), record.get("id"), record.get("doc"))
        if problem:
            raise damaged(journal, say("store.damaged_byte_because", byte=offset + at,
                                       problem=problem))
        found[record["id"]] = record["doc"]
        at = data.find(META_HEAD, at + len(META_HEAD))  # a batch may hold several
    return found


def read_cache(cache: Path, inode: int, header: bytes) -> tuple[int, bytes, dict[str, Doc]] | None:
    """The offset, the bytes before it and the corrections a cache holds for this journal,
    or None."""
    try:
        data: Any = json.loads(cache.read_text(encoding="utf-8"))
        if (data["version"], data["inode"], data["header"]) != (
            CACHE_VERSION, inode, header.decode("utf-8")
        ):
            return None
        docs = data["docs"]
        if not isinstance(docs, dict) or any(correction_problem(d) for d in docs.values()):
            return None
        offset, tail = data["offset"], bytes.fromhex(data["tail"])
        if not (isinstance(offset, int) and len(header) <= offset and len(tail) <= offset):
            return None
        return offset, tail, docs
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_cache(
    cache: Path, inode: int, header: bytes, offset: int, tail: bytes, docs: dict[str, Doc]
) -> None:
    """Remember the corrections found up to `offset` (replaced atomically)."""
    data = {"version": CACHE_VERSION, "inode": inode, "header": header.decode("utf-8"),
            "offset": offset, "tail": tail.hex(), "docs": docs}
    atomic_write_text(cache, json.dumps(data, ensure_ascii=False) + "\n")
