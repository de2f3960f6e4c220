"""Sync through git: every reviewer's marks shared through one git remote, no server of ours.

    <workspace>/sync/        a clone of the remote holding the files of syncfiles.py; derived
                             from the store, rebuilt at will (the store is the truth)
    <workspace>/sync.json    the remote and when the workspace was last synced
    <workspace>/sync.lock    one sync of a workspace at a time

The clone remembers which version (git object id) of each marks file it has merged, so a
sync reads only the files that changed since (`sync init` again forgets it).

A sync: tidy what a killed sync left (git's lock files, a rebase in progress, half-written
files) → write this reviewer's files from the store → commit → fetch and rebase onto the
remote → merge everyone's files into the store with the merge rules (newer `updated` wins,
deletions included) → write this reviewer's files again → commit → push; a push the remote
refuses because it moved on starts again from the fetch.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from annotations.clean import one_line
from annotations.errors import UserError
from annotations.export import MergeResult, NativeExport, read_native
from annotations.fsutil import atomic_write_bytes, atomic_write_text
from annotations.gitrun import Git, clear_stale_locks, git_executable, is_git_repository, redact
from annotations.model import now_iso
from annotations.syncfiles import (
    MARKS,
    REPORTS,
    SharedReport,
    marks_file_bytes,
    owner_folder,
    published_keys,
    read_report_file,
    regular_files,
    report_file_bytes,
)

if TYPE_CHECKING:
    from annotations.workspace import Workspace

SYNC_FOLDER = "sync"
STATE_FILE = "sync.json"
LOCK_FILE = "sync.lock"
MERGED_FILE = ".git/shenyue-merged.json"  # the marks files merged, by git object id
DEFAULT_BRANCH = "main"
# links checked out as links could point our writes outside the folder; bytes stay bytes
CLONE_CONFIG = (("core.symlinks", "false"), ("core.autocrlf", "false"),
                ("core.quotePath", "false"), ("core.precomposeUnicode", "true"))
PUSH_ATTEMPTS = 5
# what `progress` is told, in this order
STEPS = ("tidy", "write", "fetch", "merge", "push")

Exports = list[tuple[Path, NativeExport]]


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: the records merged in, the reports received, whether anything was
    pushed, the remote's files left out (each with why) and what else happened."""

    remote: str
    merged: MergeResult
    reports: int
    pushed: bool
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def sync_folder(home: Path) -> Path:
    """The clone of the remote inside a workspace."""
    return home.absolute() / SYNC_FOLDER


def last_synced(home: Path) -> str | None:
    """When the workspace last finished a sync (ISO time), or None."""
    state = read_state(home)
    synced = state.get("synced")
    return synced if isinstance(synced, str) else None


def read_state(home: Path) -> dict[str, Any]:
    """`sync.json` ({} when there is none or it is unreadable)."""
    return read_json(home / STATE_FILE)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file of ours ({} when there is none or it is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(home: Path, **values: str) -> None:
    """Update `sync.json`."""
    state = {**read_state(home), **values}
    atomic_write_text(home / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1) + "\n")


class sync_lock:
    """The lock that keeps two syncs of one workspace apart (not waited for: one is enough)."""

    def __init__(self, home: Path) -> None:
        self._lock = FileLock(str(home / LOCK_FILE), timeout=0)

    def __enter__(self) -> sync_lock:
        try:
            self._lock.acquire()
        except Timeout:
            raise UserError("sync.busy") from None
        except OSError as exc:
            raise UserError("sync.lock_failed", problem=str(exc.strerror)) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


# -- init -------------------------------------------------------------------------------------


def init(ws: Workspace, remote: str, *, interactive: bool = False) -> str:
    """Clone `remote` into the workspace's sync folder, replacing any clone there (the
    folder is derived from the store); UserError when git is missing or the remote cannot
    be reached. Returns the remote as shown to people."""
    git_executable()
    local = Path(remote).expanduser()
    address = str(local.resolve()) if local.exists() else remote
    with sync_lock(ws.home):
        return fresh_clone(ws, address, interactive=interactive)


