"""`shenyue …`: the command line.

Only `shenyue` without a subcommand (or `shenyue open`) imports the interface; every other
subcommand stays on the plain-Python core so it answers at once over SSH.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from annotations.errors import UserError
from annotations.workspace import ImportSummary, Workspace, sections_to_json

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_FILES = 5


class UsageError(Exception):
    """The command line itself is malformed (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so `main` decides the exit code."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def stdout_is_terminal() -> bool:
    """Whether output goes to a person (rich formatting) or to a pipe (plain text)."""
    return sys.stdout.isatty()


def print_json(data: Any, out: TextIO | None = None) -> None:
    """Print `data` as UTF-8 JSON readable by people and scripts."""
    stream = out or sys.stdout
    stream.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def console() -> Any:
    """A Rich console on stdout (imported lazily: plain commands start faster without it)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=not stdout_is_terminal())


# -- subcommands ------------------------------------------------------------------------


def cmd_open(ws: Workspace, args: argparse.Namespace) -> int:
    """Open the review app (the only subcommand that imports Textual)."""
    from tui.app import run_app

    report_id = ws.resolve(args.report).id if getattr(args, "report", None) else None
    run_app(ws, report_id, args.lang)
    return EXIT_OK


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    """Import report files and folders, with a progress bar for many files."""
    from annotations.workspace import report_files

    files = report_files(args.paths)
    if len(files) >= PROGRESS_MIN_FILES and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("importing", total=len(files))
            summary = ws.import_paths(files, progress=lambda _p: progress.advance(task))
    else:
        summary = ws.import_paths(files)
    print_import_summary(summary)
    if summary.count("refused") == len(summary.outcomes):
        raise UserError(
            "No file could be imported: " + summary.outcomes[0].reason
            if len(summary.outcomes) == 1
            else f"None of the {len(summary.outcomes)} files could be imported (reasons above)."
        )
    return EXIT_OK


def print_import_summary(summary: ImportSummary) -> None:
    """One line per file, then the totals; refusals go to stderr with their reason."""
    for outcome in summary.outcomes:
        if outcome.status == "refused":
            print(f"refused   {outcome.path}: {outcome.reason}", file=sys.stderr)
        elif outcome.report is not None:
            print(f"{outcome.status:<9} {outcome.report.id}  {outcome.report.title}")
    totals = ", ".join(
        f"{summary.count(s)} {s}"
        for s in ("imported", "updated", "present", "refused")
        if summary.count(s)
    )
    print(totals or "nothing to import")


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    """List the reports of the workspace."""
    metas = ws.reports()
    keys = ("id", "title", "year", "issuer", "published", "doc_number", "chars")
    if args.json:
        print_json([{k: m.to_json()[k] for k in keys} for m in metas])
        return EXIT_OK
    if not stdout_is_terminal():
        for m in metas:
            print("\t".join("" if v is None else str(v) for v in (m.id, m.year, m.chars, m.title)))
        return EXIT_OK
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for name in ("id", "year", "chars", "title", "issuer"):
        table.add_column(name, no_wrap=name != "title", justify="right" if name == "chars" else "left")
    for m in metas:
        table.add_row(m.id, str(m.year or ""), str(m.chars), m.title, m.issuer or "")
    console().print(table)
    return EXIT_OK


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    """Show a report's metadata and outline (or its whole text)."""
    meta = ws.resolve(args.report)
    report = ws.report(meta.id)
    if args.json:
        data = meta.to_json()
        data["sections"] = sections_to_json(report.sections)
        data["sentences"] = len(report.sentences)
        if not args.outline:
            data["text"] = report.text
        print_json(data)
        return EXIT_OK
    out = sys.stdout
    out.write(f"{meta.title}\n")
    for label, value in (
        ("id", meta.id),
        ("year", meta.year),
        ("issuer", meta.issuer),
        ("published", meta.published),
        ("doc number", meta.doc_number),
        ("characters", meta.chars),
        ("sentences", len(report.sentences)),
    ):
        if value is not None:
            out.write(f"  {label}: {value}\n")
    if args.outline:
        out.write("\n")
        for section in report.all_sections():
            out.write(f"{'  ' * section.level}{section.title}  [{section.start}-{section.end}]\n")
    else:
        out.write("\n" + report.text + ("" if report.text.endswith("\n") else "\n"))
    return EXIT_OK


# -- the parser -------------------------------------------------------------------------

Command = Callable[[Workspace, argparse.Namespace], int]


def build_parser() -> Parser:
    """The argument parser with every subcommand."""
    common = Parser(add_help=False)
    common.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help="workspace folder (default: $SHENYUE_HOME or the user data folder)")
    common.add_argument("--reviewer", metavar="NAME", default=argparse.SUPPRESS,
                        help="reviewer name (default: $SHENYUE_REVIEWER, git user.name, login)")
    common.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                        help="interface language (default: from LANG/LC_ALL)")
    parser = Parser(prog="shenyue", parents=[common],
                    description="Review annual reports: read, tag, compare, export.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def add(name: str, func: Command, help_text: str) -> Parser:
        p: Parser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("open", cmd_open, "open the review app (the default)")
    p.add_argument("report", nargs="?", help="open this report directly")
    p = add("import", cmd_import, "import report files or folders (recursively)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p = add("list", cmd_list, "list the reports")
    p.add_argument("--json", action="store_true", help="a JSON array for scripts")
    p = add("show", cmd_show, "show a report's metadata and text or outline")
    p.add_argument("report", metavar="REPORT", help="id, id prefix or part of the title")
    p.add_argument("--outline", action="store_true", help="the section tree instead of the text")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 user error, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        print("Run `shenyue --help` for usage.", file=sys.stderr)
        return EXIT_USAGE
    args.lang = getattr(args, "lang", None)
    func: Command = getattr(args, "func", cmd_open)
    try:
        ws = Workspace.open(getattr(args, "home", None), reviewer=getattr(args, "reviewer", None))
        return func(ws, args)
    except UserError as exc:
        print(f"shenyue: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of a pipe went away (`shenyue list | head`): not an error
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
