"""Running the system's `git` for sync: one repository folder, errors as one sentence.

Every command runs with stdin closed and English messages (`LC_ALL=C`, so that what went
wrong can be recognised). Non-interactive use (the app) starts git in a session of its own:
without a terminal, ssh and https credential prompts fail at once instead of waiting for an
answer nobody can type.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from annotations.clean import one_line
from annotations.errors import UserError

LOCAL_TIMEOUT_S = 120.0  # a rebase or a commit of thousands of files, on a slow disk
NETWORK_TIMEOUT_S = 600.0  # a first push of a whole library over a slow link
STALE_LOCK_S = 2.0  # git holds a lock file for milliseconds; one this old has no writer left
# no hooks of the user's (a global pre-commit framework), no signing prompt, no gc left
# running in the background holding locks
SAFE_OPTIONS = ("-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false",
                "-c", "gc.autoDetach=false")
SECRET_IN_URL = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True)
class Outcome:
    """What a git command did: its exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        """Whether git succeeded."""
        return self.code == 0

    def detail(self) -> str:
        """git's own explanation in one line: its last `fatal:`/`error:` line, else its last
        line (for a message that quotes it)."""
        lines = [line.strip() for line in self.err.splitlines() if line.strip()]
        said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
        if not said:
            return f"git exit code {self.code}"
        text = re.sub(r"^(fatal|error): ", "", said[-1])
        return shorten(redact(one_line(text)), 200)


def redact(text: str) -> str:
    """`text` without the user name and password a URL may carry (https://u:token@host)."""
    return SECRET_IN_URL.sub("", text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def git_executable() -> str:
    """The path of `git`, or UserError saying it is missing."""
    found = shutil.which("git")
    if found is None:
        raise UserError("sync.git_missing")
    return found


class Git:
    """git commands run in one folder."""

    def __init__(self, folder: Path, *, interactive: bool = False) -> None:
        self.folder = folder.absolute()
        self.executable = git_executable()
        self.interactive = interactive
        self.env = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", "GIT_TERMINAL_PROMPT":
                    "1" if interactive else "0"}

    def run(self, *args: str, network: bool = False, cwd: Path | None = None) -> Outcome:
        """Run `git ARGS` in the folder (or `cwd`) and return what it did; a git that does not
        finish in time is stopped with its children (UserError)."""
        timeout = NETWORK_TIMEOUT_S if network else LOCAL_TIMEOUT_S
        try:
            process = subprocess.Popen(
                [self.executable, *SAFE_OPTIONS, *args], cwd=cwd or self.folder, env=self.env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=not self.interactive,
            )
        except FileNotFoundError:
            if shutil.which("git") is None:
                raise UserError("sync.git_missing") from None
            raise UserError("sync.folder_gone", folder=str(cwd or self.folder)) from None
        except OSError as exc:
            raise UserError("sync.git_unrunnable", problem=str(exc.strerror)) from exc
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._stop(process)
            raise UserError("sync.remote_silent" if network else "sync.git_stuck",
                            seconds=f"{timeout:.0f}", command=args[0]) from None
        except BaseException:
            self._stop(process)  # an interrupted sync leaves no git behind
            raise
        return Outcome(process.returncode, out.decode("utf-8", "replace"),
                       err.decode("utf-8", "replace"))

    def _stop(self, process: subprocess.Popen[bytes]) -> None:
        try:
            if self.interactive:
                process.kill()
            else:
                os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()

    def check(self, *args: str) -> str:
        """Run a local git command that must succeed; its output, or UserError with git's
        explanation."""
        outcome = self.run(*args)
        if not outcome.ok:
            raise UserError("sync.git_failed", command=args[0], folder=str(self.folder),
                            problem=outcome.detail())
        return outcome.out

    def value(self, *args: str) -> str | None:
        """The first line a git query prints, or None when it fails or prints nothing."""
        outcome = self.run(*args)
        line = outcome.out.strip().splitlines()[:1]
        return line[0] if outcome.ok and line else None


def clear_stale_locks(git_dir: Path) -> list[Path]:
    """Remove the lock files a git killed mid-command left behind (index.lock, HEAD.lock,
    refs/…/x.lock); a lock younger than `STALE_LOCK_S` is waited for first, in case a git
    that outlived a killed sync still holds it. Returns what was removed."""
    removed: list[Path] = []
    locks = [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]
    deadline = time.monotonic() + 2 * STALE_LOCK_S
    for lock in locks:
        while True:
            try:
                age = time.time() - lock.stat().st_mtime
            except FileNotFoundError:
                break
            if age >= STALE_LOCK_S or time.monotonic() >= deadline:
                lock.unlink(missing_ok=True)
                removed.append(lock)
                break
            time.sleep(0.1)
    return removed


def is_git_repository(folder: Path) -> bool:
    """Whether `folder` holds a git repository of its own (a `.git` folder)."""
    return (folder / ".git").is_dir()
