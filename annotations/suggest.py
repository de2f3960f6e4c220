"""Suggested tags: a first reading of a report that the reviewer confirms or rejects.

Every sentence (each 一是…；二是… item is one) gets achievement, shortcoming, plan or no tag,
with a score in 0..1 and a short reason the reviewer can read. The evidence, in the order a
reader weighs it:

- the section the sentence sits in, when its heading is one of the template's parts
  (主要举措和成效 / 存在的不足和原因 / 下一年度主要安排 and their variants);
- the paragraph: one that opens with 但…存在 / 同时也要看到 turns to shortcomings, one that
  opens with "2018年是…" (a later year) or 下一步 turns to plans, until the next heading;
- the document: a 工作要点 (title, or items ending in 【责任单位:…】) is plans throughout;
- the sentence's own cue phrases, a later year with 将/要, counts such as "65件".

Each kind of evidence adds its weight to one tag and the heaviest tag wins. Titles, document
numbers, addressees, signatures, dates, web chrome and framing sentences get no tag; so do
headings. The weights are `Weights`; `benchmarks/suggest_eval.py` measures them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from annotations.model import Report, Section, Span, Tag

REASON_HEADING_MAX = 16
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

    section: float = 3.0
    paragraph: float = 4.0
    document: float = 4.0
    future: float = 4.0
    cue_achievement: float = 1.0
    cue_shortcoming: float = 1.5
    cue_plan: float = 1.0
    count: float = 1.0
    prior: float = 2.0

    def of(self, kind: str) -> float:
        """The weight of one kind of evidence."""
        return float(getattr(self, kind))

    @classmethod
    def kinds(cls) -> tuple[str, ...]:
        """The names of the kinds of evidence."""
        return tuple(f.name for f in fields(cls))


DEFAULT_WEIGHTS = Weights()


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


# -- cue phrases -----------------------------------------------------------------------------

A, S, P = Tag.ACHIEVEMENT, Tag.SHORTCOMING, Tag.PLAN

_YEAR = re.compile(r"(20\d\d)年")

# the template's parts and their usual variants, as they appear in headings
_HEADING_CUES: tuple[tuple[Tag, re.Pattern[str]], ...] = (
    (S, re.compile(r"存在的?(主要)?(问题|不足|困难)|不足(和|及|与|的)?(原因|问题)"
                   r"|问题(和|与|及)(不足|原因)|差距(和|与)不足|主要问题|困难和问题|短板")),
    (P, re.compile(r"下一(年度?|步|阶段)|(工作|主要)(安排|打算|思路|计划|设想)|初步设想|今后|明年"
                   r"|展望|努力方向|(安排|打算|设想|计划)$")),
    (A, re.compile(r"举措(和|及|与)?(成效)?|(主要|工作|取得的?)(成效|成绩)|主要(情况|做法|工作)"
                   r"|(工作|基本|进展|开展|落实|完成)情况")),
)
_SHORTCOMING_CUES = re.compile(
    r"存在|不足|差距|短板|薄弱|有待|不够|不强|不高|不到位|不平衡|不充分|不完善|不健全|不规范"
    r"|不严格|不统一|不明确|滞后|欠缺|缺乏|缺少|仍然|仍有|仍需|尚未|尚不|尚有|还不|还有待|亟待|亟需"
    r"|难以|时有发生|把握不准|没有(配备|独立|专门|专职)|不严谨|问题(较|比较)?(突出|较多)"
)
# 问题 as the object of the work done ("解决…问题") is no shortcoming
_PROBLEM_SOLVED = re.compile(
    r"(解决|整改|破解|化解|查找|排查|督导|针对|反映|导向|研究|防范|治理|分析|梳理|补)[^。；;]{0,24}"
    r"(问题|不足|短板|差距|薄弱)"
)
_PLAN_FUTURE = re.compile(
    r"(我[市区县省]|全[市区县]|各级[^，,。；;]{0,8})将(?!其)"
    r"|将(进一步|继续|持续|深入|加快|着力|全面|不断|大力|坚持|重点|紧紧|认真|切实|努力|积极|高举|按照|围绕)"
    r"|下一步|下一年度|今后|新的一年|明年"
)
# 将 in the sense of 把 ("将法制审核作为…", "将…纳入…") says nothing about the future
_JIANG_AS_BA = re.compile(
    r"将[^。；;，,]{0,30}(纳入|作为|列为|列入|落实到|扩大到|压缩至|压减至|下放|划入|划转|移交|交由|改为"
    r"|转为|设为|视为|提交|提请|报送|推送|录入)"
)
_PLAN_CUES = re.compile(
    r"(?<![重主需纪首概提摘简切必只纲])要(?![求点素闻件领案])|力争|拟|必须|务必"
)
# 要 in reported speech ("强调要…", "要求…要") is what someone asked for, not a plan
_REPORTED_SPEECH = re.compile(r"(提出|强调|要求|指出|明确)[^。；;]*")
# book titles and bracketed asides name things; their words are no cue
_NAMES = re.compile(r"《[^》]*》|[（(][^）)]*[）)]")
_YEAR_RANGE = re.compile(r"\d{4}\s*[-—–~至到]\s*20\d\d年")
CUE_CAP = 3
_ACHIEVEMENT_CUES = re.compile(
    r"取得|成效|完成|实现|建成|建立了|出台|印发|下发|公布|发布|制定了|开展了|组织了|获评|获得|荣获"
    r"|被评为|入选|达到|共计|累计|全年|同比|增长|首次|率先|首家|首个|已|了(?![解])"
)
_COUNT = re.compile(
    r"\d+(\.\d+)?(余|多)?(万|亿)?(件次|人次|场次|件|项|次|人|个|万元|亿元|元|场|期|份|条|宗|户|家|篇|部|起|名"
    r"|所|批|种|类|%|％)"
)
_FRAMING = re.compile(
    r"现将.{0,12}(报告|汇报|说明)如下|特此(报告|说明|汇报)|此件公开发布|^(附件|抄送)"
)
_PLAN_DOCUMENT_TITLE = re.compile(r"工作要点|工作计划|工作安排|实施方案|任务分工|工作打算")
_DUTY_LINE = re.compile(r"[【\[]?(责任|牵头|配合)单位[:：]")
# a paragraph that turns from what was done to what is lacking
_TURN_TO_SHORTCOMINGS = re.compile(
    r"^(但|但是|然而|同时也?(要|应|必须)?(清醒地?)?(看到|认识到)|存在的?(主要)?(问题|不足)|不足|问题)"
    r"|(但|但是|然而)[^。]{0,12}(仍|还|也|尚)?(然)?(存在|有一定差距|尚有|有待|不足)"
)
_FUTURE_VERB = re.compile(r"将|要|力争|争取|计划|拟|是")
_TURN_TO_PLANS = re.compile(r"^(下一步|下一年度|今后|新的一年|明年|展望)")
_DATE_LINE = re.compile(r"^\d{4}\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2}\s*日?[\d:：\s]*$")
_DOC_NUMBER = re.compile(r"〔\d{4}〕\s*\d+\s*号|\[\d{4}\]\s*\d+\s*号")
_TERMINAL = frozenset("。！？!?；;")
_NUMBER_END = "、)）.．"
_CLOSERS = "”’」』）)】]〕》"
UNTERMINATED_MAX = 40


# -- the report as a whole ---------------------------------------------------------------------


def is_plan_document(report: Report) -> str | None:
    """Why the report reads as a plan (工作要点) rather than a report on a year, or None."""
    title = report.title or ""
    found = _PLAN_DOCUMENT_TITLE.search(title)
    if found and not re.search(r"报告|综述|总结", title):
        return f"plan document: {found.group()}"
    if len(_DUTY_LINE.findall(report.text)) >= 3:
        return "plan document: items with 责任单位"
    return None


def _heading_label(title: str, found: re.Match[str]) -> str:
    """The heading as a reason shows it: its number and the words that decided."""
    if len(title) <= REASON_HEADING_MAX:
        return title
    # the heading's number ("二、", "(三)") ends within its first few characters
    cut = next((i + 1 for i, ch in enumerate(title[:6]) if ch in _NUMBER_END), 0)
    return f"{title[:cut]}…{title[max(found.start(), cut) : found.end()]}"


def heading_tag(section: Section, year: int | None) -> tuple[Tag, str] | None:
    """The part of the template a heading names, if it names one, and how to show it."""
    for tag, pattern in _HEADING_CUES:
        found = pattern.search(section.title)
        if found:
            return tag, _heading_label(section.title, found)
    if year is not None:
        for found in _YEAR.finditer(section.title):
            if int(found.group(1)) > year:
                return P, _heading_label(section.title, found)
    return None


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


def _is_terminated(sentence: str) -> bool:
    stripped = sentence.rstrip(_CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _TERMINAL


def _untagged_reason(sentence: str, position: str, title: str) -> str | None:
    """Why a sentence is no mark at all (title, signature, framing…), or None."""
    if _FRAMING.search(sentence):
        return "framing sentence"
    if _is_terminated(sentence) or _DUTY_LINE.match(sentence):
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


# -- reading -----------------------------------------------------------------------------------


def _cues(kind: str, tag: Tag, pattern: re.Pattern[str], text: str) -> list[Evidence]:
    """One piece of evidence per distinct cue found, at most CUE_CAP."""
    found = dict.fromkeys(m.group() for m in pattern.finditer(text))
    return [Evidence(kind, tag, f"cue: {cue}") for cue in list(found)[:CUE_CAP]]


def sentence_evidence(sentence: str, year: int | None) -> list[Evidence]:
    """What the words of one sentence say, whatever its place in the report."""
    own = _YEAR_RANGE.sub("", _NAMES.sub("", sentence))
    out: list[Evidence] = []
    future = _future_year(own, year)
    if future:
        out.append(Evidence("future", P, future))
    else:
        out += _cues("future", P, _PLAN_FUTURE, _JIANG_AS_BA.sub("", own))[:1]
    out += _cues("cue_plan", P, _PLAN_CUES, _REPORTED_SPEECH.sub("", own))
    out += _cues("cue_shortcoming", S, _SHORTCOMING_CUES, _PROBLEM_SOLVED.sub("", own))
    out += _cues("cue_achievement", A, _ACHIEVEMENT_CUES, own)
    count = _COUNT.search(sentence)
    if count:
        out.append(Evidence("count", A, f"count: {count.group()}"))
    return out


def _paragraph_turn(sentence: str, year: int | None) -> Evidence | None:
    """The tag a paragraph turns to when this sentence opens it."""
    found = _TURN_TO_SHORTCOMINGS.search(sentence)
    if found:
        return Evidence("paragraph", S, f"paragraph turns to shortcomings: {found.group()}")
    found = _TURN_TO_PLANS.search(sentence)
    if found:
        return Evidence("paragraph", P, f"paragraph turns to plans: {found.group()}")
    opening = _YEAR.match(sentence)
    if opening and year is not None and int(opening.group(1)) > year:
        lead = sentence[: opening.end() + 2]
        return Evidence("paragraph", P, f"paragraph on {lead}…")
    return None


class _Context:
    """Walks the sentences in order, keeping the section path and the paragraph's turn."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.sections = sorted(report.all_sections(), key=lambda s: s.start)
        self.next_section = 0
        self.path: list[Section] = []
        self.turn: Evidence | None = None
        self.turn_level = 0

    def enter(self, offset: int) -> None:
        """Move to `offset`: open the sections that start before it."""
        sections = self.sections
        while self.next_section < len(sections) and sections[self.next_section].start <= offset:
            section = sections[self.next_section]
            self.next_section += 1
            self.path = [s for s in self.path if s.level < section.level] + [section]
            if self.turn is not None and section.level <= self.turn_level:
                self.turn = None
        self.path = [s for s in self.path if s.end > offset]

    def section_evidence(self) -> Evidence | None:
        """The innermost heading on the path that names a part of the template."""
        for section in reversed(self.path):
            named = heading_tag(section, self.report.year)
            if named is not None:
                return Evidence("section", named[0], f"section {named[1]}")
        return None

    def open_paragraph(self, sentence: str) -> None:
        """A sentence that starts a line may turn the paragraph (and those after it)."""
        turn = _paragraph_turn(sentence, self.report.year)
        if turn is not None:
            self.turn = turn
            # a turn before any heading ends at the first heading
            self.turn_level = self.path[-1].level if self.path else 1


