"""The store's index (storeindex.py): whatever is written, by whom, whatever crashes or goes
missing, what a process reads through the index is what the whole journal says — and it
reads only what it needs."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotations import Workspace
from annotations import store as store_module
from annotations.messages import Message, say
from annotations.records import META_TABLE
from annotations.store import HISTORY, STORE_FILE, Doc, Put, Store, Tables, scan_journal
from annotations.storeindex import INDEX_FOLDER, MANIFEST, digest, file_key, read_manifest
from benchmarks.bench_cli import make_reports
from tests.test_reliability import ROOT, printed_ids
from tests.test_store import mark_doc


def said(summary: str) -> Message:
    """A change summary, as the history records it."""
    return say("change.recorded", summary=summary)

REVIEWERS = ("甲", "乙")
REPORTS = ("r1", "r2", "r3")


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fold, compact and trim history after a few writes instead of thousands."""
    monkeypatch.setattr(store_module, "FOLD_BYTES", 1_500)
    monkeypatch.setattr(store_module, "COMPACT_MIN_SUPERSEDED", 12)
    monkeypatch.setattr(store_module, "HISTORY_KEEP", 4)


def time_of(step: int) -> str:
    """A time as `now_iso` writes it, later with every step."""
    return f"2026-01-01T{step // 3600:02d}:{step // 60 % 60:02d}:{step % 60:02d}.000000Z"


def whole(folder: Path) -> dict[str, dict[str, Doc]]:
    """Every table as the whole journal says (the index is not used)."""
    return dict(Store(folder).everything().items())


def manifest_of(folder: Path) -> Any:
    """The index as it is on disk, checked against the journal (None if it does not hold)."""
    data = (folder / STORE_FILE).read_bytes()
    header = data[: data.index(b"\n") + 1]
    return read_manifest(folder / INDEX_FOLDER, header, lambda at, n: data[at : at + n],
                         len(data))


@contextmanager
def bytes_read() -> Iterator[list[int]]:
    """How many bytes this process read meanwhile (the kernel's count: /proc/self/io)."""
    def rchar() -> int:
        text = Path("/proc/self/io").read_text()
        return int(next(line for line in text.splitlines() if line.startswith("rchar")).split()[1])

    found: list[int] = []
    before = rchar()
    yield found
    found.append(rchar() - before)


def same_as_the_journal(folder: Path, *stores: Store) -> bool:
    """A fresh process reading through the index, and each running one, see every table,
    every reviewer's undo history and every lookup exactly as the whole journal says; True
    if the fresh one read through the index."""
    truth = whole(folder)
    fresh = Store(folder)
    for store in (fresh, *stores):
        view = store.tables()
        for name in sorted(set(truth) - {HISTORY}):
            assert view.get(name) == truth[name], name
        assert set(view) == set(truth)
    reference = Store(folder)
    reference.everything()
    for reviewer in REVIEWERS:
        expected = reference.journal.history_heads(reviewer)
        got = fresh.journal.history_heads(reviewer)
        assert [(h.id, h.state, h.undone_at) for h in got] == \
            [(h.id, h.state, h.undone_at) for h in expected]
        for undone in (False, True):
            assert fresh.journal.last_change(reviewer, undone=undone) == \
                reference.journal.last_change(reviewer, undone=undone)
    indexed = manifest_of(folder) is not None if (folder / STORE_FILE).exists() else False
    assert not (indexed and fresh.journal.complete())  # an index that holds is used
    data = (folder / STORE_FILE).read_bytes() if (folder / STORE_FILE).exists() else b""
    for needle in ("法治", "备注1", "改") if data else ():
        found = scan_journal(data, folder / STORE_FILE, needle, folder / INDEX_FOLDER)
        read_whole = scan_journal(data, folder / STORE_FILE, needle, None)
        assert sorted(f.mark_id for c in found if (f := c.found())) == \
            sorted(f.mark_id for c in read_whole if (f := c.found()))
    return indexed


