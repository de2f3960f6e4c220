"""Suggested tags: a first reading of a report that the reviewer confirms or rejects.

Every sentence (each 一是…；二是… item is one) gets achievement, shortcoming, plan or no tag,
with a score in 0..1 and a short reason the reviewer can read. The evidence, in the order a
reader weighs it:

- the part of the report the sentence sits in (annotations/roles.py): review → achievement,
  problems → shortcoming, tasks → plan, from the section's heading, its place in the order,
  what its sentences read like, a turn inside it (我们也清醒看到…, 下一步…), or a title such
  as 工作要点 that makes the whole report plans;
- the sentence's own cue phrases (annotations/cues.json), a later year with 将/要, counts such
  as "65件".

Each kind of evidence adds its weight to one tag and the heaviest tag wins. Titles, document
numbers, addressees, signatures, dates, web chrome, framing sentences and headings get no
tag. The weights are `Weights`; `benchmarks/suggest_eval.py` measures them. The learned
reader (annotations/learner.py) reads on top of this.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotations.cues import cue
from annotations.model import Report, Span, Tag
from annotations.roles import Placed, Role, normalise_digits, pseudo_headings, sentence_roles

REVIEWER = "suggest"  # the reviewer name of suggestions stored as marks


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested tag for [start, end) of a report's text; `tag` None means "not a mark"."""

    start: int
    end: int
    tag: Tag | None
    score: float
    reason: str

    def to_json(self) -> dict[str, object]:
        """{"start", "end", "tag", "score", "reason"}, offsets in code points."""
        return {
            "start": self.start,
            "end": self.end,
            "tag": None if self.tag is None else self.tag.value,
            "score": self.score,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts towards the tag it points to."""

    section: float = 4.0
    paragraph: float = 4.0
    future: float = 5.0
    cue_achievement: float = 1.0
    cue_shortcoming: float = 2.0
    cue_plan: float = 1.0
    count: float = 1.0
    prior: float = 2.0

    def of(self, kind: str) -> float:
        """The weight of one kind of evidence."""
        return float(getattr(self, kind))


DEFAULT_WEIGHTS = Weights()
PLACE_KINDS = frozenset({"section", "paragraph", "prior"})  # where a sentence is, not what it says


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to read a sentence as `tag`."""

    kind: str
    tag: Tag
    reason: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What a sentence offers before weighing: fixed no-tag reason, or evidence."""

    start: int
    end: int
    untagged: str | None
    evidence: tuple[Evidence, ...]
    role: Role = Role.OTHER


# -- the sentence's own words ------------------------------------------------------------------

A, S, P = Tag.ACHIEVEMENT, Tag.SHORTCOMING, Tag.PLAN
ROLE_TAGS = {Role.REVIEW: A, Role.PROBLEMS: S, Role.TASKS: P}

_YEAR = re.compile(r"((?:19|20)\d\d)年")
# book titles and bracketed asides name things; their words are no cue
_NAMES = re.compile(r"《[^》]*》|[（(][^）)]*[）)]")
_YEAR_RANGE = re.compile(r"\d{4}\s*[-—–~至到]\s*(19|20)\d\d年")
CUE_CAP = 3
_COUNT = re.compile(
    r"\d+(\.\d+)?(余|多)?(万|亿)?(件次|人次|场次|件|项|次|人|个|万元|亿元|元|场|期|份|条|宗|户|家|篇|部|起|名"
    r"|所|批|种|类|%|％)"
)
_FUTURE_VERB = re.compile(r"将|要|力争|争取|计划|拟")
_DATE_LINE = re.compile(r"^\d{4}\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2}\s*日?[\d:：\s]*$")
_DOC_NUMBER = re.compile(r"〔\d{4}〕\s*\d+\s*号|\[\d{4}\]\s*\d+\s*号")
_TERMINAL = frozenset("。！？!?；;")
_CLOSERS = "”’」』）)】]〕》"
UNTERMINATED_MAX = 40


def _future_year(sentence: str, year: int | None) -> str | None:
    if year is None:
        return None
    for found in _YEAR.finditer(sentence):
        if int(found.group(1)) > year:
            rest = sentence[found.end() : found.end() + 60]
            verb = _FUTURE_VERB.search(rest)
            if verb:
                return f"year {found.group(1)} + {verb.group()}"
    return None


def _visible(sentence: str) -> bool:
    """Whether a sentence shows anything (a zero-width space alone, left by a web page's
    line breaks, shows nothing)."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc")
               for ch in sentence)


