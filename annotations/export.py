"""Writing marks out (json, w3c, csv, md) and reading a native export back in to merge.

Every format is stable: the same marks give the same bytes (sorted, fixed key order).
The native json format, one report or mark per line:

    {"format": "shenyue", "version": 1,
     "reports": [{"id", "sha256", "title", "year", "issuer", "published", "doc_number",
                  "chars"}, …],
     "annotations": [{every Annotation field, tombstones included}, …],
     "corrections": [{"id", "report_id", "field", "value", "reviewer", "updated",
                      "deleted"}, …],
     "links": [{"id", "plan_report", "review_report", "plan", "verdict", "confirmed",
                "rejected", "reviewer", "created", "updated", "deleted"}, …]}

An export without "corrections" or "links" (an older Shenyue's) merges as one with none.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from annotations.clean import normalise, person_name
from annotations.errors import UserError
from annotations.fsutil import atomic_writer
from annotations.messages import Message, say
from annotations.model import TAG_LABELS_ZH, Annotation, Report, ReportMeta, Tag
from annotations.records import (
    TEXT_KEYS,
    correction_problem,
    link_problem,
    mark_problem,
    refuse_constant,
    short_repr,
)

FORMAT = "shenyue"
VERSION = 1
REPORT_FIELDS = ("id", "sha256", "title", "year", "issuer", "published", "doc_number", "chars")
ANNOTATION_FIELDS = tuple(Annotation.__dataclass_fields__)
CORRECTION_FIELDS = ("id", "report_id", "field", "value", "reviewer", "updated", "deleted")
LINK_FIELDS = ("id", "plan_report", "review_report", "plan", "verdict", "confirmed", "rejected",
               "reviewer", "created", "updated", "deleted")
MAX_MERGE_BYTES = 512 * 1024 * 1024  # five times a 100,000-mark export
CLOCK_SKEW = timedelta(days=1)  # a time later than this is wrong, and would win every merge
CSV_COLUMNS = ("report", "section", "tag", "quote", "comment", "reviewer", "created", "updated",
               "start", "end", "orphan", "id")

Writer = Callable[[TextIO, Sequence[Annotation], Sequence[ReportMeta], Callable[[str], Report]],
                  None]


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: marks added, updated (newer elsewhere), unchanged, and of those
    made on another version of a text, how many were re-anchored and how many orphaned;
    and how many metadata corrections and follow-through decisions it took (newer than this
    workspace's)."""

    added: int
    updated: int
    unchanged: int
    reanchored: int
    orphaned: int
    corrections: int = 0
    links: int = 0


@dataclass(frozen=True)
class NativeExport:
    """A native export read back: report titles by id, the marks' documents and the
    metadata corrections' documents."""

    titles: dict[str, str]
    annotations: list[dict[str, Any]]
    corrections: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    def title(self, report_id: str) -> str | Message:
        """The title the export gives a report, or the word for an untitled one."""
        return self.titles.get(report_id) or say("word.untitled")


@dataclass(frozen=True)
class NativeRecords:
    """What a native export writes: marks', corrections' and follow-through decisions'
    documents (tombstones included) and the metadata of the reports they name."""

    marks: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    links: list[dict[str, Any]]
    reports: list[ReportMeta]


ENCODER = json.JSONEncoder(ensure_ascii=False)


def dumps(value: Any) -> str:
    """Compact, readable UTF-8 JSON for one item."""
    return ENCODER.encode(value)


def in_field_order(doc: dict[str, Any]) -> dict[str, Any]:
    """A mark's document with its keys in Annotation's order (stored ones already are)."""
    return doc if tuple(doc) == ANNOTATION_FIELDS else {k: doc[k] for k in ANNOTATION_FIELDS}


def write_json(
    out: TextIO, docs: Sequence[dict[str, Any]], metas: Sequence[ReportMeta],
    corrections: Sequence[dict[str, Any]] = (),
    links: Sequence[dict[str, Any]] = (),
) -> None:
    """The native format (see the module docstring): marks' and corrections' documents,
    tombstones included."""
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION},\n "reports": [')
    meta_lines = (dumps({k: m.to_json()[k] for k in REPORT_FIELDS}) for m in metas)
    out.write(",".join(f"\n  {line}" for line in meta_lines))
    out.write('],\n "annotations": [')
    for first in range(0, len(docs), 1000):  # in chunks: streams without one huge string
        chunk = ",".join(f"\n  {dumps(in_field_order(d))}" for d in docs[first : first + 1000])
        out.write(chunk if first == 0 else "," + chunk)
    out.write('],\n "corrections": [')
    out.write(",".join(f"\n  {dumps({k: c[k] for k in CORRECTION_FIELDS})}" for c in corrections))
    out.write('],\n "links": [')
    out.write(",".join(f"\n  {dumps({k: d[k] for k in LINK_FIELDS})}" for d in links))
    out.write("]}\n")


def w3c_annotation(mark: Annotation) -> dict[str, Any]:
    """One mark as a W3C Web Annotation (JSON-LD)."""
    body = [{"type": "TextualBody", "purpose": "tagging", "value": mark.tag.value}]
    if mark.comment:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": mark.comment})
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"urn:uuid:{mark.id}",
        "type": "Annotation",
        "motivation": "tagging",
        "creator": {"type": "Person", "name": mark.reviewer},
        "created": mark.created,
        "modified": mark.updated,
        "body": body,
        "target": {
            "source": f"urn:shenyue:report:{mark.report_id}:sha256:{mark.text_sha256}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": mark.quote, "prefix": mark.prefix,
                 "suffix": mark.suffix},
                {"type": "TextPositionSelector", "start": mark.start, "end": mark.end},
            ],
        },
        **({"shenyue:orphan": True} if mark.orphan else {}),
    }


