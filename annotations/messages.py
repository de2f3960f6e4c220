"""What the core tells the person using it, as typed values: a code and its parameters.

A `Message` says what happened (`mark.not_yours`, quote=…, reviewer=…); each interface words
it in its own language. The English wording is here (`ENGLISH`): it is what the command line
prints and `str(message)` gives. The app translates a message by its code (the msgctxt of
its entry in `tui/locale/<lang>.po`, whose msgid is the English wording).

A wording is a `str.format` template; one with two forms (`one`, `other`) is chosen by the
parameter `count`. A parameter is text (made safe for a terminal here, once), a number, an
enum member (a word of the vocabulary: `Tag.PLAN` is the message `tag.plan`), another
message, or a tuple of messages (a list, joined by the interface).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, TypeAlias

from annotations.clean import one_line

Param: TypeAlias = "str | int | float | Enum | Message | tuple[Message, ...]"
Wording: TypeAlias = "str | tuple[str, str]"

ENGLISH: dict[str, Wording] = {
    # -- words used inside other messages ------------------------------------------------------
    "tag.achievement": "achievement",
    "tag.shortcoming": "shortcoming",
    "tag.plan": "plan",
    "field.title": "title",
    "field.place": "place",
    "field.year": "year",
    "field.issuer": "issuer",
    "field.kind": "kind",
    "word.untitled": "untitled",
    "word.list_separator": ", ",  # between the items of a list parameter
    # -- changes to the marks, as the undo history names them (editing.py, workspace.py) ---------
    "change.add": "add {tag} mark «{quote}»",
    "change.add_many": "add {count} marks",
    "change.edit": "edit mark «{quote}»",
    "change.delete": "delete mark «{quote}»",
    "change.delete_many": "delete {count} marks",
    "change.retag": "retag mark «{quote}» as {tag}",
    "change.extend": "extend mark «{quote}»",
    "change.join": "join {count} marks into «{quote}»",
    "change.take_over": "take over {reviewer}'s mark «{quote}»",
    "change.reanchor": ("re-anchor {count} mark of {title}", "re-anchor {count} marks of {title}"),
    "change.remove": "remove report «{title}»",
    "change.remove_many": "remove {count} reports",
    "change.restore": "restore report «{title}»",
    "change.restore_many": "restore {count} reports",
    "change.merge": "merge {name}",
    "change.follow": "follow-through of «{quote}»",
    "change.correct": "correct {fields} of «{title}»",
    "change.recorded": "{summary}",  # a history entry of an older Shenyue: its English summary
    "history.undid": "undid: {change}",
    "history.redid": "redid: {change}",
    "history.undid_partly": (
        "undid: {change} ({count} mark left alone: changed since by someone else)",
        "undid: {change} ({count} marks left alone: changed since by someone else)",
    ),
    "history.redid_partly": (
        "redid: {change} ({count} mark left alone: changed since by someone else)",
        "redid: {change} ({count} marks left alone: changed since by someone else)",
    ),
    # -- marks (editing.py, workspace.py) ------------------------------------------------------
    "mark.already_tagged": "The mark «{quote}» is already {tag}.",
    "mark.join_one_tag": "Only marks of one tag can be joined; retag them first.",
    "mark.joined_comment_too_long": (
        "Joined, these marks' comments would hold {length:,} characters, more than a comment's "
        "{limit:,}; shorten one first."),
    "mark.unknown_fields": "Unknown mark field(s) {unknown}; a mark has {known}.",
    "mark.missing_fields": "A mark needs {missing}; add it and try again.",
    "mark.unknown_id": "No mark with id {mark_id!r}; `shenyue lookup` shows marks and ids.",
    "mark.fixed_fields": "A mark's {fields} cannot be changed; change {editable}.",
    "mark.join_nothing": "Name at least one mark to join or extend.",
    "mark.join_reports": "Only marks on one report can be joined.",
    "mark.already_yours": "The mark «{quote}» is already yours.",
    "mark.not_yours": "The mark «{quote}» is {reviewer}'s; take it over first to change it.",
    "mark.not_placed": (
        "Mark {mark_id} is not placed in the report's current text; it cannot be edited."),
    "mark.deleted": "Mark {mark_id} was deleted; undo the deletion to change it.",
    "mark.replaced_text": (
        "{title} was just replaced by a new version; nothing was saved — mark the passage "
        "again."),
    "span.not_whole": "Offsets must be whole numbers, not {start} and {end}.",
    "span.empty": (
        "The start ({start}) must come before the end ({end}): a mark covers at least one "
        "character."),
    "span.outside": (
        "Offsets {start} to {end} lie outside report {report_id}, whose text has {length} "
        "characters."),
    "comment.not_text": "A comment must be text, not {kind}.",
    "comment.too_long": (
        "A comment holds at most {limit:,} characters, this one {length:,}; shorten it or keep "
        "the long text elsewhere."),
    "reviewer.empty": "A reviewer's name cannot be empty; set --reviewer or $SHENYUE_REVIEWER.",
    "unknown.tag": "Unknown tag {value!r}: use one of {names}.",
    "unknown.kind": "Unknown kind {value!r}: use one of {names}.",
    "follow.unknown_verdict": "Unknown verdict {verdict!r}: use kept, partly, no_trace or auto.",
    # -- reports and the library (library.py, workspace.py, corrections.py) --------------------
    "report.none_removed": "No report was removed; `shenyue list` shows the reports.",
    "report.not_removed_ref": "{ref!r} names a report that was not removed; nothing to restore.",
    "report.not_removed": "Report {report_id} ({title}) was not removed; nothing to restore.",
    "report.none_named": "Name at least one report.",
    "report.removed": (
        "Report {report_id} ({title}) was removed; `shenyue restore {report_id}` (or undo) "
        "brings it back with its marks."),
    "report.unknown_id": "No report with id {report_id!r}; `shenyue list` shows the ids.",
    "report.no_reference": "Name a report by its id, an id prefix, or part of its title.",
    "report.no_match": "No report matches {ref!r}; `shenyue list` shows ids and titles.",
    "report.ambiguous": "{ref!r} matches {count} reports ({names}); be more specific.",
    "report.text_missing": (
        "The text of report {report_id} is missing from {folder}; import the report again."),
    "library.cannot_write": (
        "Cannot write to the report library {folder} ({reason}); free some disk space or fix "
        "the folder's permissions, then try again."),
    "library.index_damaged": (
        "The report index {path} is damaged ({problem}); restore it from a backup or re-import "
        "the reports into a new workspace."),
    "library.index_unreadable": (
        "Cannot read the report index {path} ({reason}); check the permissions of the "
        "workspace folder."),
    "workspace.is_file": "{home} is a file, not a workspace folder; choose another --home.",
    "workspace.cannot_create": "Cannot create the workspace folder {home}: {reason}.",
    "meta.not_correctable": "A report's {field!r} cannot be corrected; correct {fields}.",
    "meta.bad_year": "A year is a number from {low} to {high}, not {text!r}.",
    "meta.too_long": "A {field} holds at most {limit} characters, this one {length:,}.",
    # -- importing (library.py, ingest.py, formats.py, qdpx.py) -------------------------------
    "file.missing": "{path}: no such file; check the path.",
    "file.unreadable": "Cannot read {path}: {reason}.",
    "import.no_such_path": "{path}: no such file or folder; check the path.",
    "import.no_reports_in_folder": "{path}: the folder holds no reports ({suffixes} files).",
    "import.is_folder": "{path} is a folder, not a report file; give one of {suffixes} files.",
    "import.not_a_file": (
        "{path} is a pipe or device, not a report file; save the report first."),
    "import.unsupported_suffix": (
        "{path}: {suffix} files are not supported; save the report as {suffixes}."),
    "import.no_suffix": (
        "{path}: files without a suffix are not supported; save the report as {suffixes}."),
    "import.not_published_format": "{name}: {suffix} files are not a published report format.",
    "import.too_large": (
        "{name} is {size:.1f} MB, more than the {limit} MB a report may have; check that it is "
        "the right file or split it."),
    "import.unreadable": "{path} cannot be read ({reason}); check its permissions.",
    "import.empty": "{name} is empty; there is no report to import.",
    "import.blank": "{name} holds only blank space; there is no report text to import.",
    "import.binary": (
        "{name} looks like a binary file, not a text report; save it as plain text first."),
    "import.broken_bom": (
        "{name} cannot be decoded (broken {encoding} after its byte-order mark: UTF-8, UTF-16, "
        "GBK/GB18030, Big5 and Windows-1252 are read); save it as UTF-8 and import it again."),
    "import.undecodable": (
        "{name} cannot be decoded (no supported encoding fits: UTF-8, UTF-16, GBK/GB18030, Big5 "
        "and Windows-1252 are read); save it as UTF-8 and import it again."),
    "import.holds_html": (
        "{name} is named {suffix} but holds an HTML page; rename it to .html and import it "
        "again."),
    "import.holds_pdf": (
        "{name} is named {suffix} but holds a PDF; rename it to .pdf and import it again."),
    "import.holds_docx": (
        "{name} is named {suffix} but holds a Word document; rename it to .docx and import it "
        "again."),
    "import.holds_text": (
        "{name} is named {suffix} but holds plain text; rename it to .txt and import it again."),
    "import.holds_doc": (
        "{name} is named {suffix} but holds an old Word 97-2003 (.doc) file; save it as .docx "
        "in Word or WPS and import that."),
    "import.holds_zip": (
        "{name} is named {suffix} but holds a ZIP archive that is not a Word document; unpack "
        "it and import the report inside."),
    "import.holds_image": (
        "{name} is named {suffix} but holds an image; a scanned report needs OCR first, which "
        "Shenyue does not do."),
    "import.holds_binary": (
        "{name} is named {suffix} but holds binary data; check that it is the right file."),
    "import.empty_page": "{name} is an empty HTML page; there is no report text to import.",
    "import.no_body_text": (
        "{name} holds no body text, only navigation, scripts or markup; there is no report "
        "text to import."),
    "import.docx_no_text": (
        "{name} holds no text (pictures or an empty document); there is no report text to "
        "import."),
    "import.docx_damaged": "{name} is a damaged Word file ({problem}); save it again from Word.",
    "import.pdf_damaged": "{name} is a damaged PDF ({problem}); save or print it to PDF again.",
    "import.pdf_scanned": (
        "{name} is a scanned PDF with no text layer; Shenyue does not do OCR, so import a text, "
        "Word or web version of the report instead."),
    "import.pdf_encryption": "{name} uses a PDF encryption that cannot be read ({problem}).",
    "import.pdf_password": (
        "{name} is a password-protected PDF; open it with its password, save an unprotected "
        "copy and import that."),
    "qdpx.too_large": "{path} is larger than {limit} MB; check the file.",
    "qdpx.not_zip": "{path} is not a REFI-QDA project (not a zip file).",
    "qdpx.refused": "{path}: {problem}; nothing was imported.",
    "qdpx.too_many_entries": "it holds {count:,} files, more than {limit:,}",
    "qdpx.entry_outside": "the entry {name} points outside the project",
    "qdpx.bad_marks": "its codings cannot be kept ({problem})",
    "qdpx.missing_entry": "it has no {name}",
    "qdpx.cannot_unpack": "{name} cannot be unpacked ({problem})",
    "qdpx.entry_too_large": "{name} unpacks to more than {limit} MB",
    "qdpx.bad_xml": "{name} is not well-formed XML ({problem})",
    "qdpx.dtd": "{name} declares a DTD, which a project never needs",
    "qdpx.not_project": "{name} is not a REFI-QDA project (its root is {root})",
    "qdpx.bad_attribute": "a {element} has the {attribute} {value}",
    "qdpx.source_outside": "the source path {path} points outside the project",
    "qdpx.not_utf8": "{name} is not UTF-8 text",
    "qdpx.source_not_report": "the source «{name}» cannot be a report ({problem})",
    "qdpx.selection_unplaced": (
        "selection {key} of «{name}» cannot be placed in its text once control characters are "
        "removed"),
    "qdpx.selection_outside": (
        "selection {key} of «{name}» spans {start} to {end}, outside its {length:,}-character "
        "text"),
    "qdpx.bad_time": "the time {value} is not an xsd:dateTime",
    # -- the annotation store (store.py, metacache.py, fsutil.py) -----------------------------
    "store.damaged": (
        "The annotation store {path} {what}; it was left untouched — move it aside (or restore "
        "a backup) and run shenyue again."),
    "store.damaged_line": "is damaged at line {line}",
    "store.damaged_line_because": "is damaged at line {line} ({problem})",
    "store.damaged_byte": "is damaged near byte {byte}",
    "store.damaged_byte_because": "is damaged near byte {byte} ({problem})",
    "store.damaged_batch": "is damaged (a batch of records does not open its line)",
    "store.no_header": "has no complete header line (it is empty or truncated)",
    "store.foreign_start": "does not start with a Shenyue header (not ours, or damaged)",
    "store.foreign_header": "was not written by Shenyue (its header is not ours)",
    "store.no_schema": "has a header without a schema version",
    "store.changed_meanwhile": "changed while it was being written to",
    "store.unreadable": (
        "Cannot read the annotation store {path} ({reason}); check that {folder} is a folder "
        "you may read, and try again."),
    "store.newer": (
        "The annotation store {path} was written by a newer Shenyue (schema {version}, this one "
        "reads {supported}); it was left untouched — upgrade Shenyue to open it."),
    "store.append_failed": (
        "Cannot write to the annotation store {path} ({reason}); this change was not saved — "
        "free some disk space or fix the permissions."),
    "store.write_failed": (
        "Cannot write to the annotation store in {folder} ({reason}); nothing was saved — fix "
        "the folder's permissions or free some disk space."),
    "store.locked": (
        "{folder} has been locked by another process for {seconds:.0f} s; close the other "
        "shenyue and try again."),
    "store.cannot_lock": (
        "Cannot take the lock {path} ({reason}); check the permissions of the workspace "
        "folder."),
    # -- export, merge, memo, lookup, agreement ------------------------------------------------
    "export.unknown_format": "Unknown export format {fmt!r}: use one of {formats}.",
    "export.binary_to_terminal": (
        "{fmt} is a binary format, not for a terminal: give -o FILE.{fmt}."),
    "export.is_folder": "{path} is a folder; give a file name to export to.",
    "export.no_folder": "The folder {folder} does not exist; create it or choose another.",
    "export.cannot_write": "Cannot write {path}: {reason}.",
    "merge.too_large": (
        "{path} is larger than {limit} MB, more than any export of ours; check the file."),
    "merge.not_json": "{path} is not a Shenyue export (it is not JSON we write).",
    "merge.not_export": (
        "{path} is not a Shenyue export (export one with `shenyue export --format json`)."),
    "merge.newer": (
        "{path} is from a newer Shenyue (export version {version}); upgrade Shenyue to merge "
        "it."),
    "merge.damaged": (
        "{path} is a damaged Shenyue export ({problem}); nothing was merged — export it again."),
    "merge.mark_elsewhere": (
        "{path} has mark {mark_id} on report {report_id}, but this workspace has that mark on "
        "report {filed}; nothing was merged."),
    "merge.missing_report": (
        "{path} has marks on report {report_id} ({title}), which this workspace does not have; "
        "import that report first, then merge again."),
    "merge.misquoted": (
        "{path} is a damaged Shenyue export: mark {mark_id} does not quote the text at its "
        "offsets; export it again."),
    "merge.missing_followed": (
        "{path} follows plans into report {report_id} ({title}), which this workspace does not "
        "have; import that report first, then merge again."),
    "merge.missing_corrected": (
        "{path} corrects report {report_id} ({title}), which this workspace does not have; "
        "import that report first, then merge again."),
    "memo.no_reports": "Name at least one report for the memo.",
    "memo.unknown_format": "Unknown memo format {fmt!r}: use one of {formats}.",
    "lookup.empty": "Give a word or phrase to look up.",
    "lookup.limit": "The limit must be at least 1, not {limit}.",
    "agreement.two_reviewers": "Agreement needs two or more reviewers; name them as A,B.",
    "agreement.absent": (
        "Reviewer {names} has no marks on these reports; check the name (`shenyue export "
        "--format md --reviewer NAME` lists their marks) or merge their export first.",
        "Reviewers {names} have no marks on these reports; check the name (`shenyue export "
        "--format md --reviewer NAME` lists their marks) or merge their export first.",
    ),
    "agreement.one_reviewer": (
        "Agreement needs marks from two or more reviewers on the same report, but only {names} "
        "marked these reports; merge a colleague's export (`shenyue merge FILE`) first."),
    "agreement.no_marks": (
        "Agreement needs marks from two or more reviewers on the same report, but there are no "
        "marks; merge a colleague's export (`shenyue merge FILE`) first."),
    # -- the command line's and the app's own (tui/cli.py, tui/serve.py, tui/app.py) -----------
    "cli.none_imported": "None of the {count} files could be imported (reasons above).",
    "cli.some_refused": (
        "{refused} of {count} files could not be imported (reasons above); the others were."),
    "cli.quote_empty": "The quote is empty; give the text to mark.",
    "cli.start_outside": (
        "--start {start} lies outside {title}, whose text has {length} characters."),
    "cli.quote_not_after": "{quote!r} does not occur in {title} at or after offset {start}.",
    "cli.quote_missing": "{quote!r} does not occur in {title}; copy it exactly from the text.",
    "cli.quote_repeated": (
        "{quote!r} occurs {count} times in {title}; add --start N to pick the one at or after "
        "offset N, or quote more of the passage."),
    "cli.limit": "--limit must be at least 1, not {limit}.",
    "serve.bad_host": "Cannot serve on host {host!r}: {reason}.",
    "serve.port_in_use": (
        "Port {port} on {host} is already in use; stop the program using it or choose another "
        "with --port N."),
    "serve.cannot_listen": "Cannot listen on {host} port {port}: {reason}.",
    "serve.bad_port": "--port must be between 1 and 65535, not {port}.",
    # -- sync through git (sync.py, gitrun.py) -------------------------------------------------
    "sync.not_initialised": (
        "This workspace does not sync yet; run `shenyue sync init REMOTE` first (REMOTE: the path "
        "of a bare git repository or a git URL)."),
    "sync.busy": (
        "Another sync of this workspace is running; wait for it to finish, then try again."),
    "sync.lock_failed": (
        "Cannot take the sync lock in the workspace ({problem}); check the folder's permissions."),
    "sync.init_unreachable": (
        "Cannot reach the remote {remote} ({problem}); check the address, the network and your "
        "access, then run `shenyue sync init` again."),
    "sync.unreachable": (
        "Cannot reach the remote {remote} ({problem}); check the address, the network and your "
        "access, then sync again — nothing was lost: your marks stay in the workspace."),
    "sync.push_refused": (
        "The remote {remote} refused the push ({problem}); check that you may push there — "
        "nothing was lost: your marks stay in the workspace."),
    "sync.push_failed": (
        "Cannot push to the remote {remote} ({problem}); check the network and your access, then "
        "sync again — nothing was lost: your marks stay in the workspace."),
    "sync.folder_unwritable": (
        "Cannot write in the sync folder {folder} ({problem}); free some disk space or run "
        "`shenyue sync init REMOTE` again — nothing was lost: your marks stay in the workspace."),
    "sync.remote_busy": (
        "The remote {remote} changed during each of {attempts} attempts to push; sync again in a "
        "moment — nothing was lost: your marks stay in the workspace."),
    "sync.git_missing": (
        "Sync needs git, which was not found on this machine's PATH; install git (for example "
        "`apt install git`) and try again."),
    "sync.folder_gone": "The folder {folder} has gone; run `shenyue sync init REMOTE` again.",
    "sync.git_unrunnable": "Cannot run git ({problem}); check the git installation.",
    "sync.remote_silent": (
        "Sync stopped: the remote did not answer within {seconds} s (git {command}); nothing was "
        "lost — try again later."),
    "sync.git_stuck": (
        "Sync stopped: git did not finish within {seconds} s (git {command}); nothing was lost — "
        "try again later."),
    "sync.git_failed": (
        "git {command} failed in {folder} ({problem}); run `shenyue sync` again — nothing was "
        "lost."),
    "sync.files_left_out": (
        "{count} file from the remote was left out (reason above); everything else was synced.",
        "{count} files from the remote were left out (reasons above); everything else was synced.",
    ),
    "app.keymap_unreadable": "{path} cannot be read ({problem}); fix it or delete it.",
}


@dataclass(frozen=True)
class Message:
    """Something to tell the user: a code of `ENGLISH` and the values of its placeholders."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.code not in ENGLISH:
            raise ValueError(f"no message has the code {self.code!r}")
        if set(self.params) != fields(self.code):
            raise ValueError(f"{self.code} takes {sorted(fields(self.code))}, not "
                             f"{sorted(self.params)}")
        object.__setattr__(self, "params", {k: _param(v) for k, v in self.params.items()})

    def __str__(self) -> str:
        """The message in English."""
        return self.wording(ENGLISH[self.code]).format(
            **{k: _english(v) for k, v in self.params.items()})

    def wording(self, forms: Wording) -> str:
        """The form of `forms` (one wording, or one and other) that fits `count`."""
        if isinstance(forms, str):
            return forms
        return forms[0] if self.params["count"] == 1 else forms[1]

    def to_json(self) -> dict[str, Any]:
        """{"code", "params"}, nested messages as such objects (read back by `from_json`)."""
        return {"code": self.code, "params": {k: _param_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Any) -> Message | None:
        """The message `to_json` wrote; None for one that is not (a code unknown to this
        version, parameters that do not fit)."""
        if not (isinstance(data, dict) and isinstance(data.get("params"), dict)):
            return None
        params: dict[str, Any] = {}
        for key, value in data["params"].items():
            if isinstance(value, list):
                items = [cls.from_json(v) for v in value]
                if any(item is None for item in items):
                    return None
                params[key] = tuple(items)
            elif isinstance(value, dict):
                params[key] = cls.from_json(value)
                if params[key] is None:
                    return None
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                params[key] = value
            else:
                return None
        try:
            return cls(str(data.get("code")), params)
        except ValueError:
            return None


def say(code: str, **params: Param) -> Message:
    """The message `code` with these parameters (ValueError for a code or parameters that
    `ENGLISH` does not have: a mistake in the code, found by its tests)."""
    return Message(code, params)


@cache
def fields(code: str) -> frozenset[str]:
    """The parameters a message takes: the placeholders of its wording (of either form), and
    `count` when it has two forms."""
    forms = ENGLISH[code]
    if isinstance(forms, str):
        return _placeholders(forms)
    return frozenset({"count"}).union(*map(_placeholders, forms))


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(name for _t, name, _spec, _conv in string.Formatter().parse(text) if name)


def _param(value: Any) -> Any:
    """A parameter as a message holds it: text cleaned, an enum member as its word."""
    if isinstance(value, str) and not isinstance(value, Enum):
        return one_line(value)
    if isinstance(value, Enum):
        return Message(f"{type(value).__name__.lower()}.{value.value}")
    return value


def _english(value: Any) -> Any:
    """A parameter as the English wording takes it (numbers stay numbers, for their format)."""
    if isinstance(value, tuple):
        return str(ENGLISH["word.list_separator"]).join(map(str, value))
    return str(value) if isinstance(value, Message) else value


def _param_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, tuple):
        return [v.to_json() for v in value]
    return value
