"""REFI-QDA projects: the export validates against the standard's schema and imports back to
the same reports and marks; a hostile or broken project is refused whole."""

from __future__ import annotations

import hashlib
import random
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from annotations.errors import IngestError
from annotations.model import Tag
from annotations.qdpx import GUIDS, NS, TAG_COLOURS, Q, read_qdpx
from annotations.workspace import Workspace
from tui.cli import main

SCHEMA = Path(__file__).parent / "data" / "Project-mrt2019.xsd"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """The five seeds with 50 marks by two reviewers, some commented."""
    ws = Workspace.open(tmp_path / "ws", reviewer="王")
    rng = random.Random(14)
    items = []
    for i in range(50):
        meta = ws.reports()[i % 5]
        report = ws.report(meta.id)
        sentence = report.sentences[rng.randrange(len(report.sentences))]
        start = rng.randrange(sentence.start, sentence.end)
        items.append({"report_id": meta.id, "start": start, "end": sentence.end,
                      "tag": list(Tag)[i % 3], "reviewer": "王李"[i % 2],
                      "comment": "" if i % 3 else f"第{i}条:数量可核实,但未说明质量"})
    ws.annotate_many(items)
    return ws


def project_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def marks_of(ws: Workspace) -> list[tuple[str, int, int, str, str, str]]:
    """Every mark as (its text's sha256, span, tag, comment, reviewer), sorted."""
    return sorted((ws.report(m.report_id).sha256, m.start, m.end, m.tag.value, m.comment,
                   m.reviewer) for m in ws.annotations())


def test_export_validates_and_round_trips(ws: Workspace, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "review.qdpx"
    assert main(["--home", str(ws.home), "export", "--format", "qdpx", "-o", str(out)]) == 0
    root = project_xml(out)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    codes = {c.get("name"): c.get("color") for c in root.iter(f"{Q}Code")}
    assert codes == {f"{label} {tag.value}": TAG_COLOURS[tag]
                     for tag, label in (("achievement", "成效"), ("shortcoming", "不足"),
                                        ("plan", "计划")) for tag in [Tag(tag)]}
    assert sorted(u.get("name") for u in root.iter(f"{Q}User")) == ["李", "王"]
    assert len(list(root.iter(f"{Q}PlainTextSelection"))) == 50
    assert len(list(root.iter(f"{Q}Note"))) == 17
    with zipfile.ZipFile(out) as archive:
        for source in root.iter(f"{Q}TextSource"):
            name = source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(f"sources/{name}").decode("utf-8")
            for selection in source.iter(f"{Q}PlainTextSelection"):  # code points, end excluded
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                mark = ws.annotation(selection.find(f"{Q}Coding").get("guid"))
                assert text[start:end] == mark.quote
            values = {v.find(f"{Q}VariableRef").get("targetGUID"): v[1].text
                      for v in source.iter(f"{Q}VariableValue")}
            meta = next(m for m in ws.reports() if m.title == source.get("name"))
            variables = {v.get("name"): v.get("guid") for v in root.iter(f"{Q}Variable")}
            assert values[variables["year"]] == str(meta.year)
            assert values[variables["place"]] == meta.issuer

    capsys.readouterr()
    empty = tmp_path / "empty"
    Workspace.open(empty, seed=False)
    assert main(["--home", str(empty), "--reviewer", "赵", "import", str(out)]) == 0
    assert "50 marks added" in capsys.readouterr().out
    again = Workspace.open(empty)
    assert sorted(m.sha256 for m in again.reports()) == sorted(m.sha256 for m in ws.reports())
    for meta in again.reports():
        text = again.report(meta.id).text
        assert hashlib.sha256(text.encode()).hexdigest() == meta.sha256
    assert marks_of(again) == marks_of(ws)
    assert {m.id for m in again.annotations()} == {m.id for m in ws.annotations()}
    again.export("qdpx", tmp_path / "again.qdpx")
    assert (tmp_path / "again.qdpx").read_bytes() == out.read_bytes()
    assert main(["--home", str(empty), "import", str(out)]) == 0
    assert "0 marks added, 0 updated, 50 unchanged" in capsys.readouterr().out


def test_orphans_are_left_out(tmp_path: Path, seeds_dir: Path) -> None:
    file = tmp_path / "report.txt"
    text = (seeds_dir / "changzhou-2017.txt").read_text(encoding="utf-8")
    file.write_text(text, encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws", seed=False)
    report = ws.import_report(file)
    gone = report.sentences[20]
    ws.annotate(report.id, gone.start, gone.end, "shortcoming")
    ws.annotate(report.id, 0, 10, "plan")
    file.write_text(text.replace(report.text[gone.start : gone.end], ""), encoding="utf-8")
    ws.import_report(file)  # a new version: the first mark has nowhere to go
    assert sorted(m.orphan for m in ws.annotations()) == [False, True]
    assert ws.export("qdpx", tmp_path / "a.qdpx") == 1
    assert len(list(project_xml(tmp_path / "a.qdpx").iter(f"{Q}PlainTextSelection"))) == 1


# -- projects from elsewhere, and hostile ones -------------------------------------------------

HEAD = f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="elsewhere">'
USERS = '<Users><User guid="11111111-1111-1111-1111-111111111111" name="Ann"/></Users>'
CODES = ('<CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="成效" '
         'isCodable="true"/><Code guid="33333333-3333-3333-3333-333333333333" name="Other" '
         'isCodable="true"/></Codes></CodeBook>')
TEXT = ("一、工作成效\r\n2021年,审查规范性文件65件。\r\n"
        "二、存在的不足\r\n行政复议规范化程度不高。\r\n")


def selection(start: int, end: int, code: str = "2222", note: str = "", user: str = "") -> str:
    guid = f"{random.Random(start * 1000 + end).getrandbits(128):032x}"
    guid = f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}"
    code_guid = {"2222": "22222222-2222-2222-2222-222222222222",
                 "3333": "33333333-3333-3333-3333-333333333333"}[code]
    who = f' creatingUser="{user}"' if user else ""
    ref = f'<NoteRef targetGUID="{note}"/>' if note else ""
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}"'
            f'{who} creationDateTime="2024-03-01T08:00:00">'
            f'<Coding guid="{guid[:-4]}9999"{who}><CodeRef targetGUID="{code_guid}"/></Coding>'
            f"{ref}</PlainTextSelection>")