def write_w3c(
    out: TextIO,
    marks: Sequence[Annotation],
    _metas: Sequence[ReportMeta],
    _report: Callable[[str], Report],
) -> None:
    """A W3C AnnotationCollection holding one page with every mark."""
    out.write('{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection",'
              f' "total": {len(marks)},\n "first": {{"type": "AnnotationPage", "items": [')
    out.write(",".join(f"\n  {dumps(w3c_annotation(m))}" for m in marks))
    out.write("]}}\n")


def place_of(meta: ReportMeta) -> str | None:
    """Where a report comes from, for the xlsx and qdpx exports: the government that issued it."""
    return meta.issuer


def write_csv(
    out: TextIO,
    marks: Sequence[Annotation],
    metas: Sequence[ReportMeta],
    report: Callable[[str], Report],
) -> None:
    """One row per mark; the caller adds the BOM so that Excel reads UTF-8."""
    titles = {m.id: m.title for m in metas}
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for m in marks:
        writer.writerow([
            titles.get(m.report_id, m.report_id), report(m.report_id).section_title(m.start),
            m.tag.value, m.quote, m.comment, m.reviewer, m.created, m.updated, m.start, m.end,
            "yes" if m.orphan else "", m.id,
        ])


def write_md(
    out: TextIO,
    marks: Sequence[Annotation],
    metas: Sequence[ReportMeta],
    report: Callable[[str], Report],
) -> None:
    """A readable summary: report → section → tag, each mark quoted with its comment."""
    by_report: dict[str, list[Annotation]] = {}
    for m in marks:
        by_report.setdefault(m.report_id, []).append(m)
    for meta in metas:
        text = report(meta.id)
        out.write(f"# {meta.title}\n\n")
        by_section: dict[str, list[Annotation]] = {}
        for m in by_report.get(meta.id, []):
            key = "(orphans)" if m.orphan else text.section_title(m.start) or "(no section)"
            by_section.setdefault(key, []).append(m)
        for section, items in by_section.items():
            out.write(f"## {section}\n\n")
            for tag in Tag:
                tagged = [m for m in items if m.tag is tag]
                if not tagged:
                    continue
                out.write(f"### {TAG_LABELS_ZH[tag]} {tag.value}\n\n")
                for m in tagged:
                    quote = " ".join(m.quote.split())
                    out.write(f"- > {quote}\n")
                    if m.comment:
                        out.write(f"  {' '.join(m.comment.split())}\n")
                    out.write(f"  — {m.reviewer}, {m.updated[:10]}\n")
                out.write("\n")


WRITERS: dict[str, Writer] = {"w3c": write_w3c, "csv": write_csv, "md": write_md}
BINARY_FORMATS = ("xlsx", "qdpx")  # zip files, written by annotations/xlsx.py and qdpx.py
FORMATS = ("json", *WRITERS, *BINARY_FORMATS)


def check_format(fmt: str) -> None:
    """UserError naming the formats there are, unless `fmt` is one."""
    if fmt not in FORMATS:
        raise UserError("export.unknown_format", fmt=fmt, formats=", ".join(FORMATS))


def write_output(path: str | Path | None, fmt: str, write: Callable[[TextIO], None]) -> None:
    """Run `write` into stdout (path None or "-") or into `path`, replaced atomically."""
    with output_stream(path) as out:
        if fmt == "csv":
            out.write("\ufeff")  # Excel reads UTF-8 only after a byte order mark
        write(out)


def write_binary_output(path: str | Path | None, fmt: str, write: Callable[[BinaryIO], None]
                        ) -> None:
    """Run `write` into stdout's bytes (never a terminal) or into `path`, replaced atomically."""
    if (path is None or str(path) == "-") and sys.stdout.isatty():
        raise UserError("export.binary_to_terminal", fmt=fmt)
    with output_stream(path) as out:
        out.flush()
        write(out.buffer)


@contextmanager
def output_stream(path: str | Path | None) -> Iterator[TextIO]:
    """stdout, or `path`: a pipe, a device or /dev/stdout is written through; a file (or the
    file a symlink points to: the link stays a link) is replaced atomically once the writing
    succeeded."""
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    given = Path(path).expanduser()
    target = given.resolve()
    if target.is_dir():
        raise UserError("export.is_folder", path=str(path))
    if not target.parent.is_dir():
        raise UserError("export.no_folder", folder=str(target.parent))
    try:
        if writes_through(given, target):
            with open(given, "a", encoding="utf-8", newline="") as out:
                yield out
            return
        with atomic_writer(target) as raw:
            out = io.TextIOWrapper(raw, "utf-8", newline="")
            try:
                yield out
            finally:
                out.detach()  # flushes; atomic_writer syncs and closes the file itself
    except OSError as exc:
        raise UserError("export.cannot_write", path=str(path), reason=str(exc.strerror)) from exc


