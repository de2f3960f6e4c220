"""Re-anchoring marks when a report's text changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import Workspace
from annotations.anchor import OffsetMap, Selector, TextIndex, place, quote_context

SENTENCES = [
    "审查规范性文件65件。", "行政复议规范化、信息化程度不高。", "2022年,我区将继续推进依法行政。",
    "一是健全工作机制;", "二是加强队伍建设。", "部分执法人员法治意识有待提高。",
    "全年办理行政复议案件120件。", "下一步将进一步完善监督体系。", "（一）推进政务公开。",
]


def selector(text: str, start: int, end: int, hint: int | None = None) -> Selector:
    quote, prefix, suffix = quote_context(text, start, end)
    return Selector(quote, prefix, suffix, start if hint is None else hint)


def test_exact_match_prefers_the_occurrence_with_matching_context() -> None:
    old = "甲说:行政复议不足。乙说:行政复议很好。"
    start = old.index("行政复议", 5)
    new = "前言。" + old
    spot = place(TextIndex(new), selector(old, start, start + 4, hint=0))
    assert spot == (start + 3, start + 7)


def test_equal_context_goes_to_the_nearest_occurrence() -> None:
    text = "重复。" * 20
    spot = place(TextIndex(text), selector(text, 30, 33, hint=31))
    assert spot == (30, 33)


def test_fuzzy_match_tolerates_a_few_changed_characters() -> None:
    old = "前文很长的一段。部分执法人员法治意识有待提高,执法水平参差不齐。后文。"
    start = old.index("部分")
    end = old.index("。", start)
    new = old.replace("有待提高", "仍需提高").replace("参差", "高低")
    spot = place(TextIndex(new), selector(old, start, end))
    assert spot is not None
    assert new[spot[0] : spot[1]].startswith("部分执法人员")
    assert spot[1] - spot[0] >= end - start - 2


def test_a_quote_that_is_gone_is_an_orphan() -> None:
    old = "第一段。行政复议信息化程度不高。第三段。"
    start = old.index("行政")
    new = "第一段。完全不同的内容在这里出现。第三段。"
    assert place(TextIndex(new), selector(old, start, start + 12)) is None


def test_offset_map_is_exact_outside_the_change() -> None:
    old, new = "abcdefghij", "abcXYZdefghij"
    moved = OffsetMap(old, new)
    assert moved.unchanged(0, 3) and moved.unchanged(4, 10) and not moved.unchanged(2, 5)
    assert moved.map(2) == 2 and moved.map(5) == 8


@st.composite
def edited_texts(draw: st.DrawFn) -> tuple[str, int, int, str, int]:
    """A text, a marked span in it, and the text after random edits that spare the span."""
    parts = draw(st.lists(st.sampled_from(SENTENCES), min_size=4, max_size=30))
    text = "".join(parts)
    start = draw(st.integers(0, len(text) - 2))
    end = draw(st.integers(start + 1, min(len(text), start + 40)))
    new_start = start
    edits = draw(st.lists(st.tuples(st.booleans(), st.integers(0, 10**6),
                                    st.sampled_from([*SENTENCES, "", "另"])), max_size=6))
    new = text
    for before, at_raw, insert in edits:
        quote_at, quote_end = new_start, new_start + (end - start)
        region = range(0, quote_at + 1) if before else range(quote_end, len(new) + 1)
        at = region[at_raw % len(region)]
        delete = min(len(insert) // 2, (quote_at - at) if before else len(new) - at)
        new = new[:at] + insert + new[at + delete :]
        if before:
            new_start += len(insert) - delete
    return text, start, end, new, new_start


@settings(max_examples=150, deadline=None)
@given(edited_texts())
def test_marks_keep_their_place_through_edits_elsewhere(
    case: tuple[str, int, int, str, int],
) -> None:
    text, start, end, new, new_start = case
    spot = place(TextIndex(new), selector(text, start, end, hint=OffsetMap(text, new).map(start)))
    assert spot is not None
    assert new[spot[0] : spot[1]] == text[start:end]
    # str.count misses overlapping occurrences (审…。审 twice, the second from the first's end)
    if sum(new.startswith(text[start:end], i) for i in range(len(new))) == 1:
        assert spot[0] == new_start


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_reimport_of_an_edited_report_moves_every_mark(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    tmp_path = tmp_path_factory.mktemp("reimport")
    home = tmp_path / "ws"
    source = tmp_path / "draft.txt"
    text = "".join(SENTENCES * 3)
    source.write_text(text, encoding="utf-8")
    ws = Workspace.open(home, seed=False, reviewer="甲")
    report = ws.import_report(source)
    spans = data.draw(st.lists(st.integers(0, len(report.text) - 12), min_size=1, max_size=5))
    marks = [ws.annotate(report.id, s, s + 10, "plan") for s in spans]
    inserted = "新增加的一段话。"
    source.write_text(inserted + text + inserted, encoding="utf-8")
    new = ws.import_report(source)
    shift = new.text.index(report.text[:20])
    for mark in marks:
        moved = ws.annotation(mark.id)
        assert (moved.start, moved.end) == (mark.start + shift, mark.end + shift)
        assert moved.quote == mark.quote and moved.text_sha256 == new.sha256
        assert not moved.orphan


def test_reimport_orphans_a_mark_whose_text_is_gone(tmp_path: Path) -> None:
    source = tmp_path / "draft.txt"
    source.write_text("一、成效\n审查规范性文件65件。\n二、不足\n行政复议信息化程度不高。\n",
                      encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws", seed=False, reviewer="甲")
    report = ws.import_report(source)
    at = report.text.index("行政复议")
    mark = ws.annotate(report.id, at, at + 11, "shortcoming", "要跟进")
    kept = ws.annotate(report.id, report.text.index("审查"), report.text.index("65件") + 3,
                       "achievement")
    source.write_text("一、成效\n审查规范性文件65件。\n二、不足\n无。\n", encoding="utf-8")
    ws.import_report(source)
    orphan = ws.annotation(mark.id)
    assert orphan.orphan and orphan.quote == mark.quote and orphan.comment == "要跟进"
    assert orphan in ws.annotations() and not ws.annotation(kept.id).orphan
