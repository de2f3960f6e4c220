"""The review memo: what reviewers hand on — a report's (or several reports') marks as a
document for someone else, in Word (docx), self-contained HTML or Markdown.

The memo is built once as a list of blocks (headings, field lists, tables, charts, quoted
passages); each format renders the same blocks, so the three never differ in content.
Everything from outside (report text, titles, comments, reviewer names) is escaped for the
format it goes into: HTML and SVG entities, Markdown backslashes, XML-valid characters only
in Word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from annotations.errors import UserError
from annotations.export import write_binary_output, write_output
from annotations.follow import FollowUp
from annotations.model import KIND_LABELS_ZH, TAG_LABELS_ZH, Annotation, Kind, ReportMeta, Tag
from annotations.qdpx import TAG_COLOURS
from annotations.stats import (
    PlaceYears,
    ReportStats,
    place_years,
    report_stats,
    section_of,
    section_spans,
)

if TYPE_CHECKING:
    from annotations.workspace import Workspace

MEMO_FORMATS = ("docx", "html", "md")
CONSENSUS = "consensus"
TAG_HEADINGS = {Tag.ACHIEVEMENT: "成效与举措", Tag.SHORTCOMING: "不足与问题",
                Tag.PLAN: "计划与安排"}
VERDICTS_ZH = {"kept": "已落实", "partly": "部分落实", "no_trace": "未见下文"}
BODY_FONT, HEADING_FONT = "宋体", "黑体"  # SimSun / SimHei: what Word and WPS expect in China
BODY_FONTS_CSS = '"SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif'
HEADING_FONTS_CSS = '"SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", sans-serif'
CHART_LABEL = 14  # characters of a chart's row label before it is cut
# characters XML 1.0 forbids (python-docx refuses them); report text is cleaned of controls
# at ingest, but a lone surrogate or U+FFFE could still come from a merged file
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")  # markup wherever it stands
# markup only at the start of a line: a list marker, a heading, a quote
MD_LINE_START = re.compile(r"^(\d+(?=[.)])|(?!\d))([.)#+=>!-])")


# -- the blocks ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading; level 0 is the memo's title."""

    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Fields:
    """Label: value lines (the title block)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table; columns from `numeric` on are figures (right-aligned)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: int


@dataclass(frozen=True, slots=True)
class Chart:
    """Bars of the marks per tag for each labelled group (HTML draws it; the others have
    the same figures in a table)."""

    title: str
    groups: tuple[tuple[str, dict[Tag, int]], ...]


@dataclass(frozen=True, slots=True)
class Passage:
    """A quoted passage and the lines under it (comment, reviewer, verdict…)."""

    quote: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Para:
    """A plain paragraph."""

    text: str


@dataclass(frozen=True, slots=True)
class Contents:
    """The table of contents (a field Word fills in; a list of links in HTML)."""


Block = Heading | Fields | Table | Chart | Passage | Para | Contents


# -- what goes into the memo -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemoReport:
    """One report of the memo: its figures, placed marks and orphans, and the follow-through
    of the previous year's plans where that report is in the workspace."""

    stats: ReportStats
    marks: tuple[tuple[Annotation, str, str], ...]  # mark, top-level section, section path
    orphans: tuple[Annotation, ...]
    previous: ReportMeta | None
    follow: tuple[FollowUp, ...]

    @property
    def meta(self) -> ReportMeta:
        """The report's metadata as corrected."""
        return self.stats.meta

    def reviewers(self) -> list[str]:
        """Who made the marks, in order of name."""
        return sorted({m.reviewer for m, _s, _p in self.marks} | {m.reviewer for m in self.orphans})


@dataclass(frozen=True, slots=True)
class Memo:
    """The reports of a memo, their places' figures per year, and its date."""

    reports: tuple[MemoReport, ...]
    places: tuple[PlaceYears, ...]
    day: str

    def reviewers(self) -> list[str]:
        """Everyone whose marks are in the memo."""
        return sorted({name for r in self.reports for name in r.reviewers()})


