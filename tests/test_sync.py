"""Sync through git: real git, real bare repositories, shenyue as real processes."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import UserError
from annotations.export import read_native
from annotations.model import Tag
from annotations.sync import sync_folder
from annotations.syncfiles import MARKS, REPORTS, owner_folder, read_report_file
from annotations.workspace import Workspace
from tests.appkit import seed_id
from tests.synckit import (
    ROOT,
    bare_repository,
    live_marks,
    shenyue,
    tag_sentences,
    write_report,
)


def git(folder: Path, *args: str) -> str:
    """Run git in `folder`; its output (it must succeed)."""
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


def synced(home: Path, reviewer: str) -> None:
    """`shenyue sync` as a fresh process, which must succeed."""
    result = shenyue(home, "sync", reviewer=reviewer)
    assert result.returncode == 0, result.stderr.decode()


def remote_files(remote: Path, tmp_path: Path, name: str = "look") -> Path:
    """A plain clone of the remote, to see what it holds."""
    subprocess.run(["git", "clone", "--quiet", str(remote), str(tmp_path / name)], check=True)
    return tmp_path / name


# -- the bar: two reviewers, one bare repository -------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("order", ["AB", "BA"])
def test_two_reviewers_converge_through_a_bare_repository(tmp_path: Path, order: str) -> None:
    remote = bare_repository(tmp_path / "team.git")
    homes = {"A": tmp_path / "A", "B": tmp_path / "B"}
    a = Workspace.open(homes["A"], reviewer="A")
    b = Workspace.open(homes["B"], reviewer="B")
    extra = a.import_report(write_report(tmp_path))  # only A has it: it travels by sync
    a_marks = tag_sentences(a, 100, report_ids=[extra.id, *(m.id for m in a.reports())])
    b_marks = tag_sentences(b, 100, skip=1)
    assert any(m.report_id == extra.id for m in a_marks)
    for name, home in homes.items():
        assert shenyue(home, "sync", "init", str(remote), reviewer=name).returncode == 0
    synced(homes["A"], "A")
    synced(homes["B"], "B")
    a = Workspace.open(homes["A"], reviewer="A")
    b = Workspace.open(homes["B"], reviewer="B")
    assert extra.id in {m.id for m in b.reports()}
    deleted = [m.id for m in a_marks[::20]]
    for mark_id in deleted:
        a.delete_annotation(mark_id)
    changed = {m.id: f"改过的意见 {k}" for k, m in enumerate(b_marks[3::20])}
    for mark_id, comment in changed.items():
        b.update_annotation(mark_id, comment=comment)
    for name in order * 2:
        synced(homes[name], name)
    held = {name: live_marks(home) for name, home in homes.items()}
    assert len(held["A"]) == len(held["B"]) == 195
    assert held["A"].keys() == held["B"].keys()
    assert not set(deleted) & held["A"].keys()
    for mark_id, comment in changed.items():
        assert held["A"][mark_id].comment == held["B"][mark_id].comment == comment
    exports = [shenyue(home, "export") for home in homes.values()]
    assert all(e.returncode == 0 for e in exports)
    assert exports[0].stdout == exports[1].stdout
    assert exports[0].stdout.count(b'"deleted": true') == 5


# -- kill -9 at random moments ----------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_kill_9_during_sync_loses_no_acknowledged_mark(tmp_path: Path) -> None:
    rng = random.Random(20240513)
    remote = bare_repository(tmp_path / "team.git")
    homes = {"A": tmp_path / "A", "B": tmp_path / "B"}
    for name, home in homes.items():
        Workspace.open(home, reviewer=name).sync_init(str(remote))
    b = Workspace.open(homes["B"], reviewer="B")
    tag_sentences(b, 20)
    synced(homes["B"], "B")
    started = time.perf_counter()
    shenyue(tmp_path / "nowhere", "--version")  # the start-up alone
    startup = time.perf_counter() - started
    started = time.perf_counter()
    synced(homes["A"], "A")
    took = time.perf_counter() - started
    left: list[str] = []  # what each kill left behind in the clone
    acknowledged: set[str] = set()
    killed_mid_git = 0
    for round_ in range(10):
        a = Workspace.open(homes["A"], reviewer="A")
        acknowledged |= {m.id for m in tag_sentences(a, 5, skip=round_ * 7 + 2)}
        if round_ % 2:  # the remote moves on meanwhile: the killed sync had to rebase
            tag_sentences(Workspace.open(homes["B"], reviewer="B"), 3, skip=round_ * 5 + 3)
            synced(homes["B"], "B")
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--home", str(homes["A"]), "--reviewer", "A",
             "sync"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        time.sleep(rng.uniform(0.8 * startup, 1.1 * took))  # while it works
        gits = children(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        if round_ % 2 == 0:  # every other time the git it was running dies with it
            for pid in gits:  # each git runs in a session (and group) of its own
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                    killed_mid_git += 1
        process.wait()
        git_dir = sync_folder(homes["A"]) / ".git"
        left.append(" ".join([p.name for p in git_dir.glob("*.lock")]
                             + ["rebase" if (git_dir / "rebase-merge").exists() else ""]))
        held = live_marks(homes["A"])
        assert acknowledged <= held.keys(), f"round {round_}: marks lost"
        result = shenyue(homes["A"], "sync", reviewer="A")
        assert result.returncode == 0, (round_, result.stderr.decode())
    synced(homes["B"], "B")
    assert acknowledged <= live_marks(homes["B"]).keys()
    synced(homes["A"], "A")
    assert shenyue(homes["A"], "export").stdout == shenyue(homes["B"], "export").stdout
    print(f"start-up {startup:.2f} s, sync {took:.2f} s; {killed_mid_git} gits killed with "
          f"it; left behind: {left}")


def test_a_sync_finishes_what_a_killed_one_left(tmp_path: Path) -> None:
    """Deterministic leftovers of a killed sync: a rebase stopped on a conflict, git's
    index.lock, a half-written file and a temporary file in the clone."""
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    marks = tag_sentences(a, 10)
    a.sync()
    clone = sync_folder(a.home)
    mine = next((clone / MARKS / owner_folder("A")).glob("*.json"))
    other = remote_files(remote, tmp_path)
    (other / mine.relative_to(clone)).write_text(  # the same reviewer, elsewhere: no marks
        '{"format": "shenyue", "version": 1, "reports": [], "annotations": []}\n')
    git(other, "commit", "--quiet", "-am", "elsewhere")
    git(other, "push", "--quiet")
    mine.write_text("[]\n")
    git(clone, "commit", "--quiet", "-am", "here")
    git(clone, "fetch", "--quiet")
    stopped = subprocess.run(["git", "rebase", "@{upstream}"], cwd=clone, capture_output=True,
                             check=False)
    assert stopped.returncode != 0 and (clone / ".git" / "rebase-merge").is_dir()
    lock = clone / ".git" / "index.lock"
    lock.write_bytes(b"")
    os.utime(lock, (time.time() - 60, time.time() - 60))
    (clone / MARKS / owner_folder("A") / "half.json").write_bytes(b'{"format": "shen')
    (clone / REPORTS / ".x.json.123.tmp").write_bytes(b"partial")
    more = tag_sentences(a, 3, skip=2)
    result = a.sync()
    assert result.pushed and not result.skipped
    assert not (clone / ".git" / "rebase-merge").exists() and not lock.exists()
    fresh = remote_files(remote, tmp_path, "after")
    pushed = read_native(fresh / mine.relative_to(clone))
    pushed_ids = {d["id"] for d in pushed.annotations}
    assert {m.id for m in marks + more if m.report_id == mine.stem} <= pushed_ids
    assert not (fresh / MARKS / owner_folder("A") / "half.json").exists()


def test_a_clone_git_cannot_open_is_cloned_again(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    tag_sentences(a, 4)
    a.sync()
    more = tag_sentences(a, 2, skip=2)
    git_dir = sync_folder(a.home) / ".git"
    (git_dir / "HEAD").write_text("garbage\n")
    (git_dir / "index").write_bytes(b"DIRC broken")
    result = a.sync()
    assert result.pushed and not result.skipped
    b = Workspace.open(tmp_path / "B", reviewer="B")
    b.sync_init(str(remote))
    b.sync()
    assert {m.id for m in more} <= live_marks(b.home).keys()


# -- what goes wrong, in one sentence -------------------------------------------------------


def test_without_git_sync_says_so_in_one_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    for args in (("sync", "init", str(tmp_path / "team.git")), ("sync",)):
        result = shenyue(tmp_path / "ws", *args, reviewer="A", env=env)
        lines = result.stderr.decode().strip().splitlines()
        assert result.returncode == 1
        assert lines == ["shenyue: Sync needs git, which was not found on this machine's PATH; "
                         "install git (for example `apt install git`) and try again."]


def test_a_workspace_that_does_not_sync_yet_says_how_to_start(tmp_path: Path) -> None:
    result = shenyue(tmp_path / "ws", "sync", reviewer="A")
    assert result.returncode == 1
    assert result.stderr.decode().strip() == (
        "shenyue: This workspace does not sync yet; run `shenyue sync init REMOTE` first "
        "(REMOTE: the path of a bare git repository or a git URL).")


@pytest.mark.parametrize("address", ["{tmp}/nowhere.git", "ssh://nobody@127.0.0.1:1/team.git",
                                     "https://user:secret@127.0.0.1:1/team.git"])
def test_an_unreachable_remote_refuses_init_in_one_sentence(tmp_path: Path, address: str) -> None:
    remote = address.format(tmp=tmp_path)
    env = {**os.environ, "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=5"}
    result = shenyue(tmp_path / "ws", "sync", "init", remote, reviewer="A", env=env)
    message = result.stderr.decode().strip()
    assert result.returncode == 1 and len(message.splitlines()) == 1
    assert message.startswith("shenyue: Cannot reach the remote ")
    assert "secret" not in message  # a password in the URL is never printed
    assert not sync_folder(tmp_path / "ws").exists()


def test_an_unreachable_remote_loses_nothing_and_the_next_sync_catches_up(
        tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    marks = tag_sentences(a, 10)
    a.sync()
    later = tag_sentences(a, 4, skip=3)
    remote.rename(tmp_path / "away.git")
    result = shenyue(a.home, "sync", reviewer="A")
    message = result.stderr.decode().strip()
    assert result.returncode == 1 and len(message.splitlines()) == 1
    assert message.startswith(f"shenyue: Cannot reach the remote {remote} (")
    assert "nothing was lost" in message
    assert {m.id for m in marks + later} <= live_marks(a.home).keys()
    (tmp_path / "away.git").rename(remote)
    assert Workspace.open(a.home, reviewer="A").sync().pushed
    b = Workspace.open(tmp_path / "B", reviewer="B")
    b.sync_init(str(remote))
    b.sync()
    assert {m.id for m in marks + later} <= live_marks(b.home).keys()


def test_a_push_the_remote_refuses_is_one_sentence(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'read-only until Monday' >&2\nexit 1\n")
    hook.chmod(0o755)
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    marks = tag_sentences(a, 3)
    result = shenyue(a.home, "sync", reviewer="A")
    message = result.stderr.decode().strip()
    assert result.returncode == 1 and len(message.splitlines()) == 1
    assert message.startswith(f"shenyue: The remote {remote} refused the push (")
    assert {m.id for m in marks} <= live_marks(a.home).keys()


def test_a_push_behind_the_remote_fetches_and_merges_again(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    b = Workspace.open(tmp_path / "B", reviewer="B")
    for ws in (a, b):
        ws.sync_init(str(remote))
    mine = tag_sentences(a, 5)
    theirs: list[str] = []
    b_pushes = [1]  # how many more times B pushes first

    def b_pushes_first(step: str) -> None:  # B's sync lands between A's fetch and A's push
        if step == "push" and b_pushes[0] > 0:
            b_pushes[0] -= 1
            theirs.extend(m.id for m in tag_sentences(b, 1, skip=len(theirs) + 1))
            b.sync()

    steps: list[str] = []

    def noting(step: str) -> None:
        steps.append(step)
        b_pushes_first(step)

    result = a.sync(noting)
    assert result.pushed and steps.count("push") == 2 and steps.count("fetch") == 2
    assert set(theirs) <= live_marks(a.home).keys()
    b.sync()
    assert {m.id for m in mine} <= live_marks(b.home).keys()
    b_pushes[0] = 10  # the remote moves on before every push: A gives up after five tries
    last = tag_sentences(a, 1, skip=9)
    with pytest.raises(UserError, match="changed during each of 5 attempts"):
        a.sync(b_pushes_first)
    assert last[0].id in live_marks(a.home)
    b_pushes[0] = 0
    assert a.sync().pushed


def test_another_sync_of_the_same_workspace_waits_its_turn(tmp_path: Path) -> None:
    from annotations.sync import sync_lock

    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    with sync_lock(a.home), pytest.raises(UserError) as refused:
        a.sync()
    assert refused.value.message.code == "sync.busy"


# -- conflicts, identity, what travels -----------------------------------------------------


def test_one_reviewer_in_two_workspaces_conflicts_and_keeps_both(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    laptop = Workspace.open(tmp_path / "laptop", reviewer="王")
    server = Workspace.open(tmp_path / "server", reviewer="王")
    for ws in (laptop, server):
        ws.sync_init(str(remote))
    rid = seed_id(laptop, "changzhou")
    on_laptop = tag_sentences(laptop, 5, report_ids=[rid])
    on_server = tag_sentences(server, 5, skip=1, report_ids=[rid])
    laptop.sync()
    result = server.sync()  # the same file, written differently on both: a conflict
    assert result.pushed and any("conflicted" in note for note in result.notes)
    laptop.sync()
    want = {m.id for m in on_laptop + on_server}
    assert want <= live_marks(laptop.home).keys() and want <= live_marks(server.home).keys()
    fresh = remote_files(remote, tmp_path)
    pushed = read_native(fresh / MARKS / owner_folder("王") / f"{rid}.json")
    assert want == {d["id"] for d in pushed.annotations}


def test_without_a_git_identity_the_reviewer_name_is_used(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           "HOME": str(tmp_path)}
    for name in ("EMAIL", "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "GIT_AUTHOR_EMAIL",
                 "GIT_COMMITTER_EMAIL"):
        env.pop(name, None)
    home = tmp_path / "ws"
    assert shenyue(home, "sync", "init", str(remote), reviewer="李 四", env=env).returncode == 0
    result = shenyue(home, "sync", reviewer="李 四", env=env)
    assert result.returncode == 0, result.stderr.decode()
    author = git(sync_folder(home), "log", "-1", "--format=%an <%ae>").strip()
    assert author == f"李 四 <{owner_folder('李 四')}@shenyue.invalid>"


def test_corrections_decisions_and_consensus_marks_travel(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    b = Workspace.open(tmp_path / "B", reviewer="B")
    for ws in (a, b):
        ws.sync_init(str(remote))
    rid = seed_id(a, "qingyuan")
    a.correct(rid, title="清远市2019年法治政府建设年度报告(更正)")
    plan_doc, later = seed_id(a, "changhai"), seed_id(a, "changzhou")
    first = a.follow(plan_doc, later)[0]
    a.decide_follow(plan_doc, later, first.plan, verdict="kept")
    stop = a.report(rid).sentences[4]
    agreed = a.annotate(rid, stop.start, stop.end, Tag.PLAN, reviewer="consensus")
    a.sync()
    result = b.sync()
    assert (result.merged.corrections, result.merged.links, result.merged.added) == (1, 1, 1)
    b = Workspace.open(b.home, reviewer="B")
    assert b.index()[rid].title.endswith("(更正)")
    assert b.annotation(agreed.id).reviewer == "consensus"
    again = Workspace.open(b.home, reviewer="A").follow(plan_doc, later)[0]
    assert (again.verdict, again.decided) == ("kept", True)
    b.sync()
    a.sync()
    fresh = remote_files(remote, tmp_path)
    holders = [p.parent.name for p in (fresh / MARKS).glob("*/*.json")
               if agreed.id in p.read_text(encoding="utf-8")]
    assert holders == [owner_folder("A")]  # written by one workspace only


def test_the_same_marks_give_the_same_bytes_and_no_new_commit(tmp_path: Path) -> None:
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    tag_sentences(a, 30)
    assert a.sync().pushed
    clone = sync_folder(a.home)
    files = {p: p.read_bytes() for p in (clone / MARKS).rglob("*.json")}
    head = git(clone, "rev-parse", "HEAD")
    again = a.sync()
    assert not again.pushed and git(clone, "rev-parse", "HEAD") == head
    assert {p: p.read_bytes() for p in (clone / MARKS).rglob("*.json")} == files
    for data in files.values():
        doc = json.loads(data)
        starts = [(m["start"], m["end"], m["id"]) for m in doc["annotations"]]
        assert starts == sorted(starts)  # records in one stable order
        assert data.endswith(b"]}\n")


# -- untrusted files from the remote -----------------------------------------------------------


def synced_and_a_pusher(tmp_path: Path, marks: int) -> tuple[Workspace, Path]:
    """Reviewer A's workspace with `marks` marks, synced once, and a plain clone of the
    remote from which anyone may push what they like."""
    remote = bare_repository(tmp_path / "team.git")
    a = Workspace.open(tmp_path / "A", reviewer="A")
    a.sync_init(str(remote))
    tag_sentences(a, marks)
    a.sync()
    return a, remote_files(remote, tmp_path, "evil")


def test_files_from_the_remote_are_checked_and_cleaned(tmp_path: Path) -> None:
    a, evil = synced_and_a_pusher(tmp_path, 3)
    rid = seed_id(a, "changzhou")
    stop = a.report(rid).sentences[2]
    mark = a.annotate(rid, stop.start, stop.end, Tag.PLAN)
    export = tmp_path / "x.json"
    a.export("json", export, reviewer="A", report_id=rid)
    data = json.loads(export.read_text(encoding="utf-8"))
    doc = next(d for d in data["annotations"] if d["id"] == mark.id)
    doc.update(id="e1", reviewer="ev\x1b]52;c;eA==\x07il ", comment="好 \x1b[31m红\x1b[0m")
    data["annotations"] = [doc]
    folder = evil / MARKS / "evil-00000000"
    folder.mkdir(parents=True)
    (folder / f"{rid}.json").write_text(json.dumps(data, ensure_ascii=False))
    (folder / "broken.json").write_text("not json at all")
    (folder / "link.json").symlink_to("/etc/passwd")
    bad_text = "某市报告\n改过的正文。\n"
    fake = {"format": "shenyue-report", "version": 1, "id": "abc", "sha256": "0" * 64,
            "title": "t", "title_derived": False, "year": None, "place": None, "kind": None,
            "issuer": None, "published": None, "doc_number": None, "chars": len(bad_text),
            "encoding": "utf-8", "text": bad_text}
    (evil / REPORTS / f"{'0' * 64}.json").write_text(json.dumps(fake, ensure_ascii=False))
    git(evil, "add", "--all")
    git(evil, "commit", "--quiet", "-m", "evil")
    git(evil, "push", "--quiet")
    result = shenyue(a.home, "sync", reviewer="A")
    err = result.stderr.decode()
    assert result.returncode == 1
    assert err.count("skipped\t") == 3 and "broken.json" in err and "link.json" in err
    assert f"{'0' * 64}.json" in err and "does not match its hash" in err
    assert err.strip().splitlines()[-1].startswith("shenyue: 3 files from the remote were left out")
    assert "\x1b" not in err
    got = Workspace.open(a.home, reviewer="A").annotation("e1")
    assert got.reviewer == "evil" and got.comment == "好 红"
    assert not (sync_folder(a.home) / MARKS / "evil-00000000" / "link.json").is_symlink()
    assert "abc" not in {m.id for m in Workspace.open(a.home, reviewer="A").reports()}


def test_a_file_name_from_the_remote_cannot_drive_the_terminal(tmp_path: Path) -> None:
    a, evil = synced_and_a_pusher(tmp_path, 1)
    folder = evil / MARKS / "evil-00000000"
    folder.mkdir(parents=True)
    (folder / "bro\x1b]52;c;eA==\x07ken\x1b[2J.json").write_text("not json at all")
    git(evil, "add", "--all")
    git(evil, "commit", "--quiet", "-m", "evil")
    git(evil, "push", "--quiet")
    result = shenyue(a.home, "sync", reviewer="A")
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("skipped\t") == 1
    assert "broken" in err and "\x1b" not in err and "\x07" not in err


def test_a_report_file_round_trips_and_refuses_a_changed_text(tmp_path: Path) -> None:
    from annotations.syncfiles import report_file_bytes

    ws = Workspace.open(tmp_path / "ws", reviewer="A")
    meta = ws.library.index()[seed_id(ws, "dalian")]
    text = ws.report(meta.id).text
    path = tmp_path / f"{meta.sha256}.json"
    path.write_bytes(report_file_bytes(meta, text))
    shared = read_report_file(path)
    assert shared.text == text and shared.meta.title == meta.title
    assert shared.ingested().sha256 == meta.sha256
    path.write_bytes(report_file_bytes(meta, text + "多"))
    with pytest.raises(ValueError, match="hash"):
        read_report_file(path)


@given(st.text(max_size=60), st.text(max_size=60))
def test_owner_folders_are_safe_and_never_shared(first: str, second: str) -> None:
    for name in (first, second):
        folder = owner_folder(name)
        assert folder not in ("", ".", "..") and "/" not in folder and "\\" not in folder
        assert all(ch.isalnum() or ch == "-" for ch in folder) and len(folder) <= 41
    if first != second:
        assert owner_folder(first) != owner_folder(second)
    assert owner_folder("Wang") != owner_folder("wang")
