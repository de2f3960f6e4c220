"""Helpers for the `shenyue serve` tests: a free port, a server process, waiting for it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent
REVIEWER = "web"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def serve_process(home: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`shenyue serve` on `home` (reviewer `web`, English) until the block ends, then Ctrl+C,
    which must stop it with exit code 0.

    Its output goes to `serve.log` beside the workspace, to read when a test fails.
    """
    with (home.parent / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--home", str(home), "--reviewer", REVIEWER,
             "--lang", "en", "serve", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                code = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
    assert code == 0, "Ctrl+C should stop the server cleanly; see serve.log"