def project(tmp_path: Path, sources: str, notes: str = "", files: dict[str, bytes] | None = None,
            head: str = HEAD) -> Path:
    path = tmp_path / "elsewhere.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        qde = f"{head}{USERS}{CODES}<Sources>{sources}</Sources>{notes}</Project>"
        archive.writestr("project.qde", qde.encode("utf-8"))
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


def text_source(body: str, text: str = TEXT) -> str:
    return (f'<TextSource guid="44444444-4444-4444-4444-444444444444" name="某区2021年报告">'
            f"<PlainTextContent>{text}</PlainTextContent>{body}</TextSource>")


def test_a_project_from_another_tool(tmp_path: Path) -> None:
    """A CRLF text file with a BOM, a code named 成效 and one of its own, a note with an 8-bit
    escape sequence, a selection without a user (it becomes the importing reviewer's)."""
    start = TEXT.index("审查")
    end = TEXT.index("。", start) + 1
    note = "44444444-0000-0000-0000-000000000001"
    notes = (f'<Notes><Note guid="{note}" name="n"><PlainTextContent>数量可核实\x9b31m'
             "</PlainTextContent></Note></Notes>")
    body = (selection(start, end, note=note, user="11111111-1111-1111-1111-111111111111")
            + selection(0, 4) + selection(0, 6, code="3333"))
    sources = ('<TextSource guid="44444444-4444-4444-4444-444444444444" name="某区2021年报告" '
               f'plainTextPath="internal://a.txt">{body}</TextSource>')
    path = project(tmp_path, sources, notes,
                   files={"sources/a.txt": "\ufeff".encode() + TEXT.encode("utf-8")})
    ws = Workspace.open(tmp_path / "ws", reviewer="我", seed=False)
    summary = ws.import_paths([path])
    assert [o.status for o in summary.outcomes] == ["imported"]
    assert "2 marks added" in summary.notes[0]
    assert "1 codings with codes other than our tags" in summary.notes[0]
    marks = sorted(ws.annotations(), key=lambda m: m.start)
    text = ws.report(marks[0].report_id).text
    assert "\r" not in text
    assert [(m.quote, m.reviewer, m.tag) for m in marks] == [
        ("一、工作", "我", Tag.ACHIEVEMENT),
        ("审查规范性文件65件。", "Ann", Tag.ACHIEVEMENT)]
    assert marks[1].comment == "数量可核实"
    assert marks[1].created == "2024-03-01T08:00:00.000000Z"


@pytest.mark.parametrize(("build", "phrase"), [
    (lambda p: project(p, text_source(selection(3, 9999))), "outside its"),
    (lambda p: project(p, text_source(selection(5, 3))), "spans"),
    (lambda p: project(p, "", files={"../evil.txt": b"x"}), "points outside the project"),
    (lambda p: project(p, "", files={"/etc/evil.txt": b"x"}), "points outside the project"),
    (lambda p: project(p, '<TextSource guid="44444444-4444-4444-4444-444444444444" '
                          'plainTextPath="internal://../../etc/passwd"/>'),
     "points outside the project"),
    (lambda p: project(p, '<TextSource guid="44444444-4444-4444-4444-444444444444" '
                          'plainTextPath="internal://big.txt"/>',
                       files={"sources/big.txt": b"0" * (17 * 2**20)}), "unpacks to more than"),
    (lambda p: project(p, "", head='<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaa">'
                                   f']><Project xmlns="{NS}" name="x">'), "DTD"),
    (lambda p: project(p, text_source(selection(0, 4, note="44444444-0000-0000-0000-000000000001"))
                       , '<Notes><Note guid="44444444-0000-0000-0000-000000000001">'
                         f"<PlainTextContent>{'长' * 10_001}</PlainTextContent></Note></Notes>"),
     "comment of 10,001 characters"),
    (lambda p: project(p, text_source("", text="   ")), "cannot be a report"),
    (lambda p: project(p, '<TextSource guid="not-a-guid"><PlainTextContent>x'
                          "</PlainTextContent></TextSource>"), "has the guid"),
])
def test_a_bad_project_is_refused_whole(tmp_path: Path, build: object, phrase: str) -> None:
    path = build(tmp_path)  # type: ignore[operator]
    ws = Workspace.open(tmp_path / "ws", seed=False)
    summary = ws.import_paths([path])
    [outcome] = summary.outcomes
    assert outcome.status == "refused"
    reason = str(outcome.reason)
    assert phrase in reason and str(path) in reason
    assert "\n" not in reason and "nothing was imported" in reason
    assert ws.reports() == [] and ws.annotations() == []


def test_not_a_zip_and_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "x.qdpx"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(IngestError, match="not a zip file"):
        read_qdpx(path, "我")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "<html/>")
    with pytest.raises(IngestError, match="not a REFI-QDA project"):
        read_qdpx(path, "我")


def test_guid_namespace_is_fixed() -> None:
    """Changing it would give every exported thing new GUIDs (and duplicate marks on import)."""
    assert str(GUIDS) == "6f1c2a52-4a43-5d1e-9a53-8d3c0b2f7e10"