class Scene:
    """Two processes (two stores on one folder) writing, with the index losing out."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stores = [Store(folder), Store(folder)]
        self.where: dict[str, str] = {}  # mark id → report
        self.step = 0
        self.saved: Path | None = None  # an earlier copy of the index folder

    def now(self) -> str:
        self.step += 1
        return time_of(self.step)

    def add(self, who: int, report: str, count: int) -> None:
        now = self.now()
        ids = [f"m{self.step}x{n}" for n in range(count)]
        puts: list[Put] = [(report, i, mark_doc(i, report, reviewer=REVIEWERS[who], created=now,
                                     updated=now, comment=f"备注{i}")) for i in ids]
        self.stores[who].change(REVIEWERS[who], lambda _t: (said("add"), puts), now)
        self.where.update(dict.fromkeys(ids, report))

    def edit(self, who: int, pick: int, delete: bool) -> None:
        if not self.where:
            return
        mark_id = sorted(self.where)[pick % len(self.where)]
        report, now = self.where[mark_id], self.now()

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            doc = tables[report][mark_id]
            changed = {**doc, "updated": now, "deleted": delete, "comment": f"改{self.step}"}
            return said("edit"), [(report, mark_id, changed)]

        self.stores[who].change(REVIEWERS[who], build, now)

    def correct(self, who: int, report: str, year: int) -> None:
        now = self.now()
        doc: Doc = {"id": f"{report}:year", "report_id": report, "field": "year",
                    "value": year, "reviewer": REVIEWERS[who], "updated": now, "deleted": False}
        put: Put = (META_TABLE, doc["id"], doc)
        self.stores[who].change(REVIEWERS[who], lambda _t: (said("correct"), [put]), now)

    def undo(self, who: int, redo: bool) -> None:
        store = self.stores[who]
        (store.redo if redo else store.undo)(REVIEWERS[who], self.now())

    def compact(self, who: int) -> None:
        with self.stores[who]._writing():
            self.stores[who].journal.compact()

    def torn(self, length: int) -> None:
        if not (self.folder / STORE_FILE).exists():
            return
        with (self.folder / STORE_FILE).open("ab") as handle:  # a writer killed mid-append
            handle.write(b'{"batch": [{"table": "r1", "id": "torn'[:length])

    def lose(self, how: int) -> None:
        index = self.folder / INDEX_FOLDER
        files = sorted(index.glob("*.json")) if index.is_dir() else []
        if how == 0:
            shutil.rmtree(index, ignore_errors=True)
        elif how == 1 and files:
            files[0].write_bytes(files[0].read_bytes()[: files[0].stat().st_size // 2])
        elif how == 2 and files:
            (index / MANIFEST).unlink(missing_ok=True)
        elif how == 3 and index.is_dir():
            self.saved = self.folder.parent / f"saved{self.step}"
            shutil.rmtree(self.saved, ignore_errors=True)
            shutil.copytree(index, self.saved)
        elif how == 4 and self.saved is not None:  # an earlier index, maybe of another generation
            shutil.rmtree(index, ignore_errors=True)
            shutil.copytree(self.saved, index)


STEPS = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 1), st.sampled_from(REPORTS), st.integers(1, 3)),
    st.tuples(st.just("edit"), st.integers(0, 1), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("correct"), st.integers(0, 1), st.sampled_from(REPORTS),
              st.integers(1990, 2030)),
    st.tuples(st.just("undo"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("compact"), st.integers(0, 1)),
    st.tuples(st.just("torn"), st.integers(1, 30)),
    st.tuples(st.just("lose"), st.integers(0, 4)),
)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEPS, min_size=3, max_size=40))
def test_any_writes_by_two_processes_read_the_same_through_the_index(
    small: None, steps: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scene = Scene(Path(tmp) / "store")
        for name, *args in steps:
            getattr(scene, name)(*args)
            indexed = same_as_the_journal(scene.folder, *scene.stores)
            event("read through the index" if indexed else "read whole")


# -- what a fresh process reads ------------------------------------------------------------------


def filled(folder: Path, reports: int, per_report: int, batch: int = 200) -> Store:
    """A store with `per_report` marks on each of `reports` reports, written in batches."""
    store = Store(folder)
    items = [(f"r{r}", f"m{r}x{n}") for n in range(per_report) for r in range(reports)]
    for first in range(0, len(items), batch):
        now = time_of(first)
        puts: list[Put] = [
            (rid, mid, mark_doc(mid, rid, comment=f"备注{mid}", created=now, updated=now))
            for rid, mid in items[first : first + batch]]

        def build(_tables: Tables, puts: list[Put] = puts) -> tuple[Message, list[Put]]:
            return said("add"), puts

        store.change("甲", build, now)
    return store


def test_a_fresh_process_reads_one_report_not_the_journal(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    filled(folder, reports=200, per_report=25)
    size = (folder / STORE_FILE).stat().st_size
    assert size > 2_000_000
    fresh = Store(folder)
    with bytes_read() as read:
        marks = fresh.marks("r7")
    assert [m.id for m in marks] == sorted(f"m7x{n}" for n in range(25))
    assert not fresh.journal.complete()
    tail = size - manifest_of(folder).end  # parsed by every process: at most FOLD_BYTES
    assert read[0] < tail + size / 50  # and the index's manifest, one table, 25 records
    assert [m.id for m in fresh.marks("r7")] == [m.id for m in Store(folder).marks("r7")]
    with bytes_read() as read_whole:
        everything = whole(folder)
    assert read_whole[0] >= size and everything["r7"] == fresh.tables()["r7"]


def test_undo_reads_the_reviewers_last_change_not_the_history(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    filled(folder, reports=100, per_report=40, batch=400)  # ten history entries of 400 marks
    writer = Store(folder)
    doc = mark_doc("last", "r3", comment="最后", created=time_of(9_000), updated=time_of(9_000))
    writer.change("甲", lambda _t: (said("add «最后»"), [("r3", "last", doc)]), time_of(9_000))
    size = (folder / STORE_FILE).stat().st_size
    fresh = Store(folder)
    with bytes_read() as read:
        outcome = fresh.undo("甲", time_of(9_001))
    assert outcome is not None and (str(outcome[0]), outcome[1]) == ("undid: add «最后»", {"r3"})
    assert read[0] < size - manifest_of(folder).end + size / 50
    assert whole(folder)["r3"]["last"]["deleted"] is True
    redone = Store(folder).redo("甲", time_of(9_002))
    assert redone is not None and (str(redone[0]), redone[1]) == ("redid: add «最后»", {"r3"})
    assert whole(folder)["r3"]["last"]["deleted"] is False


READ_BYTES = """
import sys, contextlib, io
from pathlib import Path
from tui.cli import main
import datetime, filelock, tempfile, uuid  # what a writer imports when it writes: not data

