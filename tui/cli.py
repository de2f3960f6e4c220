"""`shenyue …`: the command line.

Only `shenyue` without a subcommand (or `shenyue open`) imports the interface, and `shenyue
serve` imports textual-serve (its browser tabs each run `shenyue open`); every other
subcommand stays on the plain-Python core so it answers at once over SSH.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, TextIO

from annotations.clean import one_line, person_name
from annotations.errors import UserError
from annotations.library import ImportSummary, sections_to_json
from annotations.lookup import Hit, text_hits
from annotations.model import TAG_LABELS_ZH, Kind, Tag
from annotations.records import META_FIELDS
from annotations.workspace import Workspace

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2
# export.FORMATS (a test holds them equal): importing the exporters costs every command 10 ms
EXPORT_FORMATS = ("json", "w3c", "csv", "md", "xlsx", "qdpx")
PROGRESS_MIN_FILES = 5
SUGGEST_QUOTE = 40


class UsageError(Exception):
    """The command line itself is malformed (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so `main` decides the exit code."""

    def error(self, message: str) -> Any:
        raise UsageError(one_line(f"{self.prog}: {message}"))  # it may quote the arguments


def stdout_is_terminal() -> bool:
    """Whether output goes to a person (rich formatting) or to a pipe (plain text)."""
    return sys.stdout.isatty()


def print_json(data: Any, out: TextIO | None = None) -> None:
    """Print `data` as UTF-8 JSON readable by people and scripts."""
    stream = out or sys.stdout
    stream.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_json_items(items: Sequence[Any]) -> None:
    """Print a JSON array one compact item per line: readable, and quick for long lists."""
    lines = ",\n".join(f"  {json.dumps(item, ensure_ascii=False)}" for item in items)
    sys.stdout.write(f"[\n{lines}\n]\n" if items else "[]\n")


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


def cmd_serve(ws: Workspace, args: argparse.Namespace) -> int:
    """Serve the app to web browsers, one app process per tab, until Ctrl+C."""
    from tui.serve import serve

    serve(ws, args.host, args.port, args.lang)
    return EXIT_OK


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    """Import report files and folders, with a progress bar for many files."""
    from annotations.library import report_files

    found = report_files(args.paths)
    if len(found.files) >= PROGRESS_MIN_FILES and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("importing", total=len(found.files))
            summary = ws.import_paths(found, progress=lambda _p: progress.advance(task))
    else:
        summary = ws.import_paths(found)
    if len(summary.outcomes) == 1 and summary.count("refused") == 1 and not summary.skipped:
        reason = summary.outcomes[0].reason
        assert reason is not None  # a refused file has its reason
        raise UserError.of(reason)  # the whole story: one sentence, no table
    print_import_summary(summary)
    refused = summary.count("refused")
    if refused == len(summary.outcomes):
        raise UserError("cli.none_imported", count=len(summary.outcomes))
    if refused:
        # the rest is imported; exit 1 all the same, so a script notices what was left out
        raise UserError("cli.some_refused", refused=refused, count=len(summary.outcomes))
    return EXIT_OK


def print_import_summary(summary: ImportSummary) -> None:
    """A table of every file's outcome on a terminal, else one line per file; then totals.

    Plain output sends refusals and what a folder held besides report files to stderr with
    their reason, so scripts see them apart. File names are cleaned of control characters.
    """
    counts = [(summary.count(s), s) for s in ("imported", "updated", "present", "refused")]
    counts.append((len(summary.skipped), "skipped"))
    totals = ", ".join(f"{n} {s}" for n, s in counts if n)
    if stdout_is_terminal():
        from rich.text import Text

        print_import_table(summary)
        for note in summary.notes:  # file names come from the user: never markup
            console().print(Text(note))
    else:
        for outcome in summary.outcomes:
            if outcome.status == "refused":
                print(f"refused\t{one_line(outcome.path)}\t{outcome.reason}", file=sys.stderr)
            elif outcome.report is not None:
                print(f"{outcome.status}\t{outcome.report.id}\t{outcome.report.title}")
        for note in summary.notes:
            print(f"marks\t{note}")
        for skipped in summary.skipped:
            print(f"skipped\t{one_line(skipped.path)}\t{skipped.why}", file=sys.stderr)
    print(totals or "nothing to import")


IMPORT_STATUS = {
    "imported": ("imported", "green"),
    "updated": ("updated", "cyan"),
    "present": ("already present", "dim"),
    "refused": ("refused", "red"),
}


def print_import_table(summary: ImportSummary) -> None:
    """The outcomes as a Rich table, grouped by status, then what was skipped; file names
    and reasons are plain text."""
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", show_lines=False)
    for name in ("outcome", "file", "report", "title or reason"):
        table.add_column(name, overflow="fold", no_wrap=name in ("outcome", "report"))
    for status, (label, style) in IMPORT_STATUS.items():
        for outcome in (o for o in summary.outcomes if o.status == status):
            report = outcome.report
            table.add_row(
                Text(label, style=style),
                Text(one_line(outcome.path.name)),
                Text(report.id if report is not None else ""),
                Text(str(outcome.reason or "") if status == "refused" or report is None
                     else report.title),
            )
    for skipped in summary.skipped:
        table.add_row(Text("skipped", style="yellow"), Text(one_line(skipped.path)), Text(""),
                      Text(skipped.why))
    console().print(table)


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    """List the reports of the workspace (or those removed)."""
    metas = sorted(ws.removed().values(), key=lambda m: (m.title, m.id)) if args.removed \
        else ws.reports()
    keys = ("id", "title", "title_derived", "year", "place", "kind", "issuer", "published",
            "doc_number", "chars")
    if args.json:
        print_json([{k: m.to_json()[k] for k in keys} for m in metas])
        return EXIT_OK
    if not stdout_is_terminal():
        for m in metas:
            print("\t".join("" if v is None else str(v) for v in (m.id, m.year, m.chars, m.title)))
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold")
    for name in ("id", "year", "chars", "place", "title", "issuer"):
        table.add_column(name, no_wrap=name != "title")
    for m in metas:
        # titles come from report text: never let Rich read them as markup
        title = Text(m.title, style="italic" if m.title_derived else "")
        table.add_row(Text(m.id), Text(str(m.year or "")), Text(str(m.chars)),
                      Text(m.place or ""), title,
                      Text(m.issuer or ""))
    console().print(table)
    return EXIT_OK


def cmd_remove(ws: Workspace, args: argparse.Namespace) -> int:
    """Set reports aside with their marks (`remove`), or bring them back (`restore`)."""
    if args.command == "restore":
        for meta in ws.restore_reports([ws.resolve_removed(ref).id for ref in args.reports]):
            print(f"restored {meta.id}  {one_line(meta.title)}")
        return EXIT_OK
    metas = ws.remove_reports([ws.resolve(ref).id for ref in args.reports])
    for meta in metas:
        print(f"removed {meta.id}  {one_line(meta.title)}")
    marks = sum(len(ws.annotations(report_id=meta.id)) for meta in metas)
    them = "it" if len(metas) == 1 else "them"
    print(f"{marks} mark{'' if marks == 1 else 's'} kept aside; `shenyue undo` or "
          f"`shenyue restore ID` brings {them} back.", file=sys.stderr)
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
    out.write(f"{meta.title}{' (title made up by Shenyue)' if meta.title_derived else ''}\n")
    for label, value in (
        ("id", meta.id),
        ("year", meta.year),
        ("place", meta.place),
        ("kind", meta.kind),
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


def cmd_meta(ws: Workspace, args: argparse.Namespace) -> int:
    """Show a report's metadata and where each value came from; with options, correct it."""
    meta = ws.resolve(args.report)
    changes = {f: getattr(args, f) for f in META_FIELDS if getattr(args, f) is not None}
    if changes:
        meta = ws.correct(meta.id, **changes)
    values = ws.metadata(meta.id)
    if args.json:
        print_json({"id": meta.id, **{v.field: v.to_json() for v in values}})
        return EXIT_OK
    print(f"{meta.id}  {meta.title}")
    for v in values:
        origin = v.origin if v.origin != "correction" else (
            f"corrected by {v.reviewer}, {(v.updated or '')[:19].replace('T', ' ')} UTC")
        print(f"  {v.field + ':':<8}{'' if v.value is None else v.value}  ({origin})")
    return EXIT_OK


def cmd_annotate(ws: Workspace, args: argparse.Namespace) -> int:
    """Mark a passage of a report, found by its quote or by offsets."""
    meta = ws.resolve(args.report)
    text = ws.report(meta.id).text
    if args.quote is not None:
        if args.end is not None:
            raise UsageError("shenyue annotate: --end goes with --start, not with --quote")
        start = locate_quote(text, args.quote, args.start, meta.title)
        end = start + len(args.quote)
    elif args.start is not None and args.end is not None:
        start, end = args.start, args.end
    else:
        raise UsageError("shenyue annotate: give --quote TEXT, or --start N and --end M")
    mark = ws.annotate(meta.id, start, end, args.tag, args.comment)
    quote = " ".join(mark.quote.split())
    print(f"{mark.id}\t{mark.tag.value}\t{mark.start}-{mark.end}\t{quote}")
    return EXIT_OK


def cmd_edit(ws: Workspace, args: argparse.Namespace) -> int:
    """Retag, join (or extend) or take over marks by the core's rules: one undo step each."""
    edit = (ws.retag(args.mark, args.tag) if args.command == "retag"
            else ws.join(args.marks, args.start, args.end) if args.command == "join"
            else ws.take_over(args.mark))
    if edit is None:
        print("you already have this mark", file=sys.stderr)
        return EXIT_OK
    mark = edit.mark
    assert mark is not None  # only a/s/p remove a mark
    print(f"{mark.id}\t{mark.tag.value}\t{mark.start}-{mark.end}\t{' '.join(mark.quote.split())}")
    print(f"{edit.summary}; `shenyue undo` takes it back", file=sys.stderr)
    return EXIT_OK


def locate_quote(text: str, quote: str, start: int | None, title: str) -> int:
    """Where `quote` begins: its only occurrence, or the first at or after `start`."""
    if not quote:
        raise UserError("cli.quote_empty")
    if start is not None:
        if not 0 <= start < len(text):
            raise UserError("cli.start_outside", start=start, title=title, length=len(text))
        at = text.find(quote, start)
        if at < 0:
            raise UserError("cli.quote_not_after", quote=quote, title=title, start=start)
        return at
    at = text.find(quote)
    if at < 0:
        raise UserError("cli.quote_missing", quote=quote, title=title)
    if text.find(quote, at + 1) >= 0:
        count = len(text_hits(text, quote))
        raise UserError("cli.quote_repeated", quote=quote, count=count, title=title)
    return at


def hit_json(hit: Hit) -> dict[str, Any]:
    """One lookup hit for scripts."""
    mark = hit.annotation
    return {
        "report_id": hit.report.id,
        "report": hit.report.title,
        "section": hit.section,
        "start": hit.start,
        "end": hit.end,
        "context": hit.context,
        "annotation": None if mark is None else mark.to_json(),
    }


def reviewer_filter(ws: Workspace, args: argparse.Namespace) -> str | None:
    """`--reviewer` as a filter: the name in its one form, as the workspace holds it."""
    return ws.reviewer if getattr(args, "reviewer", None) else None


def cmd_lookup(ws: Workspace, args: argparse.Namespace) -> int:
    """Find a phrase in the marks (quote, comment) and in the report texts."""
    if args.limit < 1:
        raise UserError("cli.limit", limit=args.limit)
    report_id = ws.resolve(args.report).id if args.report else None
    hits = ws.lookup(args.query, tag=args.tag, report_id=report_id,
                     reviewer=reviewer_filter(ws, args), limit=args.limit + 1)
    shown, more = hits[: args.limit], len(hits) > args.limit
    if args.json:
        print_json([hit_json(h) for h in shown])
    elif stdout_is_terminal():
        print_hits_rich(shown, args.query)
    else:
        for h in shown:
            mark = h.annotation
            cells = (h.report.id, h.start, h.end, mark.tag.value if mark else "", h.report.title,
                     h.section, h.context, mark.comment if mark else "")
            print("\t".join(" ".join(str(c).split()) for c in cells))
    if not shown:
        print(f"nothing found for {args.query!r}", file=sys.stderr)
    elif more:
        print(f"showing the first {args.limit} hits; use --limit N for more", file=sys.stderr)
    return EXIT_OK


def print_hits_rich(hits: Sequence[Hit], query: str) -> None:
    """Each hit: report and section, then the context with the query highlighted, then the
    tag and comment of a mark. Report text is never read as markup."""
    from rich.text import Text

    out = console()
    for h in hits:
        out.print(Text.assemble((h.report.title, "bold"), ("  " + h.section, "dim")))
        context = Text(h.context)
        context.highlight_words([query], style="reverse", case_sensitive=True)
        out.print(Text("  ") + context)
        mark = h.annotation
        if mark is not None:
            line = Text.assemble(("  ", ""), (f"[{TAG_LABELS_ZH[mark.tag]} {mark.tag.value}]",
                                              "bold cyan"), f" {mark.reviewer}")
            if mark.orphan:
                line.append("  (orphan)", style="yellow")
            if mark.comment:
                line.append("  " + mark.comment, style="italic")
            out.print(line)
        out.print()


def cmd_export(ws: Workspace, args: argparse.Namespace) -> int:
    """Write the marks as json, w3c, csv, md, xlsx or qdpx to a file or stdout."""
    report_id = ws.resolve(args.report).id if args.report else None
    count = ws.export(args.format, args.output, report_id=report_id, tag=args.tag,
                      reviewer=reviewer_filter(ws, args))
    if args.output not in (None, "-"):
        # the native format carries deletions too, so that a merge keeps them deleted
        kept = " (deleted ones included, for merging)" if args.format == "json" else ""
        print(f"exported {count} marks{kept} to {one_line(args.output)}", file=sys.stderr)
    return EXIT_OK


def cmd_memo(ws: Workspace, args: argparse.Namespace) -> int:
    """Write the review memo of one or more reports (docx, html or md)."""
    from annotations.memo import CONSENSUS, write_memo

    if args.consensus and getattr(args, "reviewer", None):
        raise UsageError("shenyue memo: --consensus and --reviewer exclude each other")
    report_ids = [ws.resolve(ref).id for ref in args.reports]
    # a previous year without plan marks is read by the last trained model: no training here
    ws.train_on_demand = False
    reviewer = CONSENSUS if args.consensus else reviewer_filter(ws, args)
    memo = write_memo(ws, report_ids, args.output, args.format, reviewer)
    if args.output not in (None, "-"):
        marks = sum(len(r.marks) + len(r.orphans) for r in memo.reports)
        print(f"wrote the memo of {len(memo.reports)} reports ({marks} marks) to "
              f"{one_line(args.output)}", file=sys.stderr)
    return EXIT_OK


def cmd_stats(ws: Workspace, args: argparse.Namespace) -> int:
    """Marks per tag and coverage per report and section; marks per year of each place."""
    from annotations.stats import workspace_stats

    report_ids = [ws.resolve(ref).id for ref in args.reports] or None
    stats = workspace_stats(ws, report_ids, reviewer_filter(ws, args))
    if args.json:
        print_json(stats.to_json())
        return EXIT_OK
    if stdout_is_terminal():
        from tui.charts import stats_tables

        console().print(*stats_tables(stats))
        return EXIT_OK
    tags = [t.value for t in Tag]
    print_table("marks per report", ("report", "place", "year", *tags, "coverage"),
                [(r.meta.title, r.meta.place or "", str(r.meta.year or ""),
                  *(str(r.counts[t]) for t in Tag), f"{r.coverage:.4f}") for r in stats.reports])
    for r in stats.reports:
        print_table(f"{r.meta.title}: marks per section", ("section", *tags, "coverage"),
                    [(s.title, *(str(s.counts[t]) for t in Tag), f"{s.coverage:.4f}")
                     for s in r.sections])
    for place in stats.places:
        print_table(f"{place.place}: marks per year", ("year", *tags),
                    [(str(year), *(str(c[t]) for t in Tag)) for year, c in place.years])
    if not stats.reports:
        print("no marks yet: mark passages in the app or with `shenyue annotate`",
              file=sys.stderr)
    return EXIT_OK


def cmd_merge(ws: Workspace, args: argparse.Namespace) -> int:
    """Merge native exports from other reviewers or machines."""
    for path in args.files:
        r = ws.merge(path)
        print(f"{one_line(path)}: {r.added} added, {r.updated} updated, {r.unchanged} unchanged"
              + (f", {r.reanchored} re-anchored" if r.reanchored else "")
              + (f", {r.orphaned} orphaned" if r.orphaned else "")
              + (f", {r.corrections} metadata corrections" if r.corrections else "")
              + (f", {r.links} follow-through decisions" if r.links else ""))
    return EXIT_OK


SYNC_STEPS = {"tidy": "tidying the sync folder", "write": "writing your marks",
              "fetch": "fetching from the remote", "merge": "merging everyone's marks",
              "push": "pushing"}


def cmd_sync(ws: Workspace, args: argparse.Namespace) -> int:
    """Set up sync with a git remote (`sync init REMOTE`), or sync with it."""
    from annotations.sync import describe

    interactive = sys.stdin.isatty()  # git may ask for a password or passphrase here
    if args.sync_command == "init":
        remote = ws.sync_init(args.remote, interactive=interactive)
        print(f"This workspace syncs with {remote}; run `shenyue sync` to exchange marks.")
        return EXIT_OK
    # plain lines, not a spinner: git may be asking for a password on the same terminal
    progress = (lambda step: print(f"{SYNC_STEPS[step]}…", file=sys.stderr)) \
        if sys.stderr.isatty() else None
    result = ws.sync(progress, interactive=interactive)
    print(describe(result))
    for note in result.notes:
        print(note)
    for skipped in result.skipped:
        print(f"skipped\t{skipped}", file=sys.stderr)
    if result.skipped:
        raise UserError("sync.files_left_out", count=len(result.skipped))
    return EXIT_OK


def cmd_undo(ws: Workspace, args: argparse.Namespace) -> int:
    """Undo (or with `redo`, redo) this reviewer's latest change."""
    outcome = ws.redo() if args.command == "redo" else ws.undo()
    print(outcome or f"nothing to {args.command}")
    return EXIT_OK


def cmd_suggest(ws: Workspace, args: argparse.Namespace) -> int:
    """Suggest a tag for each sentence of a report; with --apply, store them as marks."""
    from annotations.suggest import REVIEWER

    meta = ws.resolve(args.report)
    report = ws.report(meta.id)
    found = ws.suggested(meta.id)
    if args.json:
        print_json([s.to_json() for s in found])
    else:
        piped = not stdout_is_terminal()
        for s in found:
            assert s.tag is not None
            quote = " ".join(report.text[s.start : s.end].split())
            if piped:
                print("\t".join((str(s.start), str(s.end), s.tag.value, f"{s.score:.3f}",
                                 s.reason, quote)))
                continue
            quote = quote if len(quote) <= SUGGEST_QUOTE else quote[: SUGGEST_QUOTE - 1] + "…"
            print(f"{s.start:>6}-{s.end:<6} {s.tag.value:<11} {s.score:.2f}  {quote}  ({s.reason})")
    if args.apply:
        fresh = ws.suggestions(meta.id, reviewer=REVIEWER)
        ws.annotate_many(
            {"report_id": meta.id, "start": s.start, "end": s.end, "tag": s.tag,
             "reviewer": REVIEWER}
            for s in fresh
        )
        undo_hint = "; `shenyue undo` takes them back" if fresh else ""
        print(f"added {len(fresh)} marks by reviewer {REVIEWER!r} to {meta.id} "
              f"({len(found) - len(fresh)} were there already){undo_hint}", file=sys.stderr)
    return EXIT_OK


def cmd_follow(ws: Workspace, args: argparse.Namespace) -> int:
    """Each plan of one report beside the next report's sentences that report it done."""
    earlier, later = ws.resolve(args.plan_report), ws.resolve(args.review_report)
    found = ws.follow(earlier.id, later.id)
    if args.json:
        print_json_items([f.to_json() for f in found])
        return EXIT_OK
    piped = not stdout_is_terminal()
    for item in found:
        plan = " ".join(item.plan.text.split())
        best = item.evidence[0] if item.evidence else None
        evidence = " ".join(best.passage.text.split()) if best else ""
        if piped:
            print("\t".join((str(item.plan.start), str(item.plan.end), item.verdict,
                             f"{best.score:.3f}" if best else "", plan, evidence)))
            continue
        print(f"{item.verdict:<9} {plan[:SUGGEST_QUOTE]}")
        for e in item.evidence:
            print(f"  {e.score:.2f}  {' '.join(e.passage.text.split())[:SUGGEST_QUOTE]}")
    counts = Counter(f.verdict for f in found)
    print(f"{len(found)} plans: {counts['kept']} kept, {counts['partly']} partly, "
          f"{counts['no_trace']} no trace", file=sys.stderr)
    return EXIT_OK


def cmd_agree(ws: Workspace, args: argparse.Namespace) -> int:
    """Agreement figures per report and overall, with a confusion matrix per pair."""
    from annotations.agreement import agreement_report

    report_ids = list(dict.fromkeys(ws.resolve(ref).id for ref in args.reports)) or None
    reviewers = ([person_name(n) for n in args.reviewers.split(",")]
                 if args.reviewers is not None else None)
    result = agreement_report(ws, report_ids, reviewers)
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    rows = [(r.title, r.figures) for r in result.reports] + [("overall", result.overall)]
    print_table(
        "agreement on sentences (κ, α) and on characters (u-α)",
        ("report", "reviewers", "sentences", "observed", "Cohen κ", "Fleiss κ", "α", "u-α"),
        [(title, ",".join(f.reviewers), str(f.units), figure(f.observed), figure(f.cohen_kappa),
          figure(f.fleiss_kappa), figure(f.krippendorff_alpha),
          figure(None if f.unitizing is None else f.unitizing.alpha)) for title, f in rows],
    )
    if result.overall.unitizing is not None:
        print_table(
            "u-α per tag (reports every reviewer marked)",
            ("tag", "observed D", "expected D", "u-α"),
            [(c.category, figure(c.observed, 5), figure(c.expected, 5), figure(c.alpha))
             for c in result.overall.unitizing.categories],
        )
    for pair in result.overall.pairs:
        a, b = pair.reviewers
        labels = pair.confusion.labels
        print_table(
            f"{a} (rows) × {b} (columns): {pair.units} sentences",
            (f"{a} \\ {b}", *labels),
            [(label, *map(str, counts)) for label, counts in zip(labels, pair.confusion.counts,
                                                                 strict=True)],
        )
    for report_id, title in result.skipped:
        print(f"skipped {report_id} {title}: fewer than two reviewers marked it", file=sys.stderr)
    return EXIT_OK


def figure(value: float | None, places: int = 3) -> str:
    """A coefficient for people; an undefined one (None) as an empty string."""
    return "" if value is None else f"{value:.{places}f}"


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Rich table on a terminal, else a `# title` line and tab-separated rows. Cells are
    never read as markup (they may hold report titles)."""
    if not stdout_is_terminal():
        print(f"# {title}")
        for row in (columns, *rows):
            print("\t".join(" ".join(cell.split()) for cell in row))
        print()
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), title_justify="left", header_style="bold")
    for k, name in enumerate(columns):
        numeric = all(cell.lstrip("-").replace(".", "", 1).isdigit() or not cell
                      for cell in (row[k] for row in rows))
        table.add_column(Text(name), justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console().print(table)


# -- the parser -------------------------------------------------------------------------

Command = Callable[[Workspace, argparse.Namespace], int]


def package_version() -> str:
    """The installed version of Shenyue."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shenyue")
    except PackageNotFoundError:
        return "unknown"


