"""REFI-QDA projects (.qdpx): written for ATLAS.ti, NVivo, MAXQDA and QualCoder, and read back.

A .qdpx is a zip holding `project.qde` (QDA-XML, namespace urn:QDA-XML:project:1.0) and the
sources under `sources/`. What maps to what:

    report           TextSource, its text as sources/<guid>.txt (UTF-8, no BOM)
    tag              Code (成效 achievement, 不足 shortcoming, 计划 plan), with its colour
    mark             PlainTextSelection (startPosition/endPosition: code points from 0, end
                     excluded) holding one Coding of its tag's Code
    comment          Note, referred to by a NoteRef of the selection
    reviewer         User; each selection's and coding's creatingUser
    place, year, …   Variables, with a VariableValue on each TextSource

GUIDs are derived from our ids (a mark's UUID is its Coding's guid), so the same marks give
the same bytes and importing our own export gives back the same marks. Orphaned marks have
no place in the text and are left out.

Reading never trusts the file: the zip's size, entries and unpacked bytes are capped (a zip
bomb is refused), an entry pointing outside the project is refused, the XML may not declare a
DTD, every text is cleaned of control characters, and every mark is checked like a merged one
before anything is written. A refusal is one sentence naming the file and the first bad item.
"""

from __future__ import annotations

