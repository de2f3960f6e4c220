"""Quote/position selectors and re-anchoring a mark onto a changed text.

A mark remembers its quote and 32 characters of context each side. On a new text it is
placed where the quote occurs exactly, preferring the occurrence whose context matches and
then the one nearest its old position; failing that, where the quote occurs with at most
half its characters wrong (scored like hypothes.is: quote 50, prefix 20, suffix 20,
position 2). A mark that cannot be placed is an orphan: kept, shown and exported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

CONTEXT_CHARS = 32
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50.0, 20.0, 20.0, 2.0
FUZZY_CANDIDATES = 6
GRAM = 2


@dataclass(frozen=True, slots=True)
class Selector:
    """What a mark needs to be found again: its quote, context and old position."""

    quote: str
    prefix: str
    suffix: str
    start: int


def quote_context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The quote `text[start:end]` and up to 32 characters of context on each side."""
    return (
        text[start:end],
        text[max(0, start - CONTEXT_CHARS) : start],
        text[end : end + CONTEXT_CHARS],
    )


def common_prefix_len(a: str, b: str) -> int:
    """How many leading characters `a` and `b` share."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # binary search on slice equality: C speed on long texts
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix_len(a: str, b: str, limit: int | None = None) -> int:
    """How many trailing characters `a` and `b` share (at most `limit`)."""
    n = min(len(a), len(b), len(a) if limit is None else limit)
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class OffsetMap:
    """Maps an offset of the old text to the new one, exactly outside the changed middle."""

    def __init__(self, old: str, new: str) -> None:
        self.head = common_prefix_len(old, new)
        self.tail = common_suffix_len(old, new, min(len(old), len(new)) - self.head)
        self.old_len, self.shift = len(old), len(new) - len(old)

    def unchanged(self, start: int, end: int) -> bool:
        """Whether old text [start, end) is untouched in the new text."""
        return end <= self.head or start >= self.old_len - self.tail

    def map(self, offset: int) -> int:
        """The new offset of an old one (an estimate inside the changed middle)."""
        if offset <= self.head:
            return offset
        return max(self.head, offset + self.shift)


class TextIndex:
    """A new text with an index of its character pairs, for the approximate search."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._grams: dict[str, list[int]] | None = None

    def grams(self) -> dict[str, list[int]]:
        """Where each character pair occurs (built on first need)."""
        if self._grams is None:
            index: dict[str, list[int]] = defaultdict(list)
            text = self.text
            for i in range(len(text) - GRAM + 1):
                index[text[i : i + GRAM]].append(i)
            self._grams = dict(index)
        return self._grams


def context_score(text: str, start: int, end: int, sel: Selector) -> float:
    """Prefix, suffix and position agreement of a placement (hypothes.is weights)."""
    score = 0.0
    if sel.prefix:
        before = text[max(0, start - len(sel.prefix)) : start]
        score += PREFIX_WEIGHT * common_suffix_len(before, sel.prefix) / len(sel.prefix)
    if sel.suffix:
        after = text[end : end + len(sel.suffix)]
        score += SUFFIX_WEIGHT * common_prefix_len(after, sel.suffix) / len(sel.suffix)
    return score + POSITION_WEIGHT * (1.0 - min(1.0, abs(start - sel.start) / max(1, len(text))))


def exact_placement(text: str, sel: Selector) -> tuple[int, int] | None:
    """The best exact occurrence of the quote, or None if it does not occur."""
    best: tuple[float, int] | None = None
    at = text.find(sel.quote)
    while at >= 0:
        score = context_score(text, at, at + len(sel.quote), sel)
        if best is None or score > best[0]:
            best = (score, at)
        at = text.find(sel.quote, at + 1)
    return None if best is None else (best[1], best[1] + len(sel.quote))


def align(pattern: str, text: str) -> tuple[int, int, int]:
    """The substring of `text` nearest to `pattern` in edit distance: (errors, start, end)."""
    m = len(pattern)
    cost = list(range(m + 1))
    origin = [0] * (m + 1)
    best = (cost[m], 0, 0)
    for j, ch in enumerate(text, 1):
        new_cost, new_origin = [0] * (m + 1), [j] * (m + 1)
        for i in range(1, m + 1):
            c, o = cost[i - 1] + (pattern[i - 1] != ch), origin[i - 1]
            if cost[i] + 1 < c:
                c, o = cost[i] + 1, origin[i]
            if new_cost[i - 1] + 1 < c:
                c, o = new_cost[i - 1] + 1, new_origin[i - 1]
            new_cost[i], new_origin[i] = c, o
        cost, origin = new_cost, new_origin
        if cost[m] < best[0]:
            best = (cost[m], origin[m], j)
    return best


def fuzzy_placement(index: TextIndex, sel: Selector) -> tuple[int, int] | None:
    """The best approximate occurrence with at most half the quote wrong, or None."""
    quote, text = sel.quote, index.text
    max_errors = len(quote) // 2
    if len(quote) < GRAM:
        return None
    grams = index.grams()
    votes: Counter[int] = Counter()
    for j in range(len(quote) - GRAM + 1):
        for at in grams.get(quote[j : j + GRAM], ()):
            votes[(at - j) // 8] += 1  # pairs agreeing on where the quote starts
    best: tuple[float, int, int] | None = None
    leaders = votes.most_common(FUZZY_CANDIDATES)
    for bucket, count in leaders:
        if count * 2 < leaders[0][1]:
            break  # far fewer shared pairs than the leader: not worth an alignment
        lo = max(0, bucket * 8 - max_errors)
        hi = min(len(text), bucket * 8 + 8 + len(quote) + max_errors)
        errors, start, end = align(quote, text[lo:hi])
        if errors > max_errors or end <= start:
            continue
        start, end = lo + start, lo + end
        score = QUOTE_WEIGHT * (1 - errors / len(quote)) + context_score(text, start, end, sel)
        if best is None or score > best[0]:
            best = (score, start, end)
    return None if best is None else (best[1], best[2])


def place(index: TextIndex, sel: Selector) -> tuple[int, int] | None:
    """Where the mark described by `sel` belongs in `index.text`, or None (an orphan)."""
    if not sel.quote:
        return None
    return exact_placement(index.text, sel) or fuzzy_placement(index, sel)


def reanchor_doc(
    doc: dict[str, Any], sha256: str, index: TextIndex, moved: OffsetMap | None
) -> dict[str, Any]:
    """A mark's document placed on the text of `index` (whose hash is `sha256`).

    `moved` maps offsets from the mark's own text when that text is known: a mark whose
    quote and context lie outside the changed part just shifts. Otherwise the mark is
    searched for; if it cannot be placed it becomes an orphan and keeps its quote.
    """
    start, end, text = doc["start"], doc["end"], index.text
    spot: tuple[int, int] | None
    if moved is not None and not doc["orphan"] and moved.unchanged(
        start - len(doc["prefix"]), end + len(doc["suffix"])
    ):
        spot = (moved.map(start), moved.map(end))
    else:
        hint = moved.map(start) if moved is not None else start
        spot = place(index, Selector(doc["quote"], doc["prefix"], doc["suffix"], hint))
    if spot is None:
        return {**doc, "text_sha256": sha256, "start": min(start, len(text)),
                "end": min(end, len(text)), "orphan": True}
    quote, prefix, suffix = quote_context(text, *spot)
    return {**doc, "text_sha256": sha256, "start": spot[0], "end": spot[1], "quote": quote,
            "prefix": prefix, "suffix": suffix, "orphan": False}
