"""Reading and structuring the five sample reports (target: at most 0.3 s in total)."""

from __future__ import annotations

import time
from pathlib import Path

from annotations.ingest import ingest_bytes, read_report_file
from annotations.structure import build_structure

SEEDS = Path(__file__).parent.parent / "seeds"
RUNS = 7
TARGET = 0.3
LARGE_COPIES = 40


def ingest_and_structure(path: Path) -> int:
    """Read one report and build its structure; returns its sentence count."""
    data = read_report_file(path)
    _, sentences = build_structure(data.text, data.boilerplate)
    return len(sentences)


def best_of(paths: list[Path], runs: int) -> tuple[float, dict[str, float]]:
    """The best total over `runs` rounds, and each file's best time."""
    totals: list[float] = []
    per_file = {p.name: float("inf") for p in paths}
    for _ in range(runs):
        total = 0.0
        for path in paths:
            started = time.perf_counter()
            ingest_and_structure(path)
            took = time.perf_counter() - started
            per_file[path.name] = min(per_file[path.name], took)
            total += took
        totals.append(total)
    return min(totals), per_file


def main() -> None:
    """Print per-seed and total times, and a 1 MB report's time."""
    paths = sorted(SEEDS.glob("*.txt"))
    started = time.perf_counter()
    for path in paths:  # the first pass also pays for lazy imports and regex compilation
        ingest_and_structure(path)
    print(f"   five seeds, first pass: {(time.perf_counter() - started) * 1000:.1f} ms")
    total, per_file = best_of(paths, RUNS)
    for name, took in per_file.items():
        print(f"   {name:<28} {took * 1000:7.2f} ms")
    verdict = "ok" if total <= TARGET else "SLOWER THAN TARGET"
    print(f"   five seeds, best of {RUNS}: {total * 1000:.1f} ms", end="")
    print(f" (target {TARGET * 1000:.0f} ms) {verdict}")
    biggest = max(paths, key=lambda p: p.stat().st_size)
    large = (biggest.read_bytes() + b"\n") * LARGE_COPIES
    started = time.perf_counter()
    data = ingest_bytes(large)
    build_structure(data.text, data.boilerplate)
    took = time.perf_counter() - started
    label = f"{len(large) / 1e6:.2f} MB report ({LARGE_COPIES} x {biggest.name})"
    print(f"   {label}: {took * 1000:.1f} ms")


if __name__ == "__main__":
    main()
