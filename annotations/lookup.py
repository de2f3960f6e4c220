"""`shenyue lookup`: find a phrase in the marks (quote and comment) and in the report texts.

Built to answer from a cold process: report texts are searched as bytes and only the
reports with a hit are decoded; marks come from `Store.search`, which reads the journal as
bytes without parsing all of it, and only the marks shown are parsed whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotations.errors import UserError
from annotations.markscan import Candidate, Found
from annotations.model import Annotation, ReportMeta, Tag

if TYPE_CHECKING:
    from annotations.workspace import Workspace

CONTEXT_CHARS = 30


@dataclass(frozen=True)
class Hit:
    """One place the query was found: in a mark (then `annotation` is set) or in a text."""

    report: ReportMeta
    start: int
    end: int
    section: str
    context: str
    annotation: Annotation | None = None


@dataclass(frozen=True)
class RawHit:
    """A hit before its section and context are looked up (only for the hits kept)."""

    report_id: str
    start: int
    end: int
    mark: Found | None  # the mark, read in full only if the hit is shown


def snippet(text: str, start: int, end: int) -> str:
    """The hit with some text either side, on one line."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    body = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def text_hits(text: str, query: str) -> list[tuple[int, int]]:
    """Every (start, end) where `query` occurs in `text`, overlapping ones included."""
    found, at = [], text.find(query)
    while at >= 0:
        found.append((at, at + len(query)))
        at = text.find(query, at + 1)
    return found




def search(
    ws: Workspace,
    query: str,
    *,
    tag: Tag | None,
    report_id: str | None,
    reviewer: str | None,
    limit: int | None,
) -> list[Hit]:
    """See `Workspace.lookup`."""
    if not query.strip():
        raise UserError("lookup.empty")
    if limit is not None and limit < 1:
        raise UserError("lookup.limit", limit=limit)
    reports = ws.report_order()
    order = {rid: n for n, rid in enumerate(reports)}
    if report_id is not None and report_id not in order:
        raise UserError("report.unknown_id", report_id=report_id)
    by_report: dict[str, list[Candidate]] = {}
    for candidate in ws.store.search(query):
        if candidate.report_id in order and report_id in (None, candidate.report_id):
            by_report.setdefault(candidate.report_id, []).append(candidate)
    marks: list[Found] = []
    for rid in sorted(by_report, key=order.__getitem__):  # read no further than is shown
        if limit is not None and len(marks) >= limit:
            break
        marks.extend(sorted(
            (f for c in by_report[rid] if (f := c.found())
             and (tag is None or f.tag == tag.value)
             and (reviewer is None or f.reviewer == reviewer)),
            key=lambda f: (f.start, f.end, f.mark_id)))
    raw = [RawHit(f.report_id, f.start, f.end, f) for f in marks]
    if tag is None and reviewer is None and (limit is None or len(raw) < limit):
        covered: dict[str, list[Found]] = {}  # every mark was read: there is room for more
        for f in marks:
            if not f.orphan:  # an orphan's offsets point nowhere in the current text
                covered.setdefault(f.report_id, []).append(f)
        needle = query.encode("utf-8")
        for rid in [report_id] if report_id else reports:
            if limit is not None and len(raw) >= limit:
                break
            data = ws.report_text_bytes(rid)
            if needle not in data:
                continue
            text = data.decode("utf-8")
            for start, end in text_hits(text, query):
                if not any(f.start <= start and end <= f.end for f in covered.get(rid, ())):
                    raw.append(RawHit(rid, start, end, None))
    return [materialize(ws, h) for h in raw[:limit]]


def materialize(ws: Workspace, hit: RawHit) -> Hit:
    """A hit with its section path and a snippet of context (only the hits shown become
    Annotation objects: a common word is in thousands of marks)."""
    mark = None if hit.mark is None else Annotation.from_json(hit.mark.doc())
    if mark is not None and mark.orphan:
        meta = ws.report_meta(hit.report_id)
        return Hit(meta, hit.start, hit.end, "(orphan)", " ".join(mark.quote.split()), mark)
    report = ws.report(hit.report_id)
    return Hit(report.meta, hit.start, hit.end, report.section_title(hit.start),
               snippet(report.text, hit.start, hit.end), mark)
