"""Record where each cue of annotations/cues.json is seen.

    python -m benchmarks.cue_sightings

Counts, for every cue, the sentences (for heading_* groups: the headings) that contain it in
each seed report and each corpus report that is not a test report, and writes the counts as
the cue's "seen". tests/test_cues.py then holds every cue to being seen in two sentences at
least, unless a document names it ("source"): a cue that fits one sentence only goes.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from annotations.cues import CUES_FILE
from annotations.model import Report
from annotations.roles import pseudo_headings
from annotations.workspace import Workspace
from benchmarks.suggest_eval import CORPUS, load_split


def readable_reports(home: Path) -> dict[str, Report]:
    """The seeds and every corpus report except the test reports, by file name."""
    ws = Workspace.open(home, reviewer="cues")
    out = {Path(meta.source or "").name: ws.report(meta.id) for meta in ws.reports()}
    held_out = set(load_split()["test"])
    for path in sorted(CORPUS.glob("gwr-*.txt")):
        if path.name not in held_out:
            out[path.name] = ws.import_report(path)
    return out


def units(report: Report, headings: bool) -> list[str]:
    """A report's headings (numbered and unnumbered) or its sentences."""
    if headings:
        return [s.title for s in report.all_sections()] + [
            d.title for d in pseudo_headings(report)]
    return [report.text[s.start : s.end].strip() for s in report.sentences]


def main() -> None:
    """Write every cue's sightings into cues.json."""
    data = json.loads(CUES_FILE.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as home:
        reports = readable_reports(Path(home))
    for name, group in data["groups"].items():
        for item in group["cues"]:
            pattern = re.compile(item["cue"])
            seen = {}
            for file, report in reports.items():
                headings = name.startswith("heading")
                found = sum(bool(pattern.search(u)) for u in units(report, headings))
                if found:
                    seen[file] = found
            item["seen"] = seen
            if sum(seen.values()) < 2 and not item.get("source"):
                print(f"{name}: {item['cue']} seen in {sum(seen.values())} sentence(s): remove it")
    CUES_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
