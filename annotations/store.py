"""The annotation store: TinyDB over an append-only, fsync'd, multi-process journal.

`store/annotations.jsonl` is UTF-8 JSON lines. Line 1 is the header
`{"format": "shenyue-annotations", "schema_version": 1, "generation": …}`; every later
line is one atomic write: either one record `{"table": T, "id": ID, "doc": {…}}` or several
as `{"batch": [record, …]}`. A record puts a whole document; nothing is ever removed
(deleted marks are tombstones), so the state is "the last record of each id wins".

Marks live in one table per report (table name = report id); the undo history lives in
the table `_history`, reviewers' corrections of report metadata in the table `_meta`.
Every write takes the cross-process lock `store/.lock`, first applies
what other processes appended, then appends one line and fsyncs before returning. A last
line without its newline (a writer killed mid-append) is ignored by readers and moved to
`store/annotations.torn` by the next writer. When superseded records outnumber live ones
the journal is rewritten to a temporary file and atomically renamed over the old one.

What changed on disk is never decided by the file's size alone: a process re-reads from the
end of the last line it applied whenever anything lies beyond it, checks that this line is
still where it was, and a repair only ever removes bytes after the last newline. Every
record is checked (every field of its type and in range) as it is read; a journal that fails
any check is refused, and stays refused in that process until a full read succeeds.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from annotations.errors import StoreError
from annotations.fsutil import atomic_write_bytes, folder_lock
from annotations.messages import Message, say
from annotations.model import Annotation
from annotations.records import (
    LINKS_TABLE,
    META_TABLE,
    correction_problem,
    history_problem,
    is_int,
    link_problem,
    mark_problem,
    refuse_constant,
)

FORMAT = "shenyue-annotations"
SCHEMA_VERSION = 1
STORE_FILE = "annotations.jsonl"
TORN_FILE = "annotations.torn"
METACACHE_FILE = "corrections.cache.json"
HISTORY = "_history"
LINKS = LINKS_TABLE  # follow-through decisions: a plan of one report, evidence in the next
META = META_TABLE  # metadata corrections: a report's title, place, year, issuer or kind
COMPACT_MIN_SUPERSEDED = 10_000
HISTORY_KEEP = 1_000

Doc = dict[str, Any]
Tables = dict[str, dict[str, Doc]]
Put = tuple[str, str, Doc]

# the start of every record; user text cannot fake it because JSON escapes its quotes
# (table names are report ids and ids are UUIDs: neither holds a quote)
RECORD_HEAD = re.compile(rb'\{"table": "([^"]*)", "id": "([^"]*)", "doc": ')
META_HEAD = b'{"table": "_meta", "id": "'
BATCH_HEAD = b'{"batch": ['
BATCH_PATTERN = re.compile(re.escape(BATCH_HEAD))
NEWLINE = re.compile(b"\n")


def encode_line(puts: Sequence[Put]) -> bytes:
    """One journal line holding `puts` (a single record, or a batch written atomically)."""
    records = [{"table": t, "id": i, "doc": d} for t, i, d in puts]
    obj: Any = records[0] if len(records) == 1 else {"batch": records}
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


def damaged(path: Path, what: Message) -> StoreError:
    """The refusal for a journal we cannot trust; the file is left as it is."""
    return StoreError("store.damaged", path=str(path), what=what)


def report_tables(tables: Tables) -> list[str]:
    """The reports that have at least one mark (or tombstone), sorted."""
    return sorted(name for name in tables if is_report_table(name))


def is_report_table(name: str) -> bool:
    """Whether a table holds one report's marks (report ids never start with "_"; the
    store's own tables, such as the history, do)."""
    return not name.startswith("_")


def put_document(tables: Tables, copied: set[str], table: str, doc_id: str, doc: Doc) -> None:
    """Put `doc` into `tables`, copying its table first unless `copied` says this batch
    already did: whoever holds the old table dict sees no change."""
    if table not in copied:
        tables[table] = dict(tables.get(table, {}))
        copied.add(table)
    tables[table][doc_id] = doc