def writes_through(given: Path, target: Path) -> bool:
    """Whether an export to `given` (resolved: `target`) goes into an existing node rather
    than replacing a file: a pipe, a device, or a file descriptor (/dev/stdout) — replacing
    those would cut off whoever reads them."""
    if any(str(p.absolute()).startswith(("/dev/", "/proc/")) for p in (given, target)):
        return True
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except FileNotFoundError:
        return False


def read_native(path: Path) -> NativeExport:
    """A native export read and checked, or UserError naming the file and its first bad
    record; every mark is checked field by field (types, ranges, sizes, times, ids)."""
    try:
        if path.stat().st_size > MAX_MERGE_BYTES:
            raise UserError("merge.too_large", path=str(path), limit=MAX_MERGE_BYTES // 2**20)
        data = json.loads(path.read_bytes(), parse_constant=refuse_constant)
    except FileNotFoundError:
        raise UserError("file.missing", path=str(path)) from None
    except OSError as exc:
        raise UserError("file.unreadable", path=str(path), reason=str(exc.strerror)) from exc
    except (ValueError, RecursionError):
        raise UserError("merge.not_json", path=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError("merge.not_export", path=str(path))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise UserError("merge.newer", path=str(path), version=str(version))
    try:
        titles = {str(r["id"]): normalise(str(r.get("title") or "")) for r in data["reports"]}
        marks = checked_marks(data["annotations"])
        corrections = checked_corrections(data.get("corrections", []))
        links = checked_links(data.get("links", []))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise UserError("merge.damaged", path=str(path),
                        problem=f"{type(exc).__name__}: {exc}") from exc
    return NativeExport(titles, marks, corrections, links)


def checked_marks(items: Any) -> list[dict[str, Any]]:
    """The marks of an export, their text cleaned of control characters (a terminal would
    obey them) and the reviewer's name in its one form; ValueError naming the first bad one."""

    def clean(mark: dict[str, Any]) -> None:
        for key in TEXT_KEYS:
            if isinstance(mark[key], str):
                mark[key] = normalise(mark[key])
        if isinstance(mark["reviewer"], str):
            mark["reviewer"] = person_name(mark["reviewer"])

    return checked_records(items, "mark", ANNOTATION_FIELDS, clean, mark_problem)


def checked_corrections(items: Any) -> list[dict[str, Any]]:
    """The metadata corrections of an export, their text cleaned of control characters and
    trimmed; ValueError naming the first bad one."""

    def clean(fix: dict[str, Any]) -> None:
        for key in ("value", "reviewer"):
            if isinstance(fix[key], str):
                fix[key] = " ".join(normalise(fix[key]).split())

    return checked_records(items, "correction", CORRECTION_FIELDS, clean, correction_problem)


def checked_links(items: Any) -> list[dict[str, Any]]:
    """The follow-through decisions of an export, their quotes cleaned of control
    characters and the reviewer's name in its one form; ValueError naming the first bad one."""

    def cleaned(passage: Any) -> Any:
        if isinstance(passage, dict) and isinstance(passage.get("quote"), str):
            return {**passage, "quote": normalise(passage["quote"])}  # a copy: the file's stays
        return passage

    def clean(link: dict[str, Any]) -> None:
        link["plan"] = cleaned(link["plan"])
        for key in ("confirmed", "rejected"):
            if isinstance(link[key], list):
                link[key] = [cleaned(p) for p in link[key]]
        if isinstance(link["reviewer"], str):
            link["reviewer"] = person_name(link["reviewer"])

    return checked_records(items, "link", LINK_FIELDS, clean, link_problem)


def checked_records(
    items: Any,
    kind: str,
    fields: Sequence[str],
    clean: Callable[[dict[str, Any]], None],
    problem: Callable[[Any], str | None],
) -> list[dict[str, Any]]:
    """Records of one kind from an export: each an object, cleaned, well formed (`problem`),
    not updated in the future (it would win every later merge), no id twice; ValueError
    naming the first bad one."""
    if not isinstance(items, list):
        raise ValueError(f"its {kind}s are not a list")
    latest = (datetime.now(UTC) + CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seen: set[str] = set()
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError(f"a {kind} is {type(item).__name__}, not an object")
        record: dict[str, Any] = {key: item.get(key) for key in fields}
        clean(record)
        found = problem(record)
        if found:
            raise ValueError(found)
        if record["updated"] > latest or record.get("created", "") > latest:
            raise ValueError(f"{kind} {record['id']} was updated in the future "
                             f"({record['updated']})")
        if record["id"] in seen:
            raise ValueError(f"{kind} {short_repr(record['id'])} appears twice")
        seen.add(record["id"])
        out.append(record)
    return out