def fresh_clone(ws: Workspace, address: str, *, interactive: bool) -> str:
    """Clone `address` beside the sync folder, then put it in the folder's place (call
    under `sync_lock`). Returns the remote as shown to people."""
    shown = redact(one_line(address))
    home = ws.home.absolute()
    for leftover in home.glob(f"{SYNC_FOLDER}.new-*"):  # from an init killed half-way
        shutil.rmtree(leftover, ignore_errors=True)
    fresh = home / f"{SYNC_FOLDER}.new-{os.getpid()}"
    options = [f"--config={key}={value}" for key, value in CLONE_CONFIG]
    outcome = Git(home, interactive=interactive).run(
        "clone", "--quiet", "--origin", "origin", *options, "--", address, str(fresh),
        network=True)
    if not outcome.ok:
        shutil.rmtree(fresh, ignore_errors=True)
        raise UserError("sync.init_unreachable", remote=shown, problem=outcome.detail())
    repo = Git(fresh)
    # the remote's default branch (an empty remote's too: git clones its unborn HEAD)
    branch = repo.value("symbolic-ref", "--short", "HEAD") or DEFAULT_BRANCH
    repo.check("config", "shenyue.branch", branch)
    folder = sync_folder(home)
    old = home / f"{SYNC_FOLDER}.old"
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    write_state(ws.home, remote=shown)
    return shown


# -- sync -------------------------------------------------------------------------------------


