"""The rules' reading of each report version as the learned reader sees it, kept on disk.

For every sentence of a report, its `Context` (role, the rules' tag, kinds of evidence,
position), or None where the rules leave it untagged — what training reads from the rules.
It depends on the report's text, the title and year the rules read, and the rules
themselves, never on marks: it is worked out once per report version — when the version gets
its first mark through `annotate` or is first suggested on, else when training needs it (not
on import, which would slow a folder of 5,000 reports by half) — and kept in
`readings/<report id>.json` under a key of those, so a first training joins marks to kept
readings and reads no report through the rules. A file whose key differs (a new version, a
corrected title or year, other rules) is read again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from annotations.fsutil import atomic_write_text
from annotations.learner import Context, contexts_of
from annotations.model import Report
from annotations.suggest import Reading

READINGS_DIR = Path("readings")
# the modules and data whose code decides a reading: any change to them reads reports again
_RULES = ("suggest.py", "roles.py", "cues.py", "cues.json", "learner.py", "structure.py")


@cache
def rules_hash() -> str:
    """A short hash of the rules' code and cue data (read once per process)."""
    digest = hashlib.sha256()
    for name in _RULES:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.hexdigest()[:16]


def reading_key(report: Report) -> str:
    """What a report's reading depends on: the rules, its text version, title and year."""
    raw = json.dumps([rules_hash(), report.sha256, report.title, report.year], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _kept(home: Path, report: Report) -> dict[str, Any] | None:
    """The file kept for this version of the report and these rules, or None."""
    try:
        data = json.loads((home / READINGS_DIR / f"{report.id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and data.get("key") == reading_key(report)
    return data if ok else None


def kept_key(home: Path, report: Report) -> bool:
    """Whether the report's reading is kept for its version and these rules."""
    return _kept(home, report) is not None


def kept_contexts(home: Path, report: Report) -> list[Context | None]:
    """The report's contexts from `readings/<id>.json` if kept for this version and these
    rules; else read through the rules now and kept."""
    data = _kept(home, report)
    if data is not None:
        try:
            table = [Context(str(role), str(rule), tuple(evidence), int(position))
                     for role, rule, evidence, position in data["contexts"]]
            found = [None if k < 0 else table[k] for k in data["sentences"]]
            if len(found) == len(report.sentences):
                return found
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # damaged: read again
    return keep_contexts(home, report)


def keep_contexts(
    home: Path, report: Report, readings: Sequence[Reading] | None = None
) -> list[Context | None]:
    """The report's contexts (from `readings`, default: read now), written to
    `readings/<id>.json` (a cache: not synced, skipped on a read-only workspace)."""
    found = contexts_of(report, readings)
    table: dict[Context, int] = {}
    sentences = [-1 if c is None else table.setdefault(c, len(table)) for c in found]
    rows = [[c.role, c.rule, list(c.evidence), c.position] for c in table]
    with suppress(OSError):
        path = home / READINGS_DIR / f"{report.id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(
            {"key": reading_key(report), "contexts": rows, "sentences": sentences},
            ensure_ascii=False, separators=(",", ":")) + "\n", durable=False)
    return found
