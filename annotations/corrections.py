"""Reviewers' corrections of a report's metadata (title, place, year, issuer, kind).

A correction is stored beside the report, never in its text: one document per report and
field in the annotation store's table `_meta` (id `<report_id>:<field>`), written like a
mark, so it is durable, undoable, exported and merged. Removing one leaves a tombstone
(`deleted: true`), so a merge never brings it back.

A report removed from the workspace is one more such document, of the field `removed` (value
true): the report, its text and its marks stay where they are, set aside — out of every list,
lookup and export — until the removal is undone (a tombstone) or the report imported again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from annotations.clean import normalise
from annotations.errors import UserError
from annotations.messages import say
from annotations.model import Kind, ReportMeta
from annotations.records import MAX_META_TEXT, META_FIELDS, REMOVED_FIELD, YEAR_RANGE

ORIGINS = ("file", "derived", "correction")
# how each value of an imported report was found: read off the file, or inferred
READ_FROM_FILE = frozenset({"year", "issuer"})


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewer's value for one metadata field of one report."""

    report_id: str
    field: str
    value: str | int  # True for REMOVED_FIELD
    reviewer: str
    updated: str
    deleted: bool = False

    @property
    def id(self) -> str:
        return correction_id(self.report_id, self.field)

    def to_json(self) -> dict[str, Any]:
        """The stored document, with a fixed key order."""
        return {"id": self.id, "report_id": self.report_id, "field": self.field,
                "value": self.value, "reviewer": self.reviewer, "updated": self.updated,
                "deleted": self.deleted}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Correction:
        """The inverse of `to_json` (for a document `correction_problem` accepted)."""
        return cls(doc["report_id"], doc["field"], doc["value"], doc["reviewer"],
                   doc["updated"], doc["deleted"])


@dataclass(frozen=True, slots=True)
class MetaValue:
    """A metadata value of a report and where it came from."""

    field: str
    value: str | int | None
    origin: str  # one of ORIGINS
    reviewer: str | None = None
    updated: str | None = None

    def to_json(self) -> dict[str, Any]:
        """For `shenyue meta --json`."""
        return {"value": self.value, "origin": self.origin, "reviewer": self.reviewer,
                "updated": self.updated}


def correction_id(report_id: str, field: str) -> str:
    """The store id of the correction of `field` of a report."""
    return f"{report_id}:{field}"


def checked_value(field: str, value: Any) -> str | int | None:
    """A corrected value as stored (text cleaned of control characters and trimmed, a year
    as a number, a kind by its English name), None for "no correction", or UserError."""
    if field not in META_FIELDS:
        raise UserError("meta.not_correctable", field=field, fields=", ".join(META_FIELDS))
    text = " ".join(normalise(str(value)).split()) if value is not None else ""
    if not text:
        return None
    if field == "year":
        low, high = YEAR_RANGE
        if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
            raise UserError("meta.bad_year", low=low, high=high, text=text)
        return int(text)
    if field == "kind":
        return Kind.parse(text).value
    if len(text) > MAX_META_TEXT:
        raise UserError("meta.too_long", field=say(f"field.{field}"), limit=MAX_META_TEXT,
                        length=len(text))
    return text


def live(docs: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Correction]]:
    """The corrections in force, by report id and field (tombstones left out)."""
    found: dict[str, dict[str, Correction]] = {}
    for doc in docs:
        if not doc["deleted"]:
            found.setdefault(doc["report_id"], {})[doc["field"]] = Correction.from_json(doc)
    return found


def corrected(meta: ReportMeta, corrections: Mapping[str, Correction]) -> ReportMeta:
    """`meta` with a report's corrections applied (a corrected title is no longer derived)."""
    values: dict[str, Any] = {field: c.value for field, c in corrections.items()
                              if field != REMOVED_FIELD}
    if not values:
        return meta
    if "title" in values:
        values["title_derived"] = False
    return replace(meta, **values)


def provenance(meta: ReportMeta, corrections: Mapping[str, Correction]) -> list[MetaValue]:
    """Each correctable field of a report (`meta` as imported) with its value in force and
    where that came from: the file, derived by Shenyue, or a reviewer's correction."""
    out = []
    for field in META_FIELDS:
        fix = corrections.get(field)
        if fix is not None:
            out.append(MetaValue(field, fix.value, "correction", fix.reviewer, fix.updated))
            continue
        read = field in READ_FROM_FILE or (field == "title" and not meta.title_derived)
        out.append(MetaValue(field, getattr(meta, field), "file" if read else "derived"))
    return out