import functools
import io
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from annotations.anchor import quote_context
from annotations.errors import IngestError
from annotations.export import checked_marks, place_of
from annotations.ingest import MAX_BYTES, Ingested, ingest_text, normalise
from annotations.messages import Message, say
from annotations.model import TAG_LABELS_ZH, Annotation, Report, ReportMeta, Tag, now_iso
from annotations.records import short_repr

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
PROJECT_FILE = "project.qde"
SOURCES = "sources/"
INTERNAL = "internal://"
# uuid5 namespace of every GUID we derive (fixed: the same ids always give the same GUIDs)
GUIDS = uuid.UUID("6f1c2a52-4a43-5d1e-9a53-8d3c0b2f7e10")
TAG_COLOURS = {Tag.ACHIEVEMENT: "#2E7D32", Tag.SHORTCOMING: "#C62828", Tag.PLAN: "#1565C0"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # no clock inside the file: same marks, same bytes

MAX_PROJECT_BYTES = 512 * 1024 * 1024  # the .qdpx itself, as a merge file
MAX_QDE_BYTES = 256 * 1024 * 1024  # project.qde unpacked: 100,000 marks take about 60 MB
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # everything we read from one project
MAX_ENTRIES = 10_000
GUID = re.compile(r"\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?\Z")


@functools.lru_cache(maxsize=1024)  # a user's and a code's GUID are asked for at every mark
def guid(kind: str, key: str) -> str:
    """The GUID of one of our things (a report, a user, a code, a mark's selection…)."""
    return str(uuid.uuid5(GUIDS, f"{kind}:{key}"))


def coding_guid(mark_id: str) -> str:
    """A mark's Coding GUID: its own id when that is a UUID (so an import gives it back)."""
    found = GUID.match(mark_id)
    return found.group(1).lower() if found else guid("mark", mark_id)


@dataclass(frozen=True)
class Variable:
    """A report variable of the project: its name, REFI type and how to read it off a report."""

    name: str
    kind: str  # "Text" | "Integer" | "Date"
    value: Callable[[ReportMeta], str | int | None]


VARIABLES = (
    Variable("place", "Text", place_of),
    Variable("year", "Integer", lambda m: m.year),
    Variable("issuer", "Text", lambda m: m.issuer),
    Variable("published", "Date", lambda m: m.published),
    Variable("document number", "Text", lambda m: m.doc_number),
)
VALUE_ELEMENTS = {"Text": "TextValue", "Integer": "IntegerValue", "Date": "DateValue"}


# -- writing ---------------------------------------------------------------------------------


def write_qdpx(
    out: BinaryIO,
    marks: Sequence[Annotation],
    metas: Sequence[ReportMeta],
    report: Callable[[str], Report],
) -> None:
    """A REFI-QDA project of the reports in `metas` and the `marks` placed in their current
    texts (see the module docstring for what maps to what)."""
    from lxml import etree

    by_report: dict[str, list[Annotation]] = {}
    for m in marks:
        by_report.setdefault(m.report_id, []).append(m)
    latest = max((m.updated for m in marks), default=None)
    root = etree.Element(f"{Q}Project", nsmap={None: NS}, name="Shenyue", origin="Shenyue")
    if latest:
        root.set("creationDateTime", latest)
        root.set("modifiedDateTime", latest)
    users = etree.SubElement(root, f"{Q}Users")
    for name in sorted({m.reviewer for m in marks}):
        etree.SubElement(users, f"{Q}User", guid=guid("user", name), name=name)
    if not len(users):
        root.remove(users)  # the schema wants at least one User inside Users
    codes = etree.SubElement(etree.SubElement(root, f"{Q}CodeBook"), f"{Q}Codes")
    for tag in Tag:
        etree.SubElement(codes, f"{Q}Code", guid=guid("code", tag.value),
                         name=f"{TAG_LABELS_ZH[tag]} {tag.value}", isCodable="true",
                         color=TAG_COLOURS[tag])
    variables = etree.SubElement(root, f"{Q}Variables")
    for var in VARIABLES:
        etree.SubElement(variables, f"{Q}Variable", guid=guid("variable", var.name),
                         name=var.name, typeOfVariable=var.kind)
    sources = etree.SubElement(root, f"{Q}Sources")
    notes = etree.Element(f"{Q}Notes")
    texts: list[tuple[str, str]] = []
    for meta in metas:
        source_guid = guid("report", meta.id)
        texts.append((source_guid, report(meta.id).text))
        source = etree.SubElement(sources, f"{Q}TextSource", guid=source_guid, name=meta.title,
                                  plainTextPath=f"{INTERNAL}{source_guid}.txt")
        for mark in by_report.get(meta.id, []):
            add_selection(source, notes, mark)
        add_variable_values(source, meta)
    if len(notes):
        root.append(notes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        qde = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
        archive.writestr(zipfile.ZipInfo(PROJECT_FILE, ZIP_TIME), qde, zipfile.ZIP_DEFLATED)
        for source_guid, text in texts:
            archive.writestr(zipfile.ZipInfo(f"{SOURCES}{source_guid}.txt", ZIP_TIME),
                             text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    out.write(buffer.getvalue())


def add_selection(source: Any, notes: Any, mark: Annotation) -> None:
    """A mark as a PlainTextSelection of `source` with its Coding, and its comment as a Note."""
    from lxml import etree

    user = guid("user", mark.reviewer)
    selection = etree.SubElement(
        source, f"{Q}PlainTextSelection", guid=guid("selection", mark.id),
        name=short(mark.quote), startPosition=str(mark.start), endPosition=str(mark.end),
        creatingUser=user, creationDateTime=mark.created, modifyingUser=user,
        modifiedDateTime=mark.updated)
    coding = etree.SubElement(selection, f"{Q}Coding", guid=coding_guid(mark.id),
                              creatingUser=user, creationDateTime=mark.created)
    etree.SubElement(coding, f"{Q}CodeRef", targetGUID=guid("code", mark.tag.value))
    if mark.comment:
        note_guid = guid("note", mark.id)
        etree.SubElement(selection, f"{Q}NoteRef", targetGUID=note_guid)
        note = etree.SubElement(notes, f"{Q}Note", guid=note_guid,
                                name=f"{TAG_LABELS_ZH[mark.tag]}: {short(mark.quote)}",
                                creatingUser=user, creationDateTime=mark.created,
                                modifyingUser=user, modifiedDateTime=mark.updated)
        etree.SubElement(note, f"{Q}PlainTextContent").text = mark.comment


def add_variable_values(source: Any, meta: ReportMeta) -> None:
    """The report's place, year, issuer, publication date and number as VariableValues."""
    from lxml import etree

    for var in VARIABLES:
        value = var.value(meta)
        if value is None or value == "":
            continue
        element = etree.SubElement(source, f"{Q}VariableValue")
        etree.SubElement(element, f"{Q}VariableRef", targetGUID=guid("variable", var.name))
        etree.SubElement(element, f"{Q}{VALUE_ELEMENTS[var.kind]}").text = str(value)


def short(text: str, width: int = 40) -> str:
    """The start of a passage on one line, for a selection's or a note's name."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSource:
    """One text source of a project, ready to import: its text and its marks' documents
    (their report_id is a placeholder until the report is imported)."""

    key: str  # the source's GUID
    name: str
    ingested: Ingested
    marks: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Project:
    """A REFI-QDA project read and checked: its text sources and what could not be taken
    over (one phrase each, e.g. "2 PDF sources")."""

    sources: tuple[ProjectSource, ...]
    left_out: tuple[str, ...]


def read_qdpx(path: Path, reviewer: str) -> Project:
    """A .qdpx read and checked, or IngestError naming the file and its first bad item; marks
    with no user are `reviewer`'s."""
    try:
        if path.stat().st_size > MAX_PROJECT_BYTES:
            raise IngestError("qdpx.too_large", path=str(path), limit=MAX_PROJECT_BYTES // 2**20)
        with zipfile.ZipFile(path) as archive:
            return ProjectReader(path, archive, reviewer).read()
    except FileNotFoundError:
        raise IngestError("file.missing", path=str(path)) from None
    except OSError as exc:
        raise IngestError("file.unreadable", path=str(path), reason=str(exc.strerror)) from exc
    except zipfile.BadZipFile:
        raise IngestError("qdpx.not_zip", path=str(path)) from None


class ProjectReader:
    """Reads one opened .qdpx: every check raises IngestError through `refuse`."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, reviewer: str) -> None:
        self.path = path
        self.archive = archive
        self.reviewer = reviewer
        self.unpacked = 0
        self.entries: dict[str, zipfile.ZipInfo] = {}
        self.users: dict[str, str] = {}
        self.tags: dict[str, Tag | None] = {}
        self.notes: dict[str, str] = {}
        self.left_out: Counter[str] = Counter()

    def refuse(self, problem: Message) -> IngestError:
        """The one-line refusal for the first bad item."""
        return IngestError("qdpx.refused", path=str(self.path), problem=problem)

    def read(self) -> Project:
        """The whole project, checked."""
        infos = self.archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise self.refuse(say("qdpx.too_many_entries", count=len(infos), limit=MAX_ENTRIES))
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name).parts
            if (name.startswith("/") or "\\" in name or "\0" in name or ".." in parts
                    or (parts and ":" in parts[0])):
                raise self.refuse(say("qdpx.entry_outside", name=short_repr(name)))
            self.entries[name.lower()] = info
        root = self.project_xml()
        self.users = {self.key(u): clean(u.get("name") or "")
                      for u in root.iterfind(f"{Q}Users/{Q}User")}
        for code in root.iterfind(f".//{Q}CodeBook//{Q}Code"):
            self.tags[self.key(code)] = tag_named(code.get("name") or "")
        for note in root.iterfind(f"{Q}Notes/{Q}Note"):
            self.notes[self.key(note)] = self.note_text(note)
        sources = []
        for element in root.iterfind(f"{Q}Sources/*"):
            kind = etree_name(element)
            if kind != "TextSource":
                self.left_out[f"{kind.removesuffix('Source')} sources"] += 1
                continue
            source = self.text_source(element)
            if source is not None:
                sources.append(source)
        docs = [doc for s in sources for doc in s.marks]
        try:
            checked_marks(docs)
        except ValueError as exc:
            raise self.refuse(say("qdpx.bad_marks", problem=str(exc))) from None
        left_out = tuple(f"{n:,} {what}" for what, n in sorted(self.left_out.items()))
        return Project(tuple(sources), left_out)

    def member(self, name: str, limit: int) -> bytes:
        """An entry's bytes, never more than `limit` (what a header claims is not trusted)."""
        info = self.entries.get(name.lower())
        if info is None:
            raise self.refuse(say("qdpx.missing_entry", name=name))
        try:
            with self.archive.open(info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError) as exc:
            raise self.refuse(say("qdpx.cannot_unpack", name=name, problem=str(exc))) from None
        self.unpacked += len(data)
        if len(data) > limit or self.unpacked > MAX_UNPACKED_BYTES:
            raise self.refuse(say("qdpx.entry_too_large", name=name, limit=limit // 2**20))
        return data

    def project_xml(self) -> Any:
        """project.qde parsed without DTDs, entities or network access."""
        from lxml import etree

        data = self.member(PROJECT_FILE, MAX_QDE_BYTES)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False, remove_comments=True, remove_pis=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise self.refuse(say("qdpx.bad_xml", name=PROJECT_FILE, problem=str(exc))) from None
        if root.getroottree().docinfo.doctype:
            raise self.refuse(say("qdpx.dtd", name=PROJECT_FILE))
        if root.tag != f"{Q}Project":
            raise self.refuse(say("qdpx.not_project", name=PROJECT_FILE,
                                  root=short_repr(str(root.tag))))
        return root

    def key(self, element: Any, attribute: str = "guid") -> str:
        """A GUID attribute, lower case without braces."""
        value = element.get(attribute) or ""
        found = GUID.match(value.strip())
        if not found:
            raise self.refuse(say("qdpx.bad_attribute", element=etree_name(element),
                                  attribute=attribute, value=short_repr(value)))
        return found.group(1).lower()

    def note_text(self, note: Any) -> str:
        """A note's text: its PlainTextContent, else its text file inside the project."""
        content = note.find(f"{Q}PlainTextContent")
        if content is not None:
            return clean(content.text or "")
        raw = self.text_of(note)
        return clean(raw) if raw is not None else ""

    def text_of(self, element: Any) -> str | None:
        """The plain text of a source or note kept inside the project, or None when it is a
        file outside it."""
        content = element.find(f"{Q}PlainTextContent")
        if content is not None:
            return content.text or ""
        where = element.get("plainTextPath") or ""
        if not where.lower().startswith(INTERNAL):
            return None
        name = where[len(INTERNAL):]
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise self.refuse(say("qdpx.source_outside", path=short_repr(where)))
        data = self.member(SOURCES + name, MAX_BYTES)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise self.refuse(say("qdpx.not_utf8", name=SOURCES + name)) from None

    def text_source(self, element: Any) -> ProjectSource | None:
        """One TextSource with its marks, or None (counted as left out) when its text is a
        file outside the project."""
        key = self.key(element)
        name = clean(element.get("name") or "") or key
        raw = self.text_of(element)
        if raw is None:
            self.left_out["sources kept outside the project"] += 1
            return None
        try:
            ingested = ingest_text(raw, encoding="utf-8", name=f"{self.path} ({name})")
        except IngestError as exc:
            raise self.refuse(say("qdpx.source_not_report", name=name, problem=exc.message)
                              ) from None
        selections = [(s, self.span(s, raw, name)) for s in
                      element.iterfind(f"{Q}PlainTextSelection")]
        spans = to_normalised(raw, ingested.text, [p for _, span in selections for p in span])
        marks: list[dict[str, Any]] = []
        for selection, (start, end) in selections:
            new_start, new_end = spans[start], spans[end]
            if normalise(raw[start:end]) != ingested.text[new_start:new_end]:
                raise self.refuse(say("qdpx.selection_unplaced", key=self.key(selection),
                                      name=name))
            marks.extend(self.selection_marks(selection, ingested, new_start, new_end))
        whole = len(element.findall(f"{Q}Coding"))
        if whole:
            self.left_out["codings of a whole source"] += whole
        return ProjectSource(key, name, ingested, tuple(marks))

    def span(self, selection: Any, raw: str, name: str) -> tuple[int, int]:
        """A selection's start and end, checked against its source's text."""
        try:
            start = int(selection.get("startPosition"))
            end = int(selection.get("endPosition"))
        except (TypeError, ValueError):
            start = end = -1
        if not 0 <= start < end <= len(raw):
            raise self.refuse(say(
                "qdpx.selection_outside", key=self.key(selection), name=name,
                start=short_repr(selection.get("startPosition")),
                end=short_repr(selection.get("endPosition")), length=len(raw)))
        return start, end

    def selection_marks(
        self, selection: Any, ingested: Ingested, start: int, end: int
    ) -> Iterator[dict[str, Any]]:
        """A mark's document for each Coding of the selection with one of our tags."""
        quote, prefix, suffix = quote_context(ingested.text, start, end)
        selection_notes = [self.notes.get(self.key(ref, "targetGUID"), "")
                           for ref in selection.iterfind(f"{Q}NoteRef")]
        created = self.time(selection.get("creationDateTime"))
        updated = self.time(selection.get("modifiedDateTime")) or created
        for coding in selection.iterfind(f"{Q}Coding"):
            ref = coding.find(f"{Q}CodeRef")
            tag = self.tags.get(self.key(ref, "targetGUID")) if ref is not None else None
            if tag is None:
                self.left_out["codings with codes other than our tags"] += 1
                continue
            notes = selection_notes + [self.notes.get(self.key(r, "targetGUID"), "")
                                       for r in coding.iterfind(f"{Q}NoteRef")]
            user = coding.get("creatingUser") or selection.get("creatingUser")
            made = self.time(coding.get("creationDateTime")) or created or now_iso()
            yield {
                "id": self.key(coding), "report_id": ingested.sha256[:12],
                "text_sha256": ingested.sha256, "start": start, "end": end, "quote": quote,
                "prefix": prefix, "suffix": suffix, "tag": tag.value,
                "comment": "\n\n".join(n for n in notes if n),
                "reviewer": self.user(user), "created": made, "updated": max(updated or made, made),
                "orphan": False, "deleted": False,
            }

    def user(self, user_guid: str | None) -> str:
        """The name of the user with this GUID, else the importing reviewer."""
        found = GUID.match((user_guid or "").strip())
        return (self.users.get(found.group(1).lower()) if found else None) or self.reviewer

    def time(self, value: str | None) -> str | None:
        """An xsd:dateTime as our UTC timestamp (no zone: taken as UTC), or None."""
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise self.refuse(say("qdpx.bad_time", value=short_repr(value))) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def etree_name(element: Any) -> str:
    """An element's name without its namespace."""
    return str(element.tag).rpartition("}")[2]


def clean(text: str) -> str:
    """Text from the file without control characters, trimmed."""
    return normalise(text).strip()


def tag_named(name: str) -> Tag | None:
    """Our tag a code stands for, by its name or a word of it ("成效 achievement"), or None."""
    from annotations.errors import UserError

    for word in (name, *name.split()):
        try:
            return Tag.parse(word)
        except UserError:
            continue
    return None


def to_normalised(raw: str, text: str, offsets: Sequence[int]) -> dict[int, int]:
    """Where each offset of the raw source text lies in its normalised `text`."""
    if raw == text:
        return {o: o for o in offsets}
    found: dict[int, int] = {}
    done = length = 0
    for offset in sorted(set(offsets)):
        chunk = raw[done:offset]
        # a CRLF cut in two: its LF was already counted as the CR's line break
        crlf_tail = done > 0 and raw[done - 1] == "\r" and chunk.startswith("\n")
        length += len(normalise(chunk)) - (1 if crlf_tail else 0)
        done = offset
        found[offset] = min(length, len(text))
    return found
