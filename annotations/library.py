"""The reports of a workspace: their index, texts, structure files and importing.

    reports/index.json        metadata of every report (what `shenyue list` reads)
    reports/<id>.txt          the normalised text of the current version of a report
    reports/<id>.json         its structure (sections, sentences, boilerplate), rebuilt if lost
    reports/<id>@<sha>.txt    earlier versions' texts, kept so that marks can be re-anchored
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.clean import one_line
from annotations.errors import IngestError, UserError
from annotations.fsutil import atomic_write_text, folder_lock, sync_everything
from annotations.messages import Message
from annotations.model import Report, ReportMeta, Section, Span, check_meta_row, now_iso

if TYPE_CHECKING:  # reading a report needs neither: importing one does (imported there)
    from annotations.ingest import Ingested

STRUCTURE_VERSION = 1
PROJECTS = frozenset({".qdpx"})  # files of reports and marks together (REFI-QDA projects)


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file of an import."""

    path: Path
    status: str  # "imported" | "updated" | "present" | "refused"
    report: ReportMeta | None = None
    reason: Message | None = None  # why a file was refused


@dataclass(frozen=True)
class Skipped:
    """Something a folder import passed over, and why (a pipe, a dangling link, …)."""

    path: Path
    why: str


@dataclass
class ImportSummary:
    """The outcome of importing many files."""

    outcomes: list[ImportOutcome] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # what else happened, one line each ("x.qdpx: 50 marks added, …")
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)


@dataclass(frozen=True)
class FoundFiles:
    """The report files found under the paths given, and what was passed over."""

    files: list[Path]
    skipped: list[Skipped]


def report_files(paths: Sequence[str | Path]) -> FoundFiles:
    """Expand files and folders (recursively) into the report files they hold; pipes,
    devices, dangling links and unreadable folders inside a folder are passed over, named.

    Raises UserError for a path that does not exist or a folder with no reports.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise UserError("import.no_such_path", path=str(raw))
        if not path.is_dir():
            files.append(path)
            continue
        inside, passed = folder_reports(path)
        skipped.extend(passed)
        if not inside:
            from annotations.ingest import SUPPORTED_SUFFIXES

            suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES | PROJECTS))
            raise UserError("import.no_reports_in_folder", path=str(raw), suffixes=suffixes)
        files.extend(inside)
    return FoundFiles(files, skipped)


# folders of tools, not of reports: their files (licences, package metadata) are no reports
TOOL_FOLDERS = {
    "node_modules": "installed JavaScript packages",
    "site-packages": "installed Python packages",
    "__pycache__": "Python's compiled files",
}


def passed_over(folder: Path) -> str:
    """Why a folder inside an imported folder is not searched for reports, or "" if it is:
    hidden folders (.git, .pytest_cache…), virtual environments and package folders."""
    if folder.name.startswith("."):
        return "hidden folder, not searched"
    if folder.name in TOOL_FOLDERS:
        return f"{TOOL_FOLDERS[folder.name]}, not searched"
    if (folder / "pyvenv.cfg").is_file():
        return "a Python virtual environment, not searched"
    return ""


def folder_reports(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """The report files under `folder` (sorted; links to folders are not followed) and the
    entries with a report's suffix that are no regular file, plus unreadable folders and the
    folders not searched (`passed_over`)."""
    from annotations.ingest import SUPPORTED_SUFFIXES

    found: list[Path] = []
    skipped: list[Skipped] = []

    def unreadable(exc: OSError) -> None:
        skipped.append(Skipped(Path(exc.filename), f"folder not readable ({exc.strerror})"))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        kept = []
        for name in dirs:
            why = passed_over(Path(top, name))
            if why:
                skipped.append(Skipped(Path(top, name), why))
            else:
                kept.append(name)
        dirs[:] = kept  # os.walk descends only into what is left
        for name in names:
            path = Path(top, name)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES | PROJECTS:
                continue
            why = not_a_file(path)
            if why:
                skipped.append(Skipped(path, why))
            else:
                found.append(path)
    return sorted(found), sorted(skipped, key=lambda s: s.path)


def not_a_file(path: Path) -> str:
    """Why `path` is not a regular file to import, or "" if it is one."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a link to nothing (dangling)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return ""
    kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
    return f"{kind}, not a report file"