def rchar():
    text = Path("/proc/self/io").read_text()
    return int(next(l for l in text.splitlines() if l.startswith("rchar")).split()[1])

before = rchar()
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(code, rchar() - before)
"""


def test_fresh_commands_read_little_of_a_large_journal(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    make_reports(files, 50)
    home = tmp_path / "ws"
    ws = Workspace.open(home, reviewer="甲", seed=False)
    ws.import_paths([files])
    rids = [m.id for m in ws.reports()]
    for first in range(0, 6_000, 1_000):
        ws.annotate_many({"report_id": rids[n % 50], "start": n % 900, "end": n % 900 + 20,
                          "tag": "plan", "comment": f"第{n}"} for n in range(first, first + 1_000))
    size = (home / "store" / STORE_FILE).stat().st_size
    rid = rids[2]
    start = ws.report(rid).text.index("法治")

    def read_by(*args: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", READ_BYTES, "--home", str(home), "--reviewer", "甲", *args],
            capture_output=True, text=True, cwd=ROOT, check=True)
        code, count = result.stdout.split()
        assert code == "0", result.stderr
        return int(count)

    annotate = read_by("annotate", rid, "--start", str(start), "--end", str(start + 2),
                       "--tag", "plan")
    undo = read_by("undo")
    show = read_by("show", rid)
    # what is left: the report library (the index of 50 reports, one text), one report's
    # 120 marks and the store's index
    for count in (annotate, undo, show):
        assert count < size / 10, (annotate, undo, show, size)
    assert len(Workspace.open(home).annotations(rid)) == 120


# -- an index that does not describe the journal -------------------------------------------------


def forged_pointers(index: Path) -> None:
    """Swap two pointers of one table and make the manifest name the forged file."""
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    path = index / file_key("t", "r1")
    pointers = json.loads(path.read_text(encoding="utf-8"))
    first, second = sorted(pointers)[:2]
    pointers[first], pointers[second] = pointers[second], pointers[first]
    raw = json.dumps(pointers).encode()
    path.write_bytes(raw)
    manifest["tables"]["r1"] = [len(pointers), digest(raw)]
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff{")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "index deleted": lambda index: shutil.rmtree(index),
    "manifest deleted": lambda index: (index / MANIFEST).unlink(),
    "manifest truncated": lambda index: truncated(index / MANIFEST),
    "pointers truncated": lambda index: truncated(index / file_key("t", "r1")),
    "pointers deleted": lambda index: (index / file_key("t", "r1")).unlink(),
    "pointers forged": forged_pointers,
    "manifest of garbage": lambda index: garbage(index / MANIFEST),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_index_is_never_believed_and_the_next_write_rebuilds_it(
    tmp_path: Path, damage: str
) -> None:
    folder = tmp_path / "store"
    writer = filled(folder, reports=5, per_report=30, batch=20)
    assert manifest_of(folder) is not None
    DAMAGE[damage](folder / INDEX_FOLDER)
    same_as_the_journal(folder)
    doc = mark_doc("after", "r2", created=time_of(5_000), updated=time_of(5_000))
    Store(folder).change("乙", lambda _t: (said("add"), [("r2", "after", doc)]), time_of(5_000))
    manifest = manifest_of(folder)
    assert manifest is not None and manifest.end == (folder / STORE_FILE).stat().st_size
    same_as_the_journal(folder, writer)


def test_an_index_of_another_generation_or_an_earlier_point_is_handled(
    tmp_path: Path, small: None
) -> None:
    folder = tmp_path / "store"
    filled(folder, reports=4, per_report=10, batch=5)
    earlier = tmp_path / "earlier"
    shutil.copytree(folder / INDEX_FOLDER, earlier)
    filled(folder, reports=4, per_report=20, batch=5)  # the same ids again: superseded
    index = folder / INDEX_FOLDER
    shutil.rmtree(index)
    shutil.copytree(earlier, index)  # older, of this journal: good, with a longer tail
    same_as_the_journal(folder)
    old_generation = tmp_path / "old-generation"
    shutil.copytree(folder / INDEX_FOLDER, old_generation)
    store = Store(folder)
    with store._writing():
        store.journal.compact()
    shutil.rmtree(index)
    shutil.copytree(old_generation, index)
    assert manifest_of(folder) is None
    same_as_the_journal(folder)


# -- kill -9 ---------------------------------------------------------------------------------------

WRITER = """
import sys
import annotations.store
annotations.store.FOLD_BYTES = 3_000  # fold every few marks: kills land inside folds too
from annotations import Workspace
home, reviewer, report_id = sys.argv[1], sys.argv[2], sys.argv[3]
ws = Workspace.open(home, reviewer=reviewer)
for i in range(1_000_000):
    start = (i * 7) % 2000
    mark = ws.annotate(report_id, start, start + 5, "plan", f"{reviewer} {i}")
    print(mark.id, flush=True)
"""


def test_kill_9_while_the_index_is_written_loses_nothing_and_misleads_no_one(
    tmp_path: Path
) -> None:
    home = tmp_path / "ws"
    report_id = Workspace.open(home).resolve("常州").id
    rng = random.Random(13)
    confirmed: list[str] = []
    for round_ in range(10):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(home), f"k{round_}",
                                  report_id], stdout=subprocess.PIPE, cwd=ROOT)
        time.sleep(rng.uniform(0.4, 0.9))
        os.kill(child.pid, signal.SIGKILL)
        output, _ = child.communicate()
        confirmed.extend(printed_ids(output))
        fresh = Workspace.open(home)
        through_index = {m.id for m in fresh.annotations(report_id)}
        assert manifest_of(home / "store") is None or not fresh.store.journal.complete()
        assert set(confirmed) <= through_index
        assert through_index == {m.id for m in Workspace.open(home).annotations()}
    assert len(confirmed) > 10
    same_as_the_journal(home / "store")
