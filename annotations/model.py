"""The domain model: reports, their structure, and the marks reviewers put on them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from annotations.clean import one_line


def now_iso() -> str:
    """The current time as an ISO 8601 UTC timestamp with microseconds (sorts as text)."""
    from datetime import UTC, datetime  # only writers need it: readers start faster

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Tag(StrEnum):
    """What a marked passage is."""

    ACHIEVEMENT = "achievement"
    SHORTCOMING = "shortcoming"
    PLAN = "plan"

    @classmethod
    def parse(cls, value: str | Tag) -> Tag:
        """Return the tag named by `value` (English name or Chinese label)."""
        return named_member(cls, value, TAG_LABELS_ZH, "tag")


TAG_LABELS_ZH = {Tag.ACHIEVEMENT: "成效", Tag.SHORTCOMING: "不足", Tag.PLAN: "计划"}


class Kind(StrEnum):
    """What sort of document a report is."""

    ANNUAL_REPORT = "annual_report"
    WORK_PLAN = "work_plan"
    OTHER = "other"

    @classmethod
    def parse(cls, value: str | Kind) -> Kind:
        """Return the kind named by `value` (English name or Chinese label)."""
        return named_member(cls, value, KIND_LABELS_ZH, "kind")


KIND_LABELS_ZH = {Kind.ANNUAL_REPORT: "年度报告", Kind.WORK_PLAN: "工作要点", Kind.OTHER: "其他"}
Member = TypeVar("Member", bound=StrEnum)


def named_member(cls: type[Member], value: str | Member, labels: dict[Member, str],
                 what: str) -> Member:
    """The member of `cls` named by `value` (its value, any case, "-" or " " for "_", or
    its Chinese label), or UserError naming the choices."""
    if isinstance(value, cls):
        return value
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for member in cls:
        if key in (member.value, labels[member]):
            return member
    from annotations.errors import UserError

    raise UserError(f"unknown.{what}", value=str(value), names=", ".join(m.value for m in cls))


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range [start, end) of code points in a report's normalised text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and everything under it up to the next heading of the same or a higher level.

    `start` is where the heading line begins, `end` where the section's text ends;
    `heading_end` is where the heading text ends. `level` is the depth in the tree (1 for
    top-level sections), whatever numbering style the heading uses.
    """

    title: str
    level: int
    start: int
    end: int
    heading_end: int
    children: tuple[Section, ...] = ()

    def walk(self) -> list[Section]:
        """This section and all its descendants, in document order."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """What the library shows of a report without loading its text."""

    id: str
    sha256: str
    title: str
    year: int | None
    issuer: str | None
    published: str | None
    doc_number: str | None
    chars: int
    source: str | None
    encoding: str
    imported: str
    place: str | None = None
    kind: str | None = None  # a Kind value; None in an index written before kinds existed
    title_derived: bool = False  # no title is printed: made up from place, year and kind

    def to_json(self) -> dict[str, Any]:
        """The stable metadata dictionary (`shenyue list --json` fields first)."""
        return {
            "id": self.id,
            "title": self.title,
            "title_derived": self.title_derived,
            "year": self.year,
            "place": self.place,
            "kind": self.kind,
            "issuer": self.issuer,
            "published": self.published,
            "doc_number": self.doc_number,
            "chars": self.chars,
            "sha256": self.sha256,
            "source": self.source,
            "encoding": self.encoding,
            "imported": self.imported,
        }

    @classmethod
    def from_json(cls, data: Any) -> ReportMeta:
        """The inverse of `to_json`. The index is a file anyone can edit: ValueError names
        the first field missing or of the wrong kind, and text is cleaned of controls."""
        check_meta_row(data)
        return cls.from_row(data)

    @classmethod
    def from_row(cls, data: dict[str, Any]) -> ReportMeta:
        """`from_json` of a row `check_meta_row` passed."""
        values: dict[str, Any] = {name: one_line(value) if type(value) is str else value
                  for name, value in ((name, data.get(name)) for name in META_TYPES)}
        values["title_derived"] = bool(values["title_derived"])
        return cls(**values)


def check_meta_row(data: Any) -> None:
    """ValueError naming the first field of an index row that is missing or of the wrong
    kind (the id must name a file, the kind be one we know)."""
    if not isinstance(data, dict):
        raise ValueError("a row is not an object")
    # the common case in C loops (an index holds thousands of rows); exactly: JSON's true is
    # no year
    if not all(map(frozenset.__contains__, META_TYPE_SETS, map(type, map(data.get, META_TYPES)))):
        name = next(n for n, kinds in META_TYPES.items() if type(data.get(n)) not in kinds)
        raise ValueError(f"a row's {name!r} is missing or not {META_KINDS[name]}")
    if not SAFE_REPORT_ID.match(data["id"]):  # ids name files in reports/
        raise ValueError(f"a row's id {data['id']!r} is not a report id")
    if data.get("kind") is not None and data["kind"] not in KIND_VALUES:
        raise ValueError(f"a row's kind {data['kind']!r} is not a kind of report")


# what each field of an index row must be (None: may be absent; an index written before
# places and kinds existed lacks the last three)
META_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,), "sha256": (str,), "title": (str,), "year": (int, type(None)),
    "issuer": (str, type(None)), "published": (str, type(None)),
    "doc_number": (str, type(None)), "chars": (int,), "source": (str, type(None)),
    "encoding": (str,), "imported": (str,), "place": (str, type(None)),
    "kind": (str, type(None)), "title_derived": (bool, type(None)),
}
META_TYPES = {name: frozenset(kinds) for name, kinds in META_FIELDS.items()}
META_TYPE_SETS = tuple(META_TYPES.values())
META_KINDS = {name: " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
              for name, kinds in META_FIELDS.items()}
SAFE_REPORT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
KIND_VALUES = frozenset(k.value for k in Kind)


def section_trail(sections: Sequence[Section]) -> str:
    """`一、… › （二）…`: a chain of section titles."""
    return " › ".join(s.title for s in sections)


def section_start(section: Section) -> int:
    """Where a section starts (the key sections are ordered by)."""
    return section.start


@dataclass(frozen=True, slots=True)
class Report:
    """One report: its normalised text (immutable, identified by its SHA-256) and structure."""

    meta: ReportMeta
    text: str
    sections: tuple[Section, ...]
    sentences: tuple[Span, ...]
    boilerplate: tuple[Span, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def sha256(self) -> str:
        return self.meta.sha256

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def year(self) -> int | None:
        return self.meta.year

    @property
    def issuer(self) -> str | None:
        return self.meta.issuer

    @property
    def published(self) -> str | None:
        return self.meta.published

    @property
    def doc_number(self) -> str | None:
        return self.meta.doc_number

    def all_sections(self) -> list[Section]:
        """Every section of the tree, in document order."""
        out: list[Section] = []
        for section in self.sections:
            out.extend(section.walk())
        return out

    def section_title(self, offset: int) -> str:
        """The titles of the sections around `offset`, outermost first, as one line."""
        return section_trail(self.section_path(offset))

    def section_path(self, offset: int) -> list[Section]:
        """The chain of sections (outermost first) that contains `offset`."""
        path: list[Section] = []
        level: tuple[Section, ...] = self.sections
        while True:  # the sections of a level are in order and apart: the last starting before
            at = bisect_right(level, offset, key=section_start) - 1
            if at < 0 or offset >= level[at].end:
                return path
            path.append(level[at])
            level = level[at].children


@dataclass(frozen=True, slots=True)
class Annotation:
    """A reviewer's mark on a passage of a report.

    Offsets are code points into the text whose SHA-256 is `text_sha256`; `quote`, `prefix`
    and `suffix` (32 characters each side) let the mark be re-anchored when the text changes.
    An orphan is a mark that could not be placed in the current text: kept, shown, exported.
    A deleted mark is kept as a tombstone so that a merge never brings it back.
    """

    id: str
    report_id: str
    text_sha256: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    tag: Tag
    comment: str
    reviewer: str
    created: str
    updated: str
    orphan: bool = False
    deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-ready dictionary with a fixed key order."""
        return {
            "id": self.id,
            "report_id": self.report_id,
            "text_sha256": self.text_sha256,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "tag": self.tag.value,
            "comment": self.comment,
            "reviewer": self.reviewer,
            "created": self.created,
            "updated": self.updated,
            "orphan": self.orphan,
            "deleted": self.deleted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Annotation:
        """The inverse of `to_json`; raises KeyError/ValueError on a malformed record."""
        return cls(
            id=str(data["id"]),
            report_id=str(data["report_id"]),
            text_sha256=str(data["text_sha256"]),
            start=int(data["start"]),
            end=int(data["end"]),
            quote=str(data["quote"]),
            prefix=str(data.get("prefix", "")),
            suffix=str(data.get("suffix", "")),
            tag=Tag(data["tag"]),
            comment=str(data.get("comment", "")),
            reviewer=str(data.get("reviewer", "")),
            created=str(data["created"]),
            updated=str(data["updated"]),
            orphan=bool(data.get("orphan", False)),
            deleted=bool(data.get("deleted", False)),
        )