@dataclass
class Run:
    """One sync under way: the workspace, its clone, and what happened so far."""

    ws: Workspace
    git: Git
    remote: str
    branch: str
    merged: list[MergeResult] = field(default_factory=list)
    reports: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.git.folder

    # -- tidying after a killed sync ----------------------------------------------------------

    def tidy(self) -> None:
        """Bring the clone back to its last commit, whatever a killed sync left: git's lock
        files, a rebase in progress, half-written or stray files."""
        git_dir = self.folder / ".git"
        clear_stale_locks(git_dir)
        for state in ("rebase-merge", "rebase-apply"):
            if (git_dir / state).exists():
                self.git.run("rebase", "--abort")
                shutil.rmtree(git_dir / state, ignore_errors=True)
        if self.head() is not None:
            if not self.git.run("reset", "--quiet", "--hard", "HEAD").ok:
                (git_dir / "index").unlink(missing_ok=True)  # a damaged index is rebuilt
                self.git.check("reset", "--quiet", "--hard", "HEAD")
            if self.git.value("symbolic-ref", "--quiet", "HEAD") is None:  # a rebase's
                self.git.check("checkout", "--quiet", "-B", self.branch)
        else:
            self.git.check("read-tree", "--empty")
        self.git.check("clean", "--quiet", "-d", "--force", "-x")

    def head(self) -> str | None:
        """The commit checked out, or None before the first."""
        return self.git.value("rev-parse", "--verify", "--quiet", "HEAD")

    # -- this reviewer's files ----------------------------------------------------------------

    def publish(self) -> None:
        """Write this reviewer's files and every report the clone lacks, and commit them."""
        self.write_own()
        self.write_reports()
        self.git.check("add", "--all", "--", MARKS, REPORTS)
        if not self.git.run("diff", "--cached", "--quiet").ok:
            self.git.check("commit", "--quiet", "--no-verify", "-m",
                           f"{self.ws.reviewer}: marks as of {now_iso()}")

    def write_own(self) -> None:
        """This reviewer's files (marks/<owner>/): their records per report, and those of
        reviewers who do not sync (consensus, suggest, a colleague who mails exports) that no
        other workspace has published yet. Files that would be empty are removed."""
        ws = self.ws
        mine = owner_folder(ws.reviewer)
        marks_dir = self.folder / MARKS
        owners = {p.name for p in marks_dir.iterdir() if p.is_dir()} if marks_dir.is_dir() \
            else set()
        records = ws.records()
        index = ws.index()
        groups = ((0, records.marks, "report_id"), (1, records.corrections, "report_id"),
                  (2, records.links, "plan_report"))
        foreign = [doc for _slot, docs, _key in groups for doc in docs
                   if doc["reviewer"] != ws.reviewer
                   and owner_folder(doc["reviewer"]) not in owners]
        # a record of a reviewer who does not sync is written by the first workspace (in
        # folder order) that holds it, so two never keep writing it or leave it to each other
        published = published_keys(self.read_files(
            [p for p in regular_files(marks_dir, "*/*.json") if p.parent.name < mine],
            quiet=True)) if foreign else set()
        wanted_foreign = {id(d) for d in foreign if (d["id"], d["updated"]) not in published}
        per_report: dict[str, tuple[list[Any], list[Any], list[Any]]] = {}
        for slot, docs, key in groups:
            for doc in docs:
                if (doc["reviewer"] == ws.reviewer or id(doc) in wanted_foreign) \
                        and doc[key] in index:
                    per_report.setdefault(doc[key], ([], [], []))[slot].append(doc)
        folder = marks_dir / mine
        if folder.exists() and not folder.is_dir():
            remove(folder)
        folder.mkdir(parents=True, exist_ok=True)
        wanted: dict[str, bytes] = {}
        for report_id, (marks, fixes, links) in per_report.items():
            named = {report_id} | {r for d in links for r in (d["plan_report"],
                                                              d["review_report"])}
            metas = [index[r] for r in sorted(named) if r in index]
            wanted[f"{report_id}.json"] = marks_file_bytes(marks, fixes, links, metas)
        for path in folder.iterdir():
            if path.name not in wanted:
                remove(path)
        for name, data in wanted.items():
            write_if_changed(folder / name, data)

    def write_reports(self) -> None:
        """A file for every report of the workspace the clone lacks (written once: a file
        already there, from anyone, is left as it is)."""
        folder = self.folder / REPORTS
        folder.mkdir(exist_ok=True)
        library = self.ws.library
        for meta in library.index().values():
            path = folder / f"{meta.sha256}.json"
            if not path.exists():
                text = library.report(meta.id).text
                atomic_write_bytes(path, report_file_bytes(meta, text), durable=False)

    # -- the remote ---------------------------------------------------------------------------

    def fetch(self) -> str | None:
        """Fetch the remote; its branch's commit, or None while the remote is empty."""
        outcome = self.git.run("fetch", "--quiet", "--prune", "origin", network=True)
        if not outcome.ok:
            raise UserError("sync.unreachable", remote=self.remote, problem=outcome.detail())
        return self.git.value("rev-parse", "--verify", "--quiet",
                              f"refs/remotes/origin/{self.branch}")

    def rebase(self, upstream: str) -> None:
        """Put this workspace's commits on top of the remote's. Two workspaces of one
        reviewer may have written the same file differently (a conflict): then the remote's
        files are taken as they are — the merge that follows brings both into the store,
        and this reviewer's files are written again from it."""
        if self.head() is None:
            self.git.check("reset", "--quiet", "--hard", upstream)
            return
        outcome = self.git.run("rebase", "--quiet", upstream)
        if outcome.ok:
            return
        self.git.run("rebase", "--abort")
        shutil.rmtree(self.folder / ".git" / "rebase-merge", ignore_errors=True)
        self.git.check("reset", "--quiet", "--hard", upstream)
        self.git.check("clean", "--quiet", "-d", "--force", "-x")
        what = "conflicted with" if "CONFLICT" in outcome.out + outcome.err else \
            "could not be put on top of"
        self.notes.append(f"This reviewer's files in the sync folder {what} the remote's "
                          "(the same reviewer syncing from another workspace?); both were "
                          "merged into the workspace and the files written again.")

    def push(self) -> bool:
        """Push; False when the remote moved on meanwhile (fetch and try again)."""
        outcome = self.git.run("push", "--porcelain", "origin",
                               f"HEAD:refs/heads/{self.branch}", network=True)
        if outcome.ok:
            return True
        refused = [line for line in outcome.out.splitlines() if line.startswith("!")]
        if any("[rejected]" in line for line in refused):
            return False
        if refused:
            reason = refused[0].split("\t")[-1]
            raise UserError("sync.push_refused", remote=self.remote, problem=reason)
        raise UserError("sync.push_failed", remote=self.remote, problem=outcome.detail())

    # -- everyone's files into the workspace --------------------------------------------------

    def read_files(self, paths: list[Path], *, quiet: bool = False) -> Exports:
        """Marks files read and checked as a merge checks a file; a file that fails is left
        out and (unless `quiet`) named in `skipped`."""
        exports: Exports = []
        for path in paths:
            try:
                exports.append((path, read_native(path)))
            except UserError as exc:
                if not quiet:
                    self.skip(path, str(exc))
        return exports

    def blobs(self) -> dict[str, str]:
        """The git object id of every marks file checked out, by path in the repository."""
        listed = self.git.check("ls-files", "--stage", "-z", "--", MARKS)
        out = {}
        for entry in filter(None, listed.split("\0")):
            head, path = entry.split("\t", 1)
            out[path] = head.split()[1]
        return out

    def changed_files(self) -> list[Path]:
        """The marks files that changed since this workspace last merged them."""
        merged = read_json(self.folder / MERGED_FILE).get("files", {})
        blobs = self.blobs()
        return [p for p in regular_files(self.folder / MARKS, "*/*.json")
                if merged.get(p.relative_to(self.folder).as_posix()) != blobs.get(
                    p.relative_to(self.folder).as_posix(), "")]

    def remember_merged(self) -> None:
        """Note which files are merged now (all but those skipped), so the next sync reads
        only what changed; this reviewer's own files come from the store itself."""
        left_out = {s.split(": ", 1)[0] for s in self.skipped}
        files = {p: blob for p, blob in self.blobs().items() if p not in left_out}
        atomic_write_text(self.folder / MERGED_FILE, json.dumps({"files": files}) + "\n",
                          durable=False)

    def skip(self, path: Path, why: str) -> None:
        """Name a file of the clone that was left out, and why (its path as in the repository)."""
        inside = str(path.relative_to(self.folder))  # named by whoever pushed it: cleaned
        self.skipped.append(one_line(f"{inside}: {why.replace(str(path), inside)}"))

    def receive_reports(self) -> None:
        """Import the reports of the clone this workspace lacks (by id), each at the version
        most marks files name."""
        index = self.ws.library.index()
        have = {m.sha256 for m in index.values()}
        offered: dict[str, list[SharedReport]] = {}
        for path in regular_files(self.folder / REPORTS, "*.json"):
            if path.stem in have:
                continue
            try:
                shared = read_report_file(path)
            except (OSError, ValueError, RecursionError) as exc:
                self.skip(path, f"not a report file Shenyue can read ({exc})")
                continue
            if shared.meta.id not in index:
                offered.setdefault(shared.meta.id, []).append(shared)
        if not offered:
            return
        named: dict[str, int] = {}
        for path in regular_files(self.folder / MARKS, "*/*.json"):
            for sha in report_hashes(path):
                named[sha] = named.get(sha, 0) + 1
        chosen = [max(versions, key=lambda s: (named.get(s.meta.sha256, 0), s.meta.sha256))
                  for versions in offered.values()]
        refused = self.ws.receive_reports(chosen)
        for shared, problem in refused:
            self.skip(self.folder / REPORTS / f"{shared.meta.sha256}.json", problem)
        self.reports += len(chosen) - len(refused)

    def merge(self, exports: Exports) -> None:
        """Merge every file at once (one durable write); if the workspace refuses that, one
        file at a time, so that only the files it refuses are left out."""
        newest: dict[tuple[str, str], dict[str, Any]] = {}
        titles: dict[str, str] = {}
        for _path, export in exports:
            titles.update(export.titles)
            for kind, docs in (("mark", export.annotations), ("fix", export.corrections),
                               ("link", export.links)):
                for doc in docs:  # the same record in two files: the newer copy
                    held = newest.get((kind, doc["id"]))
                    if held is None or doc["updated"] > held["updated"]:
                        newest[(kind, doc["id"])] = doc
        pick = {kind: [d for (k, _i), d in newest.items() if k == kind]
                for kind in ("mark", "fix", "link")}
        combined = NativeExport(titles, pick["mark"], pick["fix"], pick["link"])
        try:
            self.merged.append(self.ws.merge_marks(self.folder, combined, undoable=False))
            return
        except UserError:
            pass
        for path, export in exports:
            try:
                self.merged.append(self.ws.merge_marks(path, export, undoable=False))
            except UserError as exc:
                self.skip(path, str(exc))

    def result(self, pushed: bool) -> SyncResult:
        total = MergeResult(*(sum(getattr(r, name) for r in self.merged)
                              for name in MergeResult.__dataclass_fields__))
        return SyncResult(self.remote, total, self.reports, pushed, tuple(self.skipped),
                          tuple(self.notes))


