"""`shenyue import` of a folder of 5,000 small reports, then again, each a fresh process.

Target: at least ten times faster than before batching the index (132 s, re-import 52 s,
as measured for issue 15): at most 13 s for the first import, 5 s for the second.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = 5000
TARGET_S, TARGET_AGAIN_S = 13.0, 5.0
REPORT = (
    "某某县{n}号 2021年法治政府建设年度报告\n\n一、主要成效\n今年审查规范性文件{n}件,取得成效。\n"
    "二、存在不足\n行政复议规范化程度不高。\n三、下一步安排\n2022年将进一步加强。\n"
)


def timed_import(home: Path, folder: Path) -> float:
    """Wall seconds of one `shenyue import FOLDER` in a new process."""
    shenyue = str(Path(sys.executable).parent / "shenyue")
    started = time.perf_counter()
    subprocess.run([shenyue, "--home", str(home), "import", str(folder)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Write the files, import them, import them again; print both wall times."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "files"
        folder.mkdir()
        for n in range(FILES):
            (folder / f"r{n:04d}.txt").write_text(REPORT.format(n=n), encoding="utf-8")
        first = timed_import(root / "ws", folder)
        again = timed_import(root / "ws", folder)
    for label, took, target in (("import", first, TARGET_S), ("re-import", again, TARGET_AGAIN_S)):
        verdict = "ok" if took <= target else "SLOWER THAN TARGET"
        print(f"   {label:<9} {FILES} small files, fresh process: {took:5.1f} s wall "
              f"(target {target:.0f} s) {verdict}")


if __name__ == "__main__":
    main()
