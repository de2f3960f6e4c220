"""The store's index: where in the journal the last record of each document lies, so that a
process reads one report's marks, or a reviewer's last change, without reading the journal.

`store/index/` describes the journal up to a byte offset `end` (the end of a line):

    manifest.json   the journal's header line (its generation), `end`, the bytes before it,
                    how many lines, records, documents and history entries lie before it,
                    and each file below with its number of entries and its SHA-1
    t-<key>.json    one table (a report's marks, `_meta` or `_links`): {id: [start, end]},
                    the bytes of each document's last record
    h-<key>.json    one reviewer's latest undo-history entries (as many as undo reaches),
                    oldest first: [id, time, state, undone_at, start, end]
    superseded.bin  the start of every record a later record replaced (sorted, uint64): what
                    `shenyue lookup` must not show

It is a cache and never trusted: a manifest counts only if its header, `end` and the bytes
before `end` are the journal's; a file only if its SHA-1 is the one the manifest names; a
pointer only if the bytes it points at are a record of that table and id — which is then
checked like any record. Whatever fails, the reader reads the journal whole instead, and a
writer builds the index again. The journal after `end` (up to FOLD_BYTES, more only while a
writer is at work) is parsed by every process; the writer that finds it FOLD_BYTES long
folds it into the index. Files are replaced atomically but not synced: a file a crash
damaged fails its check like any other stale file.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from array import array
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from annotations.fsutil import atomic_write_bytes

INDEX_FOLDER = "index"
MANIFEST = "manifest.json"
SUPERSEDED = "superseded.bin"
FORMAT = "shenyue-index"
VERSION = 1
FOLD_BYTES = 256 * 1024  # journal a fresh process parses at most (about 280 marks)
TAIL = 64  # bytes before `end` that must still be there
HISTORY = "_history"

# the start of every record; user text cannot fake it because JSON escapes its quotes
# (table names are report ids and ids are UUIDs: neither holds a quote)
RECORD_HEAD = re.compile(rb'\{"table": "([^"]*)", "id": "([^"]*)", "doc": ')
BATCH_HEAD = b'{"batch": ['
BATCH_END = b"]}"
RECORD_GAP = b", "

Doc = dict[str, Any]
Span = tuple[int, int]
Entry = tuple[int, str]  # a file's number of entries and SHA-1
Reader = Callable[[int, int], bytes]  # (offset, length) → the journal's bytes there


class IndexStale(Exception):
    """The index does not describe the journal: read the journal instead."""


@dataclass(frozen=True)
class HistoryHead:
    """What undo and redo choose by, of one history entry, and where its record is."""

    id: str
    time: str
    state: str
    undone_at: str | None
    span: Span | None = None  # None: the entry was read from the journal, not the index

    def to_json(self) -> list[Any]:
        """The row of an h- file."""
        assert self.span is not None
        return [self.id, self.time, self.state, self.undone_at, *self.span]

    @classmethod
    def of(cls, entry: Doc, span: Span | None = None) -> HistoryHead:
        """The head of a (checked) history entry."""
        return cls(entry["id"], entry["time"], entry["state"], entry["undone_at"], span)

    def key(self) -> tuple[str, str]:
        """Which entries undo reaches: each reviewer's latest by this key."""
        return (self.time, self.id)


def latest(heads: list[HistoryHead], keep: int) -> list[HistoryHead]:
    """The `keep` latest entries, oldest first."""
    return sorted(heads, key=HistoryHead.key)[-keep:]


def file_key(kind: str, name: str) -> str:
    """The file of a table ("t") or a reviewer ("h"): names may hold any character."""
    return f"{kind}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:20]}.json"


def digest(data: bytes) -> str:
    """What the manifest names a file's content by."""
    return hashlib.sha1(data).hexdigest()