class VersionAction(argparse.Action):
    """`--version`: the version is looked up only when asked (its lookup is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str = "show the version and exit") -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        sys.stdout.write(f"shenyue {package_version()}\n")
        parser.exit()


Argument = tuple[tuple[str, ...], dict[str, Any]]


def arg(*flags: str, **options: Any) -> Argument:
    """One `add_argument` call, written down to be made only if its command is run."""
    return flags, options


REPORT_ARG = arg("report", metavar="REPORT", help="id, id prefix or part of the title")
REPORTS_ARG = arg("reports", nargs="+", metavar="REPORT", help="id, id prefix or part of the title")
JSON_ARG = arg("--json", action="store_true", help="JSON for scripts")
TAG_HELP = f"{' | '.join(t.value for t in Tag)} (or 成效/不足/计划)"
META_ARGS = [
    arg(f"--{name}", metavar=name.upper(),
        help=f"one of {', '.join(k.value for k in Kind)} (or 年度报告/工作要点/其他)"
        if name == "kind" else f"the corrected {name}")
    for name in META_FIELDS
]

# name: (function, help, arguments), in the order `shenyue --help` lists them
COMMANDS: dict[str, tuple[Command, str, list[Argument]]] = {
    "open": (cmd_open, "open the review app (the default)", [
        arg("report", nargs="?", help="open this report directly")]),
    "serve": (cmd_serve, "serve the app to web browsers (one app per tab, same workspace; "
              "no password)", [
        arg("--host", default="127.0.0.1",
            help="address to listen on (default 127.0.0.1: this machine only)"),
        arg("--port", type=int, default=8000, help="port to listen on (default 8000)")]),
    "import": (cmd_import, "import report files or folders (recursively)", [
        arg("paths", nargs="+", metavar="PATH")]),
    "list": (cmd_list, "list the reports", [
        arg("--json", action="store_true", help="a JSON array for scripts"),
        arg("--removed", action="store_true", help="the removed reports instead")]),
    "remove": (cmd_remove, "set reports aside: out of lists, lookup and export, their marks "
               "kept (`shenyue undo` or `shenyue restore` brings them back)", [REPORTS_ARG]),
    "restore": (cmd_remove, "bring removed reports back with their marks", [
        arg("reports", nargs="+", metavar="REPORT",
            help="id, id prefix or part of the title (`shenyue list --removed`)")]),
    "show": (cmd_show, "show a report's metadata and text or outline", [
        REPORT_ARG,
        arg("--outline", action="store_true", help="the section tree instead of the text"),
        JSON_ARG]),
    "meta": (cmd_meta, "show a report's title, place, year, issuer and kind and where each "
             "came from; correct them with the options (an empty value removes a correction)",
             [REPORT_ARG, *META_ARGS, JSON_ARG]),
    "annotate": (cmd_annotate, "mark a passage of a report", [
        REPORT_ARG,
        arg("--quote", metavar="TEXT", help="the passage, exactly as in the text"),
        arg("--start", metavar="N", type=int, help="first character (code points)"),
        arg("--end", metavar="M", type=int, help="one past the last character"),
        arg("--tag", required=True, help=TAG_HELP),
        arg("--comment", metavar="C", default="", help="a comment on the mark")]),
    "retag": (cmd_edit, "give one of your marks another tag (its comment stays)", [
        arg("mark", metavar="MARK", help="the mark's id (`shenyue lookup --json`)"),
        arg("tag", metavar="TAG", help=TAG_HELP)]),
    "join": (cmd_edit, "join your marks of one tag into one (comments kept); one mark with "
             "--start/--end extends it", [
        arg("marks", nargs="+", metavar="MARK"),
        arg("--start", metavar="N", type=int, help="cover from here too (code points)"),
        arg("--end", metavar="M", type=int, help="cover up to here too")]),
    "take-over": (cmd_edit, "copy a colleague's mark, comment included, as your own", [
        arg("mark", metavar="MARK", help="the mark's id")]),
    "lookup": (cmd_lookup, "find a phrase in marks and report texts (--reviewer filters by "
               "reviewer)", [
        arg("query", metavar="QUERY"),
        arg("--tag", help="only marks with this tag"),
        arg("--report", metavar="R", help="only this report"),
        arg("--limit", metavar="N", type=int, default=50, help="at most N hits (50)"),
        JSON_ARG]),
    "export": (cmd_export, "export marks (--reviewer filters by reviewer)", [
        arg("--format", choices=EXPORT_FORMATS, default="json"),
        arg("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)"),
        arg("--tag", help="only marks with this tag"),
        arg("--report", metavar="R", help="only this report")]),
    "memo": (cmd_memo, "write a review memo of one or more reports (several: compared) — "
             "Word, HTML or Markdown (--reviewer: only that reviewer's marks)", [
        REPORTS_ARG,
        arg("--format", choices=("docx", "html", "md"),
            help="default: from the file name's ending, else docx"),
        arg("--consensus", action="store_true",
            help="only the marks the reviewers agreed on (reviewer 'consensus')"),
        arg("-o", "--output", metavar="FILE",
            help="write to FILE (default: stdout; docx needs a file or a pipe)")]),
    "stats": (cmd_stats, "marks per tag and coverage per report and section, and marks per "
              "year of each place, as tables with bars (--reviewer: only that reviewer's)", [
        arg("reports", nargs="*", metavar="REPORT",
            help="id, id prefix or part of the title (default: every report with marks)"),
        JSON_ARG]),
    "merge": (cmd_merge, "merge native exports (json) from other reviewers", [
        arg("files", nargs="+", metavar="FILE")]),
    "sync": (cmd_sync, "exchange marks with the team through a git remote (set it up once "
             "with `sync init REMOTE`)", []),
    "suggest": (cmd_suggest, "suggest a tag for each sentence of a report (sentences with no "
                "tag are left out)", [
        REPORT_ARG,
        arg("--json", action="store_true",
            help='a JSON array of {"start", "end", "tag", "score", "reason"} (code points)'),
        arg("--apply", action="store_true",
            help="store the suggestions as marks by reviewer 'suggest' (one undo step)")]),
    "follow": (cmd_follow, "follow each plan of one report into the next report's review of "
               "what was done", [
        arg("plan_report", metavar="REPORT_N", help="the report whose plans to follow"),
        arg("review_report", metavar="REPORT_N1",
            help="the next report, whose review may report them done"),
        arg("--json", action="store_true",
            help='a JSON array of {"plan", "evidence", "verdict"} (code points)')]),
    "agree": (cmd_agree, "how far reviewers agree: per report and overall, with confusion "
              "matrices", [
        arg("reports", nargs="*", metavar="REPORT",
            help="id, id prefix or part of the title (default: every report with marks)"),
        arg("--reviewers", metavar="A,B",
            help="the reviewers to compare (default: all who marked but 'consensus' and "
                 "'suggest')"),
        JSON_ARG]),
    "undo": (cmd_undo, "undo your latest change", []),
    "redo": (cmd_undo, "redo the change you undid last", []),
}
COMMON_VALUED = ("--home", "--reviewer", "--lang")  # the options before a command that take a value


def build_parser(only: str | None = None) -> Parser:
    """The argument parser with every subcommand, or with `only` that one (a fresh process
    runs one command: making the others' parsers costs as much as a lookup's answer)."""
    common = Parser(add_help=False)
    common.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help="workspace folder (default: $SHENYUE_HOME or the user data folder)")
    common.add_argument("--reviewer", metavar="NAME", default=argparse.SUPPRESS,
                        help="reviewer name (default: $SHENYUE_REVIEWER, git user.name, login)")
    common.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                        help="interface language (default: from LANG/LC_ALL)")
    parser = Parser(prog="shenyue", parents=[common],
                    description="Review annual reports: read, tag, compare, export.")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (func, help_text, arguments) in COMMANDS.items():
        if only is not None and name != only:
            continue
        p: Parser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func)
        for flags, options in arguments:
            p.add_argument(*flags, **options)
        if name == "sync":
            actions = p.add_subparsers(dest="sync_command", metavar="init", parser_class=Parser)
            q = actions.add_parser("init", parents=[common], help="sync with this git remote",
                                   description="set up sync with a git remote: the path of a "
                                   "bare repository, or an ssh or https URL")
            q.add_argument("remote", metavar="REMOTE")
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` runs, found without a parser; None when it names none or asks
    for the overall help or version (then every command's parser is made)."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help", "--version"):
            return None
        if word in COMMON_VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """`argv` parsed by the parser of the command it names; by the whole parser when that
    fails, so that every mistake is told as the whole parser tells it."""
    only = command_named(argv)
    if only is not None:
        with suppress(UsageError):
            return build_parser(only).parse_args(argv)
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 user error, 2 usage)."""
    try:
        args = parse_arguments(sys.argv[1:] if argv is None else argv)
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
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of a pipe went away (`shenyue list | head`): not an error
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