def unreadable(path: Path, exc: OSError) -> StoreError:
    """The refusal for a journal the system will not let us read."""
    return StoreError("store.unreadable", path=str(path), reason=str(exc.strerror),
                      folder=str(path.parent))


def decode_line(line: bytes, path: Path, number: int) -> list[Put]:
    """The records of one complete journal line, each checked; StoreError if it is not one
    of ours."""
    try:
        obj = json.loads(line, parse_constant=refuse_constant)
        records = obj.get("batch", [obj])
        puts = [(r["table"], r["id"], r["doc"]) for r in records]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise damaged(path, say("store.damaged_line_because", line=number,
                                problem=type(exc).__name__)) from exc
    for table, doc_id, doc in puts:
        problem = record_problem(table, doc_id, doc)
        if problem:
            raise damaged(path, say("store.damaged_line_because", line=number, problem=problem))
    return puts


def record_problem(table: Any, doc_id: Any, doc: Any) -> str | None:
    """Why one journal record is not well formed (its table and id must match its
    document), or None."""
    if not (isinstance(table, str) and isinstance(doc_id, str)):
        return "a record has no table or id"
    if table == HISTORY:
        problem = history_problem(doc)
        return problem or (None if doc["id"] == doc_id else f"history entry {doc_id} is misfiled")
    if table == LINKS:
        problem = link_problem(doc)
        return problem or (None if doc["id"] == doc_id else f"link {doc_id} is misfiled")
    if table == META:
        problem = correction_problem(doc)
        return problem or (None if doc["id"] == doc_id else f"correction {doc_id} is misfiled")
    problem = mark_problem(doc)
    if problem:
        return problem
    if (doc["report_id"], doc["id"]) != (table, doc_id):
        return f"mark {doc_id} is filed under another report or id"
    return None


def header_line() -> bytes:
    """A fresh header; its generation tells readers that the file was rewritten."""
    header = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "generation": uuid.uuid4().hex}
    return (json.dumps(header) + "\n").encode("utf-8")


def check_header(data: bytes, path: Path) -> bytes:
    """The header line of `data`, or StoreError saying why the file is not a store we can read."""
    end = data.find(b"\n")
    if end < 0:
        raise damaged(path, say("store.no_header"))
    try:
        header = json.loads(data[:end])
    except ValueError as exc:
        raise damaged(path, say("store.foreign_start")) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise damaged(path, say("store.foreign_header"))
    version: Any = header.get("schema_version")
    if not is_int(version):
        raise damaged(path, say("store.no_schema"))
    if version > SCHEMA_VERSION:
        raise StoreError("store.newer", path=str(path), version=version, supported=SCHEMA_VERSION)
    return data[: end + 1]