class ReportIndex(Mapping[str, ReportMeta]):
    """The reports of `reports/index.json` by id: every row checked when the file is read,
    each made a ReportMeta only when asked for (a command on one report of thousands builds
    one)."""

    def __init__(self, rows: dict[str, dict[str, Any]], metas: dict[str, ReportMeta]) -> None:
        self._rows = rows
        self._metas = metas
        # an index written before places and kinds existed is upgraded when opened
        self.outdated = any(row.get("kind") is None for row in rows.values())

    @classmethod
    def of(cls, metas: Mapping[str, ReportMeta]) -> ReportIndex:
        """The index of these reports."""
        return cls({rid: meta.to_json() for rid, meta in metas.items()}, dict(metas))

    def __getitem__(self, report_id: str) -> ReportMeta:
        meta = self._metas.get(report_id)
        if meta is None:
            meta = self._metas[report_id] = ReportMeta.from_row(self._rows[report_id])
        return meta

    def __contains__(self, report_id: object) -> bool:
        return report_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self) -> list[dict[str, Any]]:
        """The rows as the file holds them."""
        return list(self._rows.values())

    def titles(self) -> dict[str, str]:
        """Each report's title by id, without making a ReportMeta of every row."""
        return {rid: one_line(row["title"]) for rid, row in self._rows.items()}


def parse_index(data: bytes) -> ReportIndex:
    """The rows of `reports/index.json` by id; ValueError naming the first bad row."""
    rows = json.loads(data)
    if not isinstance(rows, list):
        raise ValueError("it is not a list of reports")
    by_id: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, 1):
        try:
            check_meta_row(row)
        except ValueError as exc:
            raise ValueError(f"row {number}: {exc}") from exc
        by_id[row["id"]] = row
    return ReportIndex(by_id, {})


def _section_to_json(section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "level": section.level,
        "start": section.start,
        "end": section.end,
        "heading_end": section.heading_end,
        "children": [_section_to_json(c) for c in section.children],
    }


def _section_from_json(data: dict[str, Any]) -> Section:
    return Section(
        title=data["title"],
        level=data["level"],
        start=data["start"],
        end=data["end"],
        heading_end=data["heading_end"],
        children=tuple(_section_from_json(c) for c in data["children"]),
    )


def sections_to_json(sections: Iterable[Section]) -> list[dict[str, Any]]:
    """The section tree as the nested dictionaries `show --outline --json` prints."""
    return [_section_to_json(s) for s in sections]


