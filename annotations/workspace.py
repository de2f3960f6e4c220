"""The workspace: the one facade the app and the command line use.

A workspace is a folder:

    reports/index.json        metadata of every report (what `shenyue list` reads)
    reports/<id>.txt          the normalised text of the current version of a report
    reports/<id>.json         its structure (sections, sentences, boilerplate)
    reports/<id>@<sha>.txt    earlier versions' texts, kept so that marks can be re-anchored
    store/                    the annotation store (see store.py)
    state.json                where the reviewer left off in the app
"""

from __future__ import annotations

import getpass
import json
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotations import ingest, structure
from annotations.errors import IngestError, UserError
from annotations.fsutil import atomic_write_text, folder_lock
from annotations.model import Report, ReportMeta, Section, Span

SEED_FOLDERS = (
    Path(__file__).parent / "_seeds",  # installed wheel
    Path(__file__).parent.parent / "seeds",  # source checkout / editable install
)


def default_home() -> Path:
    """`$SHENYUE_HOME`, else the platform's user data folder."""
    env = os.environ.get("SHENYUE_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("shenyue", appauthor=False))


def default_reviewer() -> str:
    """`$SHENYUE_REVIEWER`, else git's `user.name`, else the login name."""
    env = os.environ.get("SHENYUE_REVIEWER", "").strip()
    if env:
        return env
    try:
        name = subprocess.run(
            ["git", "config", "--get", "user.name"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "reviewer"


def seed_files() -> list[Path]:
    """The bundled sample reports."""
    for folder in SEED_FOLDERS:
        files = sorted(folder.glob("*.txt"))
        if files:
            return files
    return []


def now_iso() -> str:
    """The current time as an ISO 8601 UTC timestamp with microseconds (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file of an import."""

    path: Path
    status: str  # "imported" | "updated" | "present" | "refused"
    report: ReportMeta | None = None
    reason: str = ""


@dataclass
class ImportSummary:
    """The outcome of importing many files."""

    outcomes: list[ImportOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)


def report_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the report files they hold.

    Raises UserError for a path that does not exist or a folder with no reports.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise UserError(f"{raw}: no such file or folder; check the path.")
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in ingest.SUPPORTED_SUFFIXES
            )
            if not inside:
                suffixes = ", ".join(sorted(ingest.SUPPORTED_SUFFIXES))
                raise UserError(f"{raw}: the folder holds no reports ({suffixes} files).")
            found.extend(inside)
        else:
            found.append(path)
    return found


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


class Workspace:
    """A folder of reports and the marks made on them."""

    STRUCTURE_VERSION = 1

    def __init__(self, home: Path, reviewer: str | None = None) -> None:
        self.home = home
        self.reviewer = reviewer or default_reviewer()
        self._reports_dir = home / "reports"
        self._index_path = self._reports_dir / "index.json"
        self._index: dict[str, ReportMeta] | None = None
        self._index_stamp: tuple[int, int] | None = None
        self._cache: dict[str, Report] = {}

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, reviewer: str | None = None, seed: bool = True
    ) -> Workspace:
        """Open (creating if needed) the workspace at `path` (default: `default_home()`).

        A new workspace receives the bundled sample reports, so it is never empty.
        """
        home = Path(path).expanduser() if path is not None else default_home()
        if home.exists() and not home.is_dir():
            raise UserError(f"{home} is a file, not a workspace folder; choose another --home.")
        is_new = not (home / "reports" / "index.json").exists()
        try:
            (home / "reports").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"Cannot create the workspace folder {home}: {exc.strerror}.") from exc
        ws = cls(home, reviewer)
        if is_new:
            with ws._lock():
                if not ws._index_path.exists():
                    atomic_write_text(ws._index_path, "[]\n")
                    if seed:
                        for file in seed_files():
                            ws._import_locked(file)
        return ws

    def _lock(self) -> Any:
        return folder_lock(self._reports_dir / ".lock")

    # -- the report index ----------------------------------------------------------------

    def _load_index(self) -> dict[str, ReportMeta]:
        try:
            stat = self._index_path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._index is None or stamp != self._index_stamp:
            try:
                rows = json.loads(self._index_path.read_text(encoding="utf-8"))
                self._index = {row["id"]: ReportMeta.from_json(row) for row in rows}
            except (ValueError, KeyError, TypeError) as exc:
                raise UserError(
                    f"The report index {self._index_path} is damaged ({exc}); "
                    "restore it from a backup or re-import the reports into a new workspace."
                ) from exc
            self._index_stamp = stamp
        return self._index

    def _save_index(self, index: dict[str, ReportMeta]) -> None:
        rows = [m.to_json() for m in index.values()]
        atomic_write_text(self._index_path, json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        self._index = dict(index)
        stat = self._index_path.stat()
        self._index_stamp = (stat.st_mtime_ns, stat.st_size)

    def reports(self) -> list[ReportMeta]:
        """Every report's metadata, sorted by title (no report text is read)."""
        return sorted(self._load_index().values(), key=lambda m: (m.title, m.id))

    def report(self, report_id: str) -> Report:
        """The report with this id, text and structure loaded (cached per process)."""
        meta = self._load_index().get(report_id)
        if meta is None:
            raise UserError(f"No report with id {report_id!r}; `shenyue list` shows the ids.")
        cached = self._cache.get(report_id)
        if cached is not None and cached.sha256 == meta.sha256:
            return cached
        report = self._read_report(meta)
        self._cache[report_id] = report
        return report

    def resolve(self, ref: str) -> ReportMeta:
        """The report named by an id, an unambiguous id prefix, or a title fragment."""
        index = self._load_index()
        if ref in index:
            return index[ref]
        ref_lower = ref.strip().lower()
        if not ref_lower:
            raise UserError("Name a report by its id, an id prefix, or part of its title.")
        by_prefix = [m for m in index.values() if m.id.startswith(ref_lower)]
        candidates = by_prefix or [m for m in index.values() if ref_lower in m.title.lower()]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UserError(f"No report matches {ref!r}; `shenyue list` shows ids and titles.")
        names = "; ".join(f"{m.id[:8]} {m.title}" for m in candidates[:5])
        raise UserError(f"{ref!r} matches {len(candidates)} reports ({names}); be more specific.")

    # -- reading and writing report files -------------------------------------------------

    def _text_path(self, report_id: str, sha256: str | None = None) -> Path:
        name = f"{report_id}.txt" if sha256 is None else f"{report_id}@{sha256[:16]}.txt"
        return self._reports_dir / name

    def _structure_path(self, report_id: str) -> Path:
        return self._reports_dir / f"{report_id}.json"

    def _read_report(self, meta: ReportMeta) -> Report:
        try:
            text = self._text_path(meta.id).read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(
                f"The text of report {meta.id} is missing from {self._reports_dir}; "
                "import the report again."
            ) from exc
        sections, sentences, boilerplate = self._read_structure(meta, text)
        return Report(meta, text, sections, sentences, boilerplate)

    def _read_structure(
        self, meta: ReportMeta, text: str
    ) -> tuple[tuple[Section, ...], tuple[Span, ...], tuple[Span, ...]]:
        try:
            data = json.loads(self._structure_path(meta.id).read_text(encoding="utf-8"))
            if data.get("version") == self.STRUCTURE_VERSION and data.get("sha256") == meta.sha256:
                return (
                    tuple(_section_from_json(s) for s in data["sections"]),
                    tuple(Span(s, e) for s, e in data["sentences"]),
                    tuple(Span(s, e) for s, e in data["boilerplate"]),
                )
        except (OSError, ValueError, KeyError, TypeError):
            pass
        # a missing or stale structure file is rebuilt from the text, which is the truth
        boilerplate = ingest.ingest_bytes(text.encode("utf-8")).boilerplate
        sections, sentences = structure.build_structure(text, boilerplate)
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
            "version": self.STRUCTURE_VERSION,
            "sha256": meta.sha256,
            "sections": sections_to_json(sections),
            "sentences": [[s.start, s.end] for s in sentences],
            "boilerplate": [[b.start, b.end] for b in boilerplate],
        }
        atomic_write_text(
            self._structure_path(meta.id), json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        )

    # -- importing -----------------------------------------------------------------------

    def import_report(self, file_path: str | Path) -> Report:
        """Import one file; importing the same text again returns the existing report.

        A file imported before from the same path with a changed text becomes a new version
        of that report: its marks are re-anchored to the new text.
        """
        with self._lock():
            outcome = self._import_locked(Path(file_path))
        assert outcome.report is not None
        return self.report(outcome.report.id)

    def import_paths(
        self,
        paths: Sequence[str | Path],
        progress: Callable[[Path], None] | None = None,
    ) -> ImportSummary:
        """Import files and folders; a file that cannot be read is refused, the rest go on."""
        files = report_files(paths)
        summary = ImportSummary()
        with self._lock():
            for file in files:
                try:
                    summary.outcomes.append(self._import_locked(file))
                except IngestError as exc:
                    summary.outcomes.append(ImportOutcome(file, "refused", reason=str(exc)))
                if progress is not None:
                    progress(file)
        return summary

    def _import_locked(self, file: Path) -> ImportOutcome:
        data = ingest.read_report_file(file)
        index = dict(self._load_index())
        for meta in index.values():
            if meta.sha256 == data.sha256:
                return ImportOutcome(file, "present", meta)
        source = str(file.resolve())
        previous = next((m for m in index.values() if m.source == source), None)
        report_id = previous.id if previous is not None else data.sha256[:12]
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
        )
        sections, sentences = structure.build_structure(data.text, data.boilerplate)
        if previous is not None:
            old = self.report(previous.id)
            os.replace(self._text_path(report_id), self._text_path(report_id, previous.sha256))
        atomic_write_text(self._text_path(report_id), data.text)
        self._write_structure(meta, sections, sentences, data.boilerplate)
        index[report_id] = meta
        self._save_index(index)
        self._cache.pop(report_id, None)
        if previous is not None:
            self._reanchor(old, self.report(report_id))
            return ImportOutcome(file, "updated", meta)
        return ImportOutcome(file, "imported", meta)

    def report_version_text(self, report_id: str, sha256: str) -> str | None:
        """The text of an earlier (or the current) version of a report, if it is kept."""
        meta = self._load_index().get(report_id)
        if meta is not None and meta.sha256 == sha256:
            return self.report(report_id).text
        try:
            return self._text_path(report_id, sha256).read_text(encoding="utf-8")
        except OSError:
            return None

    def iter_reports(self) -> Iterator[Report]:
        """Every report with its text, one at a time."""
        for meta in self.reports():
            yield self.report(meta.id)

    # -- annotations (store.py) ------------------------------------------------------------

    def _reanchor(self, old: Report, new: Report) -> None:
        """Move every mark of `old` onto the text of `new`; marks that cannot be placed
        become orphans."""
        raise NotImplementedError
