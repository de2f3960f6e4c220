"""The cue phrases of the suggested tags, read from `cues.json` beside this module.

Each group (heading_review, turn_problems, shortcoming, plan, …) is a list of regular-expression
fragments with, for each, where it was seen (reports and sentence counts, written by
`python -m benchmarks.cue_sightings`). A group is matched as one pattern: its fragments
joined by `|`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CUES_FILE = Path(__file__).with_name("cues.json")


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue phrase, where it was seen (report file name -> sentences), and the document
    that names it when it is seen rarely (else "")."""

    cue: str
    seen: dict[str, int]
    source: str = ""


@dataclass(frozen=True, slots=True)
class CueGroup:
    """The cues of one kind and what they say."""

    name: str
    why: str
    cues: tuple[Cue, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        """All the group's cues as one pattern."""
        return _compiled(tuple(c.cue for c in self.cues))


@cache
def _compiled(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{c})" for c in cues))


def load_cues(path: Path = CUES_FILE) -> dict[str, CueGroup]:
    """Every cue group of the data file, by name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: CueGroup(name, group["why"],
                       tuple(Cue(c["cue"], dict(c.get("seen", {})), c.get("source", ""))
                             for c in group["cues"]))
        for name, group in data["groups"].items()
    }


@cache
def cue(name: str) -> re.Pattern[str]:
    """The pattern of one cue group of the bundled data file."""
    return _groups()[name].pattern


@cache
def _groups() -> dict[str, CueGroup]:
    return load_cues()