class ReportLibrary:
    """The reports kept in one folder; safe to share between processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index_path = folder / "index.json"
        self._index: ReportIndex | None = None
        self._index_stamp: tuple[int, int, int] | None = None
        self._cache: dict[str, Report] = {}

    def lock(self) -> folder_lock:
        """The lock every process takes to change the library."""
        return folder_lock(self.folder / ".lock")

    def exists(self) -> bool:
        """Whether the library has been created."""
        return self._index_path.exists()

    def create(self) -> None:
        """Create the folder and an empty index (call under `lock`)."""
        with self._writes():
            atomic_write_text(self._index_path, "[]\n")

    @contextmanager
    def _writes(self) -> Iterator[None]:
        """A failed write as one sentence (the index is written last, so it is unchanged)."""
        try:
            yield
        except OSError as exc:
            raise UserError("library.cannot_write", folder=str(self.folder),
                            reason=str(exc.strerror)) from exc

    # -- the index -----------------------------------------------------------------------

    def stamp(self) -> tuple[int, int, int] | None:
        """A token that changes whenever any process changed the index (a report imported,
        a new version, a report removed; each write is a new file): one `os.stat`; None when
        there is no index."""
        try:
            info = self._index_path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._unreadable_index(exc) from exc
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def index(self) -> ReportIndex:
        """Every report's metadata by id, re-read only when another process changed it."""
        stamp = self.stamp()
        if stamp is None:
            return ReportIndex({}, {})
        if self._index is None or stamp != self._index_stamp:
            try:
                self._index = parse_index(self._index_path.read_bytes())
            except OSError as exc:
                raise self._unreadable_index(exc) from exc
            except (ValueError, RecursionError) as exc:
                raise UserError("library.index_damaged", path=str(self._index_path),
                                problem=str(exc)) from exc
            self._index_stamp = stamp
        return self._index

    def _unreadable_index(self, exc: OSError) -> UserError:
        return UserError("library.index_unreadable", path=str(self._index_path),
                         reason=str(exc.strerror))

    def _save_index(self, index: Mapping[str, ReportMeta]) -> None:
        written = ReportIndex.of(index)
        atomic_write_text(self._index_path,
                          json.dumps(written.rows(), ensure_ascii=False, indent=1) + "\n")
        self._index = written
        self._index_stamp = self.stamp()

    def reports(self) -> list[ReportMeta]:
        """Every report's metadata, sorted by title (no report text is read)."""
        return sorted(self.index().values(), key=lambda m: (m.title, m.id))

    def report(self, report_id: str) -> Report:
        """The report with this id, text and structure loaded (cached per process)."""
        meta = self.index().get(report_id)
        if meta is None:
            raise UserError("report.unknown_id", report_id=report_id)
        cached = self._cache.get(report_id)
        if cached is not None and cached.sha256 == meta.sha256:
            return cached
        report = self._read_report(meta)
        self._cache[report_id] = report
        return report

    def resolve(self, ref: str, index: Mapping[str, ReportMeta] | None = None) -> ReportMeta:
        """The report named by an id, an unambiguous id prefix, or a title fragment (of the
        titles in `index`, default: as imported)."""
        candidates = self.candidates(ref, self.index() if index is None else index)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UserError("report.no_match", ref=ref)
        names = "; ".join(f"{m.id[:8]} {m.title}" for m in candidates[:5])
        names += "; …" if len(candidates) > 5 else ""
        raise UserError("report.ambiguous", ref=ref, count=len(candidates), names=names)

    @staticmethod
    def candidates(ref: str, index: Mapping[str, ReportMeta]) -> list[ReportMeta]:
        """The reports of `index` that `ref` names: its id, else those whose id starts with
        it, else those whose title holds it."""
        if ref in index:
            return [index[ref]]
        ref_lower = ref.strip().lower()
        if not ref_lower:
            raise UserError("report.no_reference")
        by_prefix = [m for m in index.values() if m.id.startswith(ref_lower)]
        return by_prefix or [m for m in index.values() if ref_lower in m.title.lower()]

    # -- report files --------------------------------------------------------------------

    def _text_path(self, report_id: str, sha256: str | None = None) -> Path:
        name = f"{report_id}.txt" if sha256 is None else f"{report_id}@{sha256[:16]}.txt"
        return self.folder / name

    def _structure_path(self, report_id: str) -> Path:
        return self.folder / f"{report_id}.json"

    def _missing_text(self, report_id: str) -> UserError:
        return UserError("report.text_missing", report_id=report_id, folder=str(self.folder))

    def _read_report(self, meta: ReportMeta) -> Report:
        try:
            text = self._text_path(meta.id).read_text(encoding="utf-8")
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != meta.sha256:
                # an import stopped between writing a new text and the index: the index's wins
                text = self._text_path(meta.id, meta.sha256).read_text(encoding="utf-8")
        except OSError as exc:
            raise self._missing_text(meta.id) from exc
        sections, sentences, boilerplate = self._read_structure(meta, text)
        return Report(meta, text, sections, sentences, boilerplate)

    def _read_structure(
        self, meta: ReportMeta, text: str
    ) -> tuple[tuple[Section, ...], tuple[Span, ...], tuple[Span, ...]]:
        try:
            data = json.loads(self._structure_path(meta.id).read_text(encoding="utf-8"))
            if data.get("version") == STRUCTURE_VERSION and data.get("sha256") == meta.sha256:
                return (
                    tuple(_section_from_json(s) for s in data["sections"]),
                    tuple(Span(s, e) for s, e in data["sentences"]),
                    tuple(Span(s, e) for s, e in data["boilerplate"]),
                )
        except (OSError, ValueError, KeyError, TypeError):
            pass
        # a missing or stale structure file is rebuilt from the text, which is the truth
        from annotations import ingest, structure

        boilerplate = ingest.ingest_bytes(text.encode("utf-8")).boilerplate
        sections, sentences = structure.build_structure(text, boilerplate)
        with suppress(OSError):  # only a cache: a read-only workspace still shows the report
            self._write_structure(meta, sections, sentences, boilerplate)
        return sections, sentences, boilerplate

    def _write_structure(
        self,
        meta: ReportMeta,
        sections: Sequence[Section],
        sentences: Sequence[Span],
        boilerplate: Sequence[Span],
    ) -> None:
        data = {
            "version": STRUCTURE_VERSION,
            "sha256": meta.sha256,
            "sections": sections_to_json(sections),
            "sentences": [[s.start, s.end] for s in sentences],
            "boilerplate": [[b.start, b.end] for b in boilerplate],
        }
        compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        # a cache, rebuilt from the text when missing or damaged: not worth an fsync
        atomic_write_text(self._structure_path(meta.id), compact, durable=False)

    def version_text(self, report_id: str, sha256: str) -> str | None:
        """The text of an earlier (or the current) version of a report, if it is kept."""
        meta = self.index().get(report_id)
        if meta is not None and meta.sha256 == sha256:
            return self.report(report_id).text
        try:
            return self._text_path(report_id, sha256).read_text(encoding="utf-8")
        except OSError:
            return None

    def text_bytes(self, report_id: str) -> bytes:
        """The UTF-8 bytes of a report's current text, read without decoding or parsing."""
        try:
            return self._text_path(report_id).read_bytes()
        except OSError as exc:
            raise self._missing_text(report_id) from exc

    def outdated(self) -> bool:
        """Whether the index was written before reports had a place and a kind."""
        return self.index().outdated

    def upgrade(self) -> None:
        """Give every report of an older index its place and kind, and a made-up title
        where its title was only the body's first sentence (call under `lock`)."""
        from annotations import ingest

        index = dict(self.index())
        for report_id, meta in index.items():
            if meta.kind is not None:
                continue
            text = self.report(report_id).text
            data = ingest.ingest_text(text, encoding=meta.encoding)
            # an untitled text's old title was a piece of its body; one from a file's own
            # metadata (a web page's <title>) is kept
            derived = data.title_derived and meta.title.rstrip("…") in text
            index[report_id] = replace(
                meta, place=data.place, kind=data.kind, title_derived=derived,
                title=data.title if derived else meta.title)
        with self._writes():
            self._save_index(index)

    # -- importing -----------------------------------------------------------------------

    def import_file(
        self, file: Path, on_new_version: Callable[[Report, Report], None]
    ) -> ImportOutcome:
        """Import one file (call under `lock`); IngestError if it cannot be a report."""
        outcome = self.import_files([file], on_new_version)[0]
        if outcome.reason is not None:
            raise IngestError.of(outcome.reason)
        return outcome

    def import_files(
        self,
        files: Sequence[Path],
        on_new_version: Callable[[Report, Report], None],
        progress: Callable[[Path], None] | None = None,
    ) -> list[ImportOutcome]:
        """Import files (call under `lock`); one that cannot be read is "refused" with the
        reason and the rest go on. The same text again is "present"; a changed file from a
        path imported before is a new version of that report (same id), and
        `on_new_version(old, new)` is called so its marks can follow.

        The index is written once per batch, after the batch's texts are on disk: an import
        killed half-way keeps the batches before, and importing again finishes the job.
        """
        from annotations import ingest

        batch = _Batch(self.index())
        outcomes: list[ImportOutcome] = []
        for file in files:
            try:
                data = ingest.read_report_file(file)
                outcomes.append(self._import_one(file, data, batch, on_new_version))
            except IngestError as exc:
                outcomes.append(ImportOutcome(file, "refused", reason=exc.message))
            if batch.due():
                self._commit(batch)
            if progress is not None:
                progress(file)
        self._commit(batch)
        return outcomes

    def import_ingested(
        self, file: Path, data: Ingested, on_new_version: Callable[[Report, Report], None]
    ) -> ImportOutcome:
        """`import_file` of a text already read (a source of a project file); `file` names
        where it came from."""
        batch = _Batch(self.index())
        outcome = self._import_one(file, data, batch, on_new_version)
        self._commit(batch)
        return outcome

    def import_shared(
        self,
        items: Sequence[tuple[Path, Ingested, str]],
        on_new_version: Callable[[Report, Report], None],
    ) -> list[ImportOutcome]:
        """Import texts already read, each (where it came from, the text, the id it has in
        the workspace that shared it) so that marks made there find it (call under `lock`);
        the index is written once per batch, as `import_files` does."""
        batch = _Batch(self.index())
        outcomes = []
        for file, data, report_id in items:
            outcomes.append(self._import_one(file, data, batch, on_new_version, report_id))
            if batch.due():
                self._commit(batch)
        self._commit(batch)
        return outcomes

    def _import_one(
        self,
        file: Path,
        data: Ingested,
        batch: _Batch,
        on_new_version: Callable[[Report, Report], None],
        shared_id: str | None = None,
    ) -> ImportOutcome:
        present = batch.by_sha.get(data.sha256)
        if present is not None:
            if not self._text_path(present.id).is_file():  # the advice of `_missing_text`
                with self._writes():
                    atomic_write_text(self._text_path(present.id), data.text)
                self._cache.pop(present.id, None)
            return ImportOutcome(file, "present", present)
        source = str(file.resolve())
        previous = batch.index.get(shared_id) if shared_id else batch.by_source.get(source)
        report_id = previous.id if previous is not None else shared_id or data.sha256[:12]
        meta = ReportMeta(
            id=report_id,
            sha256=data.sha256,
            title=data.title,
            year=data.year,
            issuer=data.issuer,
            published=data.published,
            doc_number=data.doc_number,
            chars=len(data.text),
            source=source,
            encoding=data.encoding,
            imported=now_iso(),
            place=data.place,
            kind=data.kind,
            title_derived=data.title_derived,
        )
        from annotations import structure

        sections, sentences = structure.build_structure(data.text, data.boilerplate)
        if previous is not None:
            self._commit(batch)  # the old version is read through the index
        old = self.report(previous.id) if previous is not None else None
        with self._writes():
            if old is not None:
                # the old text keeps its version name before the current one is replaced
                atomic_write_text(self._text_path(report_id, old.sha256), old.text)
            atomic_write_text(self._text_path(report_id), data.text, durable=False)
            self._write_structure(meta, sections, sentences, data.boilerplate)
        batch.add(meta)
        self._cache.pop(report_id, None)
        if old is None:
            return ImportOutcome(file, "imported", meta)
        self._commit(batch)
        on_new_version(old, self.report(report_id))
        return ImportOutcome(file, "updated", meta)

    def _commit(self, batch: _Batch) -> None:
        """Write the index with the batch's reports, once their files are durable."""
        if not batch.pending:
            return
        with self._writes():
            sync_everything()  # the batch's texts and their names, before the index names them
            self._save_index(batch.index)
        batch.pending = 0
        batch.started = time.monotonic()


BATCH_FILES = 500
BATCH_SECONDS = 2.0


class _Batch:
    """The index as an import goes, with what is not written yet."""

    def __init__(self, index: Mapping[str, ReportMeta]) -> None:
        self.index = dict(index)
        self.by_sha = {m.sha256: m for m in index.values()}
        self.by_source = {m.source: m for m in index.values() if m.source is not None}
        self.pending = 0
        self.started = time.monotonic()

    def add(self, meta: ReportMeta) -> None:
        """A report imported (or a new version of one), to be written with the batch."""
        old = self.index.get(meta.id)
        if old is not None:
            self.by_sha.pop(old.sha256, None)
        self.index[meta.id] = meta
        self.by_sha[meta.sha256] = meta
        if meta.source is not None:
            self.by_source[meta.source] = meta
        self.pending += 1

    def due(self) -> bool:
        """Whether the index should be written now (so a killed import keeps its work)."""
        return self.pending >= BATCH_FILES or (
            self.pending > 0 and time.monotonic() - self.started >= BATCH_SECONDS)
