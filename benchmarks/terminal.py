"""A program in a pseudo-terminal, read byte by byte with the time each byte came: how the
tests drive `shenyue` as a person would, and how the pty benchmark times what reaches the
screen."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SHENYUE = str(Path(sys.executable).parent / "shenyue")
COLUMNS, ROWS = 120, 40
# a modern terminal (kitty, WezTerm, foot, iTerm2, tmux ≥ 3.4) answers Textual's question
# whether it draws frames atomically; then every frame is bracketed by these two sequences
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_ANSWER = b"\x1b[?2026;2$y"
FRAME_START = b"\x1b[?2026h"
KEYS = {"pagedown": b"\x1b[6~", "pageup": b"\x1b[5~", "down": b"\x1b[B", "up": b"\x1b[A",
        "escape": b"\x1b", "enter": b"\r"}


def shenyue_env(**extra: str) -> dict[str, str]:
    """The environment of a child `shenyue`: English, a colour terminal, nothing of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHENYUE_")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(COLUMNS), LINES=str(ROWS))
    env.update(extra)
    return env


@dataclass(frozen=True)
class Burst:
    """What a program wrote after one input, until it fell quiet."""

    sent: float  # when the input was written (time.perf_counter)
    first: float  # seconds from `sent` to the first byte (inf: nothing came)
    last: float  # seconds from `sent` to the last byte before the quiet gap
    frames: int  # synchronized frames in the output (0 if the program draws without them)
    data: bytes


class PtyProcess:
    """A child process whose stdin, stdout and stderr are one pseudo-terminal that answers
    the synchronized-output query as a modern terminal does (`sync=False`: as an old one)."""

    def __init__(self, args: list[str], env: Mapping[str, str] | None = None, *,
                 size: tuple[int, int] = (COLUMNS, ROWS), sync: bool = True) -> None:
        self.master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave,
                                     env=dict(env or shenyue_env()), start_new_session=True)
        os.close(slave)
        self.sync = sync
        self.output = b""
        self.last_byte = self.started  # when the latest chunk came

    def read_until(self, needle: bytes, timeout: float = 20.0) -> bytes:
        """Read until `needle` has been written (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if not self._read(deadline - time.monotonic()):
                raise AssertionError(f"{needle!r} never came; got {self.output[-400:]!r}")
        return self.output

    def send(self, data: bytes) -> None:
        """Type `data`."""
        os.write(self.master, data)

    def settle(self, quiet: float, timeout: float = 30.0) -> float:
        """Read until nothing came for `quiet` seconds; when the last byte came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(quiet):
            pass
        return self.last_byte

    def press(self, key: str, quiet: float, patience: float = 2.0) -> Burst:
        """Type one key (a character or a name in KEYS), wait up to `patience` seconds for
        output, then read until `quiet` seconds pass without any: when its first and last
        byte came, and how many frames it drew."""
        self.settle(quiet)
        mark = len(self.output)
        sent = time.perf_counter()
        self.send(KEYS.get(key, key.encode()))
        first = float("inf")
        if self._read(patience):
            first = self.last_byte - sent
            while self._read(quiet):
                pass
        data = self.output[mark:]
        last = self.last_byte - sent if data else float("inf")
        return Burst(sent, first, last, data.count(FRAME_START), data)

    def cpu_seconds(self) -> float:
        """The processor time the program has used so far (user + system, from /proc)."""
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def finish(self, timeout: float = 20.0) -> tuple[int, bytes]:
        """Read to the end; the exit code and everything written."""
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            pass
        code = self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        os.close(self.master)
        return code, self.output

    def stop(self) -> None:
        """End the program (SIGTERM, then SIGKILL) and close the terminal."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.finish(timeout=10)
                return
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.master)

    def _read(self, timeout: float) -> bool:
        """Read what is there; False at the end of output or after `timeout`."""
        if timeout <= 0 or not select.select([self.master], [], [], timeout)[0]:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            return False
        if not chunk:
            return False
        self.last_byte = time.perf_counter()
        # the bytes before `chunk` that could begin a query it completes, never a whole one
        if self.sync and SYNC_QUERY in self.output[1 - len(SYNC_QUERY):] + chunk:
            self.send(SYNC_ANSWER)
        self.output += chunk
        return True


def run_in_pty(args: list[str], env: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    """Run a command on a terminal to its end: exit code and every byte it wrote."""
    return PtyProcess(args, env).finish()
