"""Agreement figures against published worked examples and a reference implementation."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotations import Annotation, Report, ReportMeta, Span, Tag, UserError, Workspace
from annotations.agreement import (
    CONSENSUS_REVIEWER,
    LABELS,
    NONE,
    agreement_report,
    cohen_kappa,
    confusion_matrix,
    disagreements,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    live_marks,
    next_disagreement,
    observed_agreement,
    resolve_sentence,
    sentence_labels,
    sentence_verdicts,
    unitizing_alpha,
)

# -- published worked examples -------------------------------------------------------------


def test_cohen_kappa_wikipedia_example() -> None:
    # 50 proposals: both yes 20, A yes B no 5, A no B yes 10, both no 15 -> p_o .7, p_e .5
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert observed_agreement(list(pairs)) == pytest.approx(0.7)
    matrix = confusion_matrix(a, b, ["y", "n"])
    assert matrix.counts == ((20, 5), (10, 15))


def test_fleiss_kappa_wikipedia_example() -> None:
    # 10 subjects, 14 raters, 5 categories: counts of raters per category
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    ratings = [[c for c, n in enumerate(row, 1) for _ in range(n)] for row in table]
    assert fleiss_kappa(ratings) == pytest.approx(0.210, abs=5e-4)


# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, values 1-5, missing values as None; nominal alpha = 0.743
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def by_unit(by_coder: list[list[int | None]]) -> list[list[int | None]]:
    return [list(unit) for unit in zip(*by_coder, strict=True)]


def reference_alpha(by_coder: list[list[int | None]]) -> float:
    data = np.array([[np.nan if v is None else v for v in row] for row in by_coder], float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_krippendorff_alpha_2011_example_with_missing_values() -> None:
    alpha = krippendorff_alpha_nominal(by_unit(KRIPPENDORFF_2011))
    assert alpha == pytest.approx(0.743, abs=5e-4)
    assert alpha == pytest.approx(reference_alpha(KRIPPENDORFF_2011), abs=1e-12)


def test_krippendorff_1995_digitized_example() -> None:
    # Krippendorff (1995: 57), case A, Bertha and Bill digitized per character:
    # Cohen's kappa .385 and nominal alpha .329 (also reproduced by DKPro Statistics' tests)
    bertha: list[int | None] = [int(c) for c in "001111111100001111110000"]
    bill: list[int | None] = [int(c) for c in "000011110000000110000000"]
    assert cohen_kappa(bertha, bill) == pytest.approx(0.385, abs=1e-3)
    alpha = krippendorff_alpha_nominal(by_unit([bertha, bill]))
    assert alpha == pytest.approx(0.329, abs=1e-3)


labels = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda coders: st.lists(
            st.lists(st.one_of(st.none(), labels), min_size=coders, max_size=coders),
            min_size=2,
            max_size=30,
        )
    )
)
def test_krippendorff_alpha_matches_reference_package(units: list[list[str | None]]) -> None:
    ours = krippendorff_alpha_nominal(units)
    assume(ours is not None)
    codes = {"a": 1, "b": 2, "c": 3, "d": 4}
    by_coder: list[list[int | None]] = [
        [None if v is None else codes[v] for v in coder] for coder in zip(*units, strict=True)
    ]
    assert ours == pytest.approx(reference_alpha(by_coder), abs=1e-9)


# -- Krippendorff's unitizing alpha -----------------------------------------------------------


def test_unitizing_alpha_2004_worked_example() -> None:
    # Krippendorff (2004: 254): continuum 150-450, observers i and j, categories c and k;
    # the book gives D_o(c) .0144, D_e(c) .0532, alpha(c) .7286, alpha(k) 1, overall .859
    i = [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")]
    j = [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")]
    result = unitizing_alpha([i, j], 150, 450)
    assert unitizing_alpha([j, i], 150, 450) == result
    c, k = result.categories
    assert (c.category, k.category) == ("c", "k")
    assert c.observed == pytest.approx(0.0144, abs=1e-4)
    assert c.expected == pytest.approx(0.0532, abs=1e-4)
    assert c.alpha == pytest.approx(0.7286, abs=1e-4)
    assert k.observed == 0
    assert k.expected == pytest.approx(0.0490, abs=1e-4)
    assert k.alpha == 1
    assert result.alpha == pytest.approx(0.859, abs=5e-4)


def krippendorff_1995_example(stretch: int) -> list[list[tuple[int, int, str]]]:
    """Krippendorff (1995: 57): four pairs of coders (A-D) on 24 positions, as one study
    with categories A-D, units given as (offset, length), scaled by `stretch`."""
    first = {
        "A": [(2, 8), (14, 6)],
        "B": [(0, 18)],
        "C": [(2, 6), (10, 2), (14, 4), (20, 2)],
        "D": [(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
    }
    second = {
        "A": [(4, 4), (15, 2)],
        "B": [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)],
        "C": [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)],
        "D": [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
    }
    return [
        [(o * stretch, (o + n) * stretch, cat) for cat, units in coder.items() for o, n in units]
        for coder in (first, second)
    ]


def test_unitizing_alpha_1995_example() -> None:
    observed = unitizing_alpha(krippendorff_1995_example(1), 0, 24)
    assert [round(c.observed, 5) for c in observed.categories] == [
        0.03125, 2.26736, 0.02778, 0.38715]
    # the paper's D_e assumes a practically continuous scale, hence the stretch; it has a
    # small error for C (noted by DKPro Statistics, whose tolerances these are)
    result = unitizing_alpha(krippendorff_1995_example(50_000), 0, 24 * 50_000)
    expected = [0.06990, 1.17731, 0.08642, 0.41445]
    alphas = [0.553, -0.926, 0.679, 0.066]
    for cat, e, a in zip(result.categories, expected, alphas, strict=True):
        assert cat.expected == pytest.approx(e, abs=5e-3)
        assert cat.alpha == pytest.approx(a, abs=2e-2)


def test_partly_overlapping_units_disagree_in_unitizing_alpha() -> None:
    same = unitizing_alpha([[(10, 30, "x")], [(10, 30, "x")]], 0, 100)
    shifted = unitizing_alpha([[(10, 30, "x")], [(15, 35, "x")]], 0, 100)
    assert same.alpha == 1
    assert shifted.alpha is not None and shifted.alpha < 1


spans = st.lists(
    st.tuples(st.integers(0, 180), st.integers(1, 40), st.sampled_from(["x", "y", "z"])),
    min_size=1,
    max_size=8,
).map(lambda us: [(o, min(o + n, 200), c) for o, n, c in us])


@settings(max_examples=80, deadline=None)
@given(spans, st.integers(2, 4))
def test_unitizing_alpha_of_identical_spans_is_one(units: list[tuple[int, int, str]],
                                                   coders: int) -> None:
    result = unitizing_alpha([units] * coders, 0, 200)
    assert result.alpha == pytest.approx(1.0)
    assert all(c.observed == 0 for c in result.categories)


@settings(max_examples=80, deadline=None)
@given(spans, spans)
def test_unitizing_alpha_does_not_depend_on_the_order_of_coders(
    first: list[tuple[int, int, str]], second: list[tuple[int, int, str]]
) -> None:
    forward = unitizing_alpha([first, second, []], 0, 200)
    backward = unitizing_alpha([[], second, first], 0, 200)
    assert forward.alpha == backward.alpha
    assert forward.categories == backward.categories


codings = st.lists(st.sampled_from(list(LABELS)), min_size=2, max_size=40)


@given(codings)
def test_identical_codings_agree_fully(values: list[str]) -> None:
    assume(len(set(values)) >= 2)
    assert cohen_kappa(values, values) == pytest.approx(1.0)
    assert fleiss_kappa([[v, v, v] for v in values]) == pytest.approx(1.0)
    assert krippendorff_alpha_nominal([[v, v] for v in values]) == pytest.approx(1.0)
    assert observed_agreement([[v, v] for v in values]) == 1.0


@given(st.lists(st.tuples(st.sampled_from(list(LABELS)), st.sampled_from(list(LABELS))),
                min_size=1, max_size=40))
def test_cohen_kappa_is_symmetric(pairs: list[tuple[str, str]]) -> None:
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    ab, ba = cohen_kappa(a, b), cohen_kappa(b, a)
    assert (ab is None and ba is None) or ab == pytest.approx(ba)
    assert confusion_matrix(a, b, LABELS).counts == tuple(
        zip(*confusion_matrix(b, a, LABELS).counts, strict=True))


def test_undefined_coefficients_are_none() -> None:
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert krippendorff_alpha_nominal([["a", "a"], ["a", None]]) is None
    assert observed_agreement([["a", None]]) is None


# -- sentences as units ------------------------------------------------------------------------

TEXT = "一是完成审查。二是存在问题。三是明年将推进。四是其他。"
SENTENCES = ((0, 7), (7, 14), (14, 22), (22, 27))


def make_report(report_id: str = "r1", text: str = TEXT,
                sentences: tuple[tuple[int, int], ...] = SENTENCES) -> Report:
    meta = ReportMeta(report_id, "sha-" + report_id, "测试报告 " + report_id, None, None, None,
                      None, len(text), None, "utf-8", "2026-01-01T00:00:00Z")
    return Report(meta, text, (), tuple(Span(s, e) for s, e in sentences))


def mark(report: Report, start: int, end: int, tag: str, reviewer: str, *,
         deleted: bool = False, orphan: bool = False) -> Annotation:
    return Annotation(str(uuid.uuid4()), report.id, report.sha256, start, end,
                      report.text[start:end], "", "", Tag(tag), "", reviewer,
                      "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", orphan, deleted)


def test_sentence_label_is_the_tag_covering_most_of_it() -> None:
    r = make_report()
    marks = [
        mark(r, 0, 5, "achievement", "A"),  # 5 of 7: achievement
        mark(r, 7, 10, "shortcoming", "A"),  # 3 of 7 vs 4 unmarked: none
        mark(r, 14, 18, "plan", "A"),  # 4 plan, 4 achievement: tie -> tag order
        mark(r, 18, 22, "achievement", "A"),
        mark(r, 22, 27, "plan", "A", deleted=True),
        mark(r, 22, 27, "plan", "A", orphan=True),
    ]
    assert sentence_labels(r, marks, ["A", "B"]) == {
        "A": [Tag.ACHIEVEMENT, None, Tag.ACHIEVEMENT, None],
        "B": [None, None, None, None],
    }


def test_overlapping_marks_of_one_tag_are_counted_once() -> None:
    r = make_report()
    marks = [mark(r, 7, 11, "shortcoming", "A"), mark(r, 8, 11, "shortcoming", "A"),
             mark(r, 10, 12, "plan", "A")]
    # shortcoming covers 7-11 (4), plan 10-12 (2), unmarked 12-14 (2)
    assert sentence_labels(r, marks, ["A"])["A"][1] is Tag.SHORTCOMING


def test_a_tie_between_a_tag_and_the_unmarked_part_goes_to_the_tag() -> None:
    r = make_report(text="甲乙丙丁。", sentences=((0, 4), (4, 5)))
    assert sentence_labels(r, [mark(r, 0, 2, "plan", "A")], ["A"])["A"] == [Tag.PLAN, None]


def two_reviewers(r: Report) -> list[Annotation]:
    return [
        mark(r, 0, 7, "achievement", "A"), mark(r, 0, 7, "achievement", "B"),
        mark(r, 7, 14, "shortcoming", "A"), mark(r, 7, 14, "plan", "B"),
        mark(r, 14, 22, "plan", "A"), mark(r, 15, 22, "plan", "B"),
    ]


def test_agreement_report_equals_the_figures_of_the_labels() -> None:
    r = make_report()
    result = agreement_report([(r, two_reviewers(r))])
    a = ["achievement", "shortcoming", "plan", NONE]
    b = ["achievement", "plan", "plan", NONE]
    overall = result.overall
    assert overall.reviewers == ("A", "B") and overall.units == 4
    assert overall.observed == 0.75
    assert overall.cohen_kappa == cohen_kappa(a, b)
    assert overall.fleiss_kappa == fleiss_kappa([[x, y] for x, y in zip(a, b, strict=True)])
    assert overall.krippendorff_alpha == krippendorff_alpha_nominal(
        [[x, y] for x, y in zip(a, b, strict=True)])
    assert overall.pairs[0].confusion.count("shortcoming", "plan") == 1
    assert overall.pairs[0].confusion.count(NONE, NONE) == 1
    # sentence 3 agrees as a sentence, yet the marks differ by a character: u-α sees it
    assert overall.unitizing is not None and overall.unitizing.alpha is not None
    assert overall.unitizing.alpha < 1
    assert [x.report_id for x in result.reports] == ["r1"]
    assert result.reports[0].figures == overall


def test_overall_pools_reports_and_skips_single_reviewer_reports() -> None:
    r1, r2, r3 = make_report("r1"), make_report("r2"), make_report("r3")
    result = agreement_report([
        (r1, two_reviewers(r1)),
        (r2, [mark(r2, 0, 7, "plan", "A"), mark(r2, 0, 7, "plan", "B")]),
        (r3, [mark(r3, 0, 7, "plan", "A")]),
    ])
    assert [x.report_id for x in result.reports] == ["r1", "r2"]
    assert result.skipped == (("r3", r3.title),)
    assert result.overall.units == 8
    assert result.reports[1].figures.observed == 1.0
    json = result.to_json()
    assert json["labels"] == list(LABELS)
    assert json["overall"]["pairs"][0]["confusion"]["counts"][2][2] == 1 + 1


def test_three_reviewers_give_fleiss_and_alpha_and_pairwise_kappa() -> None:
    r = make_report()
    marks = [*two_reviewers(r), mark(r, 0, 7, "achievement", "C")]
    overall = agreement_report([(r, marks)]).overall
    assert overall.reviewers == ("A", "B", "C") and overall.cohen_kappa is None
    assert overall.fleiss_kappa is not None and overall.krippendorff_alpha is not None
    assert [p.reviewers for p in overall.pairs] == [("A", "B"), ("A", "C"), ("B", "C")]


def test_consensus_marks_are_left_out_unless_named() -> None:
    r = make_report()
    marks = [*two_reviewers(r), mark(r, 7, 14, "shortcoming", CONSENSUS_REVIEWER)]
    assert agreement_report([(r, marks)]).overall.reviewers == ("A", "B")
    named = agreement_report([(r, marks)], reviewers=["A", CONSENSUS_REVIEWER])
    assert named.overall.reviewers == ("A", CONSENSUS_REVIEWER)


def test_a_mark_on_another_text_version_is_not_counted() -> None:
    r = make_report()
    stale = dataclasses.replace(mark(r, 0, len(r.text) + 9, "plan", "B"), text_sha256="0" * 64)
    marks = [*two_reviewers(r), stale]
    assert stale not in live_marks(r, marks)
    assert agreement_report([(r, marks)]) == agreement_report([(r, two_reviewers(r))])


def test_fewer_than_two_reviewers_is_a_user_error() -> None:
    r = make_report()
    with pytest.raises(UserError, match="two or more reviewers on the same report"):
        agreement_report([(r, [mark(r, 0, 7, "plan", "A")])])
    with pytest.raises(UserError, match="there are no marks"):
        agreement_report([(r, [])])
    with pytest.raises(UserError, match="two or more reviewers"):
        agreement_report([(r, two_reviewers(r))], reviewers=["A"])
    with pytest.raises(UserError, match="'Z' has no marks"):
        agreement_report([(r, two_reviewers(r))], reviewers=["A", "Z"])
    with pytest.raises(UserError, match="Reviewers 'Y', 'Z' have no marks"):
        agreement_report([(r, two_reviewers(r))], reviewers=["A", "Y", "Z"])


# -- the disagreement view ----------------------------------------------------------------------


def test_verdicts_and_jumping_between_disagreements() -> None:
    r = make_report()
    verdicts = sentence_verdicts(r, two_reviewers(r), ["A", "B"])
    assert [v.agree for v in verdicts] == [True, False, True, True]
    assert verdicts[1].tag_of("A") is Tag.SHORTCOMING and verdicts[1].tag_of("B") is Tag.PLAN
    assert [v.index for v in disagreements(r, two_reviewers(r), ["A", "B"])] == [1]
    assert next_disagreement(verdicts, 0) == verdicts[1]
    assert next_disagreement(verdicts, 7) is None
    assert next_disagreement(verdicts, 20, backwards=True) == verdicts[1]
    assert next_disagreement(verdicts, 7, backwards=True) is None


def test_resolving_a_disagreement_stores_a_consensus_mark(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws", reviewer="A")
    report = ws.report(ws.reports()[0].id)
    first, second = report.sentences[0], report.sentences[1]
    ws.annotate(report.id, first.start, first.end, "achievement", reviewer="A")
    ws.annotate(report.id, first.start, first.end, "plan", reviewer="B")
    ws.annotate(report.id, second.start, second.end, "plan", reviewer="B")
    verdict = disagreements(report, ws.annotations(report_id=report.id), ["A", "B"])[0]
    assert verdict.index == 0 and verdict.consensus is None
    resolve_sentence(ws, report.id, verdict, "plan")
    again = resolve_sentence(ws, report.id, verdict, "achievement")
    consensus = ws.annotations(report_id=report.id, reviewer=CONSENSUS_REVIEWER)
    assert [(m.id, m.tag) for m in consensus] == [(again.id, Tag.ACHIEVEMENT)]
    verdicts = sentence_verdicts(report, ws.annotations(report_id=report.id), ["A", "B"])
    assert verdicts[0].consensus is Tag.ACHIEVEMENT and verdicts[1].consensus is None
    # the resolution does not count as a third reviewer
    assert agreement_report(ws).overall.reviewers == ("A", "B")
