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

A process reads the journal whole only when it needs every table (or when the index does
not describe the journal): otherwise `store/index/` (storeindex.py) says where each
document's last record lies, and a table is read — record by record, from the journal —
the first time it is asked for. The journal stays the one truth; the index only points.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import mmap
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from annotations.errors import StoreError
from annotations.fsutil import atomic_write_bytes, folder_lock
from annotations.markscan import Candidate, found_in_doc, found_in_record
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
from annotations.storeindex import (
    BATCH_HEAD,
    FOLD_BYTES,
    HISTORY,
    INDEX_FOLDER,
    RECORD_HEAD,
    HistoryHead,
    IndexStale,
    Manifest,
    distrust,
    fold,
    latest,
    read_manifest,
)

FORMAT = "shenyue-annotations"
SCHEMA_VERSION = 1
STORE_FILE = "annotations.jsonl"
TORN_FILE = "annotations.torn"
METACACHE_FILE = "corrections.cache.json"
LINKS = LINKS_TABLE  # follow-through decisions: a plan of one report, evidence in the next
META = META_TABLE  # metadata corrections: a report's title, place, year, issuer or kind
COMPACT_MIN_SUPERSEDED = 10_000
HISTORY_KEEP = 1_000
HEADER_MAX = 4096  # a header line is about 100 bytes
FOLD_WAITS = (0.01, 0.05)  # s: how long a reader waits for a fold it may have met halfway
TAIL_SEARCH = 1 << 20  # bytes at the journal's end in which a search looks for its last line
LAST_BYTES = 4096  # before the index's end: what must still be there at the next look

Doc = dict[str, Any]
TableDict = dict[str, dict[str, Doc]]
Tables = MutableMapping[str, dict[str, Doc]]  # what a change's `build` gets: see TableView
Put = tuple[str, str, Doc]
Buffer = bytes | mmap.mmap  # a journal's bytes, read or mapped

META_HEAD = b'{"table": "_meta", "id": "'
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


def report_tables(names: Iterable[str]) -> list[str]:
    """The reports that have at least one mark (or tombstone), sorted."""
    return sorted(name for name in names if is_report_table(name))


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


def new_id() -> str:
    """A fresh random id (uuid is imported here: only writers need one, and readers start
    faster without it)."""
    import uuid

    return uuid.uuid4().hex


def header_line() -> bytes:
    """A fresh header; its generation tells readers that the file was rewritten."""
    header = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "generation": new_id()}
    return (json.dumps(header) + "\n").encode("utf-8")


def check_header(data: Buffer, path: Path) -> bytes:
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


class TableView(MutableMapping[str, dict[str, Doc]]):
    """The tables as `JournalStorage.read` gives them: a table is read the first time it is
    asked for, then stays as it was in this view. Naming every table costs nothing; going
    through all of them (`items`, `values`) reads the journal whole first."""

    def __init__(self, storage: JournalStorage) -> None:
        self._storage = storage
        self._seen: TableDict = {}

    def __getitem__(self, name: str) -> dict[str, Doc]:
        table = self._seen.get(name)
        if table is None:
            table = self._storage.table(name)
            if table is None:
                raise KeyError(name)
            self._seen[name] = table
        return table

    def __setitem__(self, name: str, table: dict[str, Doc]) -> None:
        self._seen[name] = table

    def __delitem__(self, name: str) -> None:
        self._seen.pop(name, None)  # nothing is removed from the journal: it reads again

    def __contains__(self, name: object) -> bool:
        return name in self._seen or (isinstance(name, str) and name in self._storage.names())

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._storage.names() | self._seen.keys()))

    def __len__(self) -> int:
        return len(self._storage.names() | self._seen.keys())

    def items(self) -> Any:
        """Every table (the journal is read whole first, once)."""
        return self.everything().items()

    def values(self) -> Any:
        """Every table (the journal is read whole first, once)."""
        return self.everything().values()

    def everything(self) -> TableDict:
        """Every table, as this view sees them."""
        return {**self._storage.all_tables(), **self._seen}

    def touched(self) -> TableDict:
        """The tables read or replaced through this view: only these can hold changes."""
        return self._seen