@dataclass(frozen=True)
class Manifest:
    """An index of one journal up to `end`, as `manifest.json` holds it."""

    folder: Path
    header: bytes
    end: int
    tail: bytes
    lines: int  # lines before `end`, the header included
    records: int
    live: int  # documents, history entries included
    history: int  # history entries
    history_kept: int  # history entries the last compaction kept
    tables: dict[str, Entry]
    reviewers: dict[str, Entry]
    superseded: Entry
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The content of manifest.json."""
        return {
            "format": FORMAT, "version": VERSION, "journal": self.header.decode("utf-8"),
            "end": self.end, "tail": self.tail.hex(), "lines": self.lines,
            "records": self.records, "live": self.live, "history": self.history,
            "history_kept": self.history_kept, "tables": self.tables,
            "reviewers": self.reviewers, "superseded": self.superseded,
        }

    @classmethod
    def from_json(cls, folder: Path, data: Any) -> Manifest:
        """A manifest from manifest.json's content; IndexStale if it is not one."""
        try:
            if (data["format"], data["version"]) != (FORMAT, VERSION):
                raise IndexStale("another format")
            counts = {k: data[k] for k in ("end", "lines", "records", "live", "history",
                                           "history_kept")}
            manifest = cls(
                folder, data["journal"].encode("utf-8"), tail=bytes.fromhex(data["tail"]),
                tables=entries(data["tables"]), reviewers=entries(data["reviewers"]),
                superseded=entry(data["superseded"]), **counts,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexStale("a manifest that is not ours") from exc
        if not all(type(n) is int and n >= 0 for n in counts.values()):
            raise IndexStale("counts that are not counts")
        return manifest

    def _read(self, name: str, expected: Entry) -> bytes:
        try:
            data = (self.folder / name).read_bytes()
        except OSError as exc:
            raise IndexStale(f"{name} cannot be read") from exc
        if digest(data) != expected[1]:
            raise IndexStale(f"{name} is not the file the manifest names")
        return data

    def _span(self, start: Any, end: Any) -> Span:
        if not (type(start) is int and type(end) is int
                and len(self.header) <= start < end <= self.end):
            raise IndexStale("a pointer outside the journal")
        return start, end

    def pointers(self, table: str) -> dict[str, Span]:
        """Where the last record of each document of `table` lies ({} for a table the
        index does not know)."""
        expected = self.tables.get(table)
        if expected is None:
            return {}
        try:
            data = json.loads(self._read(file_key("t", table), expected))
            found = {str(i): self._span(*span) for i, span in data.items()}
        except (ValueError, TypeError, AttributeError) as exc:
            raise IndexStale(f"the pointers of {table} are damaged") from exc
        if len(found) != expected[0]:
            raise IndexStale(f"the pointers of {table} are incomplete")
        return found

    def history_of(self, reviewer: str) -> list[HistoryHead]:
        """A reviewer's latest history entries as the index saw them, oldest first."""
        expected = self.reviewers.get(reviewer)
        if expected is None:
            return []
        try:
            rows = json.loads(self._read(file_key("h", reviewer), expected))
            heads = [HistoryHead(i, t, s, u, self._span(a, b)) for i, t, s, u, a, b in rows]
        except (ValueError, TypeError) as exc:
            raise IndexStale(f"the history of {reviewer} is damaged") from exc
        if len(heads) != expected[0] or not all(
            type(h.id) is str and type(h.time) is str and h.state in ("done", "undone")
            and (h.undone_at is None or type(h.undone_at) is str) for h in heads
        ):
            raise IndexStale(f"the history of {reviewer} is damaged")
        return heads

    def superseded_starts(self) -> array[int]:
        """The sorted starts of the records a later record replaced."""
        found = self.cache.get(SUPERSEDED)
        if found is None:
            found = array("Q")
            if self.superseded[0]:
                found.frombytes(self._read(SUPERSEDED, self.superseded))
                if sys.byteorder != "little":
                    found.byteswap()
            if len(found) != self.superseded[0]:
                raise IndexStale("the superseded records are incomplete")
            self.cache[SUPERSEDED] = found
        return found


def entries(data: Any) -> dict[str, Entry]:
    """{name: entry} as the manifest holds it."""
    return {str(name): entry(value) for name, value in data.items()}


def entry(value: Any) -> Entry:
    """[count, sha1] as the manifest holds it."""
    count, sha = value
    if not (type(count) is int and count >= 0 and isinstance(sha, str)):
        raise ValueError("not an entry")
    return count, sha


def read_manifest(folder: Path, header: bytes, read: Reader, size: int) -> Manifest | None:
    """The index of the journal whose header is `header` and whose size is `size` (`read`
    gives its bytes), or None if there is none that describes it."""
    try:
        raw = (folder / MANIFEST).read_bytes()
        manifest = Manifest.from_json(folder, json.loads(raw))
    except (OSError, ValueError, IndexStale):
        return None
    if manifest.header != header or not len(header) <= manifest.end <= size:
        return None
    if read(manifest.end - len(manifest.tail), len(manifest.tail)) != manifest.tail:
        return None
    return manifest


def record_spans(data: bytes, start: int) -> list[tuple[str, str, int, int]]:
    """The table, id, start and end of each record of `data` — complete journal lines that
    begin at byte `start` — in journal order; IndexStale if a line is not laid out as
    `encode_line` lays lines out (one record, or a batch of records joined by ", ")."""
    spans: list[tuple[str, str, int, int]] = []
    pos = 0
    try:
        while pos < len(data):
            stop = data.index(b"\n", pos)
            if data.startswith(BATCH_HEAD, pos):
                body_end = stop - len(BATCH_END)
                heads = list(RECORD_HEAD.finditer(data, pos + len(BATCH_HEAD), body_end))
                if data[body_end:stop] != BATCH_END or not heads \
                        or heads[0].start() != pos + len(BATCH_HEAD):
                    raise IndexStale("a batch laid out otherwise")
                ends = [h.start() - len(RECORD_GAP) for h in heads[1:]] + [body_end]
                for head, end in zip(heads, ends, strict=True):
                    if end < body_end and data[end - 1 : end + 2] != b"}" + RECORD_GAP:
                        raise IndexStale("records joined otherwise")
                    spans.append((head.group(1).decode("utf-8"), head.group(2).decode("utf-8"),
                                  start + head.start(), start + end))
            else:
                single = RECORD_HEAD.match(data, pos)
                if single is None:
                    raise IndexStale("a line that is not a record")
                spans.append((single.group(1).decode("utf-8"),
                              single.group(2).decode("utf-8"), start + pos, start + stop))
            pos = stop + 1
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexStale("a line laid out otherwise") from exc
    return spans


@dataclass
class Fold:
    """The index being brought up to date with the journal's next lines."""

    base: Manifest | None
    keep: int
    pointers: dict[str, dict[str, Span]] = field(default_factory=dict)
    history: dict[str, dict[str, HistoryHead]] = field(default_factory=dict)
    superseded: list[int] = field(default_factory=list)
    new_documents: int = 0
    new_history: int = 0

    def table(self, name: str) -> dict[str, Span]:
        found = self.pointers.get(name)
        if found is None:
            found = self.pointers[name] = self.base.pointers(name) if self.base else {}
        return found

    def reviewer(self, name: str) -> dict[str, HistoryHead]:
        found = self.history.get(name)
        if found is None:
            heads = self.base.history_of(name) if self.base else []
            found = self.history[name] = {h.id: h for h in heads}
        return found

    def put(self, table: str, doc_id: str, span: Span, history: Mapping[str, Doc]) -> None:
        """Record that the last record of `doc_id` is now at `span`."""
        if table == HISTORY:
            entry = history.get(doc_id)
            if entry is None:
                raise IndexStale(f"history entry {doc_id} is not known")
            heads = self.reviewer(entry["reviewer"])
            old: Span | None = heads[doc_id].span if doc_id in heads else None
            heads[doc_id] = HistoryHead.of(entry, span)
            self.new_history += old is None
        else:
            pointers = self.table(table)
            old = pointers.get(doc_id)
            pointers[doc_id] = span
        if old is None:
            self.new_documents += 1
        else:
            self.superseded.append(old[0])


def fold(
    base: Manifest | None,
    folder: Path,
    header: bytes,
    data: bytes,
    history: Mapping[str, Doc],
    keep: int,
    history_kept: int,
) -> Manifest:
    """Bring the index `base` (None: none yet) up to the end of `data` — the complete journal
    lines that follow `base.end` (or the header) — and write the files that changed, the
    manifest last. `history`: the current document of every history entry recorded in
    `data`; `keep`: how many entries of each reviewer undo reaches."""
    start = base.end if base is not None else len(header)
    spans = record_spans(data, start)
    work = Fold(base, keep)
    for table, doc_id, begin, end in spans:
        work.put(table, doc_id, (begin, end), history)
    tables = dict(base.tables) if base else {}
    reviewers = dict(base.reviewers) if base else {}
    folder.mkdir(exist_ok=True)
    written: set[str] = set()
    for name, pointers in work.pointers.items():
        raw = json.dumps(pointers, separators=(",", ":")).encode("utf-8")
        tables[name] = write(folder, file_key("t", name), raw, len(pointers), written)
    for name, heads in work.history.items():
        rows = [h.to_json() for h in latest(list(heads.values()), keep)]
        raw = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        reviewers[name] = write(folder, file_key("h", name), raw, len(rows), written)
    superseded = base.superseded if base else (0, digest(b""))
    if work.superseded or base is None:
        starts = array("Q", sorted([*(base.superseded_starts() if base else ()),
                                    *work.superseded]))
        if sys.byteorder != "little":
            starts.byteswap()
        superseded = write(folder, SUPERSEDED, starts.tobytes(), len(starts), written)
    end = start + len(data)
    tail = ((header if base is None else base.tail) + data[-TAIL:])[-TAIL:]
    manifest = Manifest(
        folder, header, end, tail,
        lines=(base.lines if base else 1) + data.count(b"\n"),
        records=(base.records if base else 0) + len(spans),
        live=(base.live if base else 0) + work.new_documents,
        history=(base.history if base else 0) + work.new_history,
        history_kept=history_kept, tables=tables, reviewers=reviewers, superseded=superseded,
    )
    raw = (json.dumps(manifest.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    atomic_write_bytes(folder / MANIFEST, raw, durable=False)
    if base is None:
        remove_unlisted(folder, written | {MANIFEST})
    return replace(manifest, cache={})


def distrust(folder: Path) -> None:
    """Remove the manifest of an index found wrong: readers read the journal whole until a
    writer builds the index anew (never raises: a read-only store just keeps reading whole)."""
    with suppress(OSError):
        (folder / MANIFEST).unlink()


def write(folder: Path, name: str, raw: bytes, count: int, written: set[str]) -> Entry:
    """Replace one file of the index; its manifest entry."""
    atomic_write_bytes(folder / name, raw, durable=False)
    written.add(name)
    return count, digest(raw)


def remove_unlisted(folder: Path, listed: set[str]) -> None:
    """Delete what an index of another journal left behind (never raises: tidying only)."""
    with suppress(OSError):
        for path in folder.iterdir():
            if path.name not in listed and not path.name.startswith("."):
                with suppress(OSError):
                    path.unlink()