def previous_year(meta: ReportMeta, metas: Sequence[ReportMeta]) -> ReportMeta | None:
    """The report of the same place a year earlier (an annual report before a work plan)."""
    if not meta.place or meta.year is None:
        return None
    found = [m for m in metas if m.place == meta.place and m.year == meta.year - 1]
    found.sort(key=lambda m: (m.kind != Kind.ANNUAL_REPORT.value, m.title, m.id))
    return found[0] if found else None


def build_memo(ws: Workspace, report_ids: Sequence[str], reviewer: str | None = None,
               day: str | None = None) -> Memo:
    """The memo of these reports from the marks of `reviewer` (None: everyone's)."""
    if not report_ids:
        raise UserError("memo.no_reports")
    metas = ws.reports()
    reports = []
    for report_id in dict.fromkeys(report_ids):
        report = ws.report(report_id)
        marks = ws.annotations(report_id, reviewer=reviewer)
        spans = section_spans(report)
        placed = tuple((m, section_of(spans, m.start), report.section_title(m.start))
                       for m in marks if not m.orphan)
        before = previous_year(report.meta, metas)
        follow = tuple(ws.follow(before.id, report.id)) if before is not None else ()
        reports.append(MemoReport(report_stats(report, marks), placed,
                                  tuple(m for m in marks if m.orphan), before, follow))
    return Memo(tuple(reports), place_years(r.stats for r in reports),
                day or date.today().isoformat())


def share(value: float) -> str:
    """A share as a percentage for people."""
    return f"{value:.0%}"


def count_row(label: str, counts: dict[Tag, int], *rest: str) -> tuple[str, ...]:
    """A table row: the label, the count of each tag, the total, then `rest`."""
    return (label, *(str(counts[t]) for t in Tag), str(sum(counts.values())), *rest)


TAG_COLUMNS = tuple(TAG_LABELS_ZH[t] for t in Tag)


def title_block(meta: ReportMeta, reviewers: Sequence[str], day: str) -> Fields:
    """Place, year, issuer, document number, reviewers and date."""
    kind = KIND_LABELS_ZH.get(Kind(meta.kind)) if meta.kind else None
    rows = (("报告", meta.title), ("地区", meta.place or "—"),
            ("年度", str(meta.year) if meta.year is not None else "—"),
            ("类型", kind or "—"), ("发布机关", meta.issuer or "—"),
            ("文号", meta.doc_number or "—"), ("发布日期", meta.published or "—"),
            ("审阅人", "、".join(reviewers) or "—"), ("备忘录日期", day))
    return Fields(rows)


def passage_notes(mark: Annotation, where: str) -> tuple[str, ...]:
    """The comment (if any), then reviewer, date and the section path of a mark."""
    byline = f"审阅人：{mark.reviewer} · {mark.updated[:10]}" + (f" · {where}" if where else "")
    return ((f"批注：{mark.comment}",) if mark.comment else ()) + (byline,)