class JournalStorage(Storage):
    """A TinyDB storage that appends changed documents to a journal instead of rewriting.

    `read()` applies only the bytes appended since the last read (a changed header means
    the file was compacted: reload). `write()` appends the documents whose objects differ
    from the cached ones, so documents must be replaced, never mutated in place. The caller
    of `write()` holds the store lock and called `read()` under it.

    A table is read from the index (see storeindex.py) unless the journal was read whole:
    then `_complete` is set and `_tables` holds every table. Otherwise `_tables` holds the
    tables read so far, `_pending` what was appended after the index's end to the others.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.index_folder = self.path.parent / INDEX_FOLDER
        self.mutex = threading.RLock()
        self._tables: TableDict = {}
        self._complete = False  # `_tables` holds every table: the journal was read whole
        self._index: Manifest | None = None  # else the index the other tables are read from
        self._pending: TableDict = {}  # their records after the index's end
        self._file: BinaryIO | None = None  # the journal the index points into, kept open
        self._index_end: int | None = None  # the end of the index on disk, as last seen
        self._header = b""
        self._inode: int | None = None
        self._offset = 0  # end of the last complete line applied
        self._last_line = b""  # that line (or the bytes before): it must still end at _offset
        self._lines = 0
        self._records = 0
        self._history_kept = 0  # history entries the last compaction kept: not worth another
        self._refused: StoreError | None = None  # damage seen: refuse until a full read passes

    # -- reading -------------------------------------------------------------------------

    def read(self) -> TableView:  # type: ignore[override]  # a Mapping: TinyDB needs no more
        """The tables, current as of now (tables and documents are shared: do not mutate)."""
        with self.mutex:
            self.refresh()
            return TableView(self)

    def read_all(self) -> TableView:
        """`read`, with every table read already (the journal read whole)."""
        with self.mutex:
            self.refresh()
            self.all_tables()
            return TableView(self)

    def all_tables(self) -> TableDict:
        """Every table as of the last refresh (the journal is read whole if it was not)."""
        with self.mutex:
            if not self._complete and self._inode is not None:
                self._guarded(self._load_all)
            return self._tables

    def table(self, name: str) -> dict[str, Doc] | None:
        """One table as of the last refresh, read now if it was not yet; None if there is
        no such table."""
        with self.mutex:
            table = self._tables.get(name)
            if table is not None or self._complete or self._index is None:
                return table
            if name == HISTORY:  # the index keeps only what undo reaches
                return self.all_tables().get(name)
            if name not in self._index.tables and name not in self._pending:
                return None
            return self._guarded(lambda: self._read_table(name))

    def names(self) -> set[str]:
        """The name of every table."""
        with self.mutex:
            names = set(self._tables)
            if not self._complete and self._index is not None:
                names.update(self._pending, self._index.tables)
                if self._index.history:
                    names.add(HISTORY)
            return names

    def refresh(self) -> None:
        """Apply whatever other processes wrote since the last call; StoreError if the
        journal is damaged (then every later call re-reads it whole until it is repaired)."""
        with self.mutex:
            try:
                stat = os.stat(self.path)
            except FileNotFoundError:
                if self._inode is not None or self._refused is not None or not self._complete:
                    self._reset()
                return
            except OSError as exc:
                raise unreadable(self.path, exc) from exc
            if self._refused is not None:
                self._guarded(self._load_all)
            elif stat.st_ino != self._inode:
                self._guarded(self._open)
            elif stat.st_size != self._offset:  # new lines, or a torn tail to look at again
                self._guarded(self._load_tail)

    def _guarded(self, load: Callable[[], Any]) -> Any:
        """Run a read of the journal: a refusal sticks until a full read passes."""
        try:
            return load()
        except StoreError as exc:
            self._refused = exc
            raise
        except OSError as exc:
            raise unreadable(self.path, exc) from exc

    def _reset(self) -> None:
        self._set_state(tables={}, complete=True, index=None, pending={}, file=None, header=b"",
                        inode=None, offset=0, last_line=b"", lines=0, records=0)

    def _set_state(self, *, tables: TableDict, complete: bool, index: Manifest | None,
                   pending: TableDict, file: BinaryIO | None, header: bytes, inode: int | None,
                   offset: int, last_line: bytes, lines: int, records: int) -> None:
        """Switch to what a read found (nothing changes until it has all passed)."""
        if self._file is not None and self._file is not file:
            self._file.close()
        self._tables, self._complete, self._index, self._pending = tables, complete, index, pending
        self._file, self._header, self._inode, self._offset = file, header, inode, offset
        self._last_line, self._lines, self._records = last_line, lines, records
        self._refused = None
        self._index_end = None if index is None else index.end  # None: look on the next write
        if index is not None:
            self._history_kept = index.history_kept

    def _load_all(self) -> None:
        with open(self.path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
        header = check_header(data, self.path)
        tables: TableDict = {}
        end, lines, records, last = self._parse(data, len(header), tables, None, 1)
        self._set_state(tables=tables, complete=True, index=None, pending={}, file=None,
                        header=header, inode=stat.st_ino, offset=end, last_line=last or header,
                        lines=lines, records=records)

    def open_indexed(self) -> bool:
        """Start on the journal through its index, if there is one that describes it: True
        if the journal is read now (through the index or before), False if it is left
        unread (there is no journal, or no index of it)."""
        with self.mutex:
            if self._inode is None:
                try:
                    self._guarded(lambda: self._open(whole=False))
                except StoreError as exc:
                    if not isinstance(exc.__cause__, FileNotFoundError):
                        raise  # no journal yet is no refusal: the caller looks no further
            return self._inode is not None

    def _open(self, *, whole: bool = True) -> None:
        """Start on the journal: through its index when the index describes it, else whole
        (or, with `whole=False`, not at all)."""
        handle: BinaryIO = open(self.path, "rb", buffering=0)  # noqa: SIM115  # kept open
        try:
            fd = handle.fileno()
            stat = os.fstat(fd)
            start = os.pread(fd, HEADER_MAX, 0)
            index = None
            if b"\n" in start:
                header = check_header(start, self.path)
                index = read_manifest(self.index_folder, header,
                                      lambda at, n: os.pread(fd, n, at), stat.st_size)
            if index is None:
                handle.close()
                if whole:
                    self._load_all()
                return
            data = os.pread(fd, stat.st_size - index.end, index.end)
            pending: TableDict = {}
            end, lines, records, last = self._parse(data, 0, pending, None, index.lines)
            if not last:  # the bytes before the index's end stand for the line that ends there
                behind = min(LAST_BYTES, index.end)
                last = os.pread(fd, behind, index.end - behind)
        except BaseException:
            handle.close()
            raise
        self._set_state(tables={}, complete=False, index=index, pending=pending, file=handle,
                        header=header, inode=stat.st_ino, offset=index.end + end,
                        last_line=last, lines=lines, records=index.records + records)

    def _load_tail(self) -> None:
        behind = len(self._last_line)
        with open(self.path, "rb") as handle:
            same_file = handle.read(len(self._header)) == self._header
            handle.seek(self._offset - behind)
            data = handle.read()
        if not same_file or data[:behind] != self._last_line:
            self._load_all()  # compacted on a reused inode, or changed under us: read it whole
            return
        tables, pending = dict(self._tables), dict(self._pending)
        routed = None if self._complete else pending
        end, lines, records, last = self._parse(data, behind, tables, routed, self._lines)
        self._tables, self._pending = tables, pending
        self._lines, self._records = lines, self._records + records
        self._offset += end - behind
        self._last_line = last or self._last_line

    def _parse(
        self, data: bytes, start: int, tables: TableDict, pending: TableDict | None, lines: int,
    ) -> tuple[int, int, int, bytes]:
        """Apply the complete lines of `data[start:]` to `tables` — or to `pending`, when
        given, if `tables` has not read their table — copying each table before its first
        change (a torn last line waits for its writer; nothing of this object changes, so a
        refusal leaves it as it was). Returns where the applied lines end in `data`, the
        line number reached, the records applied and the last line applied (b"" if none)."""
        end = data.rfind(b"\n") + 1
        if end <= start:
            return start, lines, 0, b""
        records = 0
        copied: set[str] = set()
        copied_pending: set[str] = set()
        for line in data[start : end - 1].split(b"\n"):
            lines += 1
            for table, doc_id, doc in decode_line(line, self.path, lines):
                if pending is not None and table not in tables:
                    put_document(pending, copied_pending, table, doc_id, doc)
                else:
                    put_document(tables, copied, table, doc_id, doc)
                records += 1
        return end, lines, records, data[data.rfind(b"\n", 0, end - 1) + 1 : end]

    def _read_table(self, name: str) -> dict[str, Doc] | None:
        """Read one table through the index (caller checked that the index or the records
        after it name the table); the journal whole if the index does not describe it."""
        for pause in (*FOLD_WAITS, None):
            assert self._index is not None
            try:
                docs = {doc_id: self._record_at(name, doc_id, span)
                        for doc_id, span in self._index.pointers(name).items()}
                break
            except IndexStale:
                if pause is None:
                    distrust(self.index_folder)
                    self._load_all()
                    return self._tables.get(name)
                if not self._adopt_index():  # another process folded since: take its index
                    time.sleep(pause)  # or is folding now: its manifest is written last
                if self._complete:
                    return self._tables.get(name)
        docs.update(self._pending.pop(name, {}))
        self._tables = {**self._tables, name: docs}
        return docs

    def _adopt_index(self) -> bool:
        """Take the index on disk instead of the one read at the start, if it describes the
        journal this process reads and ends no later than what the process applied (reading
        on first if need be). The records after the old index's end stay in `_pending`:
        applied again over the new index they change nothing."""
        assert self._file is not None
        fd = self._file.fileno()
        index = read_manifest(self.index_folder, self._header,
                              lambda at, n: os.pread(fd, n, at), os.fstat(fd).st_size)
        if index is None or index == self._index:
            return False
        if index.end > self._offset:
            self._load_tail()
        if self._complete or index.end > self._offset:
            return self._complete
        self._index, self._index_end = index, index.end
        return True

    def _record_at(self, table: str, doc_id: str, span: tuple[int, int]) -> Doc:
        """The document of the record the index says is at `span`, checked."""
        assert self._file is not None
        start, end = span
        data = os.pread(self._file.fileno(), end - start, start)
        head = RECORD_HEAD.match(data)
        if head is None or head.groups() != (table.encode(), doc_id.encode()):
            raise IndexStale(f"no record of {doc_id} at byte {start}")
        try:
            doc = json.loads(data, parse_constant=refuse_constant)["doc"]
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise IndexStale(f"the record at byte {start} does not end where it should") from exc
        problem = record_problem(table, doc_id, doc)
        if problem:
            raise damaged(self.path, say("store.damaged_byte_because", byte=start, problem=problem))
        return doc

    # -- undo history --------------------------------------------------------------------

    def history_heads(self, reviewer: str) -> list[HistoryHead]:
        """The latest HISTORY_KEEP history entries of `reviewer` as of the last refresh,
        oldest first: how far back undo reaches."""
        with self.mutex:
            if self._complete:
                heads = [HistoryHead.of(e) for e in self._tables.get(HISTORY, {}).values()
                         if e["reviewer"] == reviewer]
                return latest(heads, HISTORY_KEEP)
            assert self._index is not None
            try:
                indexed = self._index.history_of(reviewer)
            except IndexStale:
                distrust(self.index_folder)
                self._guarded(self._load_all)
                return self.history_heads(reviewer)
            found = {h.id: h for h in indexed}
            for entry in self._pending.get(HISTORY, {}).values():
                if entry["reviewer"] == reviewer:
                    found[entry["id"]] = HistoryHead.of(entry)
            return latest(list(found.values()), HISTORY_KEEP)

    def last_change(self, reviewer: str, *, undone: bool) -> Doc | None:
        """What undo takes back (`undone=False`: the reviewer's latest change still done) or
        redo re-applies (`undone=True`), as `choose` picks it; the whole history entry."""
        with self.mutex:
            head = choose(self.history_heads(reviewer), undone=undone)
            entry = None if head is None else self._history_entry(head)
            if head is not None and entry is None:  # the index was wrong: ask the journal
                distrust(self.index_folder)
                self._guarded(self._load_all)
                head = choose(self.history_heads(reviewer), undone=undone)
                entry = None if head is None else self._tables[HISTORY][head.id]
            return entry

    def _history_entry(self, head: HistoryHead) -> Doc | None:
        """The history entry `head` names, or None if it is not what `head` says."""
        span = head.span
        if span is None:  # read from the journal: held in memory
            entry = (self._tables if self._complete else self._pending)[HISTORY][head.id]
        else:
            try:
                entry = self._guarded(lambda: self._record_at(HISTORY, head.id, span))
            except IndexStale:
                return None
        return entry if HistoryHead.of(entry, head.span) == head else None

    # -- writing -------------------------------------------------------------------------

    def write(self, data: Mapping[str, dict[str, Doc]]) -> None:
        """Append every document of `data` that is not the cached object (one journal line)."""
        with self.mutex:
            changed = data.touched() if isinstance(data, TableView) else data
            puts: list[Put] = []
            tables: TableDict = {}
            for name, table in changed.items():
                cached = self.table(name) or {}
                if table is cached:
                    continue
                tables[name] = table
                puts.extend(  # by identity; by value when the table was read again meanwhile
                    (name, doc_id, doc)
                    for doc_id, doc in table.items()
                    if cached.get(doc_id) is not doc and cached.get(doc_id) != doc
                )
            if puts:
                self.append(puts, tables)

    def append(self, puts: Sequence[Put], tables: TableDict | None = None) -> None:
        """Durably append `puts` as one line (caller holds the store lock, just refreshed);
        `tables`, when given, are the tables `puts` changed, with `puts` applied."""
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
            if tables is None:
                tables = {}
                for table, doc_id, doc in puts:
                    if self._complete or table in self._tables:
                        if table not in tables:  # a copy: whoever holds the old one sees no change
                            tables[table] = dict(self._tables.get(table, {}))
                        tables[table][doc_id] = doc
                    else:
                        self._pending.setdefault(table, {})[doc_id] = doc
            self._tables = {**self._tables, **tables}
            self._lines += 1
            self._records += len(puts)
            self._offset += len(line)
            self._last_line = line
            self._after_append()

    def _after_append(self) -> None:
        """Compact when superseded records are due; fold what was appended into the index
        once it is FOLD_BYTES long (the change itself is saved: a failure here is not one)."""
        if self._complete:
            history = len(self._tables.get(HISTORY, {}))
            if self.compaction_due(self.live(), history, self.superseded()):
                with suppress(OSError):  # the change itself is saved; a later write compacts
                    self.compact()
                    return
        if self._index_end is not None and self._offset - self._index_end < FOLD_BYTES:
            return
        with suppress(OSError, StoreError):
            manifest = self.fold_index()
            if manifest is not None and not self._complete and self.compaction_due(
                manifest.live, manifest.history, manifest.records - manifest.live
            ):
                self.compact()

    def compaction_due(self, live: int, history: int, superseded: int) -> bool:
        """Whether superseded records and old history outnumber the live marks (and are at
        least COMPACT_MIN_SUPERSEDED)."""
        marks = live - history
        droppable = superseded + history - self._history_kept
        return droppable > max(COMPACT_MIN_SUPERSEDED, 2 * marks)

    def fold_index(self) -> Manifest | None:
        """Bring the index on disk up to this process's end of the journal (store lock
        held): fold in the lines after the index's end, or build it anew if there is none
        that describes the journal. None if the journal cannot be indexed."""
        with self.mutex, open(self.path, "rb") as handle:
            fd = handle.fileno()
            if os.fstat(fd).st_ino != self._inode:
                return None
            base = read_manifest(self.index_folder, self._header,
                                 lambda at, n: os.pread(fd, n, at), self._offset)
            if base is not None and self._offset - base.end < FOLD_BYTES:
                self._index_end = base.end
                return base
            if base is None and not self._complete:
                self._load_all()  # no index to start from: every history entry is needed
            start = base.end if base is not None else len(self._header)
            data = os.pread(fd, self._offset - start, start)
            history = (self._tables if self._complete else self._pending).get(HISTORY, {})
            try:
                manifest = fold(base, self.index_folder, self._header, data, history,
                                HISTORY_KEEP, self._history_kept)
            except IndexStale:
                if base is not None:  # its files went, or it is older than what we read
                    distrust(self.index_folder)
                    return self.fold_index()
                self._index_end = self._offset  # not laid out as we write: try again later
                return None
        self._index_end = manifest.end
        if not self._complete:
            self._index, self._pending = manifest, {}
        return manifest

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
        """How many documents the tables hold (the journal read whole)."""
        return sum(len(t) for t in self._tables.values())

    def superseded(self) -> int:
        """How many records of the journal a later record replaced (the journal read whole)."""
        return self._records - self.live()

    def compact(self) -> None:
        """Rewrite the journal with only the live documents and each reviewer's latest
        HISTORY_KEEP history entries, then index it (caller holds the store lock)."""
        with self.mutex:
            tables = self.all_tables()
            parts = [header_line()]
            parts.extend(
                encode_line([(name, doc_id, doc)])
                for name, table in tables.items()
                for doc_id, doc in (
                    recent_history(table).items() if name == HISTORY else table.items()
                )
            )
            atomic_write_bytes(self.path, b"".join(parts))
            self._load_all()
            self._history_kept = len(self._tables.get(HISTORY, {}))
            self._index_end = None
            with suppress(OSError):  # the journal is compacted; the next write indexes it
                self.fold_index()

    def loaded(self) -> bool:
        """Whether this process has read the journal file (whole, or through the index)."""
        return self._inode is not None

    def complete(self) -> bool:
        """Whether this process holds every table (it read the journal whole)."""
        return self._complete and self._inode is not None

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
        """Swap in new document objects, possibly in several tables, with one storage write
        (caller holds the store lock and read the tables under it); a table not read yet is
        not read for this."""
        storage: JournalStorage = self.storage  # type: ignore[assignment]
        storage.append(puts)
        for name in {table for table, _i, _d in puts}:
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
        """The tables, current as of now; each is read when first asked for (do not mutate)."""
        return self.journal.read()

    def everything(self) -> Tables:
        """`tables`, every one of them read already (the journal read whole)."""
        return self.journal.read_all()

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
        for name, table in self.everything().items():
            if is_report_table(name) and mark_id in table:
                return table[mark_id]
        return None

    def search(self, needle: str) -> list[Candidate]:
        """The marks whose quote or comment seems to contain `needle`, each read (and then
        None if deleted or not containing it after all) when its `found` is called.

        Unless this process holds every table, the journal is searched as bytes and only the
        records that hold `needle` are parsed (see `scan_journal`).
        """
        if self.journal.complete():
            return [
                Candidate(name, partial(found_in_doc, doc, needle))
                for name, table in self.tables().items()
                if is_report_table(name)
                for doc in table.values()
                if needle in doc["quote"] or needle in doc["comment"]
            ]
        try:
            with open(self.path, "rb") as handle, complete_lines(handle) as data:
                return scan_journal(data, self.path, needle, self.journal.index_folder)
        except FileNotFoundError:
            return []
        except OSError as exc:  # the store folder is a file, a symlink loop, unreadable
            raise unreadable(self.path, exc) from exc

    def corrections(self) -> list[Doc]:
        """Every metadata correction, tombstones included: through the index when this
        process has not read the journal (`shenyue list`); from a cache brought up to date by
        reading only what was appended since it was written when there is no index of it
        (see metacache.py)."""
        if self.journal.loaded() or self.journal.open_indexed():
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
                entry: Doc = {"id": new_id(), "reviewer": reviewer, "time": now,
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
            entry = self.journal.last_change(reviewer, undone=False)
            if entry is None:
                return None
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
            entry = self.journal.last_change(reviewer, undone=True)
            if entry is None:
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


def choose(heads: list[HistoryHead], *, undone: bool) -> HistoryHead | None:
    """The entry undo takes back — the latest (by time) still done — or, with `undone`, the
    one redo re-applies: the one undone last, unless a change was made after that undo."""
    if not undone:
        return max((h for h in heads if h.state == "done"), key=HistoryHead.key, default=None)
    last = max((h for h in heads if h.state == "undone"),
               key=lambda h: (h.undone_at or "", h.id), default=None)
    if last is None or max(h.time for h in heads) > (last.undone_at or ""):
        return None
    return last


RECORD_START = b'{"table": "'


@contextmanager
def complete_lines(handle: BinaryIO) -> Iterator[Buffer]:
    """The journal's complete lines, mapped into memory rather than read (a search touches
    each byte once; copying 100 MB costs as much again). Only what lies before the last
    newline is mapped: a writer may cut what follows (a torn tail), and touching a page
    cut away would kill the process."""
    fd = handle.fileno()
    size = os.fstat(fd).st_size
    tail = os.pread(fd, min(size, TAIL_SEARCH), size - min(size, TAIL_SEARCH))
    end = size - len(tail) + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
    if end == 0:  # no line, or a last line longer than TAIL_SEARCH: read it all
        yield os.pread(fd, size, 0)
        return
    with mmap.mmap(fd, end, access=mmap.ACCESS_READ) as data:
        yield data


def scan_journal(
    data: Buffer, path: Path, needle: str, index_folder: Path | None = None
) -> list[Candidate]:
    """`Store.search` on the raw bytes of a journal: find `needle` as it is written in JSON,
    keep the hits that fall in the last record of a mark, each to be read when asked (see
    markscan.py). Which
    record is the last of its mark: before the end of the index in `index_folder` (when it
    describes the journal), the index says; after it, the records' heads do."""
    header = check_header(data, path)
    end = data.rfind(b"\n") + 1  # a torn last line is not part of the store
    index = None if index_folder is None else read_manifest(
        index_folder, header, lambda at, n: data[at : at + n], len(data))
    superseded: Sequence[int] = ()
    if index is not None:
        try:
            superseded = index.superseded_starts()
        except IndexStale:
            distrust(index.folder)
            index = None
    begin = index.end if index is not None else len(header)  # lines before were checked
    heads = [(m.start(), m.group(1), m.group(2)) for m in RECORD_HEAD.finditer(data, begin, end)]
    check_line_shapes(data, begin, end, [at for at, _t, _i in heads], path)
    last = {(table, doc_id): at for at, table, doc_id in heads}

    def current(at: int, table: bytes, doc_id: bytes) -> bool:
        known = last.get((table, doc_id))
        if known is not None:
            return known == at
        k = bisect.bisect_left(superseded, at)  # before the index's end: unless replaced
        return not (k < len(superseded) and superseded[k] == at)

    pattern = json.dumps(needle, ensure_ascii=False)[1:-1].encode("utf-8")
    found: list[Candidate] = []
    first = len(header)
    at = data.find(pattern, first, end)
    while at >= 0:
        if field_at(data, first, at) not in SEARCHED_FIELDS:
            at = data.find(pattern, at + 1, end)  # in the context or a date: look further
            continue
        start = data.rfind(RECORD_START, first, at)
        head = RECORD_HEAD.match(data, start) if start >= 0 else None
        if head is None:
            raise damaged(path, say("store.damaged_byte", byte=at))
        following = data.find(RECORD_START, at, end)
        next_start = following if following >= 0 else end
        table, doc_id = head.groups()
        if table.startswith(b"_") or not current(start, table, doc_id):
            at = data.find(pattern, next_start, end)  # not a mark's current record
            continue
        parse = partial(parse_mark, path=path, start=start)
        found.append(Candidate(table.decode(), partial(
            found_in_record, data[start:next_start], needle, parse)))
        at = data.find(pattern, next_start, end)
    return found


