"""`make bench`: run every benchmark in this folder, one after the other."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> None:
    """Run each `bench_*.py` module's `main()`, or only those named on the command line."""
    wanted = set(sys.argv[1:])
    folder = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        short = module.name.removeprefix("bench_")
        if wanted and not wanted & {module.name, short}:
            continue
        print(f"== {module.name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{module.name}").main()
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main()