def _in_spans(span: Span, spans: Sequence[Span]) -> bool:
    return any(b.start <= span.start < b.end for b in spans)


def read_report(report: Report) -> list[Reading]:
    """The evidence for every sentence of a report, before any weighing."""
    text = report.text
    plan_doc = is_plan_document(report)
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
    context = _Context(report)
    out: list[Reading] = []
    for span in report.sentences:
        sentence = text[span.start : span.end]
        context.enter(span.start)
        if _in_spans(span, report.boilerplate):
            out.append(Reading(span.start, span.end, "web page furniture", ()))
            continue
        position = "body"
        if span.start < body_start:
            position = "head"
        elif span.start >= last_body:
            position = "tail"
        untagged = _untagged_reason(sentence, position, report.title or "")
        if untagged is not None:
            out.append(Reading(span.start, span.end, untagged, ()))
            continue
        if _opens_paragraph(context, span):
            context.open_paragraph(sentence)
        evidence = sentence_evidence(sentence, report.year)
        placed = context.section_evidence()
        if placed is not None:
            evidence.append(placed)
        if context.turn is not None:
            evidence.append(context.turn)
        if plan_doc:
            evidence.append(Evidence("document", P, plan_doc))
        elif placed is None:
            evidence.append(Evidence("prior", A, "report on the year's work"))
        out.append(Reading(span.start, span.end, None, tuple(evidence)))
    return out


def _opens_paragraph(context: _Context, span: Span) -> bool:
    """Whether nothing but blank space or a heading precedes the sentence on its line."""
    text = context.report.text
    line_start = text.rfind("\n", 0, span.start) + 1
    before = line_start
    if context.path and line_start <= context.path[-1].start < span.start:
        before = context.path[-1].heading_end
    return not text[before : span.start].strip()


# -- weighing ----------------------------------------------------------------------------------


def weigh(reading: Reading, weights: Weights = DEFAULT_WEIGHTS) -> Suggestion:
    """The suggestion a reading gives under `weights`."""
    if reading.untagged is not None:
        return Suggestion(reading.start, reading.end, None, 1.0, reading.untagged)
    totals = {tag: 0.0 for tag in Tag}
    for item in reading.evidence:
        totals[item.tag] += max(0.0, weights.of(item.kind))
    # ties go to the order achievement, shortcoming, plan (Tag order)
    tag = max(Tag, key=lambda t: totals[t])
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