def parse_mark(record: bytes, path: Path, start: int) -> Doc:
    """The checked document of the mark record at byte `start`; StoreError if it is not one."""
    try:
        obj = json.JSONDecoder().raw_decode(record.decode("utf-8"))[0]
        table, doc_id, doc = obj["table"], obj["id"], obj["doc"]
    except (ValueError, KeyError, TypeError) as exc:
        raise damaged(path, say("store.damaged_byte", byte=start)) from exc
    problem = record_problem(table, doc_id, doc)
    if problem:
        raise damaged(path, say("store.damaged_byte_because", byte=start, problem=problem))
    return doc


def check_line_shapes(data: Buffer, begin: int, end: int, heads: list[int], path: Path) -> None:
    """Refuse, without parsing it, a journal whose lines are not each one record or one batch
    of records (a foreign line, or a line that lost its end and was glued to the next)."""
    if end <= begin:
        return
    line_starts = [begin, *(m.end() for m in NEWLINE.finditer(data, begin, end - 1))]
    head_set = set(heads)
    for number, at in enumerate(line_starts, 2):
        line_end = line_starts[number - 1] - 1 if number - 1 < len(line_starts) else end - 1
        batch = data[at : at + len(BATCH_HEAD)] == BATCH_HEAD
        if not ((at in head_set or (batch and at + len(BATCH_HEAD) in head_set))
                and data[line_end - 1 : line_end] == b"}"):
            raise damaged(path, say("store.damaged_line", line=number))
    line = 0
    for at in heads:  # a record that does not open its line must follow another in a batch
        while line + 1 < len(line_starts) and line_starts[line + 1] <= at:
            line += 1
        if at != line_starts[line] and not (
            data[line_starts[line] : line_starts[line] + len(BATCH_HEAD)] == BATCH_HEAD
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


def field_at(data: Buffer, first: int, at: int) -> bytes:
    """The key of the JSON string value that holds byte `at` (an escaped string never holds
    the bytes `": "`, so the nearest of them before `at` ends its key); `first`: where to
    look no further back."""
    key_end = data.rfind(b'": "', first, at)
    return data[data.rfind(b'"', first, key_end) + 1 : key_end]


def describe(verb: str, entry: Doc, applied: int) -> Message:
    """`undid: add plan mark «…»`, noting marks someone else changed in between."""
    change = (Message.from_json(entry.get("message"))
              or say("change.recorded", summary=entry["summary"]))
    skipped = len(entry["changes"]) - applied
    if skipped:
        return say(f"history.{verb}_partly", change=change, count=skipped)
    return say(f"history.{verb}", change=change)
