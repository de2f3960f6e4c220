"""The two ways the benchmarks time things: a call in this process, a command in a new one."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any


def median_ms(action: Callable[[], Any], runs: int) -> float:
    """Median wall time of `action` in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def wall(cmd: list[str], runs: int) -> float:
    """Median wall time of a command (a cold process each run) in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)
