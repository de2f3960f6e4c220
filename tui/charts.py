"""The picture of the reports as Rich tables with bar charts (Rich's own `Bar`): drawn by
`shenyue stats` on a terminal and by the app's stats screen. Titles are plain `Text`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.bar import Bar
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text

from annotations.model import Tag
from annotations.stats import ReportStats, Stats
from tui.i18n import _
from tui.marks import CLI_TAG_STYLES, tag_label

BAR_WIDTH = 14
FIGURE_MAX = 7
FIRST_MIN = 18  # the title column keeps this many cells at 80 columns


def tag_bars(counts: dict[Tag, int], most: int, styles: Mapping[Tag, Style]) -> Group:
    """One bar per tag, in the tag's colour, scaled so that `most` fills the width."""
    return Group(*(Bar(max(most, 1), 0, counts[tag], width=BAR_WIDTH,
                       color=styles[tag].color or "default") for tag in Tag))


def counts_table(title: str, first: Sequence[str], rows: Sequence[tuple[Sequence[str],
                 dict[Tag, int], str | None]], styles: Mapping[Tag, Style]) -> Table:
    """A table: the `first` columns, one column per tag (in `styles`), coverage (when
    given), and bars."""
    with_coverage = any(coverage is not None for _cells, _counts, coverage in rows)
    table = Table(title=Text(title, style="bold"), title_justify="left", expand=False)
    for k, name in enumerate(first):
        table.add_column(Text(name), overflow="fold", min_width=FIRST_MIN if k == 0 else None)
    for tag in Tag:
        # narrow: a long tag name is cut, the figures fit
        table.add_column(Text(tag_label(tag), style=styles[tag]), justify="right",
                         max_width=FIGURE_MAX, overflow="ellipsis")
    if with_coverage:
        table.add_column(Text(_("Coverage")), justify="right", max_width=FIGURE_MAX,
                         overflow="ellipsis")
    table.add_column(Text(""), no_wrap=True, width=BAR_WIDTH)
    most = max((n for _cells, counts, _c in rows for n in counts.values()), default=0)
    for cells, counts, coverage in rows:
        table.add_row(*(Text(c) for c in cells), *(Text(str(counts[t])) for t in Tag),
                      *([Text(coverage or "")] if with_coverage else []),
                      tag_bars(counts, most, styles))
    return table


def share(value: float) -> str:
    """A share as a whole percentage."""
    return f"{value:.0%}"


def report_table(reports: Sequence[ReportStats], styles: Mapping[Tag, Style]) -> Table:
    """Marks per tag and coverage of each report."""
    return counts_table(_("Marks per report"), (_("Report"),),
                        [((f"{r.meta.title} ({r.meta.place or '—'}, {r.meta.year or '—'})",),
                          r.counts, share(r.coverage)) for r in reports], styles)


def section_table(report: ReportStats, styles: Mapping[Tag, Style]) -> Table:
    """Marks per tag and coverage of each top-level section of a report."""
    return counts_table(_("{title}: marks per section").format(title=report.meta.title),
                        (_("Section"),),
                        [((s.title,), s.counts, share(s.coverage)) for s in report.sections],
                        styles)


def stats_tables(stats: Stats, styles: Mapping[Tag, Style] = CLI_TAG_STYLES) -> list[Table]:
    """Every table of the picture: the reports, each report's sections, each place's years;
    tags drawn in `styles` (the app passes its theme's)."""
    tables = [report_table(stats.reports, styles)]
    tables += [section_table(r, styles) for r in stats.reports]
    tables += [counts_table(_("{place}: marks per year").format(place=p.place), (_("Year"),),
                            [((str(year),), counts, None) for year, counts in p.years], styles)
               for p in stats.places]
    return tables
