"""The part of a report each sentence sits in: the review of the work done, the problems, the
tasks ahead, or something else.

Annual reports of every kind keep one shape — review → problems → tasks — with other words
and headings each time, so the role of a stretch of text is read from generic evidence, in
this order:

1. its heading's words (回顾/成效/进展 · 问题/不足/差距 · 任务/安排/部署/今后/明年…, the
   `heading_*` groups of cues.json) and a year in it against the year the report covers;
2. for a heading that says nothing: order — a section after a tasks section is tasks —
   and else what its sentences read like (plans with 要/将/必须, or work done with 了/取得/
   counts);
3. turns inside a section: a sentence such as 我们也清醒看到… starts the problems until
   its paragraph ends (and on through paragraphs that go on listing them: 一是…, 二是…);
   a paragraph opening 下一步/今后/明年 or a later year ("2018年是…") starts the tasks.

Unnumbered heading lines (过去五年的回顾 on a line of its own) that name a part divide the
report like numbered ones. A report whose sections are all tasks is a plan throughout, its
opening paragraph included; so is a report whose title says it is one (工作要点).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from annotations.cues import cue
from annotations.model import Report, Section, Span


class Role(StrEnum):
    """What a part of a report does."""

    REVIEW = "review"
    PROBLEMS = "problems"
    TASKS = "tasks"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Placed:
    """A role and why it was given."""

    role: Role
    reason: str


@dataclass(frozen=True, slots=True)
class Part:
    """[start, end) of a report's text, all of one role."""

    start: int
    end: int
    role: Role
    reason: str


PREAMBLE = "opening text"
PSEUDO_HEADING_MAX = 24  # an unnumbered heading line is short…
_TERMINAL = "。！？!?；;，,"  # …and has no sentence punctuation
PLAN_SHARE_MIN = 0.45  # a section whose sentences are this often plans, and…
PLAN_OVER_DONE = 1.5  # …this many times more often plans than work done, reads as tasks
LABEL_MAX = 14

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULL_WIDTH_DIGIT = re.compile("[０-９]")
_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_YEAR = re.compile(r"((?:1[89]|20)\d\d)\s*年")
_SPACED_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_CHINESE_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
# anything normalise_digits changes (\d is any Unicode digit, full-width ones included)
_TO_NORMALISE = re.compile(rf"[０-９]|{_CHINESE_YEAR.pattern}|{_SPACED_DIGITS.pattern}")
_LINE = re.compile(rf"^[ \t\u3000]*([^\n]{{2,{PSEUDO_HEADING_MAX}}})[ \t\u3000]*$", re.MULTILINE)
_DONE_EXTRA = re.compile(r"\d+(\.\d+)?(%|％|件|项|个|万|亿)")


def normalise_digits(text: str) -> str:
    """Full-width digits, 一九八二-style years and "1 9 9 8" as plain ASCII digits."""
    if _TO_NORMALISE.search(text) is None:
        return text  # most sentences: one scan instead of a translation and two passes
    text = _CHINESE_YEAR.sub(lambda m: m.group().translate(_CHINESE_DIGITS), text)
    if _FULL_WIDTH_DIGIT.search(text):  # translate looks up every char: only when needed
        text = text.translate(_FULL_WIDTH)
    return _SPACED_DIGITS.sub("", text)


def years_in(text: str) -> list[int]:
    """The years a text names (四-digit, in any of the ways reports write them)."""
    return [int(m.group(1)) for m in _YEAR.finditer(normalise_digits(text))]


def _label(title: str) -> str:
    return title if len(title) <= LABEL_MAX else title[: LABEL_MAX - 1] + "…"


def heading_role(title: str, year: int | None, past_years: bool) -> Placed | None:
    """The role a heading names by its words and years, or None when it names none.

    `past_years`: whether some heading of the report names a year before `year` (then
    `year` is the year the report was given in, and a heading naming it is about the tasks).
    """
    votes = {Role.REVIEW: 0.0, Role.PROBLEMS: 0.0, Role.TASKS: 0.0}
    words: dict[Role, str] = {}
    for role, group, weight in ((Role.PROBLEMS, "heading_problems", 2.0),
                                (Role.TASKS, "heading_tasks", 1.0),
                                (Role.REVIEW, "heading_review", 1.0)):
        for found in cue(group).finditer(title):
            votes[role] += weight
            words.setdefault(role, found.group())
    if year is not None:
        for named in years_in(title):
            if named > year or (past_years and named == year):
                votes[Role.TASKS] += 1
                words.setdefault(Role.TASKS, f"{named}年")
            elif named < year:
                votes[Role.REVIEW] += 1
                words.setdefault(Role.REVIEW, f"{named}年")
    best = max(votes, key=lambda r: votes[r])
    if votes[best] == 0 or sum(v == votes[best] for v in votes.values()) > 1:
        return None
    return Placed(best, f"heading {_label(title)}: {words[best]}")


