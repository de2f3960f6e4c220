"""How far reviewers agree on a report, and where they differ.

Two views of the same marks:

- Sentences as units. Each reviewer gives each sentence one label: the tag whose marks cover
  most of its characters, or "none" when more of it is unmarked than any one tag covers (a
  tie between a tag and the unmarked part goes to the tag; a tie between tags to the one
  first in `Tag` order). "none" is a category like the tags, so two reviewers who both leave
  a sentence unmarked agree on it: the figures measure agreement on *whether* to mark a
  sentence as well as *how*. Where most sentences stay unmarked this raises observed
  agreement a lot and kappa/alpha far less, since they discount agreement that the
  frequency of "none" alone makes likely. On these units: observed agreement, Cohen's kappa
  (two reviewers), Fleiss' kappa and Krippendorff's alpha (two or more).
- The text as a continuum of characters: Krippendorff's unitizing alpha (u-α, see
  reliability.py), which counts partly overlapping marks as partly disagreeing.

Deleted marks and orphans (marks that could not be placed in the current text) are left out.
A reviewer who made no mark on a report is taken not to have reviewed it: their labels there
are missing values, not "none". Marks of the consensus reviewer (resolutions of
disagreements) and of the suggestion reviewer (`shenyue suggest --apply`) are left out unless
asked for by name.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

from annotations.errors import UserError
from annotations.model import Annotation, Report, ReportMeta, Span, Tag
from annotations.reliability import (
    ConfusionMatrix,
    Unitizing,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    merged_spans,
    observed_agreement,
    unitizing_alpha,
)
from annotations.suggest import REVIEWER as SUGGEST_REVIEWER
from annotations.workspace import Workspace

__all__ = [
    "CONSENSUS_REVIEWER",
    "LABELS",
    "NONE",
    "AgreementResult",
    "ConfusionMatrix",
    "Figures",
    "PairAgreement",
    "ReportAgreement",
    "SentenceVerdict",
    "Unitizing",
    "agreement_report",
    "cohen_kappa",
    "confusion_matrix",
    "disagreements",
    "fleiss_kappa",
    "krippendorff_alpha_nominal",
    "marking_reviewers",
    "next_disagreement",
    "observed_agreement",
    "resolve_sentence",
    "sentence_labels",
    "sentence_verdicts",
    "unitizing_alpha",
]

CONSENSUS_REVIEWER = "consensus"
# reviewers that resolve or suggest rather than review: compared only when named
NOT_REVIEWERS = frozenset({CONSENSUS_REVIEWER, SUGGEST_REVIEWER})
NONE = "none"
LABELS = (*(t.value for t in Tag), NONE)

ReportMarks = tuple[Report, Sequence[Annotation]]


def live_marks(
    report: Report | ReportMeta, annotations: Iterable[Annotation]
) -> list[Annotation]:
    """The marks of `report` that count: neither deleted nor orphaned, and placed on its
    current text (a mark still waiting to be re-anchored points into another one)."""
    return [
        a for a in annotations
        if a.report_id == report.id and a.text_sha256 == report.sha256
        and not a.deleted and not a.orphan
    ]


def marking_reviewers(annotations: Iterable[Annotation]) -> list[str]:
    """The reviewers with live marks among `annotations`, sorted, without the consensus
    and suggestion reviewers."""
    names = {a.reviewer for a in annotations if not a.deleted and not a.orphan}
    return sorted(names - NOT_REVIEWERS)


# -- sentences as units ---------------------------------------------------------------------


def _covered(spans: Sequence[tuple[int, int]], ends: Sequence[int], start: int, end: int) -> int:
    """How many characters of [start, end) the sorted, disjoint `spans` cover."""
    total = 0
    k = bisect.bisect_right(ends, start)
    while k < len(spans) and spans[k][0] < end:
        total += min(end, spans[k][1]) - max(start, spans[k][0])
        k += 1
    return total


class Labelling(Protocol):
    """What sentence labels read of a mark (an Annotation, or less)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def tag(self) -> Tag: ...
    @property
    def reviewer(self) -> str: ...


