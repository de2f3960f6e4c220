"""Reports as published: HTML pages, Word files and PDFs import like their text versions."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotations import formats
from annotations.errors import IngestError
from annotations.ingest import read_report_file
from annotations.model import Report, Section, Tag
from annotations.workspace import Workspace
from tests.formatkit import (
    PDF_HEADER,
    SEEDS,
    SITE_CHROME,
    SeedLines,
    docx_file,
    html_page,
    pdf_file,
    seed_lines,
)
from tui.cli import main

SEED_FILES = sorted(SEEDS.glob("*.txt"))
TABLE = [["项目", "数量"], ["审查规范性文件", "65件"]]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester")


def text_report(ws: Workspace, seed: Path) -> Report:
    """The seed as the workspace imported it from its .txt file."""
    meta = next(m for m in ws.reports() if Path(m.source or "").name == seed.name)
    return ws.report(meta.id)


def body_lines(report: Report) -> list[str]:
    """The report's non-blank lines outside web chrome, whitespace-stripped."""
    chrome = {span.start for span in report.boilerplate}
    lines, start = [], 0
    for line in report.text.split("\n"):
        if line.strip() and start not in chrome:
            lines.append(line.strip(" \u3000\xa0"))
        start += len(line) + 1
    return lines


def outline(sections: tuple[Section, ...]) -> list[Any]:
    return [(s.title, s.level, outline(s.children)) for s in sections]


def import_bytes(ws: Workspace, path: Path, data: bytes) -> Report:
    path.write_bytes(data)
    return ws.import_report(path)


# -- each format against the text import -------------------------------------------------


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize(("encoding", "declared"), [("gbk", True), ("gbk", False), ("utf-8", True)])
def test_html_page_yields_the_report_body(
    ws: Workspace, tmp_path: Path, seed: Path, encoding: str, declared: bool
) -> None:
    lines = seed_lines(seed)
    path = tmp_path / f"{seed.stem}.html"
    report = import_bytes(ws, path, html_page(lines, encoding=encoding, declare=declared))
    original = text_report(ws, seed)
    assert body_lines(report) == body_lines(original) == lines.body
    assert outline(report.sections) == outline(original.sections)
    assert report.title == original.title
    # a declared GBK is read as its superset GB18030; undeclared, it is detected
    expected = {"utf-8": {"html:utf-8"}, "gbk": {"html:gb18030"} if declared else {"html:gbk"}}
    assert read_report_file(path).encoding in expected[encoding]
    for chrome in (*SITE_CHROME, "版权所有", "浏览次数统计脚本", "隐藏的二维码"):
        assert chrome not in report.text


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_word_file_yields_paragraphs_headings_and_table_rows(
    ws: Workspace, tmp_path: Path, seed: Path
) -> None:
    lines = seed_lines(seed)
    path = tmp_path / f"{seed.stem}.docx"
    report = import_bytes(ws, path, docx_file(lines, TABLE))
    original = text_report(ws, seed)
    assert report.text.split("\n") == [*lines.body, "项目 数量", "审查规范性文件 65件"]
    assert outline(report.sections) == outline(original.sections)
    assert read_report_file(path).encoding == "docx" and "\t" not in report.text


def without_layout_spaces(line: str) -> str:
    """A PDF's text layer has no space between two Chinese characters (documented)."""
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", line)


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_pdf_lines_rejoin_into_the_report_paragraphs(
    ws: Workspace, tmp_path: Path, seed: Path
) -> None:
    lines = seed_lines(seed)
    path = tmp_path / f"{seed.stem}.pdf"
    report = import_bytes(ws, path, pdf_file(lines.body, min_pages=2))
    original = text_report(ws, seed)
    assert report.text.split("\n") == [without_layout_spaces(line) for line in lines.body]
    assert outline(report.sections) == outline(original.sections)
    assert read_report_file(path).encoding == "pdf"