def reads_as(sentences: list[str]) -> Role | None:
    """TASKS when the sentences read as plans, REVIEW as work done, None when unclear."""
    if not sentences:
        return None
    plans = done = 0
    for sentence in sentences:
        own = cue("jiang_as_ba").sub("", cue("reported_speech").sub("", sentence))
        plans += bool(cue("plan").search(own) or cue("future").search(own))
        done += bool(cue("achievement").search(sentence) or _DONE_EXTRA.search(sentence))
    plan_share, done_share = plans / len(sentences), done / len(sentences)
    if plan_share >= PLAN_SHARE_MIN and plan_share >= PLAN_OVER_DONE * done_share:
        return Role.TASKS
    if done_share >= plan_share:
        return Role.REVIEW
    return None


@dataclass(frozen=True, slots=True)
class Divider:
    """Where a part of the report begins: a top-level section or an unnumbered heading."""

    start: int
    title: str
    body_start: int


def pseudo_headings(report: Report) -> list[Divider]:
    """Unnumbered heading lines outside the section headings that name a part."""
    text = report.text
    headings = [Span(s.start, s.heading_end) for s in report.all_sections()]
    title = report.title or ""
    out = []
    for found in _LINE.finditer(text):
        line = found.group(1)
        start = found.start(1)
        if (any(ch in _TERMINAL for ch in line) or line in title
                or _inside(headings, start) or _inside(report.boilerplate, start)):
            continue
        if heading_role(line, None, False) is not None:
            out.append(Divider(start, line, found.end()))
    return out


def _inside(spans: Sequence[Span], offset: int) -> bool:
    """Whether `offset` lies in one of `spans` (in order, apart)."""
    at = bisect.bisect_right(spans, offset, key=span_start) - 1
    return at >= 0 and offset < spans[at].end


def span_start(span: Span) -> int:
    """Where a span starts (the key spans are ordered by)."""
    return span.start


def _dividers(report: Report) -> list[Divider]:
    tops = [Divider(s.start, s.title, s.heading_end) for s in report.sections]
    return sorted(tops + pseudo_headings(report), key=lambda d: d.start)


class _Sentences:
    """The report's sentences as text, with a fast "which ones lie in [a, b)"."""

    def __init__(self, report: Report) -> None:
        self.spans = report.sentences
        self.starts = [s.start for s in report.sentences]
        self.texts = [report.text[s.start : s.end] for s in report.sentences]

    def within(self, start: int, end: int) -> list[str]:
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return self.texts[lo:hi]


def _top_roles(report: Report, dividers: list[Divider], sentences: _Sentences) -> list[Placed]:
    """The role of each divider's stretch, in order."""
    year = report.year
    past = year is not None and any(
        y < year for d in dividers for y in years_in(d.title))
    out: list[Placed] = []
    ends = [d.start for d in dividers[1:]] + [len(report.text)] if dividers else []
    for divider, end in zip(dividers, ends, strict=True):
        placed = heading_role(divider.title, year, past)
        previous = out[-1].role if out else None
        if placed is None and previous is Role.TASKS:
            placed = Placed(Role.TASKS, "follows a tasks section")
        if placed is None:
            content = reads_as(sentences.within(divider.body_start, end))
            if content is Role.TASKS:
                placed = Placed(Role.TASKS, "its sentences read as plans")
            elif content is Role.REVIEW or previous is not None:
                role = previous if previous is not None else Role.REVIEW
                why = "follows a review section" if previous is not None else "reads as work done"
                placed = Placed(role, why)
            else:
                placed = Placed(Role.OTHER, "heading names no part")
        out.append(placed)
    return out


def _preamble_role(report: Report, tops: list[Placed], end: int, sentences: _Sentences) -> Placed:
    if tops and all(p.role is Role.TASKS for p in tops):
        return Placed(Role.TASKS, "a plan throughout")
    if not tops:
        content = reads_as(sentences.within(0, end))
        if content is Role.TASKS:
            return Placed(Role.TASKS, "its sentences read as plans")
    return Placed(Role.OTHER, PREAMBLE)


def _opens_paragraph(text: str, span: Span, heading_ends: set[int]) -> bool:
    """Whether only blank space (or a heading) precedes the sentence on its line."""
    line_start = text.rfind("\n", 0, span.start) + 1
    before = text[line_start : span.start]
    # a heading ends where only blank space is left before the sentence
    last = line_start + len(before.rstrip())
    return not before.strip() or any(e in heading_ends
                                      for e in range(max(last, line_start + 1), span.start + 1))


def is_plan_document(report: Report) -> str | None:
    """Why the report is a plan (工作要点…) by its title rather than a report, or None."""
    title = report.title or ""
    found = cue("plan_document_title").search(title)
    if found and not re.search(r"报告|综述|总结", title):
        return f"plan document: {found.group()}"
    return None