class _Coverage:
    """One reviewer's marks on one report, by tag, ready for per-sentence questions."""

    def __init__(self, marks: Iterable[Labelling]) -> None:
        marks = list(marks)
        self.by_tag = {
            tag: merged_spans((a.start, a.end) for a in marks if a.tag is tag) for tag in Tag
        }
        self.any = merged_spans((a.start, a.end) for a in marks)
        self.ends = {tag: [e for _, e in spans] for tag, spans in self.by_tag.items()}
        self.any_ends = [e for _, e in self.any]

    def label(self, sentence: Span) -> Tag | None:
        """The tag covering most of the sentence, or None when the unmarked part is larger."""
        start, end = sentence.start, sentence.end
        unmarked = (end - start) - _covered(self.any, self.any_ends, start, end)
        best, best_chars = None, 0
        for tag in Tag:
            chars = _covered(self.by_tag[tag], self.ends[tag], start, end)
            if chars > best_chars:
                best, best_chars = tag, chars
        return best if best is not None and best_chars >= unmarked else None


def sentence_labels(
    report: Report, annotations: Iterable[Annotation], reviewers: Sequence[str]
) -> dict[str, list[Tag | None]]:
    """Per reviewer, per sentence of `report.sentences`: the tag covering most of the
    sentence's characters, or None where it is (mostly) unmarked.

    Deleted marks and orphans are ignored; see the module docstring for ties.
    """
    return span_labels(report.sentences, live_marks(report, annotations), reviewers)


def span_labels(
    spans: Sequence[Span], marks: Sequence[Labelling], reviewers: Sequence[str]
) -> dict[str, list[Tag | None]]:
    """`sentence_labels` of `spans` from marks that count (live, on this text)."""
    out: dict[str, list[Tag | None]] = {}
    for reviewer in reviewers:
        coverage = _Coverage(a for a in marks if a.reviewer == reviewer)
        out[reviewer] = [coverage.label(s) for s in spans]
    return out


# -- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers over the sentences both reviewed."""

    reviewers: tuple[str, str]
    units: int
    observed: float | None
    cohen_kappa: float | None
    confusion: ConfusionMatrix

    def to_json(self) -> dict[str, Any]:
        """JSON-ready figures of the pair."""
        return {
            "reviewers": list(self.reviewers),
            "units": self.units,
            "observed_agreement": self.observed,
            "cohen_kappa": self.cohen_kappa,
            "confusion": self.confusion.to_json(),
        }