class JournalStorage(Storage):
    """A TinyDB storage that appends changed documents to a journal instead of rewriting.

    `read()` applies only the bytes appended since the last read (a changed header means
    the file was compacted: reload). `write()` appends the documents whose objects differ
    from the cached ones, so documents must be replaced, never mutated in place. The caller
    of `write()` holds the store lock and called `read()` under it.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.mutex = threading.RLock()
        self._tables: Tables = {}
        self._header = b""
        self._inode: int | None = None
        self._offset = 0  # end of the last complete line applied
        self._last_line = b""  # that line (or the header): it must still end at _offset
        self._lines = 0
        self._records = 0
        self._history_kept = 0  # history entries our last compaction kept: not worth another
        self._refused: StoreError | None = None  # damage seen: refuse until a full read passes

    # -- reading -------------------------------------------------------------------------

    def read(self) -> Tables:
        """The tables (a new top-level dict; tables and documents are shared, do not mutate)."""
        with self.mutex:
            self.refresh()
            return dict(self._tables)

    def refresh(self) -> None:
        """Apply whatever other processes wrote since the last call; StoreError if the
        journal is damaged (then every later call re-reads it whole until it is repaired)."""
        with self.mutex:
            try:
                stat = os.stat(self.path)
            except FileNotFoundError:
                if self._inode is not None or self._refused is not None:
                    self._reset()
                return
            except OSError as exc:
                raise unreadable(self.path, exc) from exc
            try:
                if self._refused is not None or stat.st_ino != self._inode:
                    self._load_all()
                elif stat.st_size != self._offset:  # new lines, or a torn tail to look at again
                    self._load_tail()
            except StoreError as exc:
                self._refused = exc
                raise
            except OSError as exc:
                raise unreadable(self.path, exc) from exc

    def _reset(self) -> None:
        self._tables, self._header, self._inode, self._refused = {}, b"", None, None
        self._offset, self._last_line, self._lines, self._records = 0, b"", 0, 0

    def _load_all(self) -> None:
        with open(self.path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
        header = check_header(data, self.path)
        tables: Tables = {}
        end, lines, records, last = self._parse(data, len(header), tables, 1)
        self._tables, self._header, self._inode = tables, header, stat.st_ino
        self._offset, self._lines, self._records = end, lines, records
        self._last_line = last or header
        self._refused = None

    def _load_tail(self) -> None:
        behind = len(self._last_line)
        with open(self.path, "rb") as handle:
            same_file = handle.read(len(self._header)) == self._header
            handle.seek(self._offset - behind)
            data = handle.read()
        if not same_file or data[:behind] != self._last_line:
            self._load_all()  # compacted on a reused inode, or changed under us: read it whole
            return
        tables = dict(self._tables)
        end, lines, records, last = self._parse(data, behind, tables, self._lines)
        self._tables, self._lines, self._records = tables, lines, self._records + records
        self._offset += end - behind
        self._last_line = last or self._last_line

    def _parse(
        self, data: bytes, start: int, tables: Tables, lines: int
    ) -> tuple[int, int, int, bytes]:
        """Apply the complete lines of `data[start:]` to `tables` (a torn last line waits
        for its writer; nothing of this object changes, so a refusal leaves it as it was).
        Returns where the applied lines end in `data`, the line number reached, the records
        applied and the last line applied (b"" if none)."""
        end = data.rfind(b"\n") + 1
        if end <= start:
            return start, lines, 0, b""
        records = 0
        copied: set[str] = set()
        for line in data[start : end - 1].split(b"\n"):
            lines += 1
            for table, doc_id, doc in decode_line(line, self.path, lines):
                put_document(tables, copied, table, doc_id, doc)
                records += 1
        return end, lines, records, data[data.rfind(b"\n", 0, end - 1) + 1 : end]

    # -- writing -------------------------------------------------------------------------

    def write(self, data: Tables) -> None:
        """Append every document of `data` that is not the cached object (one journal line)."""
        with self.mutex:
            puts: list[Put] = []
            for name, table in data.items():
                cached = self._tables.get(name)
                if table is cached:
                    continue
                cached = cached or {}
                puts.extend(
                    (name, doc_id, doc)
                    for doc_id, doc in table.items()
                    if cached.get(doc_id) is not doc
                )
            if puts:
                self.append(puts, dict(data))

    def append(self, puts: Sequence[Put], result: Tables | None = None) -> None:
        """Durably append `puts` as one line (caller holds the store lock, just refreshed);
        `result`, when given, is the tables with `puts` already applied."""
        with self.mutex:
            if self._inode is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(self.path, header_line())
                self._load_all()
            line = encode_line(puts)
            try:
                self._append_line(line)
            except OSError as exc:
                raise StoreError("store.append_failed", path=str(self.path),
                                 reason=str(exc.strerror)) from exc
            if result is None:
                result, copied = dict(self._tables), set[str]()
                for table, doc_id, doc in puts:
                    put_document(result, copied, table, doc_id, doc)
            self._tables = result
            self._lines += 1
            self._records += len(puts)
            self._offset += len(line)
            self._last_line = line
            history = len(self._tables.get(HISTORY, {}))
            marks = self.live() - history
            droppable = self.superseded() + history - self._history_kept
            if droppable > max(COMPACT_MIN_SUPERSEDED, 2 * marks):
                with suppress(OSError):  # the change itself is saved; a later write compacts
                    self.compact()

    def _append_line(self, line: bytes) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        try:
            size = os.fstat(fd).st_size
            if size != self._offset:
                self._set_aside_torn_tail(fd, size)
            written = 0
            while written < len(line):
                written += os.write(fd, line[written:])
            os.fsync(fd)
        finally:
            os.close(fd)

    def _set_aside_torn_tail(self, fd: int, size: int) -> None:
        """Move the bytes after the last complete line to TORN_FILE: what a writer killed
        mid-append left (under the lock no writer is mid-append). Anything else — a complete
        line this process has not applied, a file shorter than what it applied — is refused."""
        torn = os.pread(fd, size - self._offset, self._offset) if size > self._offset else b""
        if size < self._offset or b"\n" in torn:
            self._refused = damaged(self.path, say("store.changed_meanwhile"))
            raise self._refused
        with open(self.path.with_name(TORN_FILE), "ab") as keep:
            keep.write(torn + b"\n")
            keep.flush()
            os.fsync(keep.fileno())
        os.ftruncate(fd, self._offset)
        os.fsync(fd)

    # -- compaction ----------------------------------------------------------------------

    def live(self) -> int:
        """How many documents the tables hold."""
        return sum(len(t) for t in self._tables.values())

    def superseded(self) -> int:
        """How many records of the journal a later record replaced."""
        return self._records - self.live()

    def compact(self) -> None:
        """Rewrite the journal with only the live documents and each reviewer's latest
        HISTORY_KEEP history entries (caller holds the store lock)."""
        with self.mutex:
            parts = [header_line()]
            parts.extend(
                encode_line([(name, doc_id, doc)])
                for name, table in self._tables.items()
                for doc_id, doc in (
                    recent_history(table).items() if name == HISTORY else table.items()
                )
            )
            atomic_write_bytes(self.path, b"".join(parts))
            self._load_all()
            self._history_kept = len(self._tables.get(HISTORY, {}))

    def loaded(self) -> bool:
        """Whether this process has read the journal file."""
        return self._inode is not None

    def stamp(self) -> tuple[int, int, int] | None:
        """A token that changes whenever any process changed the journal (one stat)."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def recent_history(history: dict[str, Doc]) -> dict[str, Doc]:
    """Each reviewer's latest HISTORY_KEEP entries: how far back undo reaches."""
    by_reviewer: dict[str, list[Doc]] = {}
    for entry in history.values():
        by_reviewer.setdefault(entry["reviewer"], []).append(entry)
    kept: dict[str, Doc] = {}
    for entries in by_reviewer.values():
        entries.sort(key=lambda e: (e["time"], e["id"]))
        kept.update((e["id"], e) for e in entries[-HISTORY_KEEP:])
    return kept