def sentence_roles(report: Report) -> list[Placed]:
    """The role of every sentence of `report` (aligned with `report.sentences`)."""
    plan_doc = is_plan_document(report)
    if plan_doc is not None:
        return [Placed(Role.TASKS, plan_doc)] * len(report.sentences)
    sentences = _Sentences(report)
    dividers = _dividers(report)
    tops = _top_roles(report, dividers, sentences)
    first = dividers[0].start if dividers else len(report.text)
    preamble = _preamble_role(report, tops, first, sentences)
    divider_starts = [d.start for d in dividers]
    sections = sorted(report.all_sections(), key=lambda s: s.start)
    own = {(s.start, s.level): _own_role(s, report.year) for s in sections if s.level > 1}
    heading_ends = {s.heading_end for s in sections}
    boundaries = sorted({s.start for s in sections} | set(divider_starts))
    text = report.text
    out: list[Placed] = []
    turn: Placed | None = None
    turn_kind = ""
    turn_until = len(text)  # the turn ends at the next boundary after where it began
    for span, sentence in zip(sentences.spans, sentences.texts, strict=True):
        at = bisect.bisect_right(divider_starts, span.start) - 1
        base = tops[at] if at >= 0 else preamble
        for section in _innermost(report, span.start):
            mine = own.get((section.start, section.level))
            if mine is not None:
                base = mine
                break
        if turn is not None and span.start >= turn_until:
            turn = None
        opens = _opens_paragraph(text, span, heading_ends)
        if turn is not None and turn_kind == "problems" and opens and not _goes_on(sentence):
            turn = None
        started = _turn(sentence, opens, base.role, report.year)
        if started is not None:
            turn, turn_kind = started
            later = bisect.bisect_right(boundaries, span.start)
            turn_until = boundaries[later] if later < len(boundaries) else len(text)
        out.append(turn if turn is not None else base)
    return out


def _own_role(section: Section, year: int | None) -> Placed | None:
    """A subsection's own role: only problems, or tasks named by a later year, override the
    part it sits in (其他 heading words inside a part are the topic, not the part)."""
    placed = heading_role(section.title, year, False)
    if placed is None or placed.role is Role.PROBLEMS:
        return placed
    later = year is not None and any(y > year for y in years_in(section.title))
    return placed if placed.role is Role.TASKS and later else None


def _innermost(report: Report, offset: int) -> list[Section]:
    """The sections holding `offset`, innermost first, below the top level."""
    return list(reversed(report.section_path(offset)[1:]))


def _goes_on(sentence: str) -> bool:
    """Whether a paragraph opening with `sentence` goes on with the problems: it does unless
    it addresses the audience again (各位代表！) or reads as work done."""
    stripped = sentence.lstrip(" \u3000")
    if cue("continue_problems").search(stripped):
        return True
    if cue("framing").search(stripped):
        return False
    if cue("shortcoming").search(cue("problem_solved").sub("", stripped)):
        return True
    return not cue("achievement").search(stripped)


def _turn(sentence: str, opens: bool, role: Role, year: int | None) -> tuple[Placed, str] | None:
    """The part a sentence turns to, if it turns (and which kind of turn it is)."""
    stripped = normalise_digits(sentence.lstrip(" \u3000"))
    if role in (Role.REVIEW, Role.OTHER):
        found = cue("turn_problems").search(cue("problem_solved").sub("", stripped))
        if found:
            return Placed(Role.PROBLEMS, f"turn: {found.group()}"), "problems"
    if not opens or role is Role.TASKS:
        return None
    found = cue("turn_tasks").search(stripped)
    if found:
        return Placed(Role.TASKS, f"turn: {found.group()}"), "tasks"
    opening = _YEAR.match(stripped)
    if opening and stripped[opening.end() : opening.end() + 1].isdigit():
        return None  # a date line
    if opening and year is not None and int(opening.group(1)) > year:
        return Placed(Role.TASKS, f"turn: {stripped[: opening.end() + 1]}…"), "tasks"
    return None


def parts(report: Report) -> list[Part]:
    """The report's sentences grouped into runs of one role, in text order."""
    out: list[Part] = []
    for span, placed in zip(report.sentences, sentence_roles(report), strict=True):
        if out and out[-1].role is placed.role and out[-1].reason == placed.reason:
            last = out[-1]
            out[-1] = Part(last.start, span.end, last.role, last.reason)
        else:
            out.append(Part(span.start, span.end, placed.role, placed.reason))
    return out


def section_roles(report: Report) -> dict[tuple[int, int], Placed]:
    """The role of every section, keyed by (start, level): what its body opens as."""
    roles = sentence_roles(report)
    starts = [s.start for s in report.sentences]
    out: dict[tuple[int, int], Placed] = {}
    for section in report.all_sections():
        at = bisect.bisect_left(starts, section.heading_end)
        inside = at < len(starts) and starts[at] < section.end
        out[(section.start, section.level)] = roles[at] if inside else Placed(
            Role.OTHER, "empty section")
    return out
