"""Helpers for the sync tests and benchmark: bare repositories, shenyue as a process, marks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from annotations.model import Annotation, Tag
from annotations.workspace import Workspace

ROOT = Path(__file__).parent.parent
TAGS = list(Tag)


def bare_repository(path: Path) -> Path:
    """An empty bare git repository at `path`, as a team's shared remote."""
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


def shenyue(home: Path, *args: str, reviewer: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run `shenyue --home HOME [--reviewer R] ARGS` as a fresh process; its output as bytes."""
    who = ["--reviewer", reviewer] if reviewer else []
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(home), *who, *args],
        stdin=subprocess.DEVNULL, capture_output=True, cwd=ROOT, env=env or dict(os.environ),
        timeout=300, check=False)


def write_report(folder: Path, name: str = "县报告.txt", sentences: int = 150) -> Path:
    """A report file only one workspace imports (so it has to travel through sync)."""
    body = "".join(f"全年审查规范性文件{i}件,纠正不当条款{i % 7}处。" for i in range(sentences))
    text = (f"某县{name[:1]}2023年法治政府建设年度报告\n\n一、主要举措和成效\n{body}\n"
            "二、存在的不足\n行政复议规范化程度不高。\n三、下一年度工作安排\n2024年,我县将继续推进。\n")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def tag_sentences(ws: Workspace, count: int, *, skip: int = 0,
                  report_ids: list[str] | None = None) -> list[Annotation]:
    """`count` marks of the workspace's reviewer, one per sentence, over the reports in turn
    (after the first `skip` sentences of each), tags in turn."""
    ids = report_ids or [m.id for m in ws.reports()]
    sentences = [(rid, s) for rid in ids for s in ws.report(rid).sentences[skip:]]
    picked = sentences[:: max(1, len(sentences) // count)][:count]
    assert len(picked) == count
    return ws.annotate_many([
        {"report_id": rid, "start": s.start, "end": s.end, "tag": TAGS[k % 3],
         "comment": f"第{k}条"}
        for k, (rid, s) in enumerate(picked)])


def live_marks(home: Path) -> dict[str, Annotation]:
    """The live marks of a workspace, read afresh, by id."""
    ws = Workspace.open(home, reviewer="reader", seed=False)
    return {m.id: m for m in ws.annotations()}
