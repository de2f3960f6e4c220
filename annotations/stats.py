"""How the marks add up: per report and per section the marks of each tag and the share of
sentences they cover, and across the reports of one place the marks per year.

Plain Python over the workspace's reports and marks; the app's stats screen, `shenyue
stats` and the memo all draw from here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotations.model import Annotation, Report, ReportMeta, Span, Tag

if TYPE_CHECKING:
    from annotations.workspace import Workspace

OPENING = "（开头）"  # the text before a report's first heading, as a section of its own


def tag_counts(marks: Iterable[Annotation]) -> dict[Tag, int]:
    """How many marks there are of each tag."""
    counts = dict.fromkeys(Tag, 0)
    for mark in marks:
        counts[mark.tag] += 1
    return counts


def covered_share(sentences: Sequence[Span], marks: Iterable[Annotation]) -> float:
    """The share of sentences that at least one mark overlaps (0.0 to 1.0)."""
    if not sentences:
        return 0.0
    starts = [s.start for s in sentences]
    ends = [s.end for s in sentences]
    covered: set[int] = set()
    for mark in marks:
        first = bisect_right(ends, mark.start)
        last = bisect_left(starts, mark.end)
        covered.update(range(first, last))
    return len(covered) / len(sentences)


def counts_json(counts: dict[Tag, int]) -> dict[str, int]:
    """{"achievement": n, "shortcoming": n, "plan": n}."""
    return {tag.value: counts[tag] for tag in Tag}


@dataclass(frozen=True, slots=True)
class SectionStats:
    """One top-level section (or the opening before the first heading): its marks per tag
    and the share of its sentences they cover."""

    title: str
    start: int
    end: int
    counts: dict[Tag, int]
    sentences: int
    coverage: float

    def to_json(self) -> dict[str, Any]:
        """The section as `shenyue stats --json` gives it."""
        return {"title": self.title, "start": self.start, "end": self.end,
                "counts": counts_json(self.counts), "sentences": self.sentences,
                "coverage": round(self.coverage, 4)}


@dataclass(frozen=True, slots=True)
class ReportStats:
    """One report: its marks per tag (placed ones), coverage, sections, and orphans."""

    meta: ReportMeta
    counts: dict[Tag, int]
    sentences: int
    coverage: float
    sections: tuple[SectionStats, ...]
    orphans: int

    @property
    def total(self) -> int:
        """How many placed marks the report has."""
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        """The report as `shenyue stats --json` gives it."""
        return {"id": self.meta.id, "title": self.meta.title, "place": self.meta.place,
                "year": self.meta.year, "counts": counts_json(self.counts),
                "marks": self.total, "orphans": self.orphans, "sentences": self.sentences,
                "coverage": round(self.coverage, 4),
                "sections": [s.to_json() for s in self.sections]}


@dataclass(frozen=True, slots=True)
class PlaceYears:
    """The reports of one place: marks per tag for each year, oldest first."""

    place: str
    years: tuple[tuple[int, dict[Tag, int]], ...]

    def to_json(self) -> dict[str, Any]:
        """The place as `shenyue stats --json` gives it."""
        return {"place": self.place,
                "years": [{"year": y, "counts": counts_json(c)} for y, c in self.years]}


@dataclass(frozen=True, slots=True)
class Stats:
    """The picture of a set of reports."""

    reports: tuple[ReportStats, ...]
    places: tuple[PlaceYears, ...]

    def to_json(self) -> dict[str, Any]:
        """`shenyue stats --json`."""
        return {"tags": [t.value for t in Tag], "reports": [r.to_json() for r in self.reports],
                "places": [p.to_json() for p in self.places]}


def section_spans(report: Report) -> list[tuple[str, int, int]]:
    """The report's top-level sections as (title, start, end), with the opening before the
    first heading when there is text there."""
    first = report.sections[0].start if report.sections else len(report.text)
    spans = [(OPENING, 0, first)] if report.text[:first].strip() else []
    return spans + [(s.title, s.start, s.end) for s in report.sections]


def section_of(spans: Sequence[tuple[str, int, int]], offset: int) -> str:
    """The title of the span in `spans` holding `offset` (the last one before it)."""
    title = spans[0][0] if spans else OPENING
    for name, start, _end in spans:
        if start > offset:
            break
        title = name
    return title


def report_stats(report: Report, marks: Sequence[Annotation]) -> ReportStats:
    """The figures of one report from its marks (deleted ones are left out; orphans only
    counted)."""
    placed = [m for m in marks if not m.deleted and not m.orphan]
    sections = []
    for title, start, end in section_spans(report):
        inside = [m for m in placed if start <= m.start < end]
        spans = [s for s in report.sentences if start <= s.start < end]
        sections.append(SectionStats(title, start, end, tag_counts(inside), len(spans),
                                     covered_share(spans, inside)))
    return ReportStats(report.meta, tag_counts(placed), len(report.sentences),
                       covered_share(report.sentences, placed), tuple(sections),
                       sum(1 for m in marks if m.orphan and not m.deleted))


def place_years(reports: Iterable[ReportStats]) -> tuple[PlaceYears, ...]:
    """For each place with a year on two or more reports, the marks per tag per year
    (reports of one place and year added up)."""
    by_place: dict[str, dict[int, dict[Tag, int]]] = {}
    for r in reports:
        if r.meta.place and r.meta.year is not None:
            years = by_place.setdefault(r.meta.place, {})
            total = years.setdefault(r.meta.year, dict.fromkeys(Tag, 0))
            for tag in Tag:
                total[tag] += r.counts[tag]
    return tuple(PlaceYears(place, tuple(sorted(years.items())))
                 for place, years in sorted(by_place.items()) if len(years) > 1)


def workspace_stats(
    ws: Workspace, report_ids: Sequence[str] | None = None, reviewer: str | None = None
) -> Stats:
    """The figures of these reports (default: every report with marks) from the marks of
    `reviewer` (default: everyone's), in the library's order."""
    marks: dict[str, list[Annotation]] = {}
    for mark in ws.annotations(reviewer=reviewer):
        marks.setdefault(mark.report_id, []).append(mark)
    wanted = [m for m in ws.reports()
              if (m.id in report_ids if report_ids is not None else m.id in marks)]
    reports = tuple(report_stats(ws.report(m.id), marks.get(m.id, [])) for m in wanted)
    return Stats(reports, place_years(reports))
