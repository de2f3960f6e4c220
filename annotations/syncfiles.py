"""The files of a sync repository, each written by one workspace only:

    marks/<owner>/<report id>.json   one reviewer's marks, metadata corrections and
                                     follow-through decisions on one report: a native export
                                     (export.py), tombstones included, sorted, so the same
                                     records always give the same bytes
    reports/<sha256>.json             a report's text and metadata, named by the text's hash
                                     and written once: a clone that lacks the report gets it

`<owner>` is the reviewer's name made safe for every file system (letters and digits kept,
anything else a hyphen, lower case, at most 32 characters) and the first 8 hex digits of the
name's SHA-256, so that two names never share a folder (Wang and wang neither).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from annotations.clean import normalise
from annotations.export import write_json
from annotations.ingest import MAX_BYTES, Ingested, ingest_text
from annotations.model import ReportMeta, now_iso
from annotations.records import refuse_constant

MARKS = "marks"
REPORTS = "reports"
REPORT_FORMAT = "shenyue-report"
REPORT_VERSION = 1
# what travels of a report's metadata: neither the path it was imported from nor when
SHARED_FIELDS = ("id", "sha256", "title", "title_derived", "year", "place", "kind", "issuer",
                 "published", "doc_number", "chars", "encoding")
SLUG_CHARS = 32

Doc = dict[str, Any]


@functools.lru_cache(maxsize=1024)
def owner_folder(name: str) -> str:
    """The folder under `marks/` of a reviewer's files (see the module docstring)."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower())[:SLUG_CHARS].strip("-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def marks_file_bytes(marks: Sequence[Doc], corrections: Sequence[Doc], links: Sequence[Doc],
                     reports: Sequence[ReportMeta]) -> bytes:
    """A marks file: the native export of these records."""
    out = io.StringIO()
    write_json(out, marks, reports, corrections, links)
    return out.getvalue().encode("utf-8")


def report_file_bytes(meta: ReportMeta, text: str) -> bytes:
    """A report file: the text and the metadata that travels, one field per line."""
    doc = {"format": REPORT_FORMAT, "version": REPORT_VERSION,
           **{k: meta.to_json()[k] for k in SHARED_FIELDS}, "text": text}
    return (json.dumps(doc, ensure_ascii=False, indent=0) + "\n").encode("utf-8")


@dataclass(frozen=True)
class SharedReport:
    """A report read from a sync repository, checked: its file, metadata and text."""

    path: Path
    meta: ReportMeta
    text: str

    def ingested(self) -> Ingested:
        """The report as an import reads it, with the metadata it has where it came from."""
        data = ingest_text(self.text, encoding=self.meta.encoding, name=self.meta.title)
        m = self.meta
        return replace(data, title=m.title, title_derived=m.title_derived, year=m.year,
                       place=m.place, kind=m.kind or data.kind, issuer=m.issuer,
                       published=m.published, doc_number=m.doc_number)


def read_report_file(path: Path) -> SharedReport:
    """A report file read and checked (its text hashes to its name's hash, holds no control
    characters and has the length it claims); ValueError saying what is wrong."""
    if path.stat().st_size > 4 * MAX_BYTES:  # JSON escapes at most quadruple a text's bytes
        raise ValueError("it is larger than any report")
    doc = json.loads(path.read_bytes(), parse_constant=refuse_constant)
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        raise ValueError("it is not a Shenyue report file")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > REPORT_VERSION:
        raise ValueError(f"it is from a newer Shenyue (version {version!r}); upgrade Shenyue")
    text = doc.get("text")
    if not isinstance(text, str) or normalise(text) != text:
        raise ValueError("its text is missing or holds control characters")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if sha != doc.get("sha256") or path.stem != sha:
        raise ValueError("its text does not match its hash")
    meta = ReportMeta.from_json({**{k: doc.get(k) for k in SHARED_FIELDS},
                                 "source": None, "imported": now_iso()})
    if meta.chars != len(text):
        raise ValueError(f"it claims {meta.chars} characters but holds {len(text)}")
    return SharedReport(path, meta, text)


def regular_files(folder: Path, pattern: str) -> list[Path]:
    """The regular files (no links, no folders) matching `pattern` under `folder`, sorted."""
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink())


def published_keys(exports: Iterable[tuple[Path, Any]]) -> set[tuple[str, str]]:
    """(id, updated) of every record in the given (path, NativeExport) pairs."""
    return {(doc["id"], doc["updated"])
            for _path, export in exports
            for docs in (export.annotations, export.corrections, export.links)
            for doc in docs}