def report_blocks(item: MemoReport, level: int, day: str, alone: bool) -> list[Block]:
    """The part of the memo about one report, its headings from `level` on."""
    stats = item.stats
    blocks: list[Block] = []
    if not alone:
        blocks += [Heading(level, stats.meta.title),
                   title_block(stats.meta, item.reviewers(), day)]
        level += 1
    blocks += [
        Heading(level, "标记统计"),
        Para(f"共 {stats.total} 处标记，覆盖 {stats.sentences} 句中的 {share(stats.coverage)}"
             + (f"；另有 {stats.orphans} 处标记无法在现行文本中定位（见附录）。"
                if stats.orphans else "。")),
        Table(("章节", *TAG_COLUMNS, "合计", "句数", "覆盖率"),
              (*(count_row(s.title, s.counts, str(s.sentences), share(s.coverage))
                 for s in stats.sections),
               count_row("全文", stats.counts, str(stats.sentences), share(stats.coverage))),
              1),
        Chart(f"各章节标记数：{stats.meta.title}",
              tuple((s.title, s.counts) for s in stats.sections if sum(s.counts.values()))),
    ]
    for tag in Tag:
        tagged = [(m, section, where) for m, section, where in item.marks if m.tag is tag]
        blocks.append(Heading(level, f"{TAG_HEADINGS[tag]}（{len(tagged)}）"))
        if not tagged:
            blocks.append(Para("无。"))
        sections: dict[str, list[Passage]] = {}
        for m, section, where in tagged:
            sections.setdefault(section, []).append(
                Passage(m.quote, passage_notes(m, "" if where == section else where)))
        for section, passages in sections.items():
            blocks += [Heading(level + 1, section), *passages]
    if item.previous is not None:
        before = item.previous
        blocks += [Heading(level, f"上年计划落实情况（{before.year}年：{before.title}）")]
        if not item.follow:
            blocks.append(Para("上年报告中未找到计划。"))
        counts = {v: sum(1 for f in item.follow if f.verdict == v) for v in VERDICTS_ZH}
        if item.follow:
            blocks.append(Para("，".join(f"{VERDICTS_ZH[v]} {n} 项" for v, n in counts.items())
                               + "。"))
        for f in item.follow:
            decided = "（审阅人判断）" if f.decided else ""
            notes = [f"判断：{VERDICTS_ZH.get(f.verdict, f.verdict)}{decided}"]
            if f.evidence:
                best = f.evidence[0]
                why = "（审阅人确认）" if best.confirmed else f"（相似度 {best.score:.2f}）"
                notes.append(f"依据：{best.passage.text.strip()}{why}")
            blocks.append(Passage(f.plan.text, tuple(notes)))
    if item.orphans:
        blocks.append(Heading(level, f"附录：无法定位的标记（{len(item.orphans)}）"))
        blocks.append(Para("报告文本更新后，以下标记在现行文本中找不到原文，按原引文列出。"))
        blocks += [Passage(m.quote, (f"标签：{TAG_LABELS_ZH[m.tag]}", *passage_notes(m, "")))
                   for m in item.orphans]
    return blocks


def memo_blocks(memo: Memo) -> list[Block]:
    """The whole memo as blocks: title, title block, contents, then the report(s)."""
    if len(memo.reports) == 1:
        only = memo.reports[0]
        return [Heading(0, f"审阅备忘录：{only.meta.title}"),
                title_block(only.meta, only.reviewers(), memo.day), Contents(),
                *report_blocks(only, 1, memo.day, alone=True)]
    blocks: list[Block] = [
        Heading(0, f"审阅备忘录：{len(memo.reports)} 份报告比较"),
        Fields((("审阅人", "、".join(memo.reviewers()) or "—"), ("备忘录日期", memo.day))),
        Contents(),
        Heading(1, "比较"),
        Table(("报告", "地区", "年度", *TAG_COLUMNS, "合计", "覆盖率"),
              tuple((r.meta.title, r.meta.place or "—", str(r.meta.year or "—"),
                     *count_row("", r.stats.counts, share(r.stats.coverage))[1:])
                    for r in memo.reports), 3),
        Chart("各报告标记数", tuple((r.meta.title, r.stats.counts) for r in memo.reports)),
    ]
    for place in memo.places:
        blocks += [Heading(2, f"{place.place}：逐年标记数"),
                   Table(("年度", *TAG_COLUMNS, "合计"),
                         tuple(count_row(str(y), c) for y, c in place.years), 1),
                   Chart(f"{place.place}：逐年标记数",
                         tuple((str(y), c) for y, c in place.years))]
    for item in memo.reports:
        blocks += report_blocks(item, 1, memo.day, alone=False)
    return blocks


# -- Markdown ------------------------------------------------------------------------------


def md_text(text: str) -> str:
    """One line of Markdown: whitespace collapsed, markup characters backslash-escaped (so
    `<script>` or `[x](y)` in a report stays text)."""
    escaped = MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return MD_LINE_START.sub(r"\1\\\2", escaped)


