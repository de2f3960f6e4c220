"""The workspace: opening, importing, versions, resolving reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations import Tag, UserError, Workspace
from annotations.ingest import read_report_file
from annotations.workspace import seed_files


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester")


def test_new_workspace_holds_the_seeds(ws: Workspace) -> None:
    metas = ws.reports()
    assert len(metas) == len(seed_files()) == 5
    years = sorted(m.year for m in metas if m.year is not None)
    assert years == [2012, 2017, 2017, 2019, 2021]


def test_report_has_text_sections_and_sentences(ws: Workspace) -> None:
    meta = ws.resolve("常州")
    report = ws.report(meta.id)
    assert report.id == meta.id and report.title == meta.title
    assert len(report.text) == meta.chars
    assert [s.level for s in report.sections] == [1] * 5
    assert all(0 <= s.start < s.end <= len(report.text) for s in report.sentences)
    assert report.sections[0].title.startswith("一、")


def test_import_same_text_twice_returns_existing_report(ws: Workspace, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes(seed_files()[0].read_bytes())
    before = {m.id for m in ws.reports()}
    report = ws.import_report(copy)
    assert report.id in before
    assert {m.id for m in ws.reports()} == before


def test_gbk_file_imports_with_the_same_identity(ws: Workspace, tmp_path: Path) -> None:
    seed = next(p for p in seed_files() if p.name.startswith("changzhou"))
    gbk = tmp_path / "changzhou-gbk.txt"
    gbk.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    report = ws.import_report(gbk)
    assert report.id == ws.resolve("常州").id


def test_reopen_sees_imported_reports(tmp_path: Path) -> None:
    first = Workspace.open(tmp_path / "ws")
    extra = tmp_path / "extra.txt"
    extra.write_text("一、总体情况\n我们完成了审查工作。下一步将继续推进。\n", encoding="utf-8")
    report = first.import_report(extra)
    second = Workspace.open(tmp_path / "ws")
    assert report.id in {m.id for m in second.reports()}
    assert second.report(report.id).text == report.text


def test_edited_source_becomes_a_new_version_with_the_same_id(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(
        "一、成效\n审查规范性文件65件。\n二、不足\n行政复议信息化程度不高。\n", encoding="utf-8"
    )
    first = ws.import_report(path)
    mark = ws.annotate(first.id, first.text.index("行政复议"), first.text.index("不高") + 2,
                       Tag.SHORTCOMING)
    path.write_text(
        "一、成效\n全年审查规范性文件65件。\n二、不足\n行政复议信息化程度不高。\n",
        encoding="utf-8",
    )
    second = ws.import_report(path)
    assert second.id == first.id and second.sha256 != first.sha256
    moved = ws.annotation(mark.id)
    assert second.text[moved.start:moved.end] == "行政复议信息化程度不高"
    assert ws.report_version_text(first.id, first.sha256) == first.text


def test_an_import_stopped_before_its_index_keeps_the_indexed_text(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("一、成效\n审查规范性文件65件。\n", encoding="utf-8")
    first = ws.import_report(path)
    folder = ws.home / "reports"
    # what a new version's import leaves when killed after writing the texts, before the index
    (folder / f"{first.id}@{first.sha256[:16]}.txt").write_text(first.text, encoding="utf-8")
    (folder / f"{first.id}.txt").write_text("一、成效\n全年审查规范性文件65件。\n",
                                              encoding="utf-8")
    assert Workspace.open(ws.home).report(first.id).text == first.text
    path.write_text("一、成效\n全年审查规范性文件70件。\n", encoding="utf-8")
    second = ws.import_report(path)
    assert second.id == first.id and "70件" in Workspace.open(ws.home).report(first.id).text
    assert ws.report_version_text(first.id, first.sha256) == first.text


def test_importing_again_restores_a_lost_report_text(ws: Workspace, seeds_dir: Path) -> None:
    meta = ws.resolve("常州")
    (ws.home / "reports" / f"{meta.id}.txt").unlink()
    fresh = Workspace.open(ws.home)
    with pytest.raises(UserError, match="import the report again"):
        fresh.report(meta.id)
    assert fresh.import_report(seeds_dir / "changzhou-2017.txt").sha256 == meta.sha256
    assert len(Workspace.open(ws.home).report(meta.id).text) == meta.chars


def test_a_failed_write_is_one_sentence_and_the_index_is_unchanged(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "new.txt"
    path.write_text("一、成效\n审查规范性文件65件。\n", encoding="utf-8")
    report_id = read_report_file(path).sha256[:12]
    (ws.home / "reports" / f"{report_id}.txt").mkdir()  # the text cannot be written there
    before = (ws.home / "reports" / "index.json").read_bytes()
    with pytest.raises(UserError, match="Cannot write to the report library"):
        ws.import_report(path)
    assert (ws.home / "reports" / "index.json").read_bytes() == before


def test_a_lock_that_cannot_be_taken_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "ws" / "reports" / ".lock").mkdir(parents=True)
    with pytest.raises(UserError, match="Cannot take the lock"):
        Workspace.open(tmp_path / "ws")


def test_resolve_by_id_prefix_and_title(ws: Workspace) -> None:
    meta = ws.resolve("清远")
    assert ws.resolve(meta.id) == meta
    assert ws.resolve(meta.id[:6]) == meta
    with pytest.raises(UserError, match="matches"):
        ws.resolve("2017")
    with pytest.raises(UserError, match="No report"):
        ws.resolve("no such report")


def test_structure_cache_is_rebuilt_when_missing(ws: Workspace) -> None:
    meta = ws.resolve("大连市")
    expected = ws.report(meta.id)
    (ws.home / "reports" / f"{meta.id}.json").unlink()
    again = Workspace.open(ws.home).report(meta.id)
    assert again.sections == expected.sections and again.sentences == expected.sentences


def test_damaged_index_is_a_clear_error(ws: Workspace) -> None:
    (ws.home / "reports" / "index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="damaged"):
        Workspace.open(ws.home).reports()


def test_workspace_path_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(UserError, match="is a file"):
        Workspace.open(file)


def test_index_is_readable_utf8(ws: Workspace) -> None:
    raw = (ws.home / "reports" / "index.json").read_text(encoding="utf-8")
    assert "常州" in raw
    assert len(json.loads(raw)) == 5
