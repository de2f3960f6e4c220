"""`shenyue memo` of the five seeds (50 marks, one previous-year pair so that the
follow-through runs) from a fresh process, beside `shenyue export --format md` of the same
marks (target: 2 s for the memo)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from annotations.model import Tag
from annotations.workspace import Workspace
from benchmarks.timing import wall

MARKS_PER_REPORT = 10
RUNS = 5
TARGET = 2.0


def main() -> None:
    """Mark the seeds, then time each memo format and the md export in new processes."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace.open(root / "ws", reviewer="bench")
        metas = ws.reports()
        for n, meta in enumerate(metas):
            sentences = ws.report(meta.id).sentences
            ws.annotate_many(
                {"report_id": meta.id, "start": s.start, "end": s.end, "tag": list(Tag)[k % 3],
                 "comment": "数量可核实,但未说明质量" if (n + k) % 2 else ""}
                for k, s in enumerate(sentences[3 : 3 + 2 * MARKS_PER_REPORT : 2]))
        changzhou = next(m for m in metas if m.place == "常州市")
        plans = next(m for m in metas if m.id != changzhou.id and m.kind == "work_plan")
        ws.correct(plans.id, place="常州市", year=(changzhou.year or 2017) - 1)
        ids = [m.id for m in metas]
        shenyue = [str(Path(sys.executable).parent / "shenyue"), "--home", str(root / "ws")]
        for fmt in ("docx", "html", "md"):
            took = wall([*shenyue, "memo", *ids, "-o", str(root / f"memo.{fmt}")], RUNS)
            state = "ok" if took <= TARGET else "SLOWER THAN TARGET"
            size = (root / f"memo.{fmt}").stat().st_size / 1024
            print(f"   memo --format {fmt:<4} ({len(ids)} reports, {len(ids) * MARKS_PER_REPORT} "
                  f"marks): {took * 1000:5.0f} ms wall, {size:.0f} KB (target <= "
                  f"{TARGET * 1000:.0f}) {state}")
        took = wall([*shenyue, "export", "--format", "md", "-o", str(root / "export.md")], RUNS)
        print(f"   export --format md (same marks)         : {took * 1000:5.0f} ms wall")


if __name__ == "__main__":
    main()
