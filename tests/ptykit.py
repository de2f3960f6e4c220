"""Running `shenyue` as a person would: in a pseudo-terminal, reading every byte it writes."""

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
from pathlib import Path

SHENYUE = str(Path(sys.executable).parent / "shenyue")
COLUMNS, ROWS = 120, 40


def shenyue_env(**extra: str) -> dict[str, str]:
    """The environment of a child `shenyue`: English, a colour terminal, nothing of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHENYUE_")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(COLUMNS), LINES=str(ROWS))
    env.update(extra)
    return env


class PtyProcess:
    """A child process whose stdin, stdout and stderr are one pseudo-terminal."""

    def __init__(self, args: list[str], env: Mapping[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave,
                                     env=dict(env or shenyue_env()), start_new_session=True)
        os.close(slave)
        self.output = b""

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

    def finish(self, timeout: float = 20.0) -> tuple[int, bytes]:
        """Read to the end; the exit code and everything written."""
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            pass
        code = self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        os.close(self.master)
        return code, self.output

    def _read(self, timeout: float) -> bool:
        """Read what is there; False at the end of output or after `timeout`."""
        if timeout <= 0 or not select.select([self.master], [], [], timeout)[0]:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            return False
        self.output += chunk
        return bool(chunk)


def run_in_pty(args: list[str], env: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    """Run a command on a terminal to its end: exit code and every byte it wrote."""
    return PtyProcess(args, env).finish()