def _is_terminated(sentence: str) -> bool:
    stripped = sentence.rstrip(_CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _TERMINAL


def _untagged_reason(sentence: str, position: str, title: str) -> str | None:
    """Why a sentence is no mark at all (title, signature, framing…), or None."""
    if not _visible(sentence):
        return "nothing visible"
    if cue("framing").search(sentence.strip(" \u3000")):
        return "framing sentence"
    if cue("statement").search(sentence.strip(" \u3000")):
        return "statement of principle, thanks or rallying cry"
    if _is_terminated(sentence):
        return None
    if _DATE_LINE.match(sentence):
        return "date line"
    if sentence.endswith((":", "：")) and len(sentence) <= UNTERMINATED_MAX:
        return "addressee line"
    if _DOC_NUMBER.search(sentence) and len(sentence) <= UNTERMINATED_MAX:
        return "document number"
    if len(sentence) <= UNTERMINATED_MAX and (position != "body" or sentence in title):
        return "title line" if position == "head" else "signature line"
    return None


def _cues(kind: str, tag: Tag, pattern: re.Pattern[str], text: str) -> list[Evidence]:
    """One piece of evidence per distinct cue found, at most CUE_CAP."""
    found = dict.fromkeys(m.group() for m in pattern.finditer(text))
    return [Evidence(kind, tag, f"cue: {c}") for c in list(found)[:CUE_CAP]]


def sentence_evidence(sentence: str, year: int | None) -> list[Evidence]:
    """What the words of one sentence say, whatever its place in the report."""
    own = _YEAR_RANGE.sub("", _NAMES.sub("", normalise_digits(sentence)))
    out: list[Evidence] = []
    future = _future_year(own, year)
    if future:
        out.append(Evidence("future", P, future))
    else:
        out += _cues("future", P, cue("future"), cue("jiang_as_ba").sub("", own))[:1]
    out += _cues("cue_plan", P, cue("plan"), cue("reported_speech").sub("", own))
    out += _cues("cue_shortcoming", S, cue("shortcoming"), cue("problem_solved").sub("", own))
    out += _cues("cue_achievement", A, cue("achievement"), own)
    count = _COUNT.search(own)
    if count:
        out.append(Evidence("count", A, f"count: {count.group()}"))
    return out


def role_evidence(placed: Placed) -> Evidence:
    """What the part a sentence sits in says: a turn counts as `paragraph`, a heading, order
    or content as `section`, and a part of no role as the `prior` of a report on work done."""
    if placed.role is Role.OTHER:
        return Evidence("prior", A, f"other part ({placed.reason})")
    kind = "paragraph" if placed.reason.startswith("turn") else "section"
    return Evidence(kind, ROLE_TAGS[placed.role], f"{placed.role} part: {placed.reason}")


def _in_spans(span: Span, spans: Sequence[Span]) -> bool:
    return any(b.start <= span.start < b.end for b in spans)


FOOTER_ZONE = 0.8  # a library's notice sits in the last fifth of the text


def _footer_start(report: Report) -> int:
    """Where a web library's notice after the text (licence, source) begins, if it has one."""
    text = report.text
    zone = int(len(text) * FOOTER_ZONE)
    for span in report.sentences:
        if span.start >= zone and cue("footer").search(text[span.start : span.end].strip()):
            return text.rfind("\n", 0, span.start) + 1
    return len(text)


def read_report(report: Report) -> list[Reading]:
    """The evidence for every sentence of a report, before any weighing."""
    text = report.text
    roles = sentence_roles(report)
    first_body = next(
        (s.start for s in report.sentences
         if not _in_spans(s, report.boilerplate) and _is_terminated(text[s.start : s.end])),
        0,
    )
    last_body = max(
        (s.end for s in report.sentences if _is_terminated(text[s.start : s.end])),
        default=len(text),
    )
    first_heading = min((s.start for s in report.sections), default=len(text))
    body_start = min(first_body, first_heading)
    headings = {d.start for d in pseudo_headings(report)}
    footer = _footer_start(report)
    out: list[Reading] = []
    for span, placed in zip(report.sentences, roles, strict=True):
        sentence = text[span.start : span.end]
        if _in_spans(span, report.boilerplate):
            out.append(Reading(span.start, span.end, "web page furniture", (), placed.role))
            continue
        if span.start >= footer:
            out.append(Reading(span.start, span.end, "page footer", (), placed.role))
            continue
        if span.start in headings:
            out.append(Reading(span.start, span.end, "heading", (), placed.role))
            continue
        position = "body"
        if span.start < body_start:
            position = "head"
        elif span.start >= last_body:
            position = "tail"
        untagged = _untagged_reason(sentence, position, report.title or "")
        if untagged is not None:
            out.append(Reading(span.start, span.end, untagged, (), placed.role))
            continue
        evidence = sentence_evidence(sentence, report.year)
        evidence.append(role_evidence(placed))
        out.append(Reading(span.start, span.end, None, tuple(evidence), placed.role))
    return out


# -- weighing ----------------------------------------------------------------------------------


def _weighed(reading: Reading, weights: Weights) -> tuple[Tag, dict[Tag, float]]:
    """The heaviest tag of a reading's evidence, and each tag's weight."""
    totals = {tag: 0.0 for tag in Tag}
    for item in reading.evidence:
        totals[item.tag] += max(0.0, weights.of(item.kind))
    # ties go to the order achievement, shortcoming, plan (Tag order)
    tag = max(Tag, key=lambda t: totals[t])
    own = {e.tag for e in reading.evidence if e.kind not in PLACE_KINDS}
    if Tag.SHORTCOMING in own and tag is not Tag.SHORTCOMING and tag not in own:
        tag = Tag.SHORTCOMING  # a problem named in a review or tasks part by a sentence that
        # reports nothing done there, or plans nothing
    return tag, totals


def rule_tag(reading: Reading, weights: Weights = DEFAULT_WEIGHTS) -> Tag | None:
    """The tag of `weigh`'s suggestion, without working out its score and reason."""
    if reading.untagged is not None:
        return None
    tag, totals = _weighed(reading, weights)
    return tag if totals[tag] > 0 else None


def weigh(reading: Reading, weights: Weights = DEFAULT_WEIGHTS) -> Suggestion:
    """The suggestion a reading gives under `weights`."""
    if reading.untagged is not None:
        return Suggestion(reading.start, reading.end, None, 1.0, reading.untagged)
    tag, totals = _weighed(reading, weights)
    if totals[tag] <= 0:
        return Suggestion(reading.start, reading.end, None, 0.5, "no evidence")
    norm = sum(math.exp(v) for v in totals.values())
    score = round(math.exp(totals[tag]) / norm, 3)
    # the two weightiest reasons for the winning tag, heaviest first
    weighed = [(weights.of(e.kind), e.reason) for e in reading.evidence if e.tag is tag]
    reasons = [reason for weight, reason in sorted(weighed, key=lambda p: -p[0]) if weight > 0]
    return Suggestion(reading.start, reading.end, tag, score, "; ".join(reasons[:2]))


def heading_suggestions(report: Report) -> list[Suggestion]:
    """Every heading, as a span that is no mark."""
    return [
        Suggestion(s.start, s.heading_end, None, 1.0, "heading")
        for s in report.all_sections()
        if s.heading_end > s.start
    ]


def suggest(report: Report, weights: Weights = DEFAULT_WEIGHTS) -> list[Suggestion]:
    """A suggestion for every sentence and heading of `report`, in text order.

    Headings, web chrome, titles, addressees, signatures, dates and framing sentences come
    with `tag=None`; everything else with the tag the evidence favours.
    """
    out = [weigh(reading, weights) for reading in read_report(report)]
    out += heading_suggestions(report)
    out.sort(key=lambda s: (s.start, s.end))
    return out


def tagged(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Only the suggestions that propose a tag."""
    return [s for s in suggestions if s.tag is not None]
