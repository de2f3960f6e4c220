"""Suggested tags a reviewer rejected, remembered so they never come back for that reviewer.

One small JSON file per reviewer under `<workspace>/suggest/`:

    {"version": 1, "rejected": {"<report id>": ["<sentence text>", …]}}

A rejection is kept by the text of the suggested passage, not its offsets, so it still holds
when a new version of the report moves the passage. Writes are atomic and made under a lock,
so two processes rejecting at once both keep their rejections.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from annotations.fsutil import atomic_write_text, folder_lock

VERSION = 1
_UNSAFE = re.compile(r"[^\w.-]+")


def rejections_path(home: Path, reviewer: str) -> Path:
    """The file that holds `reviewer`'s rejections (a safe name plus a hash of the real one)."""
    digest = hashlib.sha256(reviewer.encode("utf-8")).hexdigest()[:10]
    safe = _UNSAFE.sub("_", reviewer).strip("_")[:40] or "reviewer"
    return home / "suggest" / f"{safe}-{digest}.json"


def load_rejected(path: Path) -> dict[str, list[str]]:
    """Report id -> rejected passages; {} when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rejected = data["rejected"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(rejected, dict):
        return {}
    return {str(k): [str(q) for q in v] for k, v in rejected.items() if isinstance(v, list)}


def add_rejected(path: Path, report_id: str, quote: str) -> None:
    """Remember one rejected passage, durably, before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(path.parent / ".lock"):
        rejected = load_rejected(path)
        quotes = rejected.setdefault(report_id, [])
        if quote in quotes:
            return
        quotes.append(quote)
        data = {"version": VERSION, "rejected": rejected}
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