def render_md(blocks: Sequence[Block], out: IO[str]) -> None:
    """The blocks as CommonMark."""
    for block in blocks:
        if isinstance(block, Heading):
            out.write(f"{'#' * (block.level + 1)} {md_text(block.text)}\n\n")
        elif isinstance(block, Fields):
            out.write("".join(f"- **{md_text(k)}**：{md_text(v)}\n" for k, v in block.rows) + "\n")
        elif isinstance(block, Table):
            out.write("| " + " | ".join(md_text(c) for c in block.columns) + " |\n")
            out.write("|" + "|".join("---:" if k >= block.numeric else "---"
                                     for k in range(len(block.columns))) + "|\n")
            for row in block.rows:
                out.write("| " + " | ".join(md_text(c) for c in row) + " |\n")
            out.write("\n")
        elif isinstance(block, Passage):
            out.write(f"> {md_text(block.quote)}\n\n")
            out.write("".join(f"{md_text(n)}  \n" for n in block.notes) + "\n")
        elif isinstance(block, Para):
            out.write(md_text(block.text) + "\n\n")


# -- HTML ----------------------------------------------------------------------------------

CSS = f"""
body {{ font-family: {BODY_FONTS_CSS}; font-size: 12pt; line-height: 1.7; color: #111;
       max-width: 50em; margin: 2em auto; padding: 0 1em; }}
h1, h2, h3, h4 {{ font-family: {HEADING_FONTS_CSS}; line-height: 1.3; break-after: avoid; }}
h1 {{ font-size: 20pt; text-align: center; }}
h2 {{ font-size: 16pt; border-bottom: 1px solid #999; margin-top: 1.6em; }}
h3 {{ font-size: 14pt; }} h4 {{ font-size: 12pt; }}
dl.fields {{ display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; }}
dl.fields dt {{ font-family: {HEADING_FONTS_CSS}; }} dl.fields dd {{ margin: 0; }}
table {{ border-collapse: collapse; margin: .8em 0; break-inside: avoid; }}
th, td {{ border: 1px solid #888; padding: .2em .5em; vertical-align: top; }}
th {{ background: #eee; font-family: {HEADING_FONTS_CSS}; font-weight: normal; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
blockquote {{ margin: .8em 0 .2em; padding: .2em .8em; border-left: 4px solid #888;
             background: #f6f6f6; }}
p.note {{ margin: 0 0 0 1.2em; color: #444; font-size: 10.5pt; }}
figure {{ margin: 1em 0; break-inside: avoid; }} figcaption {{ font-size: 10.5pt; }}
nav ul {{ list-style: none; padding-left: 0; }} nav li.l2 {{ padding-left: 1.5em; }}
nav li.l3 {{ padding-left: 3em; }}
@media print {{ body {{ max-width: none; margin: 0; }} a {{ color: inherit;
  text-decoration: none; }} blockquote {{ background: none; }} }}
@page {{ size: A4; margin: 2.5cm 2.2cm; }}
"""


def esc(text: str) -> str:
    """Text as HTML/SVG character data or attribute value."""
    return html.escape(text, quote=True)


