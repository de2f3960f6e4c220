"""Which government a report is about (its place), what kind of document it is, and the
title made from them for a report that prints none.

A place is a name ending in one of 省市县区旗州盟 (开发区, 经济区, 新区 and 自治区 end in 区
too), or the nation's name. Names are read, most trusted first, off the title, the issuer,
the signature and the body (where a name counts only if it starts after punctuation or a
line break, since Chinese has no spaces to end the word before it). A chain such as
大连市长海县 names its last, smallest part. The body's own self-references (我县, 全市,
本区…) say which level of government is speaking: when names of that level were found,
the report's place is one of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from annotations.model import Kind

LEVELS = "省市县区旗州盟"
NATION = "中华人民共和国"
HAN = "\u4e00-\u9fff"
# one administrative name: a stem of 2–12 characters, then its level (not 市场, 区域)
SEGMENT = re.compile(rf"[{HAN}]{{2,12}}?[{LEVELS}](?![场域])")
# a name starts where a run of Chinese characters starts
BODY_NAME = re.compile(rf"(?<![{HAN}])[{HAN}]{{2,12}}?[{LEVELS}](?![场域])")
# what a title prints before the place: a year, 关于, opening quotes
LEAD = re.compile(r"^(?:(?:19|20)\d{2}\s*年度?|关于|[《“\"(（\s])+")
# a stem opening with a level or holding one of these is words, not a name (县政府各部门,
# 全县依法行政…); characters that open real names (本溪, 日照, 和平, 全椒) are not listed
NOT_A_NAME = re.compile(
    rf"^[{LEVELS}]|政府|人民|关于|印发|办公|委员|机关|部门|单位|工作|建设|法治|依法|报告|要点"
    r"|推进|加强|落实|[的了与及在对为是要把被等各我该其这年月]|[全本]$"
)
# in running text, nouns that end in a level character without being a government (社区,
# 城市, 超市); a title or an issuer is trusted with them (城区 and 上市 are not names there)
NOT_A_PLACE = re.compile(r"[地社景辖片牧矿边街校灾]区$|[城超股都夜]市$")
SELF_REFERENCE = re.compile(rf"[我全本]([{LEVELS}])")
TRUST = {"issuer": 6, "signature": 6, "body": 1}
BODY_SCAN = 20_000  # characters

PLAN_TITLE = re.compile(r"要点|计划|安排|方案|规划|任务分工")
REPORT_TITLE = re.compile(r"报告|综述|总结|情况|年报")
RESPONSIBLE = re.compile(r"责任单位|牵头单位|责任部门")
REPORTING = re.compile(r"报告如下|特此报告")
PLAN_MARKERS = 3  # a 工作要点 names who is responsible for every item
TOPICS = ("法治政府建设", "依法行政", "法治建设")  # what a derived title says the report is on
KIND_TITLE = {Kind.ANNUAL_REPORT: "工作报告", Kind.WORK_PLAN: "工作要点", Kind.OTHER: "文件"}


def plausible(name: str) -> bool:
    """Whether `name` (stem + level) reads as a place name rather than running text."""
    return not NOT_A_NAME.search(name[:-1])


def chain_end(text: str) -> str | None:
    """The last name of the chain of place names `text` opens with (大连市长海县… → 长海县)."""
    if text.startswith(NATION):
        return NATION
    found = None
    at = 0
    while (segment := SEGMENT.match(text, at)) and plausible(segment.group()):
        found, at = segment.group(), segment.end()
    return found


def leading_place(text: str) -> str | None:
    """The place a title or an issuer opens with, after a year or 关于."""
    return chain_end(LEAD.sub("", text.strip()))


def body_places(text: str) -> Iterable[str]:
    """Every place name in running text that starts after punctuation or a line break."""
    for found in BODY_NAME.finditer(text):
        name = chain_end(text[found.start() : found.start() + 60])
        if name is not None and not NOT_A_PLACE.search(name):
            yield name


def self_level(text: str) -> str | None:
    """The level of government the body speaks as (我县, 全县 → 县), if it says."""
    levels = Counter(found.group(1) for found in SELF_REFERENCE.finditer(text))
    return levels.most_common(1)[0][0] if levels else None


def find_place(
    text: str, *, title: str | None = None, issuer: str | None = None,
    signature: Iterable[str] = (),
) -> str | None:
    """The government a report is about, or None when no name is found. A title that opens
    with a place decides; otherwise the issuer, the signature and the body vote."""
    named = leading_place(title) if title else None
    if named is not None:
        return named
    scores: Counter[str] = Counter()
    sources = [("issuer", issuer), *(("signature", s) for s in signature)]
    for source, value in sources:
        name = leading_place(value) if value else None
        if name is not None:
            scores[name] += TRUST[source]
    # the opening is enough to learn who speaks, and keeps a 1 MB report fast
    opening = text[:BODY_SCAN]
    for name in body_places(opening):
        scores[name] += TRUST["body"]
    level = self_level(opening)
    if level is not None and any(name.endswith(level) for name in scores):
        scores = Counter({n: s for n, s in scores.items() if n.endswith(level)})
    # most_common keeps first-seen order among equal scores: title before body
    return scores.most_common(1)[0][0] if scores else None


def find_kind(text: str, title: str | None) -> Kind:
    """A work plan (工作要点, 计划…), an annual report, or something else: by the title,
    else by what the body does (names responsible units item by item, or reports)."""
    if title:
        if PLAN_TITLE.search(title) and not REPORT_TITLE.search(title):
            return Kind.WORK_PLAN
        if REPORT_TITLE.search(title):
            return Kind.ANNUAL_REPORT
    if len(RESPONSIBLE.findall(text)) >= PLAN_MARKERS:
        return Kind.WORK_PLAN
    if REPORTING.search(text):
        return Kind.ANNUAL_REPORT
    return Kind.OTHER


def derived_title(text: str, place: str | None, year: int | None, kind: Kind) -> str | None:
    """A title for a report that prints none: place, year, topic and kind
    (长海县2012年依法行政工作要点); None when neither place nor year is known."""
    if place is None and year is None:
        return None
    counts = {topic: text.count(topic) for topic in TOPICS}
    topic = max(TOPICS, key=lambda t: counts[t]) if any(counts.values()) else ""
    when = f"{year}年" if year is not None else ""
    return f"{place or ''}{when}{topic}{KIND_TITLE[kind]}"
