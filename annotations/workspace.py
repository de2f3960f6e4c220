"""The workspace: the one facade the app and the command line use.

A workspace is a folder:

    reports/                  the reports (see library.py)
    store/                    the annotation store (see store.py)
    state.json                where the reviewer left off in the app
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.anchor import OffsetMap, TextIndex, quote_context, reanchor_doc
from annotations.clean import normalise, person_name
from annotations.corrections import (
    Correction,
    MetaValue,
    checked_value,
    corrected,
    correction_id,
    live,
    provenance,
)
from annotations.editing import MarkEdit, join_edit, retag_edit, short, tag_edit, take_over_edit
from annotations.errors import IngestError, UserError
from annotations.fsutil import atomic_write_text, remove_stale_temporaries
from annotations.library import (
    PROJECTS,
    FoundFiles,
    ImportOutcome,
    ImportSummary,
    ReportLibrary,
    report_files,
)
from annotations.messages import Message, say
from annotations.model import Annotation, Report, ReportMeta, Tag, now_iso
from annotations.records import MAX_COMMENT, MAX_LINKED, REMOVED_FIELD, VERDICTS
from annotations.store import (
    LINKS,
    META,
    Doc,
    Put,
    Store,
    Tables,
    is_report_table,
    report_tables,
)

if TYPE_CHECKING:  # the rest is imported where it is used: a command pays only for its own
    from annotations.export import MergeResult, NativeExport, NativeRecords
    from annotations.follow import Decision, FollowUp, Passage
    from annotations.learner import Example, Model
    from annotations.lookup import Hit
    from annotations.suggest import Suggestion
    from annotations.sync import SyncResult
    from annotations.syncfiles import SharedReport

    Matched = tuple[tuple[Passage, ...], tuple[Passage, ...]]  # plans, review sentences

SEED_FOLDERS = (
    Path(__file__).parent / "_seeds",  # installed wheel
    Path(__file__).parent.parent / "seeds",  # source checkout / editable install
)


def mark_id() -> str:
    """A new mark's id: a UUID (uuid is imported here: readers start faster without it)."""
    import uuid

    return str(uuid.uuid4())