def report_hashes(path: Path) -> list[str]:
    """The report hashes a marks file's header names (none when it cannot be read)."""
    try:
        data = json.loads(path.read_bytes())
        return [str(r["sha256"]) for r in data["reports"]]
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        return []


def sync(ws: Workspace, progress: Callable[[str], None] | None = None, *,
         interactive: bool = False) -> SyncResult:
    """Sync the workspace with its remote (see the module docstring); `progress` hears each
    step of `STEPS` as it starts. UserError, one sentence, when git is missing, the workspace
    does not sync yet, the remote cannot be reached or refuses the push; the store loses
    nothing on any failure."""
    tell = progress or (lambda _step: None)
    git_executable()
    folder = sync_folder(ws.home)
    if not is_git_repository(folder):
        raise UserError("sync.not_initialised")
    with sync_lock(ws.home):
        try:
            return sync_locked(ws, folder, tell, interactive)
        except OSError as exc:
            raise UserError("sync.folder_unwritable", folder=str(folder),
                            problem=str(exc.strerror)) from exc


def sync_locked(ws: Workspace, folder: Path, tell: Callable[[str], None],
                interactive: bool) -> SyncResult:
    """`sync`, under the workspace's sync lock."""
    git = Git(folder, interactive=interactive)
    # read from the file itself: a clone too damaged for git to open still names its remote
    address, branch = (git.value("config", "--file", ".git/config", "--get", key)
                       for key in ("remote.origin.url", "shenyue.branch"))
    if address is None:
        raise UserError("sync.not_initialised")
    run = Run(ws, git, redact(one_line(address)), branch or DEFAULT_BRANCH)
    tell("tidy")
    try:
        run.tidy()
    except UserError:  # damaged beyond what git itself repairs: the folder is derived
        fresh_clone(ws, address, interactive=interactive)
        run.tidy()
    set_identity(git, ws.reviewer)
    tell("write")
    run.publish()
    pushed = False
    for _attempt in range(PUSH_ATTEMPTS):
        tell("fetch")
        upstream = run.fetch()
        if upstream is not None:
            run.rebase(upstream)
        tell("merge")
        run.receive_reports()
        run.merge(run.read_files(run.changed_files()))
        run.publish()
        if run.head() in (upstream, None):
            break  # nothing the remote lacks
        tell("push")
        if run.push():
            pushed = True
            break
        run.skipped.clear()
    else:
        raise UserError("sync.remote_busy", remote=run.remote, attempts=PUSH_ATTEMPTS)
    run.remember_merged()
    write_state(ws.home, remote=run.remote, synced=now_iso())
    return run.result(pushed)


def set_identity(git: Git, reviewer: str) -> None:
    """Give the clone the reviewer's name (and a placeholder address) as git's author when
    no git identity is configured, so that commits do not fail."""
    if not git.value("config", "user.name"):
        git.check("config", "user.name", reviewer)
    if not git.value("config", "user.email"):
        git.check("config", "user.email", f"{owner_folder(reviewer)}@shenyue.invalid")


def write_if_changed(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it holds them already (git then sees no change)."""
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write_bytes(path, data, durable=False)  # derived from the store: no fsync


def remove(path: Path) -> None:
    """Remove a file or a folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def describe(result: SyncResult) -> str:
    """One line saying what a sync did."""
    m = result.merged
    parts = [f"{m.added + m.updated} marks in ({m.added} new, {m.updated} changed)"]
    if m.corrections:
        parts.append(f"{m.corrections} metadata corrections in")
    if m.links:
        parts.append(f"{m.links} follow-through decisions in")
    if result.reports:
        parts.append(f"{result.reports} reports in")
    parts.append("pushed" if result.pushed else "nothing to push")
    return f"synced with {result.remote}: " + ", ".join(parts)