def cut(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def svg_chart(chart: Chart) -> str:
    """Horizontal bars, one per tag for each group, as inline SVG (labels escaped)."""
    label_w, bar_w, row_h, gap = 230, 380, 11, 8
    top = 26
    most = max((n for _label, counts in chart.groups for n in counts.values()), default=0) or 1
    height = top + len(chart.groups) * (3 * row_h + gap) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 40} '
             f'{height}" width="100%" role="img" aria-label="{esc(chart.title)}" '
             f'font-size="11" font-family="{esc(BODY_FONTS_CSS)}">']
    for k, tag in enumerate(Tag):  # the legend
        x = label_w + k * 90
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{TAG_COLOURS[tag]}"/>'
                     f'<text x="{x + 14}" y="15">{esc(TAG_LABELS_ZH[tag])}</text>')
    y = top
    for label, counts in chart.groups:
        parts.append(f'<text x="{label_w - 6}" y="{y + 1.5 * row_h + 4}" text-anchor="end">'
                     f'<title>{esc(label)}</title>{esc(cut(label, CHART_LABEL))}</text>')
        for k, tag in enumerate(Tag):
            width = bar_w * counts[tag] / most
            parts.append(f'<rect x="{label_w}" y="{y + k * row_h}" width="{width:.1f}" '
                         f'height="{row_h - 2}" fill="{TAG_COLOURS[tag]}"/>'
                         f'<text x="{label_w + width + 4:.1f}" y="{y + k * row_h + row_h - 3}" '
                         f'font-size="9">{counts[tag]}</text>')
        y += 3 * row_h + gap
    parts.append("</svg>")
    return "".join(parts)


def render_html(blocks: Sequence[Block], out: IO[str]) -> None:
    """The blocks as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    title = next((b.text for b in blocks if isinstance(b, Heading)), "审阅备忘录")
    out.write('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
              '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
              f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n")
    headings = [(k, b) for k, b in enumerate(blocks) if isinstance(b, Heading) and b.level]
    for k, block in enumerate(blocks):
        if isinstance(block, Heading):
            out.write(f'<h{block.level + 1} id="h{k}">{esc(block.text)}</h{block.level + 1}>\n')
        elif isinstance(block, Fields):
            out.write('<dl class="fields">' + "".join(
                f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in block.rows)
                + "</dl>\n")
        elif isinstance(block, Contents):
            out.write("<nav><h2>目录</h2><ul>" + "".join(
                f'<li class="l{h.level}"><a href="#h{n}">{esc(h.text)}</a></li>'
                for n, h in headings if h.level <= 3) + "</ul></nav>\n")
        elif isinstance(block, Table):
            out.write("<table><thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in block.columns)
                      + "</tr></thead><tbody>\n")
            for row in block.rows:
                out.write("<tr>" + "".join(
                    f'<td{" class=n" if n >= block.numeric else ""}>{esc(c)}</td>'
                    for n, c in enumerate(row)) + "</tr>\n")
            out.write("</tbody></table>\n")
        elif isinstance(block, Chart):
            if block.groups:
                out.write(f"<figure>{svg_chart(block)}<figcaption>{esc(block.title)}"
                          "</figcaption></figure>\n")
        elif isinstance(block, Passage):
            out.write(f"<blockquote>{esc(block.quote)}</blockquote>\n")
            out.write("".join(f'<p class="note">{esc(n)}</p>\n' for n in block.notes))
        else:
            out.write(f"<p>{esc(block.text)}</p>\n")
    out.write("</body>\n</html>\n")


# -- Word ----------------------------------------------------------------------------------


def xml_text(text: str) -> str:
    """Text Word can hold: characters XML forbids are left out."""
    return NOT_XML.sub("", text)


def set_fonts(style: Any, latin: str, east_asian: str, size: float | None = None) -> None:
    """A style's fonts: `latin` for Western text, `east_asian` (w:eastAsia) for Chinese."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names above
    style.font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        style.font.size = Pt(size)


def add_toc(document: Any) -> None:
    """A table-of-contents field (headings 1–3) that Word and WPS fill in when the file is
    opened (the settings ask them to update fields); until then it shows a hint."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph()

    def field_char(kind: str) -> Any:
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")
        run._r.append(char)
        return run

    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-3" \\h \\z \\u'
    paragraph.add_run()._r.append(instr)
    field_char("separate")
    paragraph.add_run("（打开文件时更新目录；或右键点击此处选择“更新域”。）")
    field_char("end")
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


MARGIN_CM = 2.5
FIGURE_CM = 1.6  # a column of figures; the text columns share the rest of the line


def column_widths(table: Table) -> list[float]:
    """The widths (cm) of a table's columns on an A4 page: figures narrow, text wide."""
    figures = len(table.columns) - table.numeric
    text = (21 - 2 * MARGIN_CM - figures * FIGURE_CM) / table.numeric
    return [text] * table.numeric + [FIGURE_CM] * figures