@pytest.mark.parametrize("footer", ["- {page} -", "第{page}页", "{page}"])
def test_pdf_running_header_and_page_numbers_are_dropped(tmp_path: Path, footer: str) -> None:
    lines = seed_lines(SEEDS / "dalian-2017.txt")
    path = tmp_path / "dalian.pdf"
    path.write_bytes(pdf_file(lines.body, min_pages=12, footer=footer))
    text = read_report_file(path).text
    paragraphs = text.split("\n")
    body = [without_layout_spaces(line) for line in lines.body]
    assert paragraphs == (body * (len(paragraphs) // len(body) + 1))[: len(paragraphs)]
    assert len(paragraphs) >= 2 * len(body)
    assert PDF_HEADER not in text
    assert not re.search(r"^\s*(?:- ?\d+ ?-|第\d+页|\d+)\s*$", text, re.MULTILINE)


# -- HTML details --------------------------------------------------------------------------


def html_text(markup: str, encoding: str = "utf-8") -> formats.Extracted:
    return formats.extract_text(Path("page.html"), markup.encode(encoding))


def test_html_tables_become_rows_and_breaks_paragraphs() -> None:
    found = html_text(
        "<html><body><div><h2>一、主要成效</h2><p>审查规范性文件<b>65</b>件。<br>备案12件。</p>"
        "<table><tr><th>项目</th><th>\t数量 </th></tr><tr><td>复议</td><td>30件</td></tr></table>"
        "<ul><li>一是加强领导;</li><li>二是完善制度。</li></ul></div></body></html>"
    )
    assert found.text.split("\n") == [
        "一、主要成效",
        "审查规范性文件65件。",
        "备案12件。",
        "项目 数量",
        "复议 30件",
        "一是加强领导;",
        "二是完善制度。",
    ]


def test_html_body_inside_a_layout_table_is_found() -> None:
    lines = seed_lines(SEEDS / "changxingdao-2021.txt")
    menu = "".join(f"<td><a href='/{n}'>{n}</a></td>" for n in SITE_CHROME)
    paragraphs = "".join(f"<p>{text}</p>" for text in lines.body)
    found = html_text(
        f"<html><body><table width=1000><tr><td><table><tr>{menu}</tr></table></td></tr>"
        f"<tr><td><table><tr><td width=200><a href='/'>相关文章</a><br><a href='/'>网站地图</a>"
        f"</td><td class=content>{paragraphs}</td></tr></table></td></tr>"
        "<tr><td>版权所有:某某管委会 <a href='/'>联系我们</a></td></tr></table></body></html>",
        "gb18030",
    )
    assert found.text.split("\n") == lines.body


def test_html_saved_as_utf8_under_a_utf16_declaration_reads_as_utf8() -> None:
    body = "2020年,我市深入推进依法行政,法治政府建设取得新成效。"
    found = html_text(f'<meta charset="UTF-16"><body><p>{body}</p></body>')
    assert found.text == body and found.encoding == "html:utf-8"


def test_html_hints_come_from_meta_tags_and_title() -> None:
    found = html_text(
        "<html><head><title>关于2020年法治政府建设情况的报告_某市人民政府</title>"
        '<meta name="PubDate" content="2021-03-31 10:00"></head>'
        "<body><p>2020年,我市深入推进依法行政,法治政府建设取得新成效。</p></body></html>"
    )
    assert found.hints == {"title": "关于2020年法治政府建设情况的报告", "published": "2021-03-31"}


def test_html_title_and_date_fill_in_what_the_text_does_not_show(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(
        "<html><head><meta charset='gbk'><title>某县2020年法治政府建设年度报告 | 某县政府</title>"
        '<meta name="PubDate" content="2021-03-31"></head><body>'
        "<p>2020年,我县深入推进依法行政,法治政府建设取得新成效。</p></body></html>".encode("gbk")
    )
    data = read_report_file(path)
    assert data.title == "某县2020年法治政府建设年度报告" and data.published == "2021-03-31"


# -- bad files -----------------------------------------------------------------------------


def encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    report = pdf_file(["一、总体情况", "完成审查65件。"], min_pages=2)
    for page in PdfReader(io.BytesIO(report)).pages:
        writer.add_page(page)
    writer.encrypt(user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for _ in range(2):
        pdf.rect(72, 72, 400, 600, fill=1)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


BAD_FILES = [
    ("draft.docx", lambda: "一、总体情况\n完成审查65件。\n".encode(), "holds plain text"),
    ("draft.docx", lambda: b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
    ("signed.pdf", lambda: encrypted_pdf("secret"), "password-protected"),
    ("scan.pdf", scanned_pdf, "scanned PDF"),
    ("report.pdf", lambda: b"<!DOCTYPE html><html><body><p>\xe6\x8a\xa5\xe5\x91\x8a</p>", "HTML"),
    ("broken.pdf", lambda: pdf_file(["完成审查65件。"])[:200], "damaged PDF"),
    (
        "empty.html",
        lambda: (
            b"<html><head><script>location='/x'</script></head><body><nav><a href='/'>"
            + "首页".encode()
            + b"</a></nav></body></html>"
        ),
        "no body text",
    ),
    ("page.html", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "holds a PDF"),
]


@pytest.mark.parametrize(("name", "make", "words"), BAD_FILES, ids=[b[2] for b in BAD_FILES])
def test_bad_files_are_refused_with_one_sentence_and_nothing_changes(
    ws: Workspace, tmp_path: Path, name: str, make: Any, words: str
) -> None:
    before = [m.to_json() for m in ws.reports()]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(IngestError) as refused:
        ws.import_report(path)
    message = str(refused.value)
    assert words in message and name in message
    assert "\n" not in message and message.endswith(".") and "Traceback" not in message
    assert [m.to_json() for m in ws.reports()] == before


def test_a_damaged_pdf_gets_our_sentence_only_on_stderr(ws: Workspace, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj garbage")  # no EOF marker: pypdf logs a warning
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(ws.home), "import", str(broken)],
        capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("shenyue: ")
    assert "damaged PDF" in result.stderr


def test_pdf_locked_only_against_editing_imports(tmp_path: Path) -> None:
    path = tmp_path / "restricted.pdf"
    path.write_bytes(encrypted_pdf(""))
    assert read_report_file(path).text.startswith("一、总体情况\n完成审查65件。\n一、总体情况")


# -- importing and marking -----------------------------------------------------------------


def test_mark_on_an_imported_html_report_round_trips(ws: Workspace, tmp_path: Path) -> None:
    lines: SeedLines = seed_lines(SEEDS / "qingyuan-2019.txt")
    report = import_bytes(ws, tmp_path / "qingyuan.html", html_page(lines))
    phrase = "全面深化行政审批制度改革"
    start = report.text.index(phrase)
    mark = ws.annotate(report.id, start, start + len(phrase), Tag.ACHIEVEMENT, comment="可核实")
    reopened = Workspace.open(ws.home, reviewer="tester")
    (found,) = reopened.annotations(report.id)
    assert found.id == mark.id and (found.start, found.end) == (start, start + len(phrase))
    assert reopened.report(report.id).text[found.start : found.end] == phrase
    assert found.comment == "可核实" and found.tag is Tag.ACHIEVEMENT


def test_import_folder_reports_imported_present_and_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    lines = seed_lines(SEEDS / "changzhou-2017.txt")
    (folder / "changzhou.html").write_bytes(html_page(lines))
    (folder / "changzhou.docx").write_bytes(docx_file(lines, TABLE))
    (folder / "changzhou.pdf").write_bytes(pdf_file(lines.body))
    (folder / "again.txt").write_bytes((SEEDS / "changzhou-2017.txt").read_bytes())
    (folder / "lies.pdf").write_text("一、总体情况\n完成审查65件。\n", encoding="utf-8")
    home = str(tmp_path / "ws")
    assert main(["--home", home, "import", str(folder)]) == 1  # one refused: a script notices
    captured = capsys.readouterr()
    assert "3 imported, 1 present, 1 refused" in captured.out
    assert "lies.pdf is named .pdf but holds plain text" in captured.err
    assert "1 of 5 files could not be imported" in captured.err


def test_import_table_on_a_terminal_shows_every_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.cli.stdout_is_terminal", lambda: True)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "[red]page.html").write_bytes(html_page(seed_lines(SEEDS / "dalian-2017.txt")))
    (folder / "seed.txt").write_bytes((SEEDS / "dalian-2017.txt").read_bytes())
    (folder / "bad.docx").write_bytes(b"not a word file")
    assert main(["--home", str(tmp_path / "ws"), "import", str(folder)]) == 1
    out = capsys.readouterr().out
    for words in ("imported", "already present", "refused", "[red]page.html", "plain text"):
        assert words in out
    assert "1 imported, 1 present, 1 refused" in out


def test_word_merged_cells_appear_once_and_soft_breaks_split() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "行政复议"
    table.cell(0, 2).text = "30件"
    for column, value in enumerate(("甲", "", "丙")):
        table.cell(1, column).text = value
    document.add_paragraph("第一行").add_run().add_break()
    document.paragraphs[-1].add_run("第二行")
    out = io.BytesIO()
    document.save(out)
    found = formats.extract_text(Path("draft.docx"), out.getvalue())
    assert found.text.split("\n") == ["行政复议 30件", "甲 丙", "第一行", "第二行"]
