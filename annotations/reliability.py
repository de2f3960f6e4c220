"""Reliability coefficients: how far coders agree beyond what chance would give.

Plain arithmetic on labels, no knowledge of reports or marks (see agreement.py for that).

Coded units come as *ratings*: one row per unit, one value per coder, `None` where a coder
gave no value (a missing value, not a category). Every coefficient returns `None` when it
is undefined for the data (for instance when all values are the same category, so chance
agreement is already perfect).

Krippendorff's unitizing alpha (u-α) follows Krippendorff (2004), *Content Analysis: An
Introduction to Its Methodology*, 2nd ed., pp. 251-256, which refines the measure of
Krippendorff (1995), "On the reliability of unitizing continuous data", *Sociological
Methodology* 25: 47-76: per category c, each coder's continuum is cut into units of c and
gaps; partly overlapping units disagree by the squared differences of their ends, a unit
lying in another coder's gap by its squared length. It is not the 2016 family (cu-α, |u-α|).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

Value = Hashable
Ratings = Sequence[Sequence[Value | None]]


def _pairable(ratings: Ratings) -> Iterable[Counter[Value]]:
    """The value counts of each unit that has at least two values."""
    for unit in ratings:
        counts = Counter(v for v in unit if v is not None)
        if counts.total() >= 2:
            yield counts


def observed_agreement(ratings: Ratings) -> float | None:
    """The share of agreeing coder pairs, averaged over the units with two or more values.

    For two coders this is the plain share of units they gave the same value.
    """
    shares = [
        sum(c * (c - 1) for c in counts.values()) / (counts.total() * (counts.total() - 1))
        for counts in _pairable(ratings)
    ]
    return sum(shares) / len(shares) if shares else None


def cohen_kappa(a: Sequence[Value | None], b: Sequence[Value | None]) -> float | None:
    """Cohen's (1960) kappa of two coders over the units both coded.

    κ = (p_o - p_e) / (1 - p_e), where p_e comes from each coder's own distribution.
    """
    if len(a) != len(b):
        raise ValueError("both coders need one value per unit")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    n = len(pairs)
    p_o = sum(1 for x, y in pairs if x == y) / n
    count_a = Counter(x for x, _ in pairs)
    count_b = Counter(y for _, y in pairs)
    p_e = sum(count_a[v] * count_b[v] for v in count_a) / (n * n)
    return None if p_e == 1 else (p_o - p_e) / (1 - p_e)


def fleiss_kappa(ratings: Ratings) -> float | None:
    """Fleiss' (1971) kappa: every unit rated by the same number (≥2) of coders, no gaps."""
    rows = [Counter(unit) for unit in ratings]
    if not rows:
        return None
    n = rows[0].total()
    if n < 2 or any(None in row or row.total() != n for row in rows):
        raise ValueError("Fleiss' kappa needs the same number (two or more) of values per unit")
    units = len(rows)
    p_bar = sum(sum(c * (c - 1) for c in row.values()) for row in rows) / (units * n * (n - 1))
    totals: Counter[Value] = Counter()
    for row in rows:
        totals.update(row)
    p_e = sum((t / (units * n)) ** 2 for t in totals.values())
    return None if p_e == 1 else (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha_nominal(ratings: Ratings) -> float | None:
    """Krippendorff's alpha for nominal data, missing values allowed (Krippendorff 2011).

    Built on the coincidence matrix of the pairable values: α = 1 - D_o / D_e.
    """
    disagreeing = Fraction(0)
    totals: Counter[Value] = Counter()
    for counts in _pairable(ratings):
        m = counts.total()
        disagreeing += Fraction(m * m - sum(c * c for c in counts.values()), m - 1)
        totals.update(counts)
    n = totals.total()
    expected = n * n - sum(t * t for t in totals.values())
    if expected == 0:
        return None
    return float(1 - (n - 1) * disagreeing / expected)


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts of units by the value coder `a` gave (row) and coder `b` gave (column)."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def count(self, row: str, column: str) -> int:
        """How many units `a` coded `row` and `b` coded `column`."""
        return self.counts[self.labels.index(row)][self.labels.index(column)]

    def to_json(self) -> dict[str, Any]:
        """Labels and the row-major count table."""
        return {"labels": list(self.labels), "counts": [list(r) for r in self.counts]}


def confusion_matrix(
    a: Sequence[str | None], b: Sequence[str | None], labels: Sequence[str] = ()
) -> ConfusionMatrix:
    """The confusion matrix of two coders over the units both coded.

    Rows and columns follow `labels`, then any other value met, in sorted order.
    """
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    seen = {v for pair in pairs for v in pair}
    order = [*labels, *sorted(seen - set(labels))]
    where = {label: i for i, label in enumerate(order)}
    table = [[0] * len(order) for _ in order]
    for x, y in pairs:
        table[where[x]][where[y]] += 1
    return ConfusionMatrix(tuple(order), tuple(tuple(r) for r in table))


# -- Krippendorff's unitizing alpha -------------------------------------------------------

Segment = tuple[int, int, bool]  # start, end, whether it is a unit (else a gap)


@dataclass(frozen=True)
class CategoryUnitizing:
    """u-α of one category with its observed and expected disagreement."""

    category: str
    observed: float
    expected: float
    alpha: float | None


@dataclass(frozen=True)
class Unitizing:
    """u-α over all categories (1 - ΣD_o / ΣD_e) and per category."""

    alpha: float | None
    categories: tuple[CategoryUnitizing, ...]

    def to_json(self) -> dict[str, Any]:
        """The overall figure and, per category, D_o, D_e and alpha."""
        return {
            "alpha": self.alpha,
            "categories": {
                c.category: {
                    "observed_disagreement": c.observed,
                    "expected_disagreement": c.expected,
                    "alpha": c.alpha,
                }
                for c in self.categories
            },
        }


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the overlapping ones joined; spans that only touch stay apart."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _segments(units: Sequence[tuple[int, int]], begin: int, end: int) -> list[Segment]:
    """The continuum [begin, end) cut into the given units and the gaps between them."""
    out: list[Segment] = []
    pos = begin
    for start, stop in units:
        if start > pos:
            out.append((pos, start, False))
        out.append((start, stop, True))
        pos = stop
    if pos < end:
        out.append((pos, end, False))
    return out


def _distance(one: Segment, other: Segment) -> int:
    """δ² of two overlapping segments (Krippendorff 2004, p. 253)."""
    (b1, e1, unit1), (b2, e2, unit2) = one, other
    if unit1 and unit2:
        return (b1 - b2) ** 2 + (e1 - e2) ** 2
    if unit1 and b2 <= b1 and e1 <= e2:
        return (e1 - b1) ** 2
    if unit2 and b1 <= b2 and e2 <= e1:
        return (e2 - b2) ** 2
    return 0


def _pair_disagreement(first: Sequence[Segment], second: Sequence[Segment]) -> int:
    """Σ δ² over every pair of overlapping segments of two coders."""
    total = i = j = 0
    while i < len(first) and j < len(second):
        total += _distance(first[i], second[j])
        end1, end2 = first[i][1], second[j][1]
        i += end1 <= end2
        j += end2 <= end1
    return total


def _category_disagreements(
    units: Sequence[Sequence[tuple[int, int]]], begin: int, end: int
) -> tuple[Fraction, Fraction]:
    """D_o and D_e of one category; `units` holds each coder's merged units of it."""
    m, length = len(units), end - begin
    segments = [_segments(u, begin, end) for u in units]
    observed_sum = sum(
        _pair_disagreement(segments[i], segments[j]) for i in range(m) for j in range(i + 1, m)
    )
    observed = Fraction(2 * observed_sum, m * (m - 1) * length * length)
    lengths = [stop - start for coder in units for start, stop in coder]
    gaps = sorted(stop - start for coder in segments for start, stop, unit in coder if not unit)
    # suffix sums of the sorted gaps: Σ (g - l + 1) over gaps g ≥ l in one bisect
    suffix = [0] * (len(gaps) + 1)
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    n_c = len(lengths)
    numerator = 0
    for ell in lengths:
        first = bisect.bisect_left(gaps, ell)
        fitting = suffix[first] - (len(gaps) - first) * (ell - 1)
        # l(l-1)(2l-1) is six times a sum of squares, so the division by 3 is exact
        numerator += (n_c - 1) * (ell * (ell - 1) * (2 * ell - 1) // 3) + ell * ell * fitting
    denominator = m * length * (m * length - 1) - sum(ell * (ell - 1) for ell in lengths)
    return observed, Fraction(2 * numerator, length * denominator)


def _alpha(observed: Fraction, expected: Fraction) -> float | None:
    """1 - D_o / D_e, undefined when no disagreement is expected."""
    return None if expected == 0 else float(1 - observed / expected)


def unitizing_alpha(
    coders: Sequence[Iterable[tuple[int, int, str]]], begin: int, end: int
) -> Unitizing:
    """Krippendorff's (2004) u-α of coders who cut the continuum [begin, end) into units.

    `coders` holds, per coder, the (start, end, category) units; a coder with no units still
    counts (the whole continuum is a gap for them). One coder's overlapping units of a
    category are joined first, since u-α assumes they do not overlap.
    """
    if len(coders) < 2:
        raise ValueError("u-α needs two or more coders")
    if end <= begin:
        raise ValueError("the continuum is empty")
    by_category: list[dict[str, list[tuple[int, int]]]] = []
    for coder in coders:
        spans: dict[str, list[tuple[int, int]]] = {}
        for start, stop, category in coder:
            if not begin <= start < stop <= end:
                raise ValueError(f"unit {start}-{stop} is empty or outside {begin}-{end}")
            spans.setdefault(category, []).append((start, stop))
        by_category.append(spans)
    names = sorted({c for spans in by_category for c in spans})
    figures = {
        c: _category_disagreements([merged_spans(s.get(c, ())) for s in by_category], begin, end)
        for c in names
    }
    categories = tuple(
        CategoryUnitizing(c, float(d_o), float(d_e), _alpha(d_o, d_e))
        for c, (d_o, d_e) in figures.items()
    )
    observed = sum((d_o for d_o, _ in figures.values()), Fraction(0))
    expected = sum((d_e for _, d_e in figures.values()), Fraction(0))
    return Unitizing(_alpha(observed, expected), categories)