class JournalTable(Table):
    """A table keyed by our own UUID strings (TinyDB reuses its integer ids after deletes)."""

    document_id_class = str  # type: ignore[assignment]


class JournalDB(TinyDB):
    """TinyDB whose writes replace whole documents, so the journal can diff by identity."""

    table_class = JournalTable

    def replace_documents(self, puts: Sequence[Put]) -> None:
        """Swap in new document objects, possibly in several tables, with one storage write."""
        tables = self.storage.read() or {}
        copied: set[str] = set()
        for table, doc_id, doc in puts:
            put_document(tables, copied, table, doc_id, doc)
        self.storage.write(tables)
        for name in copied:
            self.table(name).clear_cache()


# -- the store -------------------------------------------------------------------------------


class Store:
    """The marks of a workspace, with an undo history, safe for many processes at once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / STORE_FILE
        self.db = JournalDB(str(self.path), storage=JournalStorage)
        self.journal: JournalStorage = self.db.storage  # type: ignore[assignment]
        self._cache: dict[str, tuple[dict[str, Doc], list[Doc], list[Annotation] | None]] = {}

    def stamp(self) -> tuple[int, int, int] | None:
        """Changes whenever any process changed the store (one `os.stat`)."""
        return self.journal.stamp()

    def tables(self) -> Tables:
        """Every table, current as of now (do not mutate)."""
        return self.journal.read()

    def docs(self, report_id: str, tables: Tables | None = None) -> list[Doc]:
        """The documents of one report's marks, tombstones included, in (start, end, id)
        order (cached until the report's marks change); `tables`: a snapshot to use."""
        return self._sorted(report_id, tables)[1]

    def marks(self, report_id: str, tables: Tables | None = None) -> list[Annotation]:
        """`docs` as Annotation objects (cached likewise)."""
        table, docs, marks = self._sorted(report_id, tables)
        if marks is None:
            marks = [Annotation.from_json(doc) for doc in docs]
            self._cache[report_id] = (table, docs, marks)
        return marks

    def _sorted(
        self, report_id: str, tables: Tables | None
    ) -> tuple[dict[str, Doc], list[Doc], list[Annotation] | None]:
        table = (self.tables() if tables is None else tables).get(report_id, {})
        cached = self._cache.get(report_id)
        if cached is not None and cached[0] is table:
            return cached
        docs = sorted(table.values(), key=lambda d: (d["start"], d["end"], d["id"]))
        self._cache[report_id] = (table, docs, None)
        return table, docs, None

    def find(self, mark_id: str) -> Doc | None:
        """The current document of a mark, searched in every report."""
        for name, table in self.tables().items():
            if is_report_table(name) and mark_id in table:
                return table[mark_id]
        return None

    def search(self, needle: str) -> list[Doc]:
        """The live marks whose quote or comment contains `needle`.

        When this process has not loaded the journal yet (a command-line lookup), the file
        is searched as bytes and only the records that hold `needle` are parsed.
        """
        if self.journal.loaded():
            return [
                doc
                for name, table in self.tables().items()
                if is_report_table(name)
                for doc in table.values()
                if not doc["deleted"] and (needle in doc["quote"] or needle in doc["comment"])
            ]
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:  # the store folder is a file, a symlink loop, unreadable
            raise unreadable(self.path, exc) from exc
        return scan_journal(data, self.path, needle)

    def corrections(self) -> list[Doc]:
        """Every metadata correction, tombstones included. When this process has not loaded
        the journal (`shenyue list`), they come from a cache that is brought up to date by
        reading only what was appended since it was written (see metacache.py)."""
        if self.journal.loaded():
            return list(self.tables().get(META, {}).values())
        from annotations.metacache import cached_corrections

        return cached_corrections(self.path, self.folder / METACACHE_FILE)

    @contextmanager
    def _writing(self) -> Iterator[Tables]:
        """Hold this process's and every other process's write lock; yields the tables as
        they are on disk now."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = folder_lock(self.folder / ".lock")
            with self.journal.mutex, lock:
                yield self.journal.read()
        except OSError as exc:
            raise StoreError("store.write_failed", folder=str(self.folder),
                             reason=str(exc.strerror)) from exc

    def change(
        self,
        reviewer: str,
        build: Callable[[Tables], tuple[Message | None, list[Put]]],
        now: str,
        *,
        undoable: bool = True,
    ) -> list[Doc]:
        """Write the documents `build` returns (it gets the tables as they are on disk, under
        the lock, and returns a summary and the documents) in one durable line, with the
        history entry that undoes them; returns the documents written."""
        with self._writing() as tables:
            summary, puts = build(tables)
            if not puts:
                return []
            if undoable:
                assert summary is not None  # only a change that writes nothing has none
                changes = [
                    {"report_id": t, "id": i, "before": tables.get(t, {}).get(i), "after": None,
                     "stamp": fingerprint(d)}
                    for t, i, d in puts
                ]
                entry: Doc = {"id": uuid.uuid4().hex, "reviewer": reviewer, "time": now,
                         "summary": str(summary), "message": summary.to_json(),
                         "changes": changes, "state": "done",
                         "undone_at": None}
                puts = [*puts, (HISTORY, entry["id"], entry)]
            self.db.replace_documents(puts)
            return [d for t, _i, d in puts if t != HISTORY]

    def undo(self, reviewer: str, now: str) -> tuple[Message, set[str]] | None:
        """Restore what `reviewer`'s latest change replaced (a mark it added becomes a
        tombstone); returns a description and the reports touched, or None."""
        with self._writing() as tables:
            mine = reviewer_history(tables, reviewer)
            done = [e for e in mine if e["state"] == "done"]
            if not done:
                return None
            entry = max(done, key=lambda e: (e["time"], e["id"]))
            puts: list[Put] = []
            changes: list[Doc] = []
            for c in entry["changes"]:
                current = tables.get(c["report_id"], {}).get(c["id"])
                if current is None or fingerprint(current) != c["stamp"]:
                    changes.append(c)  # changed since by someone else: theirs, not ours to undo
                    continue
                before = c["before"]
                restored = ({**before, "updated": now} if before is not None
                            else {**current, "deleted": True, "updated": now})
                puts.append((c["report_id"], c["id"], restored))
                changes.append({**c, "after": current, "stamp": fingerprint(restored)})
            undone: Doc = {**entry, "changes": changes, "state": "undone", "undone_at": now}
            self.db.replace_documents([*puts, (HISTORY, entry["id"], undone)])
            return describe("undid", entry, len(puts)), {t for t, _i, _d in puts}

    def redo(self, reviewer: str, now: str) -> tuple[Message, set[str]] | None:
        """Re-apply `reviewer`'s most recently undone change, unless they made a new change
        after that undo (a new change ends the redo chain); a description and the reports
        touched, or None."""
        with self._writing() as tables:
            mine = reviewer_history(tables, reviewer)
            undone = [e for e in mine if e["state"] == "undone"]
            if not undone:
                return None
            entry = max(undone, key=lambda e: (e["undone_at"], e["id"]))
            if max(e["time"] for e in mine) > entry["undone_at"]:
                return None
            puts: list[Put] = []
            changes: list[Doc] = []
            for c in entry["changes"]:
                current = tables.get(c["report_id"], {}).get(c["id"])
                after = c["after"]
                if after is None or current is None or fingerprint(current) != c["stamp"]:
                    changes.append(c)
                    continue
                again = {**after, "updated": now}
                puts.append((c["report_id"], c["id"], again))
                changes.append({**c, "after": None, "stamp": fingerprint(again)})
            redone: Doc = {**entry, "changes": changes, "state": "done", "undone_at": None}
            self.db.replace_documents([*puts, (HISTORY, entry["id"], redone)])
            return describe("redid", entry, len(puts)), {t for t, _i, _d in puts}


def scan_journal(data: bytes, path: Path, needle: str) -> list[Doc]:
    """`Store.search` on the raw bytes of a journal: find `needle` as it is written in JSON,
    keep the hits that fall in the last record of a mark, parse just those records."""
    begin = len(check_header(data, path))
    end = data.rfind(b"\n") + 1  # a torn last line is not part of the store
    heads = [(m.start(), m.group(1), m.group(2)) for m in RECORD_HEAD.finditer(data, begin, end)]
    check_line_shapes(data, begin, end, [at for at, _t, _i in heads], path)
    latest = {(table, doc_id): k for k, (_at, table, doc_id) in enumerate(heads)}
    starts = [at for at, _t, _i in heads]
    pattern = json.dumps(needle, ensure_ascii=False)[1:-1].encode("utf-8")
    decoder = json.JSONDecoder()
    found: list[Doc] = []
    at = data.find(pattern, begin, end)
    while at >= 0:
        k = bisect.bisect_right(starts, at) - 1
        next_start = starts[k + 1] if k + 1 < len(starts) else end
        if k < 0 or heads[k][1].startswith(b"_") or latest[heads[k][1:]] != k:
            at = data.find(pattern, next_start, end)  # not a mark's current record
            continue
        if field_at(data, starts[k], at) not in SEARCHED_FIELDS:
            at = data.find(pattern, at + 1, end)  # in the context or a date: look further
            continue
        try:
            doc = decoder.raw_decode(data[starts[k] : next_start].decode("utf-8"))[0]["doc"]
        except (ValueError, KeyError, TypeError) as exc:
            raise damaged(path, say("store.damaged_byte", byte=starts[k])) from exc
        problem = record_problem(heads[k][1].decode(), heads[k][2].decode(), doc)
        if problem:
            raise damaged(path, say("store.damaged_byte_because", byte=starts[k], problem=problem))
        if not doc["deleted"] and (needle in doc["quote"] or needle in doc["comment"]):
            found.append(doc)
        at = data.find(pattern, next_start, end)
    return found


def check_line_shapes(data: bytes, begin: int, end: int, heads: list[int], path: Path) -> None:
    """Refuse, without parsing it, a journal whose lines are not each one record or one batch
    of records (a foreign line, or a line that lost its end and was glued to the next)."""
    if end <= begin:
        return
    line_starts = [begin, *(m.end() for m in NEWLINE.finditer(data, begin, end - 1))]
    head_set = set(heads)
    for number, at in enumerate(line_starts, 2):
        line_end = line_starts[number - 1] - 1 if number - 1 < len(line_starts) else end - 1
        batch = data.startswith(BATCH_HEAD, at)
        if not ((at in head_set or (batch and at + len(BATCH_HEAD) in head_set))
                and data[line_end - 1 : line_end] == b"}"):
            raise damaged(path, say("store.damaged_line", line=number))
    line = 0
    for at in heads:  # a record that does not open its line must follow another in a batch
        while line + 1 < len(line_starts) and line_starts[line + 1] <= at:
            line += 1
        if at != line_starts[line] and not (
            data.startswith(BATCH_HEAD, line_starts[line])
            and (at == line_starts[line] + len(BATCH_HEAD) or data[at - 3 : at] == b"}, ")
        ):
            raise damaged(path, say("store.damaged_line", line=line + 2))
    opening = set(line_starts)
    for found in BATCH_PATTERN.finditer(data, begin, end):
        if found.start() not in opening:
            raise damaged(path, say("store.damaged_batch"))


# what re-anchoring changes: not an edit, so undo may still restore across it
ANCHORING = frozenset({"updated", "start", "end", "prefix", "suffix", "text_sha256", "orphan"})


def fingerprint(doc: Doc) -> str:
    """What a mark says (its quote, tag, comment…), whenever and wherever it was saved: tells
    undo whether someone changed it since."""
    content = {k: v for k, v in doc.items() if k not in ANCHORING}
    return hashlib.sha1(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


SEARCHED_FIELDS = (b"quote", b"comment")


def field_at(data: bytes, record_start: int, at: int) -> bytes:
    """The key of the JSON string value that holds byte `at` (an escaped string never holds
    the bytes `": "`, so the nearest of them before `at` ends its key)."""
    key_end = data.rfind(b'": "', record_start, at)
    return data[data.rfind(b'"', record_start, key_end) + 1 : key_end]


def reviewer_history(tables: Tables, reviewer: str) -> list[Doc]:
    """The history entries of one reviewer."""
    return [e for e in tables.get(HISTORY, {}).values() if e["reviewer"] == reviewer]


def describe(verb: str, entry: Doc, applied: int) -> Message:
    """`undid: add plan mark «…»`, noting marks someone else changed in between."""
    change = (Message.from_json(entry.get("message"))
              or say("change.recorded", summary=entry["summary"]))
    skipped = len(entry["changes"]) - applied
    if skipped:
        return say(f"history.{verb}_partly", change=change, count=skipped)
    return say(f"history.{verb}", change=change)