@dataclass(frozen=True)
class Figures:
    """Agreement of a set of reviewers on a set of sentences (and their texts).

    `cohen_kappa` is given for exactly two reviewers; `fleiss_kappa` over the sentences
    every reviewer reviewed; `krippendorff_alpha` over all sentences, missing values
    allowed; `unitizing` (u-α) on the characters of the reports every reviewer marked.
    """

    reviewers: tuple[str, ...]
    units: int
    observed: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    unitizing: Unitizing | None
    pairs: tuple[PairAgreement, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready figures (None becomes null)."""
        return {
            "reviewers": list(self.reviewers),
            "units": self.units,
            "observed_agreement": self.observed,
            "cohen_kappa": self.cohen_kappa,
            "fleiss_kappa": self.fleiss_kappa,
            "krippendorff_alpha": self.krippendorff_alpha,
            "unitizing_alpha": None if self.unitizing is None else self.unitizing.to_json(),
            "pairs": [p.to_json() for p in self.pairs],
        }


@dataclass(frozen=True)
class ReportAgreement:
    """The figures of one report."""

    report_id: str
    title: str
    figures: Figures


@dataclass(frozen=True)
class AgreementResult:
    """Per report and overall agreement; `skipped` names the reports (id, title) that fewer
    than two of the reviewers marked."""

    reports: tuple[ReportAgreement, ...]
    overall: Figures
    skipped: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """The shape `shenyue agree --json` prints."""
        return {
            "labels": list(LABELS),
            "overall": self.overall.to_json(),
            "reports": [
                {"report_id": r.report_id, "title": r.title, **r.figures.to_json()}
                for r in self.reports
            ],
            "skipped": [{"report_id": rid, "title": title} for rid, title in self.skipped],
        }


@dataclass(frozen=True)
class _Coded:
    """One report's sentence labels ("none" for unmarked) by the reviewers who marked it."""

    report: Report
    marks: tuple[Annotation, ...]
    labels: dict[str, list[str]]


def _code(report: Report, marks: Sequence[Annotation], reviewers: Sequence[str]) -> _Coded:
    present = [r for r in reviewers if any(a.reviewer == r for a in marks)]
    labels = {
        r: [NONE if t is None else t.value for t in tags]
        for r, tags in sentence_labels(report, marks, present).items()
    }
    return _Coded(report, tuple(marks), labels)


def _unitizing(coded: Sequence[_Coded], reviewers: Sequence[str]) -> Unitizing | None:
    """u-α with the reports laid end to end as one continuum (only reports every reviewer
    marked, so that nobody's unreviewed report counts as deliberately left unmarked)."""
    complete = [c for c in coded if all(r in c.labels for r in reviewers)]
    if not complete:
        return None
    units: list[list[tuple[int, int, str]]] = [[] for _ in reviewers]
    at = {r: i for i, r in enumerate(reviewers)}
    offset = 0
    for c in complete:
        for a in c.marks:
            if a.reviewer in at:
                units[at[a.reviewer]].append((offset + a.start, offset + a.end, a.tag.value))
        offset += len(c.report.text)
    return unitizing_alpha(units, 0, offset) if offset else None


def _figures(coded: Sequence[_Coded], reviewers: Sequence[str]) -> Figures:
    rows: list[list[str | None]] = []
    for c in coded:
        columns = [c.labels.get(r) for r in reviewers]
        for k in range(len(c.report.sentences)):
            rows.append([None if col is None else col[k] for col in columns])
    pairs = []
    for i, j in combinations(range(len(reviewers)), 2):
        a = [row[i] for row in rows]
        b = [row[j] for row in rows]
        both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        pairs.append(
            PairAgreement(
                reviewers=(reviewers[i], reviewers[j]),
                units=len(both),
                observed=observed_agreement(both),
                cohen_kappa=cohen_kappa(a, b),
                confusion=confusion_matrix(a, b, LABELS),
            )
        )
    complete = [row for row in rows if None not in row]
    return Figures(
        reviewers=tuple(reviewers),
        units=len(rows),
        observed=observed_agreement(rows),
        cohen_kappa=pairs[0].cohen_kappa if len(reviewers) == 2 else None,
        fleiss_kappa=fleiss_kappa(complete) if complete else None,
        krippendorff_alpha=krippendorff_alpha_nominal(rows),
        unitizing=_unitizing(coded, reviewers),
        pairs=tuple(pairs),
    )


def _from_workspace(ws: Workspace, report_ids: Sequence[str] | None) -> list[ReportMarks]:
    if report_ids is None:
        report_ids = sorted({a.report_id for a in ws.annotations()})
    return [(ws.report(rid), ws.annotations(report_id=rid)) for rid in report_ids]


def agreement_report(
    source: Workspace | Iterable[ReportMarks],
    report_ids: Sequence[str] | None = None,
    reviewers: Sequence[str] | None = None,
) -> AgreementResult:
    """Agreement per report and overall, from a workspace or from (report, marks) pairs.

    `report_ids` limits the reports (default: every report with marks); `reviewers` names the
    reviewers to compare (default: everyone who marked, except the consensus and suggestion
    reviewers). Raises UserError when fewer than two of them marked any of the reports.
    """
    if isinstance(source, Workspace):
        pairs = _from_workspace(source, report_ids)
    else:
        wanted = None if report_ids is None else set(report_ids)
        pairs = [(r, m) for r, m in source if wanted is None or r.id in wanted]
    marked = {(r.id, a.reviewer) for r, marks in pairs for a in live_marks(r, marks)}
    if reviewers is None:
        names = sorted({name for _, name in marked} - NOT_REVIEWERS)
    else:
        names = list(dict.fromkeys(n.strip() for n in reviewers if n.strip()))
        if len(names) < 2:
            raise UserError("agreement.two_reviewers")
        absent = [n for n in names if not any(name == n for _, name in marked)]
        if absent:
            raise UserError("agreement.absent", names=", ".join(map(repr, absent)),
                            count=len(absent))
    coded = [_code(r, live_marks(r, marks), names) for r, marks in pairs]
    counted = [c for c in coded if len(c.labels) >= 2]
    if not counted:
        who = sorted({name for _, name in marked})
        if who:
            raise UserError("agreement.one_reviewer", names=", ".join(who))
        raise UserError("agreement.no_marks")
    reports = tuple(
        ReportAgreement(c.report.id, c.report.title, _figures([c], list(c.labels)))
        for c in counted
    )
    skipped = tuple((c.report.id, c.report.title) for c in coded if len(c.labels) < 2)
    overall_names = [n for n in names if any(n in c.labels for c in counted)]
    return AgreementResult(reports, _figures(counted, overall_names), skipped)


# -- the disagreement view -------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceVerdict:
    """One sentence: each reviewer's tag (None: unmarked), whether they all agree, and the
    tag the consensus reviewer chose for it (None: no resolution yet)."""

    index: int
    start: int
    end: int
    tags: tuple[tuple[str, Tag | None], ...]
    agree: bool
    consensus: Tag | None

    def tag_of(self, reviewer: str) -> Tag | None:
        """The tag `reviewer` gave this sentence."""
        return dict(self.tags)[reviewer]


def sentence_verdicts(
    report: Report, annotations: Iterable[Annotation], reviewers: Sequence[str]
) -> list[SentenceVerdict]:
    """Every sentence of `report` with each reviewer's tag side by side, for the
    disagreement view; the reviewers' columns come in the order given."""
    marks = live_marks(report, annotations)
    labels = sentence_labels(report, marks, list(dict.fromkeys([*reviewers, CONSENSUS_REVIEWER])))
    consensus = labels[CONSENSUS_REVIEWER]
    out = []
    for k, sentence in enumerate(report.sentences):
        tags = tuple((r, labels[r][k]) for r in reviewers)
        out.append(
            SentenceVerdict(
                index=k,
                start=sentence.start,
                end=sentence.end,
                tags=tags,
                agree=len({t for _, t in tags}) <= 1,
                consensus=consensus[k],
            )
        )
    return out


def disagreements(
    report: Report, annotations: Iterable[Annotation], reviewers: Sequence[str]
) -> list[SentenceVerdict]:
    """The sentences on which the reviewers' tags differ (unmarked counts as a tag)."""
    return [v for v in sentence_verdicts(report, annotations, reviewers) if not v.agree]


def next_disagreement(
    verdicts: Sequence[SentenceVerdict], offset: int, *, backwards: bool = False
) -> SentenceVerdict | None:
    """The first disagreement starting after `offset` (or, backwards, the last one starting
    before it): what `]` and `[` jump to. None when there is none that way."""
    if backwards:
        return next((v for v in reversed(verdicts) if not v.agree and v.start < offset), None)
    return next((v for v in verdicts if not v.agree and v.start > offset), None)


def resolve_sentence(
    ws: Workspace, report_id: str, sentence: Span | SentenceVerdict, tag: Tag | str
) -> Annotation:
    """Record the agreed tag of a sentence as a mark of the consensus reviewer (one undo
    step); a consensus mark already on exactly that sentence changes its tag instead."""
    start, end = sentence.start, sentence.end
    for mark in ws.annotations(report_id=report_id, reviewer=CONSENSUS_REVIEWER):
        if (mark.start, mark.end) == (start, end) and not mark.orphan:
            return mark if mark.tag is Tag.parse(tag) else ws.update_annotation(mark.id, tag=tag)
    return ws.annotate(report_id, start, end, tag, reviewer=CONSENSUS_REVIEWER)
