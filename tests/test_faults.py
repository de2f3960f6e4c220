"""The fault-injection pass of issue 15, items 5–7: hostile names, odd export targets,
damaged folders and indexes, signals, killed imports. Every output path is checked for raw
control characters; every failure must be one line and an exit code, never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from annotations.errors import UserError
from annotations.fsutil import remove_stale_temporaries
from annotations.library import ReportLibrary
from annotations.workspace import Workspace
from benchmarks.terminal import SHENYUE, PtyProcess, run_in_pty, shenyue_env
from tests.appkit import app_test, open_workspace, seed_id
from tui.app import ShenyueApp
from tui.screens.comment import CommentScreen
from tui.screens.library import LibraryScreen
from tui.screens.review import ReviewScreen
from tui.widgets.status import StatusBar

CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"  # OSC 52: write "pwned" to the clipboard
WINDOW_TITLE = "\x1b]2;pwned\x07"  # OSC 2: set the window title
HOSTILE = (CLIPBOARD, WINDOW_TITLE)
REPORT = "某县2021年法治政府建设年度报告\n一、主要成效\n审查规范性文件{n}件。\n"
SIZE = (120, 40)


def no_raw_controls(output: bytes | str) -> None:
    """Neither hostile sequence, nor any OSC or BEL, reached the terminal."""
    data = output.encode() if isinstance(output, str) else output
    assert b"\x1b]" not in data and b"\x07" not in data and b"pwned" not in data, data[-600:]


def one_line_error(stderr: bytes | str) -> None:
    """A failure told as one sentence (after any table), never a traceback."""
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text
    assert text.strip().splitlines()[-1].startswith("shenyue: "), text


def shenyue(home: Path, *args: str, env: dict[str, str] | None = None,
            stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[bytes]:
    """`shenyue --home HOME ARGS` in a fresh process, output piped."""
    return subprocess.run([SHENYUE, "--home", str(home), *args], capture_output=True,
                          env=env or shenyue_env(), timeout=120, stdin=stdin, check=False)


def hostile_folder(root: Path, good: int = 5) -> Path:
    """A folder of reports named with OSC 52 and OSC 2 sequences, one of them empty (so it
    is refused and its name appears in the reason)."""
    folder = root / "incoming"
    folder.mkdir()
    for n in range(good):
        (folder / f"r{n}{HOSTILE[n % 2]}.txt").write_text(REPORT.format(n=n), encoding="utf-8")
    (folder / f"empty{CLIPBOARD}.txt").write_bytes(b"")
    return folder


# -- item 5: terminal safety ---------------------------------------------------------------


def test_import_piped_shows_no_control_characters(tmp_path: Path) -> None:
    result = shenyue(tmp_path / "ws", "import", str(hostile_folder(tmp_path)))
    assert result.returncode == 1  # one file refused
    no_raw_controls(result.stdout + result.stderr)
    assert b"refused\t" in result.stderr and b"empty" in result.stderr


def test_import_on_a_terminal_shows_no_control_characters(tmp_path: Path) -> None:
    # five files or more: the progress bar, then the table
    code, output = run_in_pty([SHENYUE, "--home", str(tmp_path / "ws"), "import",
                               str(hostile_folder(tmp_path))])
    assert code == 1
    no_raw_controls(output)
    assert b"already present" in output or b"imported" in output


def test_a_refused_file_is_one_clean_line(tmp_path: Path) -> None:
    bad = tmp_path / f"empty{CLIPBOARD}{WINDOW_TITLE}.txt"
    bad.write_bytes(b"")
    for code, output in (
        (lambda r: (r.returncode, r.stdout + r.stderr))(shenyue(tmp_path / "ws", "import",
                                                                str(bad))),
        run_in_pty([SHENYUE, "--home", str(tmp_path / "ws"), "import", str(bad)]),
    ):
        assert code == 1
        no_raw_controls(output)


def merge_file(tmp_path: Path) -> Path:
    """A native export with a mark on a report this workspace lacks, its title hostile."""
    path = tmp_path / "colleague.json"
    mark = {"id": "0b0f3c7e-0000-4000-8000-000000000001", "report_id": "abcdef123456",
            "text_sha256": "0" * 64, "start": 0, "end": 2, "quote": "某县", "prefix": "",
            "suffix": "", "tag": "plan", "comment": "", "reviewer": "li",
            "created": "2024-01-01T00:00:00Z", "updated": "2024-01-01T00:00:00Z",
            "orphan": False, "deleted": False}
    data = {"format": "shenyue", "version": 1,
            "reports": [{"id": "abcdef123456", "title": f"标题{CLIPBOARD}{WINDOW_TITLE}"}],
            "annotations": [mark]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_merge_files_title_reaches_no_terminal_raw(tmp_path: Path) -> None:
    path = merge_file(tmp_path)
    piped = shenyue(tmp_path / "ws", "merge", str(path))
    assert piped.returncode == 1 and b"\xe6\xa0\x87\xe9\xa2\x98" in piped.stderr  # 标题
    no_raw_controls(piped.stdout + piped.stderr)
    one_line_error(piped.stderr)
    code, output = run_in_pty([SHENYUE, "--home", str(tmp_path / "ws"), "merge", str(path)])
    assert code == 1
    no_raw_controls(output)


def test_index_titles_are_cleaned_for_list(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    index = home / "reports" / "index.json"
    rows = json.loads(index.read_text(encoding="utf-8"))
    rows[0]["title"] += CLIPBOARD
    rows[0]["issuer"] = WINDOW_TITLE
    index.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    piped = shenyue(home, "list")
    assert piped.returncode == 0
    no_raw_controls(piped.stdout)
    code, output = run_in_pty([SHENYUE, "--home", str(home), "list"])
    assert code == 0
    no_raw_controls(output)


def test_a_reviewer_name_is_cleaned_and_trimmed_once(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    ws = Workspace.open(home, reviewer=f"wang{CLIPBOARD} ")
    assert ws.reviewer == "wang"
    assert Workspace.open(home, reviewer="wa\u0301ng ").reviewer == "w\u00e1ng"  # NFC
    env = shenyue_env(SHENYUE_REVIEWER=f" li{CLIPBOARD}{WINDOW_TITLE} ")
    rid = seed_id(ws, "dalian")
    result = shenyue(home, "annotate", rid, "--start", "0", "--end", "4", "--tag", "plan",
                     env=env)
    assert result.returncode == 0, result.stderr
    assert [m.reviewer for m in ws.annotations(rid)] == ["li"]
    code, output = run_in_pty([SHENYUE, "--home", str(home), "lookup", "大连"], env)
    assert code == 0
    no_raw_controls(output)


@app_test
async def test_the_status_bar_shows_a_clean_name_and_my_marks_stay_mine(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws", reviewer=f"wang{CLIPBOARD} ")
    rid = seed_id(ws, "dalian")
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert len(ws.annotations(rid)) == 1
        await pilot.press("a")  # the same key on my own mark removes it: it is mine
        assert ws.annotations(rid) == []
        assert isinstance(app.screen, ReviewScreen)
        status = app.screen.query_one("#status", StatusBar).text.plain
        assert " wang " in status
        no_raw_controls(status)


@app_test
async def test_the_import_toasts_show_no_control_characters(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    folder = hostile_folder(tmp_path)
    app = ShenyueApp(ws)
    said: list[str] = []
    app.notify = lambda message, *a, **k: said.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LibraryScreen)
        app.screen.import_path(str(folder))
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.import_path(f"{tmp_path}/missing{CLIPBOARD}")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert len(said) >= 3  # the summary, the refusal, the missing path
    assert any("empty" in message for message in said)
    for message in said:
        no_raw_controls(message)


def test_error_messages_are_cleaned_where_they_are_made() -> None:
    error = UserError("file.missing", path=f"a{CLIPBOARD}b\nc{WINDOW_TITLE}")
    assert str(error) == "ab c: no such file; check the path."
    assert error.message.params["path"] == "ab c"  # as each interface words it


# -- item 6: export onto links, pipes and devices --------------------------------------------


def test_export_onto_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = shenyue(home, "export", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert json.loads(real.read_text(encoding="utf-8"))["format"] == "shenyue"
    dangling = tmp_path / "later.json"
    dangling.symlink_to(tmp_path / "made-by-export.json")
    assert shenyue(home, "export", "-o", str(dangling)).returncode == 0
    assert dangling.is_symlink() and (tmp_path / "made-by-export.json").is_file()


def test_export_into_a_fifo_writes_through_it(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    fifo = tmp_path / "marks.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = shenyue(home, "export", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(received[0])["format"] == "shenyue"
    assert fifo.is_fifo()


def test_export_to_stdout_by_name_and_to_a_terminal_device(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    link = tmp_path / "out.json"
    link.symlink_to("/dev/stdout")
    result = shenyue(home, "export", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["format"] == "shenyue" and link.is_symlink()
    direct = shenyue(home, "export", "-o", "/dev/stdout")
    assert direct.returncode == 0 and json.loads(direct.stdout)["format"] == "shenyue"
    assert Path("/dev/stdout").is_symlink()
    # a terminal's own device (a character device): written through, never replaced
    code, output = run_in_pty(["sh", "-c", f'exec "{SHENYUE}" --home "{home}" export -o "$(tty)"'])
    assert code == 0 and b'"format": "shenyue"' in output


# -- item 7: one-line errors -----------------------------------------------------------------


@pytest.mark.parametrize("damage", ["file", "loop", "unreadable", "foreign line"])
def test_lookup_refuses_a_store_the_other_commands_refuse(tmp_path: Path, damage: str) -> None:
    home = tmp_path / "ws"
    ws = Workspace.open(home)
    rid = seed_id(ws, "dalian")
    ws.annotate(rid, 0, 4, "plan", "行政复议")
    ws.annotate(rid, 4, 8, "plan")
    store = home / "store"
    if damage == "file":
        shutil.rmtree(store)
        store.write_text("not a folder", encoding="utf-8")
    elif damage == "loop":
        shutil.rmtree(store)
        store.symlink_to(home / "loop")
        (home / "loop").symlink_to(store)
    elif damage == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads every folder")
        store.chmod(0)
    else:
        journal = store / "annotations.jsonl"
        lines = journal.read_bytes().split(b"\n")
        journal.write_bytes(b"\n".join([lines[0], b'{"foreign": 1}', *lines[1:]]))
    try:
        for args in (("lookup", "行政复议"), ("export",), ("undo",)):
            result = shenyue(home, *args)
            assert result.returncode == 1, (args, result.stdout)
            one_line_error(result.stderr)
    finally:
        if damage == "unreadable":
            store.chmod(0o755)


@pytest.mark.parametrize("command", [("list",), ("lookup", "行政复议"),
                                     ("annotate", "大连", "--quote", "大连市", "--start", "0",
                                      "--tag", "plan")])
def test_index_rows_missing_fields_are_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    index = home / "reports" / "index.json"
    rows = json.loads(index.read_text(encoding="utf-8"))
    del rows[0]["title"]
    del rows[1]["sha256"]
    index.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = shenyue(home, *command)
    assert result.returncode == 1
    one_line_error(result.stderr)
    assert b"row 1" in result.stderr


@pytest.mark.parametrize("step", ["undo", "redo"])
def test_undo_on_a_damaged_index_writes_nothing(tmp_path: Path, step: str) -> None:
    home = tmp_path / "ws"
    ws = Workspace.open(home)
    ws.annotate(seed_id(ws, "dalian"), 0, 4, "plan")
    if step == "redo":
        ws.undo()
    journal = home / "store" / "annotations.jsonl"
    before = journal.read_bytes()
    (home / "reports" / "index.json").write_text("[{", encoding="utf-8")
    result = shenyue(home, step)
    assert result.returncode == 1
    one_line_error(result.stderr)
    assert journal.read_bytes() == before


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_keeps_the_comment_being_typed_and_restores_the_terminal(
    tmp_path: Path, sig: signal.Signals
) -> None:
    home = tmp_path / "ws"
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = PtyProcess([SHENYUE, "--home", str(home), "--reviewer", "tester", "--lang", "en",
                      "open", rid])
    app.read_until(b"tester")
    app.send(b"a")
    app.read_until(b"saved")
    app.send(b"c")
    app.read_until(b"ctrl+s")
    app.send("草稿 draft".encode())
    app.read_until(b"draft")
    app.proc.send_signal(sig)
    code, output = app.finish()
    assert code == 0
    tail = output[output.rindex(b"draft"):]
    assert b"\x1b[?1049l" in tail  # left the alternate screen
    assert b"\x1b[?1000l" in tail  # mouse reporting off
    state = json.loads((home / "state.json").read_text(encoding="utf-8"))
    (mark,) = ws.annotations(rid)
    assert state["drafts"] == {mark.id: "草稿 draft"}
    assert mark.comment == ""
    reopen_with_the_draft(ws, rid)


@app_test
async def reopen_with_the_draft(ws: Workspace, rid: str) -> None:
    """The next comment dialog on the mark opens on the draft; saving it clears it."""
    app = ShenyueApp(ws, rid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, CommentScreen)
        assert app.screen.typed() == "草稿 draft"  # the draft is back
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.drafts == {}
    assert ws.annotations(rid)[0].comment == "草稿 draft"



def test_a_folder_import_names_what_it_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "good.txt").write_text(REPORT.format(n=1), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "device.txt").symlink_to("/dev/null")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    locked = folder / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(REPORT.format(n=2), encoding="utf-8")
    locked.chmod(0)
    try:
        result = shenyue(tmp_path / "ws", "import", str(folder))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 0, result.stderr
    skipped = {line.split("\t")[1].rsplit("/", 1)[1]: line.split("\t")[2]
               for line in result.stderr.decode().splitlines() if line.startswith("skipped\t")}
    assert set(skipped) >= {"pipe.txt", "device.txt", "dangling.txt"}
    assert "FIFO" in skipped["pipe.txt"] and "dangling" in skipped["dangling.txt"]
    if os.geteuid() != 0:  # root reads every folder
        assert "not readable" in skipped["locked"]
    assert b"skipped" in result.stdout.splitlines()[-1]


def test_a_folder_import_passes_over_hidden_folders_and_environments(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    reports = {"report.txt": 1, "docs/plan.md": 2}
    tools = [".git/description.txt", ".pytest_cache/README.md",
             ".venv/lib/python3.11/site-packages/pkg/LICENSE.txt", "env/lib/python3.11/x.txt",
             "web/node_modules/left-pad/README.md", "src/__pycache__/notes.txt",
             "vendor/site-packages/pkg/README.md"]
    for name in [*reports, *tools]:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text(REPORT.format(n=reports.get(name, 99)), encoding="utf-8")
    for venv in (".venv", "env"):
        (clone / venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    result = shenyue(tmp_path / "ws", "import", str(clone))
    assert result.returncode == 0, result.stderr
    assert b"2 imported" in result.stdout
    skipped = {line.split("\t")[1].removeprefix(f"{clone}/"): line.split("\t")[2]
               for line in result.stderr.decode().splitlines() if line.startswith("skipped\t")}
    assert skipped == {
        ".git": "hidden folder, not searched", ".pytest_cache": "hidden folder, not searched",
        ".venv": "hidden folder, not searched",
        "env": "a Python virtual environment, not searched",
        "web/node_modules": "installed JavaScript packages, not searched",
        "src/__pycache__": "Python's compiled files, not searched",
        "vendor/site-packages": "installed Python packages, not searched"}
    assert shenyue(tmp_path / "ws", "list").stdout.decode().count("某县") == 2


def test_stale_temporaries_are_removed_on_open(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    old = home / "reports" / ".index.json.k1lled.tmp"
    fresh = home / "store" / ".annotations.jsonl.wr1ting.tmp"
    for path in (old, fresh):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    Workspace.open(home)
    assert not old.exists() and fresh.exists()  # a fresh one may still have its writer
    assert remove_stale_temporaries(tmp_path / "no-such-folder") == []


def test_a_folder_import_writes_the_index_once_per_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in range(60):
        (folder / f"r{n:02d}.txt").write_text(REPORT.format(n=n), encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    writes: list[int] = []
    save = ReportLibrary._save_index

    def counted(self: ReportLibrary, index: dict[str, Any]) -> None:
        writes.append(len(index))
        save(self, index)

    monkeypatch.setattr(ReportLibrary, "_save_index", counted)
    summary = ws.import_paths([folder])
    assert summary.count("imported") == 60
    assert writes == [65]  # one index write for the whole folder, not one per file
    assert ws.import_paths([folder]).count("present") == 60 and writes == [65]


@pytest.mark.slow
def test_an_import_killed_at_random_keeps_a_readable_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in range(1500):
        (folder / f"r{n:04d}.txt").write_text(REPORT.format(n=n), encoding="utf-8")
    home = tmp_path / "ws"
    Workspace.open(home)
    for delay in (0.3, 0.9, 1.6):
        proc = subprocess.Popen([SHENYUE, "--home", str(home), "import", str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=shenyue_env())
        time.sleep(delay)
        proc.kill()
        proc.wait()
        listing = shenyue(home, "list", "--json")
        assert listing.returncode == 0, listing.stderr
        for row in json.loads(listing.stdout):  # every listed report opens
            assert Workspace.open(home).report(row["id"]).text
    done = shenyue(home, "import", str(folder))
    assert done.returncode == 0
    assert re.search(rb"\d+ imported|present", done.stdout)
    assert len(json.loads(shenyue(home, "list", "--json").stdout)) == 1505