def default_home() -> Path:
    """`$SHENYUE_HOME`, else the platform's user data folder."""
    env = os.environ.get("SHENYUE_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("shenyue", appauthor=False))


def default_reviewer() -> str:
    """`$SHENYUE_REVIEWER`, else git's `user.name`, else the login name."""
    env = person_name(os.environ.get("SHENYUE_REVIEWER", ""))
    if env:
        return env
    import subprocess

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
    import getpass

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


class Workspace:
    """A folder of reports and the marks made on them."""

    def __init__(self, home: Path, reviewer: str | None = None) -> None:
        self.home = home
        # cleaned once, here: the name is shown in the status bar and compared with marks'
        self._reviewer = person_name(reviewer or "") or None
        self.library = ReportLibrary(home / "reports")
        self._store: Store | None = None
        self._suggested: dict[tuple[str, str, int], list[Suggestion]] = {}
        # the last matching of each pair of reports, with the passages it matched
        self._followed: dict[tuple[str, str], tuple[Matched, list[FollowUp]]] = {}
        self._model: Model | None = None
        # the examples each report last taught the learned reader, with their key (learning.py)
        self.taught: dict[str, tuple[str, list[Example]]] = {}
        # the report readings known kept in this process, by reading key: a mark made on the
        # same report again (every `a` in the app) checks no file
        self._readings_kept: set[str] = set()
        # the command line trains a stale model before suggesting; the app trains it in the
        # background and suggests with the last one meanwhile
        self.train_on_demand = True

    @property
    def reviewer(self) -> str:
        """Who marks: the name given, else `default_reviewer()` (looked up when first needed:
        asking git costs a process, and reading commands never need it)."""
        if self._reviewer is None:
            self._reviewer = checked_reviewer(default_reviewer())
        return self._reviewer

    @reviewer.setter
    def reviewer(self, name: str) -> None:
        self._reviewer = name

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, reviewer: str | None = None, seed: bool = True
    ) -> Workspace:
        """Open (creating if needed) the workspace at `path` (default: `default_home()`).

        A new workspace receives the bundled sample reports, so it is never empty.
        """
        home = Path(path).expanduser() if path is not None else default_home()
        if home.exists() and not home.is_dir():
            raise UserError("workspace.is_file", home=str(home))
        try:
            (home / "reports").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError("workspace.cannot_create", home=str(home),
                            reason=str(exc.strerror)) from exc
        ws = cls(home, reviewer)
        for folder in (home, home / "reports", home / "store", home / "store" / "index",
                       home / "suggest"):
            remove_stale_temporaries(folder)
        if not ws.library.exists():
            with ws.library.lock():
                if not ws.library.exists():
                    ws.library.create()
                    for file in seed_files() if seed else []:
                        ws.library.import_file(file, ws._reanchor)
        if ws.library.outdated():
            with ws.library.lock():
                if ws.library.outdated():
                    ws.library.upgrade()
        return ws

    # -- reports (library.py) ------------------------------------------------------------

    def reports(self) -> list[ReportMeta]:
        """Every report's metadata with the reviewers' corrections, sorted by title (no report
        text is read, and of the store only the corrections); removed reports left out."""
        return sorted(self.index().values(), key=lambda m: (m.title, m.id))

    def report_order(self) -> list[str]:
        """Every report's id in the order `reports` gives them (by title as corrected), with
        no ReportMeta made: a lookup shows a few of thousands."""
        fixes = live(self.store.corrections())
        titles = self.library.index().titles()
        for rid, fields in fixes.items():
            if rid in titles and "title" in fields:
                titles[rid] = str(fields["title"].value)
            if REMOVED_FIELD in fields:
                titles.pop(rid, None)
        return sorted(titles, key=lambda rid: (titles[rid], rid))

    def index(self) -> dict[str, ReportMeta]:
        """Every report's metadata with the reviewers' corrections, by id (removed reports
        left out)."""
        return self._indexes()[0]

    def removed(self) -> dict[str, ReportMeta]:
        """The reports set aside by `remove_reports`, by id, with their corrections."""
        return self._indexes()[1]

    def _indexes(self) -> tuple[dict[str, ReportMeta], dict[str, ReportMeta]]:
        fixes = live(self.store.corrections())
        kept: dict[str, ReportMeta] = {}
        removed: dict[str, ReportMeta] = {}
        for rid, meta in self.library.index().items():
            mine = fixes.get(rid, {})
            (removed if REMOVED_FIELD in mine else kept)[rid] = corrected(meta, mine)
        return kept, removed

    def report(self, report_id: str) -> Report:
        """The report with this id, text and structure loaded (cached per process), with
        its metadata as corrected; UserError if it was removed."""
        report = self.library.report(report_id)
        return replace(report, meta=self.report_meta(report_id))

    def resolve(self, ref: str) -> ReportMeta:
        """The report named by an id, an unambiguous id prefix, or a title fragment (its
        title as corrected); a removed report is named as such."""
        if ref in self.library.index():  # an id: no other report's metadata is read
            return self.report_meta(ref)
        kept, removed = self._indexes()
        if not self.library.candidates(ref, kept):
            gone = self.library.candidates(ref, removed)
            if len(gone) == 1:
                raise removed_error(gone[0])
        return self.library.resolve(ref, kept)

    def resolve_removed(self, ref: str) -> ReportMeta:
        """A removed report named by an id, an unambiguous id prefix, or a title fragment."""
        kept, removed = self._indexes()
        if not removed:
            raise UserError("report.none_removed")
        if not self.library.candidates(ref, removed) and len(
                self.library.candidates(ref, kept)) == 1:
            raise UserError("report.not_removed_ref", ref=ref)
        return self.library.resolve(ref, removed)

    def remove_reports(self, report_ids: Sequence[str]) -> list[ReportMeta]:
        """Set reports aside: out of every list, lookup and export, their texts and marks
        kept as they are. One durable write and one undo step: undo (or `restore_reports`,
        or importing one again) brings them back with their marks."""
        return self._set_aside(report_ids, removing=True)

    def restore_reports(self, report_ids: Sequence[str]) -> list[ReportMeta]:
        """Bring removed reports back with their marks (one durable write, one undo step)."""
        return self._set_aside(report_ids, removing=False)

    def _set_aside(self, report_ids: Sequence[str], *, removing: bool) -> list[ReportMeta]:
        kept, removed = self._indexes()
        source = kept if removing else removed
        metas = []
        for rid in dict.fromkeys(report_ids):
            if rid not in source:
                if rid in removed:
                    raise removed_error(removed[rid])
                if rid in kept:
                    raise UserError("report.not_removed", report_id=rid, title=kept[rid].title)
                raise UserError("report.unknown_id", report_id=rid)
            metas.append(source[rid])
        if not metas:
            raise UserError("report.none_named")
        reviewer = checked_reviewer(self.reviewer)
        now = now_iso()
        if len(metas) == 1:
            summary = say("change.remove" if removing else "change.restore",
                          title=short(metas[0].title))
        else:
            summary = say("change.remove_many" if removing else "change.restore_many",
                          count=len(metas))

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            current = tables.get(META, {})
            puts: list[Put] = []
            for meta in metas:
                doc_id = correction_id(meta.id, REMOVED_FIELD)
                before = current.get(doc_id)
                if removing and (before is None or before["deleted"]):
                    mark = Correction(meta.id, REMOVED_FIELD, True, reviewer, now)
                    puts.append((META, doc_id, mark.to_json()))
                elif not removing and before is not None and not before["deleted"]:
                    puts.append((META, doc_id, {**before, "reviewer": reviewer, "updated": now,
                                                "deleted": True}))
            return summary, puts

        self.store.change(self.reviewer, build, now)
        return metas

    # -- metadata corrections (corrections.py) ---------------------------------------------

    def corrections(
        self, report_id: str | None = None, reviewer: str | None = None, *,
        include_deleted: bool = False,
    ) -> list[Correction]:
        """The reviewers' corrections of report metadata, sorted by (report, field)."""
        return [
            Correction.from_json(doc)
            for doc in sorted(self.store.corrections(), key=lambda d: d["id"])
            if doc["field"] != REMOVED_FIELD
            and (report_id is None or doc["report_id"] == report_id)
            and (reviewer is None or doc["reviewer"] == reviewer)
            and (include_deleted or not doc["deleted"])
        ]

    def metadata(self, report_id: str) -> list[MetaValue]:
        """Each correctable field of a report: its value in force and where it came from
        (the file, derived by Shenyue, or a correction: by whom and when)."""
        self.report_meta(report_id)  # UserError for a report we lack or removed
        meta = self.library.index()[report_id]
        return provenance(meta, {c.field: c for c in self.corrections(report_id)})

    def correct(self, report_id: str, **values: Any) -> ReportMeta:
        """Correct a report's title, place, year, issuer or kind (an empty value or None
        removes the correction, back to what was read or derived). One durable write, one
        undo step; the text is never touched. Returns the metadata as corrected."""
        title = self.report_meta(report_id).title
        wanted = {field: checked_value(field, value) for field, value in values.items()}
        reviewer = checked_reviewer(self.reviewer)
        now = now_iso()

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            current = tables.get(META, {})
            puts: list[Put] = []
            for field, value in wanted.items():
                doc_id = correction_id(report_id, field)
                before = current.get(doc_id)
                if value is None:
                    if before is not None and not before["deleted"]:
                        puts.append((META, doc_id, {**before, "reviewer": reviewer,
                                                    "updated": now, "deleted": True}))
                elif before is None or before["deleted"] or before["value"] != value:
                    fix = Correction(report_id, field, value, reviewer, now)
                    puts.append((META, doc_id, fix.to_json()))
            fields = tuple(say(f"field.{doc['field']}") for _t, _i, doc in puts)
            return say("change.correct", fields=fields, title=short(title)), puts

        self.store.change(self.reviewer, build, now)
        return self.index()[report_id]

    def report_meta(self, report_id: str) -> ReportMeta:
        """A report's metadata as corrected (no other report's is read), or UserError if there
        is no such report or it was removed."""
        meta = self.library.index().get(report_id)
        if meta is None:
            raise UserError("report.unknown_id", report_id=report_id)
        fixes = live(d for d in self.store.corrections() if d["report_id"] == report_id)
        mine = fixes.get(report_id, {})
        if REMOVED_FIELD in mine:
            raise removed_error(corrected(meta, mine))
        return corrected(meta, mine)

    def import_report(self, file_path: str | Path) -> Report:
        """Import one file; importing the same text again returns the existing report.

        A file imported before from the same path with a changed text becomes a new version
        of that report: its marks are re-anchored to the new text.
        """
        with self.library.lock():
            outcome = self.library.import_file(Path(file_path), self._reanchor)
        assert outcome.report is not None
        self._settle_present(outcome)
        self._bring_back([outcome])
        return self.report(outcome.report.id)

    @staticmethod
    def report_files(paths: Sequence[str | Path]) -> FoundFiles:
        """The report files importing `paths` would read, and what their folders hold that
        is passed over (`library.report_files`); UserError for a path that does not exist."""
        return report_files(paths)

    def import_paths(
        self,
        paths: Sequence[str | Path] | FoundFiles,
        progress: Callable[[Path], None] | None = None,
    ) -> ImportSummary:
        """Import files and folders (or what `report_files` found); a file that cannot be
        read is refused, the rest go on; what a folder held besides files is `skipped`."""
        found = paths if isinstance(paths, FoundFiles) else report_files(paths)
        with self.library.lock():
            projects = [f for f in found.files if f.suffix.lower() in PROJECTS]
            reports = [f for f in found.files if f.suffix.lower() not in PROJECTS]
            outcomes = self.library.import_files(reports, self._reanchor, progress)
            summary = ImportSummary(outcomes, list(found.skipped))
            for file in projects:
                try:
                    summary.outcomes.extend(self._import_project(file, summary.notes))
                except IngestError as exc:
                    summary.outcomes.append(ImportOutcome(file, "refused", reason=exc.message))
                if progress is not None:
                    progress(file)
        for outcome in outcomes:
            self._settle_present(outcome)
        summary.outcomes = self._bring_back(summary.outcomes)
        return summary

    def _bring_back(self, outcomes: list[ImportOutcome]) -> list[ImportOutcome]:
        """Restore the removed reports an import found again (one undo step); those found
        unchanged are "restored" instead of "present"."""
        removed = self.removed()
        back = [o.report.id for o in outcomes if o.report is not None
                and o.status in ("present", "updated") and o.report.id in removed]
        if not back:
            return outcomes
        self.restore_reports(back)
        return [replace(o, status="restored") if o.status == "present" and o.report is not None
                and o.report.id in back else o for o in outcomes]

    def _import_project(self, file: Path, notes: list[str]) -> list[ImportOutcome]:
        """Import a REFI-QDA project's text sources as reports and merge its marks (all
        checked first: a bad item refuses the whole file); says what it did in `notes`."""
        from annotations.export import NativeExport
        from annotations.qdpx import read_qdpx

        project = read_qdpx(file, self.reviewer)
        outcomes: list[ImportOutcome] = []
        marks: list[Doc] = []
        titles: dict[str, str] = {}
        for source in project.sources:
            outcome = self.library.import_ingested(
                Path(f"{file}#{source.key}"), source.ingested, self._reanchor)
            self._settle_present(outcome)
            outcomes.append(outcome)
            assert outcome.report is not None
            titles[outcome.report.id] = outcome.report.title
            marks.extend({**doc, "report_id": outcome.report.id} for doc in source.marks)
        r = self.merge_marks(file, NativeExport(titles, marks))
        notes.append(f"{file}: {r.added} marks added, {r.updated} updated, {r.unchanged} "
                     "unchanged" + "".join(f"; left out: {what}" for what in project.left_out))
        return outcomes

    def receive_reports(self, shared: Sequence[SharedReport]) -> list[tuple[SharedReport, str]]:
        """Import reports another workspace shared (sync), each under the id it has there so
        that the marks made there find it; returns those that could not be, with why."""
        refused: list[tuple[SharedReport, str]] = []
        accepted, items = [], []
        for report in shared:
            try:
                items.append((report.path, report.ingested(), report.meta.id))
                accepted.append(report)
            except IngestError as exc:
                refused.append((report, str(exc)))
        with self.library.lock():
            outcomes = self.library.import_shared(items, self._reanchor)
        for report, outcome in zip(accepted, outcomes, strict=True):
            got = outcome.report.id if outcome.report is not None else None
            if got != report.meta.id:
                refused.append((report, f"its text is in this workspace already, as report "
                                        f"{got}; marks made on {report.meta.id} cannot be "
                                        "placed"))
        return refused

    def report_version_text(self, report_id: str, sha256: str) -> str | None:
        """The text of an earlier (or the current) version of a report, if it is kept."""
        return self.library.version_text(report_id, sha256)

    def report_text_bytes(self, report_id: str) -> bytes:
        """The UTF-8 bytes of a report's current text, read without decoding or parsing."""
        return self.library.text_bytes(report_id)

    # -- annotations (store.py) ------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The annotation store, opened on first use."""
        if self._store is None:
            self._store = Store(self.home / "store")
        return self._store

    def check_store(self) -> None:
        """StoreError if the store is not ours, too new, or damaged where a start reads it
        (its header, and the index's end and what follows — or all of it, without an index):
        the app refuses such a store before it takes the screen, reading no report's marks."""
        self.store.tables()

    def store_stamp(self) -> tuple[int, int, int] | None:
        """A token that changes whenever any process changed the marks (one `os.stat`)."""
        return self.store.stamp()

    def annotate(
        self,
        report_id: str,
        start: int,
        end: int,
        tag: Tag | str,
        comment: str = "",
        reviewer: str | None = None,
    ) -> Annotation:
        """Mark text [start, end) of a report; the mark is on disk before this returns."""
        item = {"report_id": report_id, "start": start, "end": end, "tag": tag,
                "comment": comment, "reviewer": reviewer}
        return self.annotate_many([item])[0]

    def annotate_many(self, items: Iterable[Mapping[str, Any]]) -> list[Annotation]:
        """Add marks in one durable write and one undo step; every item is checked before
        anything is written. Items have report_id, start, end, tag, and optionally
        comment and reviewer."""
        now = now_iso()
        marks = [self._new_mark(item, now) for item in items]
        if not marks:
            return []
        first = marks[0]
        summary = (
            say("change.add", tag=first.tag, quote=short(first.quote)) if len(marks) == 1
            else say("change.add_many", count=len(marks))
        )
        puts: list[Put] = [(m.report_id, m.id, m.to_json()) for m in marks]

        def build(_tables: Tables) -> tuple[Message, list[Put]]:
            # under the store lock: a new version imported meanwhile has re-anchored the
            # marks it found, and would never see these
            for m in marks:
                self._check_current(m.report_id, m.text_sha256)
            return summary, puts

        self.store.change(self.reviewer, build, now)
        self._keep_readings({m.report_id for m in marks})
        return marks

    def _keep_readings(self, report_ids: Iterable[str]) -> None:
        """Read a report version through the rules when it gets its first mark, once: a
        first training then reads no report through the rules (readings.py)."""
        from annotations.readings import keep_contexts, kept_key, reading_key

        for report_id in report_ids:
            report = self.report(report_id)
            key = reading_key(report)
            if key in self._readings_kept:
                continue
            if not kept_key(self.home, report):
                keep_contexts(self.home, report)
            self._readings_kept.add(key)

    def _new_mark(self, item: Mapping[str, Any], now: str) -> Annotation:
        unknown = set(item) - MARK_FIELDS
        if unknown:
            raise UserError("mark.unknown_fields", unknown=", ".join(sorted(unknown)),
                            known=", ".join(sorted(MARK_FIELDS)))
        missing = {"report_id", "start", "end", "tag"} - set(item)
        if missing:
            raise UserError("mark.missing_fields", missing=", ".join(sorted(missing)))
        report = self.report(str(item["report_id"]))
        start, end = checked_span(report, item["start"], item["end"])
        quote, prefix, suffix = quote_context(report.text, start, end)
        return Annotation(
            id=mark_id(),
            report_id=report.id,
            text_sha256=report.sha256,
            start=start,
            end=end,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            tag=Tag.parse(item["tag"]),
            comment=checked_comment(item.get("comment") or ""),
            reviewer=checked_reviewer(item.get("reviewer") or self.reviewer),
            created=now,
            updated=now,
        )

    def annotations(
        self,
        report_id: str | None = None,
        tag: Tag | str | None = None,
        reviewer: str | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Annotation]:
        """Marks sorted by (report_id, start, end, id), orphans included (`orphan=True`).

        Cached per report until any process changes that report's marks, so calling this
        on every redraw is cheap.
        """
        wanted = self._mark_filter(report_id, tag, reviewer, include_deleted)
        tables = self._tables_for(report_id)
        return [
            mark
            for rid in self._marked_reports(report_id, tables)
            for mark in self.store.marks(rid, tables)
            if wanted(mark.tag.value, mark.reviewer, mark.deleted)
        ]

    def mark_docs(
        self,
        report_id: str | None = None,
        tag: Tag | str | None = None,
        reviewer: str | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Doc]:
        """`annotations` as the stored documents (same filter, same order; no objects made:
        the learned reader reads every mark this way)."""
        wanted = self._mark_filter(report_id, tag, reviewer, include_deleted)
        tables = self._tables_for(report_id)
        return [
            doc
            for rid in self._marked_reports(report_id, tables)
            for doc in self.store.docs(rid, tables)
            if wanted(doc["tag"], doc["reviewer"], doc["deleted"])
        ]

    def _tables_for(self, report_id: str | None) -> Tables:
        """The store's tables to read one report's marks (only its own table is read) or
        every report's (the journal is read whole, at once)."""
        return self.store.tables() if report_id is not None else self.store.everything()

    def _marked_reports(self, report_id: str | None, tables: Tables) -> list[str]:
        """The report asked for, else every report with marks that was not removed."""
        if report_id is not None:
            return [report_id]
        removed = {d["report_id"] for d in self.store.corrections()
                   if d["field"] == REMOVED_FIELD and not d["deleted"]}
        return [rid for rid in report_tables(tables) if rid not in removed]

    def _mark_filter(
        self, report_id: str | None, tag: Tag | str | None, reviewer: str | None,
        include_deleted: bool,
    ) -> Callable[[str, str, bool], bool]:
        """Checks the arguments; returns a test of a mark's (tag, reviewer, deleted)."""
        if report_id is not None and report_id not in self.library.index():
            raise UserError("report.unknown_id", report_id=report_id)
        tag_value = None if tag is None else Tag.parse(tag).value
        return lambda t, r, d: (
            (include_deleted or not d)
            and (tag_value is None or t == tag_value)
            and (reviewer is None or r == reviewer)
        )

    def annotation(self, mark_id: str) -> Annotation:
        """The mark with this id (tombstones too: look at `deleted`)."""
        doc = self.store.find(mark_id)
        if doc is None:
            raise UserError("mark.unknown_id", mark_id=mark_id)
        return Annotation.from_json(doc)

    def update_annotation(self, mark_id: str, **changes: Any) -> Annotation:
        """Change a mark's tag, comment, reviewer, or span (start/end: quote and context are
        taken again from the current text). One durable write, one undo step."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise UserError("mark.fixed_fields", fields=", ".join(sorted(unknown)),
                            editable=", ".join(sorted(EDITABLE_FIELDS)))
        now = now_iso()

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            doc = current_mark(tables, mark_id)
            new = dict(doc)
            if "tag" in changes:
                new["tag"] = Tag.parse(changes["tag"]).value
            if "comment" in changes:
                new["comment"] = checked_comment(changes["comment"])
            if "reviewer" in changes:
                new["reviewer"] = checked_reviewer(changes["reviewer"])
            if "start" in changes or "end" in changes:
                report = self.report(doc["report_id"])
                start, end = checked_span(
                    report, changes.get("start", doc["start"]), changes.get("end", doc["end"])
                )
                quote, prefix, suffix = quote_context(report.text, start, end)
                new.update(start=start, end=end, quote=quote, prefix=prefix, suffix=suffix,
                           text_sha256=report.sha256, orphan=False)
            new["updated"] = now
            return say("change.edit", quote=short(doc["quote"])), [(doc["report_id"], mark_id, new)]

        return Annotation.from_json(self.store.change(self.reviewer, build, now)[0])

    def delete_annotation(self, mark_id: str) -> None:
        """Delete a mark: it stays as a tombstone so that a merge never brings it back."""
        now = now_iso()

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            doc = current_mark(tables, mark_id)
            summary = say("change.delete", quote=short(doc["quote"]))
            return summary, [(doc["report_id"], mark_id, {**doc, "deleted": True, "updated": now})]

        self.store.change(self.reviewer, build, now)

    def tag_passage(self, report_id: str, start: int, end: int, tag: Tag | str) -> MarkEdit:
        """What a/s/p do: tag [start, end) as the reviewer's own — or remove their mark of
        that tag holding it, stretch (join) their marks of that tag touching it, or retag
        their mark of another tag holding it (`editing.tag_edit`). One undo step."""
        report = self.report(report_id)
        new = self._new_mark({"report_id": report_id, "start": start, "end": end, "tag": tag},
                             now_iso())
        return self._edit(report, lambda mine: tag_edit(mine, new, report.text, new.updated),
                          new.updated)

    def retag(self, mark_id: str, tag: Tag | str) -> MarkEdit:
        """Give the reviewer's own mark another tag, keeping its span and comment."""
        doc = self._own_mark(mark_id)
        new_tag = Tag.parse(tag)
        now = now_iso()
        return self._edit(self.report(doc["report_id"]),
                          lambda mine: retag_edit(self._among(mine, mark_id), new_tag, now), now)

    def join(self, mark_ids: Sequence[str], start: int | None = None,
             end: int | None = None) -> MarkEdit:
        """Join the reviewer's own marks of one tag (and [start, end), if given) into one
        covering all of them, with all their comments; one mark and a span extends it."""
        if not mark_ids:
            raise UserError("mark.join_nothing")
        docs = [self._own_mark(i) for i in mark_ids]
        if len({d["report_id"] for d in docs}) > 1:
            raise UserError("mark.join_reports")
        report = self.report(docs[0]["report_id"])
        lo = min(d["start"] for d in docs) if start is None else start
        hi = max(d["end"] for d in docs) if end is None else end
        lo, hi = checked_span(report, lo, hi)
        now = now_iso()
        return self._edit(report, lambda mine: join_edit(
            [self._among(mine, i) for i in dict.fromkeys(mark_ids)], lo, hi, report.text,
            report.sha256, now), now)

    def take_over(self, mark_id: str) -> MarkEdit | None:
        """Copy a colleague's mark, comment included, as the reviewer's own; None when the
        reviewer already has a mark of that span and tag."""
        doc = current_mark(self.store.tables(), mark_id)
        if doc["reviewer"] == self.reviewer:
            raise UserError("mark.already_yours", quote=short(doc["quote"]))
        report = self.report(doc["report_id"])
        new = self._new_mark({"report_id": report.id, "start": doc["start"], "end": doc["end"],
                              "tag": doc["tag"], "comment": doc["comment"]}, now_iso())
        edits: list[MarkEdit | None] = []

        def build(tables: Tables) -> tuple[Message | None, list[Put]]:
            self._check_current(report.id, report.sha256)
            edit = take_over_edit(current_mark(tables, mark_id), self._own_docs(tables, report),
                                  new)
            edits.append(edit)
            return (None, []) if edit is None else (edit.summary, edit.puts)

        self.store.change(self.reviewer, build, new.updated)
        return edits[-1]

    def _edit(self, report: Report, decide: Callable[[list[Doc]], MarkEdit],
              now: str) -> MarkEdit:
        """Run one edit of the reviewer's own marks on `report` in one store change: `decide`
        gets their live marks on its current text, under the store lock."""
        edits: list[MarkEdit] = []

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            self._check_current(report.id, report.sha256)
            edit = decide(self._own_docs(tables, report))
            edits.append(edit)
            return edit.summary, edit.puts

        self.store.change(self.reviewer, build, now)
        return edits[-1]

    def _own_docs(self, tables: Tables, report: Report) -> list[Doc]:
        """The reviewer's live marks placed on the report's current text."""
        return [d for d in tables.get(report.id, {}).values()
                if d["reviewer"] == self.reviewer and not d["deleted"] and not d.get("orphan")
                and d["text_sha256"] == report.sha256]

    def _own_mark(self, mark_id: str) -> Doc:
        """A live mark of the reviewer's own, or UserError (a colleague's is read-only)."""
        doc = current_mark(self.store.tables(), mark_id)
        if doc["reviewer"] != self.reviewer:
            raise UserError("mark.not_yours", quote=short(doc["quote"]), reviewer=doc["reviewer"])
        return doc

    @staticmethod
    def _among(docs: list[Doc], mark_id: str) -> Doc:
        """The mark `mark_id` among the reviewer's placed marks, or UserError."""
        for doc in docs:
            if doc["id"] == mark_id:
                return doc
        raise UserError("mark.not_placed", mark_id=mark_id)

    def _check_current(self, report_id: str, sha256: str) -> None:
        """Under the store lock: refuse an edit made on a text a new version just replaced
        (its import re-anchored the marks it found, and would never see this one)."""
        meta = self.library.index()[report_id]
        if meta.sha256 != sha256:
            raise UserError("mark.replaced_text", title=meta.title)

    def undo(self) -> Message | None:
        """Undo this reviewer's latest change (even one made before a restart); says what was
        undone, or None when there is nothing to undo."""
        self.library.index()  # a damaged index is refused before the journal is written
        outcome = self.store.undo(self.reviewer, now_iso())
        return None if outcome is None else self._settled(outcome)

    def redo(self) -> Message | None:
        """Redo the change most recently undone; says what, or None when there is none."""
        self.library.index()  # as in `undo`
        outcome = self.store.redo(self.reviewer, now_iso())
        return None if outcome is None else self._settled(outcome)

    def _settled(self, outcome: tuple[Message, set[str]]) -> Message:
        # a restored mark may belong to an earlier text of its report
        for report_id in sorted(outcome[1]):
            self._settle(report_id)
        return outcome[0]

    def _reanchor(self, old: Report, new: Report) -> None:
        """Move every mark of `old` onto the text of `new`; marks that cannot be placed
        become orphans."""
        self._settle(new.id, old)

    def _settle_present(self, outcome: ImportOutcome) -> None:
        # importing a report again finishes a re-anchoring that a killed import left undone
        if outcome.status == "present" and outcome.report is not None:
            self._settle(outcome.report.id)

    def _settle(self, report_id: str, old: Report | None = None) -> tuple[int, int]:
        """Re-anchor the marks of a report made on another version of its text, in one
        durable write; returns how many were placed and how many became orphans."""
        meta = self.library.index().get(report_id)
        if meta is None or not any(
            not doc["deleted"] and doc["text_sha256"] != meta.sha256
            for doc in self.store.tables().get(report_id, {}).values()
        ):
            return 0, 0  # nothing to move: no report text is read, no lock is taken
        report = self.library.report(report_id)  # a removed report's marks follow it too
        index = TextIndex(report.text)
        maps: dict[str, OffsetMap | None] = {}

        def moved(sha: str) -> OffsetMap | None:
            if sha not in maps:
                text = old.text if old is not None and old.sha256 == sha else (
                    self.report_version_text(report_id, sha))
                maps[sha] = None if text is None else OffsetMap(text, report.text)
            return maps[sha]

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            puts: list[Put] = [
                (report_id, doc["id"],
                 reanchor_doc(doc, report.sha256, index, moved(doc["text_sha256"])))
                for doc in tables.get(report_id, {}).values()
                if not doc["deleted"] and doc["text_sha256"] != report.sha256
            ]
            return say("change.reanchor", count=len(puts), title=report.title), puts

        docs = self.store.change(self.reviewer, build, now_iso(), undoable=False)
        orphaned = sum(1 for d in docs if d["orphan"])
        return len(docs) - orphaned, orphaned

    def export(
        self,
        fmt: str,
        path: str | Path | None,
        *,
        report_id: str | None = None,
        tag: Tag | str | None = None,
        reviewer: str | None = None,
    ) -> int:
        """Write the marks (filtered) as json, w3c, csv, md, xlsx or qdpx to `path` (None or
        "-": stdout); a file is replaced atomically. Returns how many marks were written."""
        from annotations.export import (
            WRITERS,
            check_format,
            write_binary_output,
            write_json,
            write_output,
        )
        from annotations.qdpx import write_qdpx
        from annotations.xlsx import write_xlsx

        check_format(fmt)
        if report_id is not None:
            self.report_meta(report_id)  # a removed report exports nothing: say so
        if fmt == "json":
            found = self.records(report_id=report_id, tag=tag, reviewer=reviewer)
            write_output(path, fmt, lambda out: write_json(
                out, found.marks, found.reports, found.corrections, found.links))
            return len(found.marks)
        index = self.index()
        marks = self.annotations(report_id, tag, reviewer)
        if fmt == "qdpx":  # a selection needs a place in the current text: orphans have none
            marks = [m for m in marks if not m.orphan and m.report_id in index
                     and m.text_sha256 == index[m.report_id].sha256]
        metas = [index[rid] for rid in sorted({m.report_id for m in marks}) if rid in index]
        binary = {"xlsx": write_xlsx, "qdpx": write_qdpx}.get(fmt)
        if binary is not None:
            write_binary_output(path, fmt, lambda out: binary(out, marks, metas, self.report))
        else:
            write_output(path, fmt, lambda out: WRITERS[fmt](out, marks, metas, self.report))
        return len(marks)

    def records(
        self,
        *,
        report_id: str | None = None,
        tag: Tag | str | None = None,
        reviewer: str | None = None,
    ) -> NativeRecords:
        """What a native export holds (filtered): the marks', corrections' and follow-through
        decisions' documents as stored, tombstones included, and the reports they name."""
        from annotations.export import NativeRecords

        index = self.index()
        # the documents as stored: 100,000 marks export without building objects
        docs = self.mark_docs(report_id, tag, reviewer, include_deleted=True)
        fixes = [c.to_json() for c in self.corrections(report_id, reviewer, include_deleted=True)
                 if c.report_id in index]
        links = [d for d in self._link_docs(report_id, reviewer)
                 if d["plan_report"] in index and d["review_report"] in index]
        named = ({d["report_id"] for d in docs} | {c["report_id"] for c in fixes}
                 | {r for d in links for r in (d["plan_report"], d["review_report"])})
        metas = [index[rid] for rid in sorted(named) if rid in index]
        return NativeRecords(docs, fixes, links, metas)

    def _link_docs(self, report_id: str | None, reviewer: str | None) -> list[Doc]:
        """The follow-through decisions touching a report (all: None) by a reviewer (all:
        None), tombstones included, in id order."""
        return sorted(
            (d for d in self.store.tables().get(LINKS, {}).values()
             if (report_id is None or report_id in (d["plan_report"], d["review_report"]))
             and (reviewer is None or d["reviewer"] == reviewer)),
            key=lambda d: d["id"],
        )

    def merge(self, path: str | Path) -> MergeResult:
        """Merge a native export (another reviewer's, another machine's): for each id the
        newer `updated` wins, deletions included; marks on another version of a report's
        text are re-anchored. Merging the same file twice changes nothing."""
        from annotations.export import read_native

        return self.merge_marks(path, read_native(Path(path)))

    def merge_marks(
        self, path: str | Path, incoming: NativeExport, *, undoable: bool = True
    ) -> MergeResult:
        """Merge marks read and checked from `path` (`checked_marks`): every mark must quote
        its report's text at its offsets; nothing is merged otherwise. `undoable=False`: the
        merge is no undo step (a sync's is not the reviewer's own change)."""
        from annotations.export import MergeResult

        index = self.library.index()
        filed = {doc_id: name for name, table in self.store.tables().items()
                 if is_report_table(name) for doc_id in table}
        for doc in incoming.annotations:
            if filed.get(doc["id"], doc["report_id"]) != doc["report_id"]:
                raise UserError("merge.mark_elsewhere", path=str(path), mark_id=doc["id"],
                                report_id=doc["report_id"], filed=filed[doc["id"]])
            if doc["report_id"] not in index:
                raise UserError("merge.missing_report", path=str(path), report_id=doc["report_id"],
                                title=incoming.title(doc["report_id"]))
            meta = index[doc["report_id"]]
            if (doc["text_sha256"] == meta.sha256 and not doc["orphan"]
                    and self.library.report(meta.id).text[doc["start"] : doc["end"]]
                    != doc["quote"]):
                raise UserError("merge.misquoted", path=str(path), mark_id=doc["id"])
        for link in incoming.links:
            missing = [r for r in (link["plan_report"], link["review_report"]) if r not in index]
            if missing:
                raise UserError("merge.missing_followed", path=str(path), report_id=missing[0],
                                title=incoming.title(missing[0]))
        for fix in incoming.corrections:
            if fix["report_id"] not in index:
                raise UserError("merge.missing_corrected", path=str(path),
                                report_id=fix["report_id"], title=incoming.title(fix["report_id"]))
        counts: Counter[str] = Counter()

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            counts.clear()
            puts: list[Put] = []
            for doc in incoming.annotations:
                current = tables.get(doc["report_id"], {}).get(doc["id"])
                if current is not None and doc["updated"] <= current["updated"]:
                    counts["unchanged"] += 1
                    continue
                counts["added" if current is None else "updated"] += 1
                puts.append((doc["report_id"], doc["id"], doc))
            for table, docs, what in ((META, incoming.corrections, "corrections"),
                                      (LINKS, incoming.links, "links")):
                for doc in docs:  # newest wins, as for marks
                    current = tables.get(table, {}).get(doc["id"])
                    if current is None or doc["updated"] > current["updated"]:
                        counts[what] += 1
                        puts.append((table, doc["id"], doc))
            return say("change.merge", name=Path(path).name), puts

        self.store.change(self.reviewer, build, now_iso(), undoable=undoable)
        placed = orphaned = 0
        for rid in sorted({d["report_id"] for d in incoming.annotations}):
            p, o = self._settle(rid)
            placed, orphaned = placed + p, orphaned + o
        return MergeResult(counts["added"], counts["updated"], counts["unchanged"],
                           placed, orphaned, counts["corrections"], counts["links"])

    def lookup(
        self,
        query: str,
        *,
        tag: Tag | str | None = None,
        report_id: str | None = None,
        reviewer: str | None = None,
        limit: int | None = None,
    ) -> list[Hit]:
        """Search marks (quote and comment) and report texts for `query`: marks first, then
        places in the texts no listed mark covers. With a tag or reviewer, marks only.
        A store every other command refuses is refused here too."""
        from annotations.lookup import search

        return search(self, query, tag=None if tag is None else Tag.parse(tag),
                      report_id=report_id, reviewer=reviewer, limit=limit)

    # -- sync through git (sync.py) ----------------------------------------------------------

    def sync_init(self, remote: str, *, interactive: bool = False) -> str:
        """Set the workspace up to sync with a git remote (a bare repository's path, an ssh
        or https URL): clones it into `sync/`. Returns the remote as shown to people."""
        from annotations import sync

        return sync.init(self, remote, interactive=interactive)

    def sync(self, progress: Callable[[str], None] | None = None, *,
             interactive: bool = False) -> SyncResult:
        """Exchange marks, corrections and follow-through decisions with the remote: every
        reviewer's files merged in by the merge rules, this reviewer's pushed. `progress`
        hears each step (`sync.STEPS`); `interactive`: git may ask for a password."""
        from annotations import sync

        return sync.sync(self, progress, interactive=interactive)

    def last_synced(self) -> str | None:
        """When the workspace last finished a sync (ISO time, UTC), or None."""
        from annotations import sync

        return sync.last_synced(self.home)

    def syncs(self) -> bool:
        """Whether the workspace is set up to sync (`sync_init`)."""
        from annotations import sync

        return sync.is_git_repository(sync.sync_folder(self.home))

    # -- where the reviewer left off in the app ------------------------------------------------

    def load_state(self) -> dict[str, Any]:
        """The app state saved by `save_state` ({} when there is none or it is unreadable)."""
        try:
            data = json.loads((self.home / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_state(self, state: dict[str, Any]) -> None:
        """Remember the app state (last report, position) for the next start."""
        atomic_write_text(self.home / "state.json", json.dumps(state, ensure_ascii=False) + "\n")

    # -- suggested tags ----------------------------------------------------------------------

    def suggested(self, report_id: str) -> list[Suggestion]:
        """Every suggestion with a tag for a report's current text, in text order, as the
        workspace's learned reader reads it (worked out once per text version and model)."""
        from annotations.learner import suggest_learned
        from annotations.readings import keep_contexts, kept_key
        from annotations.suggest import read_report, tagged

        report = self.report(report_id)
        model = self.model()
        key = (report.sha256, model.key, model.examples)
        found = self._suggested.get(key)
        if found is None:
            readings = read_report(report)
            if not kept_key(self.home, report):  # read now: kept for the learned reader
                keep_contexts(self.home, report, readings)
            found = self._suggested[key] = tagged(suggest_learned(report, model, readings))
        return found

    # -- follow-through (follow.py) -------------------------------------------------------------

    def follow(self, plan_report: str, review_report: str) -> list[FollowUp]:
        """Each plan of `plan_report` (year N) beside the sentences of `review_report` (N+1)
        that report carrying it out, best first, with a verdict — as this reviewer decided
        where they did (`decide_follow`)."""
        from annotations.follow import follow

        matched = (tuple(self.plan_passages(plan_report)),
                   tuple(self.review_passages(review_report)))
        last = self._followed.get((plan_report, review_report))
        if last is not None and last[0] == matched:
            found = last[1]  # a decision changes no passage: the follow screen's keys stay quick
        else:
            found = follow(*matched)
            self._followed[(plan_report, review_report)] = (matched, found)
        decisions = self.follow_decisions(plan_report, review_report)
        return [f.decided_by(decisions[(f.plan.start, f.plan.end)])
                if (f.plan.start, f.plan.end) in decisions else f for f in found]

    def follow_decisions(
        self, plan_report: str, review_report: str
    ) -> dict[tuple[int, int], Decision]:
        """This reviewer's follow-through decisions for a pair of reports, by plan span."""
        from annotations.follow import Decision

        out = {}
        for doc in self.store.tables().get(LINKS, {}).values():
            if (doc["deleted"] or doc["reviewer"] != self.reviewer
                    or (doc["plan_report"], doc["review_report"]) != (plan_report, review_report)):
                continue
            out[(doc["plan"]["start"], doc["plan"]["end"])] = Decision(
                tuple(stored_passage(p) for p in doc["confirmed"]),
                tuple(stored_passage(p) for p in doc["rejected"]),
                doc["verdict"],
            )
        return out

    def decide_follow(
        self,
        plan_report: str,
        review_report: str,
        plan: Passage,
        *,
        confirm: Passage | None = None,
        reject: Passage | None = None,
        verdict: str | None = None,
    ) -> None:
        """Record this reviewer's decision on one plan: confirm or reject a passage of the
        later report as its evidence, and/or set the verdict ("kept", "partly", "no_trace";
        "auto" gives it back to the matcher). Durable and one undo step, like a mark."""
        if verdict is not None and verdict not in (*VERDICTS, "auto"):
            raise UserError("follow.unknown_verdict", verdict=str(verdict))
        for report_id in (plan_report, review_report):
            self.report(report_id)  # UserError for a report we do not have
        link_id = hashlib.sha1(
            json.dumps([plan_report, review_report, plan.start, plan.end, self.reviewer],
                       ensure_ascii=False).encode()
        ).hexdigest()
        now = now_iso()

        def build(tables: Tables) -> tuple[Message, list[Put]]:
            old = tables.get(LINKS, {}).get(link_id)
            doc: Doc = dict(old) if old and not old["deleted"] else {
                "id": link_id, "plan_report": plan_report, "review_report": review_report,
                "plan": passage_doc(plan), "verdict": None, "confirmed": [], "rejected": [],
                "reviewer": self.reviewer, "created": now, "deleted": False}
            confirmed = [p for p in doc["confirmed"] if stored_passage(p) not in (confirm, reject)]
            rejected = [p for p in doc["rejected"] if stored_passage(p) not in (confirm, reject)]
            if confirm is not None:
                confirmed.append(passage_doc(confirm))
            if reject is not None:
                rejected.append(passage_doc(reject))
            if verdict is not None:
                doc["verdict"] = None if verdict == "auto" else verdict
            doc.update(confirmed=confirmed[-MAX_LINKED:], rejected=rejected[-MAX_LINKED:],
                       updated=now)
            return say("change.follow", quote=short(plan.text)), [(LINKS, link_id, doc)]

        self.store.change(self.reviewer, build, now)

    def plan_passages(self, report_id: str) -> list[Passage]:
        """The report's plans: the reviewers' plan marks when there are any, else the
        sentences the suggestions call plans. In text order."""
        from annotations.follow import Passage

        report = self.report(report_id)
        spans = sorted({(m.start, m.end) for m in self.annotations(report.id, tag=Tag.PLAN)
                        if not m.orphan})
        if not spans:
            spans = [(s.start, s.end) for s in self.suggested(report.id) if s.tag is Tag.PLAN]
        passages = [Passage(start, end, report.text[start:end]) for start, end in spans]
        return [p for p in passages if not is_bracket_note(p.text)]

    def review_passages(self, report_id: str) -> list[Passage]:
        """The sentences of a report that tell what was done: those of its review part
        (roles.py) and those any reviewer marked as achievements. In text order."""
        from annotations.follow import Passage
        from annotations.roles import Role, sentence_roles

        report = self.report(report_id)
        done = [(m.start, m.end) for m in self.annotations(report.id, tag=Tag.ACHIEVEMENT)
                if not m.orphan]
        return [
            Passage(s.start, s.end, report.text[s.start : s.end])
            for s, placed in zip(report.sentences, sentence_roles(report), strict=True)
            if placed.role is Role.REVIEW or any(a < s.end and s.start < b for a, b in done)
        ]

    def model(self) -> Model:
        """The learned reader to suggest with: trained again first if the marks or rejections
        changed and `train_on_demand`, else the last one trained."""
        from annotations.learning import current_model, fresh_model, model_key

        if self.train_on_demand:
            if self._model is None or self._model.key != model_key(self):
                self._model = fresh_model(self)
        elif self._model is None:
            self._model = current_model(self)
        return self._model

    def forget_model(self) -> None:
        """Read the learned reader from its file again when next used (another process
        trained it)."""
        self._model = None

    def model_stale(self) -> bool:
        """Whether the marks or rejections changed since the model was trained."""
        from annotations.learning import current_model, model_key

        model = self._model or current_model(self)
        return model.key != model_key(self)

    def learn(self) -> Model:
        """Train the learned reader again if it is stale (≤ 2 s at 10,000 marks) and use it
        from now on; safe to call from a background thread."""
        from annotations.learning import fresh_model

        model = fresh_model(self)
        self._model = model
        return model

    def suggestions(self, report_id: str, reviewer: str | None = None) -> list[Suggestion]:
        """The suggested tags of a report still open for `reviewer` (default: this
        workspace's): those with a tag, minus the ones the reviewer rejected and the ones
        overlapping a mark the reviewer already made. In text order."""
        name = checked_reviewer(reviewer or self.reviewer)
        from annotations.rejections import load_rejected, rejections_path

        report = self.report(report_id)
        rejected = set(load_rejected(rejections_path(self.home, name)).get(report.id, []))
        marked = [(m.start, m.end) for m in self.annotations(report.id, reviewer=name)
                  if not m.orphan]
        return [
            s for s in self.suggested(report.id)
            if report.text[s.start : s.end] not in rejected
            and not any(start < s.end and s.start < end for start, end in marked)
        ]

    def reject_suggestion(
        self, report_id: str, start: int, end: int, reviewer: str | None = None
    ) -> None:
        """Remember that `reviewer` rejected the suggestion on [start, end): it is on disk
        before this returns and never comes back for that reviewer (kept by the passage's
        text, so it survives a new version of the report)."""
        name = checked_reviewer(reviewer or self.reviewer)
        report = self.report(report_id)
        start, end = checked_span(report, start, end)
        from annotations.rejections import add_rejected, rejections_path

        add_rejected(rejections_path(self.home, name), report.id, report.text[start:end])


MARK_FIELDS = frozenset({"report_id", "start", "end", "tag", "comment", "reviewer"})
EDITABLE_FIELDS = frozenset({"tag", "comment", "start", "end", "reviewer"})


def is_bracket_note(text: str) -> bool:
    """Whether a passage is wholly a 【…】 note (【责任单位:…】 names who carries out the item
    before it: part of that promise, not one of its own)."""
    flat = text.strip()
    return flat.startswith("【") and flat.endswith("】") and flat.count("【") == 1


def passage_doc(passage: Passage) -> Doc:
    """A passage as a follow-through decision stores it."""
    return {"start": passage.start, "end": passage.end, "quote": passage.text}


def stored_passage(doc: Doc) -> Passage:
    """The inverse of `passage_doc`."""
    from annotations.follow import Passage

    return Passage(doc["start"], doc["end"], doc["quote"])


def checked_span(report: Report, start: Any, end: Any) -> tuple[int, int]:
    """`start` and `end` as offsets of a non-empty span inside the report, or UserError."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise UserError("span.not_whole", start=repr(start), end=repr(end))
    if start >= end:
        raise UserError("span.empty", start=start, end=end)
    if start < 0 or end > len(report.text):
        raise UserError("span.outside", start=start, end=end, report_id=report.id,
                        length=len(report.text))
    return start, end


def checked_comment(comment: Any) -> str:
    """A comment as text without control characters (a terminal would obey them), or
    UserError."""
    if not isinstance(comment, str):
        raise UserError("comment.not_text", kind=type(comment).__name__)
    if len(comment) > MAX_COMMENT:
        raise UserError("comment.too_long", limit=MAX_COMMENT, length=len(comment))
    return normalise(comment)


def checked_reviewer(reviewer: Any) -> str:
    """A reviewer's name in its one form (`clean.person_name`), non-empty, or UserError."""
    name = person_name(str(reviewer)) if reviewer is not None else ""
    if not name:
        raise UserError("reviewer.empty")
    return name


def removed_error(meta: ReportMeta) -> UserError:
    """The refusal for a report that was removed, saying how to bring it back."""
    return UserError("report.removed", report_id=meta.id, title=meta.title)


def current_mark(tables: Tables, mark_id: str) -> Doc:
    """The live document of a mark, or UserError if there is none or it was deleted."""
    for name, table in tables.items():
        doc = table.get(mark_id) if is_report_table(name) else None
        if doc is not None:
            if doc["deleted"]:
                raise UserError("mark.deleted", mark_id=mark_id)
            return doc
    raise UserError("mark.unknown_id", mark_id=mark_id)
