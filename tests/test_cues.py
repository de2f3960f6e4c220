"""The cue data file: well formed, every cue compiles, and no cue fits one sentence only."""

from __future__ import annotations

import re

from annotations.cues import load_cues

GROUPS = {"heading_review", "heading_problems", "heading_tasks", "turn_problems",
          "continue_problems", "turn_tasks", "shortcoming", "problem_solved", "future",
          "jiang_as_ba", "plan", "reported_speech", "achievement", "framing",
          "plan_document_title", "statement", "footer"}


def test_groups_and_cues_are_well_formed() -> None:
    groups = load_cues()
    assert set(groups) == GROUPS
    for group in groups.values():
        assert group.why and group.cues
        for cue in group.cues:
            re.compile(cue.cue)
            assert all(n > 0 for n in cue.seen.values())


def test_every_cue_is_seen_twice_or_named_by_a_document() -> None:
    rare = [f"{g.name}: {c.cue}" for g in load_cues().values() for c in g.cues
            if sum(c.seen.values()) < 2 and not c.source]
    assert rare == []


def test_the_seed_specific_cues_are_gone() -> None:
    cues = " ".join(c.cue for g in load_cues().values() for c in g.cues)
    for gone in ("把握不准", "时有发生", "没有(配备", "高举", "责任单位"):
        assert gone not in cues
    future = load_cues()["future"].pattern
    assert not future.search("2018年是全面贯彻的开局之年")