def render_docx(blocks: Sequence[Block], out: IO[bytes]) -> None:
    """The blocks as a Word document: Title and Heading 1–3 styles, a TOC field, tables in
    Table Grid, passages in the Quote style; 宋体 body and 黑体 headings."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)  # A4, as offices print
    page.left_margin = page.right_margin = Cm(MARGIN_CM)
    styles = document.styles
    set_fonts(styles["Normal"], "Times New Roman", BODY_FONT, 11)
    set_fonts(styles["Quote"], "Times New Roman", BODY_FONT)
    set_fonts(styles["Title"], "Arial", HEADING_FONT, 20)
    for level, size in ((1, 16), (2, 14), (3, 12), (4, 12)):
        set_fonts(styles[f"Heading {level}"], "Arial", HEADING_FONT, size)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(xml_text(block.text), min(block.level, 4))
        elif isinstance(block, Fields):
            for label, value in block.rows:
                paragraph = document.add_paragraph()
                paragraph.add_run(xml_text(f"{label}：")).bold = True
                paragraph.add_run(xml_text(value))
                paragraph.paragraph_format.space_after = Pt(0)
        elif isinstance(block, Contents):
            document.add_heading("目录", 1)
            add_toc(document)
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.columns), style="Table Grid")
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False
            for cell, name in zip(table.rows[0].cells, block.columns, strict=True):
                cell.paragraphs[0].add_run(xml_text(name)).bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for n, (cell, value) in enumerate(zip(cells, row, strict=True)):
                    cell.text = xml_text(value)
                    if n >= block.numeric:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for column, width in zip(table.columns, column_widths(block), strict=True):
                column.width = Cm(width)  # the grid, which LibreOffice reads
                for cell in column.cells:  # the cells, which Word reads
                    cell.width = Cm(width)
            document.add_paragraph()
        elif isinstance(block, Passage):
            document.add_paragraph(xml_text(block.quote), style="Quote")
            for note in block.notes:
                paragraph = document.add_paragraph(xml_text(note))
                paragraph.paragraph_format.left_indent = Pt(24)
        elif isinstance(block, Para):
            document.add_paragraph(xml_text(block.text))
    document.core_properties.title = xml_text(
        next((b.text for b in blocks if isinstance(b, Heading)), "审阅备忘录"))
    document.save(out)


# -- writing a memo ------------------------------------------------------------------------


def memo_format(fmt: str | None, path: str | Path | None) -> str:
    """The format asked for, else the one the file name ends in, else docx."""
    if fmt is None:
        suffix = Path(str(path)).suffix.lower().lstrip(".") if path not in (None, "-") else ""
        fmt = {"htm": "html", "markdown": "md"}.get(suffix, suffix) or "docx"
        if fmt not in MEMO_FORMATS:
            fmt = "docx"
    if fmt not in MEMO_FORMATS:
        raise UserError("memo.unknown_format", fmt=fmt, formats=", ".join(MEMO_FORMATS))
    return fmt


def write_memo(ws: Workspace, report_ids: Sequence[str], path: str | Path | None,
               fmt: str | None = None, reviewer: str | None = None) -> Memo:
    """Write the memo of these reports (marks of `reviewer`, None: everyone's) to `path`
    (None or "-": stdout; docx only to a file or a pipe), replaced atomically."""
    fmt = memo_format(fmt, path)
    memo = build_memo(ws, report_ids, reviewer)
    blocks = memo_blocks(memo)
    if fmt == "docx":
        write_binary_output(path, fmt, lambda out: render_docx(blocks, out))
    else:
        render: Callable[[Sequence[Block], IO[str]], None] = (
            render_html if fmt == "html" else render_md)
        write_output(path, fmt, lambda out: render(blocks, out))
    return memo
