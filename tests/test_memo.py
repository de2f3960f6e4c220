"""The review memo (annotations/memo.py) and the figures under it (annotations/stats.py):
content, escaping, Word structure, and the Word file through LibreOffice to PDF text."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from lxml import etree

from annotations.memo import CONSENSUS, build_memo, memo_blocks, render_html, write_memo
from annotations.model import Annotation, Tag
from annotations.stats import OPENING, workspace_stats
from annotations.workspace import Workspace
from tui.cli import main

HOSTILE = "<script>alert(1)</script> [/] [bold]粗[/bold] \x1b[31m红 & =1+1"
REVIEWERS = ("王<b>", "李")


def seed(ws: Workspace, name: str) -> str:
    """The id of the seed report whose file name contains `name`."""
    return next(m.id for m in ws.reports() if name in Path(m.source or "").name)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """The seeds with 20 marks on changzhou-2017 by two reviewers; every other mark carries a
    comment, some of them hostile."""
    ws = Workspace.open(tmp_path / "ws", reviewer=REVIEWERS[0])
    rid = seed(ws, "changzhou")
    sentences = ws.report(rid).sentences
    ws.annotate_many(
        {"report_id": rid, "start": s.start, "end": s.end, "tag": list(Tag)[k % 3],
         "reviewer": REVIEWERS[k % 2],
         "comment": (HOSTILE if k % 4 == 0 else f"数量可核实,但未说明质量{k}") if k % 2 == 0
         else ""}
        for k, s in enumerate(sentences[5:85:4]))
    return ws


def marks_of(ws: Workspace, name: str) -> list[Annotation]:
    return ws.annotations(seed(ws, name))


def flat(text: str) -> str:
    """Text without any whitespace (PDF text and Markdown break and space lines freely)."""
    return re.sub(r"\s+", "", text)


def test_counts_per_tag_and_section(ws: Workspace) -> None:
    marks = marks_of(ws, "changzhou")
    assert len(marks) == 20
    stats = workspace_stats(ws)
    [report] = stats.reports
    assert report.counts == Counter(m.tag for m in marks)
    assert sum(sum(s.counts.values()) for s in report.sections) == 20
    assert report.sections[0].title == OPENING  # the metadata table before the first heading
    assert 0 < report.coverage < 1
    assert report.to_json()["marks"] == 20
    # with a reviewer, only theirs
    assert workspace_stats(ws, reviewer="李").reports[0].total == 10


def test_places_count_per_year(ws: Workspace) -> None:
    changzhou, dalian = seed(ws, "changzhou"), seed(ws, "dalian")
    ws.correct(dalian, place="常州市", year=2016)
    ws.annotate(dalian, 0, 5, Tag.PLAN)
    [place] = workspace_stats(ws).places
    assert place.place == "常州市"
    assert [year for year, _counts in place.years] == [2016, 2017]
    assert place.years[0][1][Tag.PLAN] == 1
    assert workspace_stats(ws, [changzhou]).places == ()


def test_markdown_quotes_every_passage_and_comment_and_escapes_markup(
    ws: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "memo.md"
    write_memo(ws, [seed(ws, "changzhou")], out)
    text = out.read_text(encoding="utf-8")
    unescaped = flat(re.sub(r"\\(.)", r"\1", text))
    for m in marks_of(ws, "changzhou"):
        assert flat(m.quote) in unescaped
        assert flat(m.comment) in unescaped
    assert "<script>" not in text and r"\<script\>" in text and r"\[/\]" in text
    assert "\x1b" not in text
    for name in REVIEWERS:
        assert flat(name) in unescaped
    assert "| 全文 | 7 | 7 | 6 | 20 |" in text  # counts per tag, then the total


def test_html_is_one_escaped_page_with_charts(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "memo.html"
    write_memo(ws, [seed(ws, "changzhou")], out, "html")
    text = out.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text and "<style>" in text
    assert "<script" not in text and "\x1b" not in text
    assert "&lt;script&gt;" in text and "王&lt;b&gt;" in text
    assert not re.search(r"""(src|href)=["'](?!#)""", text)  # nothing loaded from elsewhere
    page = etree.fromstring(text.encode(), etree.HTMLParser())
    body = flat(html.unescape("".join(page.itertext())))
    for m in marks_of(ws, "changzhou"):
        assert flat(m.quote) in body and flat(m.comment) in body
    svgs = page.findall(".//svg")
    assert svgs and all(len(s.findall(".//rect")) >= 3 for s in svgs)
    assert "SimSun" in text and "SimHei" in text


def test_hostile_title_in_chart_labels_is_escaped(ws: Workspace) -> None:
    rid = seed(ws, "changzhou")
    ws.correct(rid, title='常州"><script>x</script>')
    memo = build_memo(ws, [rid, seed(ws, "dalian")])
    out = io.StringIO()
    render_html(memo_blocks(memo), out)
    assert "<script" not in out.getvalue()
    assert "常州&quot;&gt;&lt;script&gt;" in out.getvalue()


