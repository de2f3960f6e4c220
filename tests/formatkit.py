"""Published versions of the seed reports, made here: a site's HTML page, a Word file, a PDF.

Each is built from a seed's text as the .txt import reads it, so a test can compare what
the published version yields with the text import paragraph for paragraph.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotations import ingest, structure

SEEDS = Path(__file__).parent.parent / "seeds"
# menu entries and footer words of the site around a report (none occurs in a seed)
SITE_CHROME = ("网站首页", "办事服务", "互动交流", "无障碍浏览", "联系我们", "网站地图", "相关文章")
PDF_HEADER = "法治政府建设年度报告"
PDF_FONT = "STSong-Light"


@dataclass(frozen=True)
class SeedLines:
    """A seed's lines as the .txt import sees them: body paragraphs and web chrome."""

    title: str
    lines: tuple[tuple[str, bool], ...]  # (stripped line, is chrome), blank lines left out

    @property
    def body(self) -> list[str]:
        """The report body's paragraphs, whitespace-stripped, chrome left out."""
        return [text for text, chrome in self.lines if not chrome]


def seed_lines(path: Path) -> SeedLines:
    """Read a seed as a text import and split its lines into body and chrome."""
    data = ingest.read_report_file(path)
    chrome = {span.start for span in data.boilerplate}
    lines: list[tuple[str, bool]] = []
    start = 0
    for line in data.text.split("\n"):
        if line.strip(" \u3000\xa0"):
            lines.append((line.strip(" \u3000\xa0"), start in chrome))
        start += len(line) + 1
    return SeedLines(data.title, tuple(lines))


def wrap(text: str, width: float, measure: Callable[[str], float] = len) -> list[str]:
    """A paragraph broken into lines at most `width` wide, never inside a Latin word."""
    lines: list[str] = []
    while text:
        fit = 1
        while fit < len(text) and measure(text[: fit + 1]) <= width:
            fit += 1
        cut = fit
        while 0 < cut < len(text) and text[cut - 1].isascii() and text[cut].isascii():
            cut -= 1
        cut = cut or fit
        lines.append(text[:cut])
        text = text[cut:]
    return lines


def source_lines(text: str, width: int = 40) -> str:
    """A paragraph as an editor saves it in HTML: broken between Chinese characters."""
    han = re.compile("[\u4e00-\u9fff]")
    lines, start = [], 0
    for cut in range(width, len(text), width):
        if han.match(text[cut - 1]) and han.match(text[cut]):
            lines.append(text[start:cut])
            start = cut
    return "\n".join([*lines, text[start:]])


def html_page(seed: SeedLines, *, encoding: str = "gbk", declare: bool = True) -> bytes:
    """A government-site page: header, navigation, breadcrumb, the report, sidebar, footer."""
    nav = "".join(
        f'<li><a href="/{i}">{html.escape(n)}</a></li>' for i, n in enumerate(SITE_CHROME)
    )
    body: list[str] = []
    for index, (text, chrome) in enumerate(seed.lines):
        escaped = html.escape(text)
        if chrome:
            body.append(f'<div class="info">{escaped}</div>')
        elif structure.heading_marker(text) and len(text) < structure.HEADING_MAX:
            body.append(f"<h3>&nbsp;&nbsp;{escaped}</h3>")
        elif index % 3 == 0:
            body.append(f"<p>\u3000\u3000<span>{source_lines(escaped)}</span></p>")
        else:
            body.append(f"<p style='text-indent:2em'>{source_lines(escaped)}</p>")
    charset = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    page = f"""<!DOCTYPE html>
<html><head>{charset if declare else ""}
<title>{html.escape(seed.title)}_某某市人民政府门户网站</title>
<meta name="ArticleTitle" content="{html.escape(seed.title)}">
<meta name="PubDate" content="2020-03-30 09:15">
<style>.nav li {{ float: left }}</style>
<script>var visits = "浏览次数统计脚本";</script>
</head><body>
<div class="top"><div class="logo"><a href="/">某某市人民政府</a></div>
<ul class="nav">{nav}</ul></div>
<div class="crumb"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 正文</div>
<div class="main"><div class="article" id="zoom">
{"".join(body)}
</div>
<div class="side"><h4>相关文章</h4><ul>{nav}</ul></div></div>
<div style="display:none">隐藏的二维码说明文字</div>
<footer><p>版权所有:某某市人民政府办公室 地址:某某路1号</p><a href="/map">网站地图</a></footer>
</body></html>"""
    return page.encode(encoding, errors="xmlcharrefreplace")


def docx_file(seed: SeedLines, table: list[list[str]]) -> bytes:
    """A Word draft of the report body: headings in Heading styles, then `table`."""
    import docx

    document = docx.Document()
    document.core_properties.title = seed.title
    for text in seed.body:
        marker = structure.heading_marker(text)
        if marker and len(text) < structure.HEADING_MAX:
            level = 1 if marker[0] in "一二三四五六七八九十" else 2
            document.add_heading(text, level=level)
        else:
            document.add_paragraph("\u3000\u3000" + text)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for row, values in zip(grid.rows, table, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_file(paragraphs: list[str], *, min_pages: int = 1, footer: str = "- {page} -") -> bytes:
    """A typeset report: indented paragraphs broken mid-sentence, a running header, page numbers.

    The paragraphs are repeated until the document has at least `min_pages` pages.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    size, margin = 12, 72
    line_width = width - 2 * margin

    def measure(text: str) -> float:
        return pdfmetrics.stringWidth(text, PDF_FONT, size)

    state = {"page": 1, "y": height - margin}

    def furniture() -> None:
        pdf.setFont(PDF_FONT, 9)
        pdf.drawCentredString(width / 2, height - 40, PDF_HEADER)
        pdf.drawCentredString(width / 2, 30, footer.format(page=state["page"]))
        pdf.setFont(PDF_FONT, size)

    def draw(x: float, text: str) -> None:
        pdf.drawString(x, state["y"], text)
        state["y"] -= size * 1.6
        if state["y"] < margin:
            pdf.showPage()
            state["page"] += 1
            state["y"] = height - margin
            furniture()

    furniture()
    while True:
        for text in paragraphs:
            first, *rest = wrap(text, line_width - 2 * size, measure)
            draw(margin + 2 * size, first)
            for line in wrap("".join(rest), line_width, measure):
                draw(margin, line)
        if state["page"] >= min_pages:
            break
    pdf.save()
    return out.getvalue()