def test_several_reports_make_one_comparing_memo(ws: Workspace, tmp_path: Path) -> None:
    ids = [seed(ws, "changzhou"), seed(ws, "qingyuan")]
    ws.annotate(ids[1], 0, 4, Tag.ACHIEVEMENT, "清远批注")
    out = tmp_path / "memo.md"
    memo = write_memo(ws, ids, out)
    text = out.read_text(encoding="utf-8")
    assert len(memo.reports) == 2
    assert text.index("## 比较") < text.index("## 常州") < text.index("## 清远")
    assert "清远批注" in text


def test_follow_through_of_the_previous_year_and_orphans(ws: Workspace, tmp_path: Path) -> None:
    changzhou, changhai = seed(ws, "changzhou"), seed(ws, "changhai")
    ws.correct(changhai, place="常州市", year=2016, kind="work_plan")
    plan = ws.report(changhai).sentences[6]
    ws.annotate(changhai, plan.start, plan.end, Tag.PLAN)
    [item] = build_memo(ws, [changzhou]).reports
    assert item.previous is not None and item.previous.id == changhai
    assert len(item.follow) == 1
    out = tmp_path / "memo.md"
    write_memo(ws, [changzhou], out)
    text = out.read_text(encoding="utf-8")
    assert "## 上年计划落实情况（2016年" in text and "判断：" in text
    # an orphan: a new version of a report without the marked sentence
    source = tmp_path / "r.txt"
    source.write_text("一、成效\n我们审查规范性文件65件。\n二、不足\n复议规范化程度不高。\n",
                      encoding="utf-8")
    report = ws.import_report(source)
    ws.annotate(report.id, 8, 20, Tag.ACHIEVEMENT, "孤立的批注")
    source.write_text("一、成效\n全新的内容。\n二、不足\n复议规范化程度不高。\n", encoding="utf-8")
    ws.import_report(source)
    write_memo(ws, [report.id], out)
    text = out.read_text(encoding="utf-8")
    assert "## 附录：无法定位的标记（1）" in text and "孤立的批注" in text


def test_reviewer_and_consensus_choose_the_marks(ws: Workspace, tmp_path: Path) -> None:
    rid = seed(ws, "changzhou")
    ws.annotate(rid, 0, 3, Tag.PLAN, "一致意见", reviewer=CONSENSUS)
    out = tmp_path / "memo.md"
    home = str(ws.home)
    assert main(["--home", home, "memo", "常州", "--consensus", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "一致意见" in text and "数量可核实" not in text
    assert main(["--home", home, "--reviewer", "李", "memo", "常州", "-o", str(out)]) == 0
    assert "一致意见" not in out.read_text(encoding="utf-8")
    assert main(["--home", home, "--reviewer", "李", "memo", "常州", "--consensus",
                 "-o", str(out)]) == 2


def test_memo_format_from_the_file_name_and_docx_refuses_a_terminal(
    ws: Workspace, tmp_path: Path
) -> None:
    home = str(ws.home)
    for name in ("m.html", "m.md", "m.docx"):
        assert main(["--home", home, "memo", "常州", "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / "m.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "m.docx").read_bytes()[:2] == b"PK"
    assert main(["--home", home, "memo", "常州", "--format", "pdf"]) == 2


def test_docx_has_heading_styles_toc_field_and_chinese_fonts(
    ws: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "memo.docx"
    write_memo(ws, [seed(ws, "changzhou")], out)
    document = docx.Document(str(out))
    styles = {p.style.name for p in document.paragraphs if p.style is not None}
    assert {"Title", "Heading 1", "Heading 2", "Quote"} <= styles
    body = document.element.body.xml
    assert 'TOC \\o "1-3"' in body and 'w:fldCharType="begin"' in body
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    fonts = {name: document.styles[name].element.rPr.find(f"{ns}rFonts").get(f"{ns}eastAsia")
             for name in ("Normal", "Heading 1", "Title")}
    assert fonts == {"Normal": "宋体", "Heading 1": "黑体", "Title": "黑体"}
    text = flat("".join(p.text for p in document.paragraphs))
    for m in marks_of(ws, "changzhou"):
        assert flat(m.quote) in text and flat(m.comment) in text
    tables = flat("".join(c.text for t in document.tables for r in t.rows for c in r.cells))
    assert "全文776" in tables  # 成效 7, 不足 7, 计划 6


@pytest.mark.slow
def test_docx_through_libreoffice_to_pdf_keeps_every_passage_and_comment(
    ws: Workspace, tmp_path: Path
) -> None:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        missing = "soffice (libreoffice-writer)" if soffice is None else "pdftotext (poppler-utils)"
        print(f"skipped: {missing} is not installed; .ci/run installs it")
        pytest.skip(f"{missing} is not installed")
    out = tmp_path / "memo.docx"
    write_memo(ws, [seed(ws, "changzhou")], out)
    profile = tmp_path / "lo-profile"  # its own profile: no clash with a running LibreOffice
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = subprocess.run([pdftotext, str(tmp_path / "memo.pdf"), "-"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    text = flat(pdf)
    for m in marks_of(ws, "changzhou"):
        assert flat(m.quote) in text, m.quote
        assert flat(m.comment) in text, m.comment
