"""Suggested tags: the hand labels, the rules on seeds and small texts, the command line,
applying and undoing, rejecting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.learner import suggest_learned
from annotations.model import Report, Tag
from annotations.suggest import REVIEWER, Suggestion, suggest, tagged
from annotations.workspace import Workspace
from benchmarks.suggest_eval import LABELS, gold_tags, load_labels
from tui.cli import main

COVERAGE_MIN = 0.95


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """The five seed reports by file name, imported into a workspace of their own."""
    ws = Workspace.open(tmp_path_factory.mktemp("seeds"), reviewer="tester")
    return {Path(m.source or "").name: ws.report(m.id) for m in ws.reports()}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester")


def import_text(ws: Workspace, tmp_path: Path, name: str, text: str) -> Report:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return ws.import_report(file)


def suggestion_for(report: Report, words: str) -> Suggestion:
    """The suggestion of the sentence containing `words`."""
    at = report.text.index(words)
    return next(s for s in suggest(report) if s.start <= at < s.end)


# -- the hand labels -------------------------------------------------------------------------


def test_labels_file_is_well_formed() -> None:
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    assert data["version"] == 1 and len(data["note"]) > 200
    for items in data["reports"].values():
        assert all(set(item) == {"text", "tag"} for item in items)
        assert {item["tag"] for item in items} <= {"achievement", "shortcoming", "plan", "none"}


def test_labels_cover_every_seed(seeds: dict[str, Report]) -> None:
    labels = load_labels()
    assert set(labels) == set(seeds)
    for name, report in seeds.items():
        gold = gold_tags(report, labels[name])
        covered = sum(tag is not None for tag in gold) / len(report.sentences)
        assert covered >= COVERAGE_MIN, f"{name}: {covered:.1%} of sentences labelled"
        texts = {report.text[s.start : s.end].strip() for s in report.sentences}
        unmatched = [t for t, _ in labels[name] if t not in texts]
        assert len(unmatched) <= (1 - COVERAGE_MIN) * len(labels[name]), unmatched[:3]


# -- the rules on the seeds ------------------------------------------------------------------


def test_headings_and_boilerplate_get_no_tag(seeds: dict[str, Report]) -> None:
    for report in seeds.values():
        found = suggest(report)
        headings = [(s.start, s.heading_end) for s in report.all_sections()]
        for start, end in headings:
            assert any(s.start == start and s.end == end and s.tag is None for s in found)
        for s in tagged(found):
            assert not any(start < s.end and s.start < end for start, end in headings)
            assert not any(b.start <= s.start < b.end for b in report.boilerplate)


def test_one_suggestion_per_sentence_in_order(seeds: dict[str, Report]) -> None:
    report = seeds["qingyuan-2019.txt"]
    found = suggest(report)
    assert len(found) == len(report.sentences) + len(report.all_sections())
    assert [s.start for s in found] == sorted(s.start for s in found)
    assert all(0.0 <= s.score <= 1.0 and s.reason for s in found)


@pytest.mark.parametrize(
    ("name", "words", "tag"),
    [
        ("dalian-2017.txt", "备案审查规范性文件65件", Tag.ACHIEVEMENT),
        ("changxingdao-2021.txt", "法治意识有待提高", Tag.SHORTCOMING),
        ("changxingdao-2021.txt", "2022年,我区将进一步加强", Tag.PLAN),
        ("changxingdao-2021.txt", "将进一步深入开展“三项制度”", Tag.PLAN),
        ("qingyuan-2019.txt", "但仍然存在一些比较明显的薄弱环节", Tag.SHORTCOMING),
        ("qingyuan-2019.txt", "推进政府规章项目库编制", Tag.PLAN),
        ("changzhou-2017.txt", "四是在推进政府工作规范化", Tag.PLAN),
        ("changzhou-2017.txt", "全年市政府共受理行政复议申请113件", Tag.ACHIEVEMENT),
        ("changhai-2012-plan.txt", "【责任单位:县依法行政办公室】", Tag.PLAN),
        ("changhai-2012-plan.txt", "建立规范性文件查询系统", Tag.PLAN),
        ("changzhou-2017.txt", "江苏省人民政府:", None),
        ("changzhou-2017.txt", "(此件公开发布)", None),
        ("qingyuan-2019.txt", "现将有关情况报告如下", None),
        ("qingyuan-2019.txt", "清府〔2020〕2号", None),
        ("changxingdao-2021.txt", "2022年1月18日", None),
    ],
)
def test_obvious_sentences(seeds: dict[str, Report], name: str, words: str, tag: Tag) -> None:
    assert suggestion_for(seeds[name], words).tag is tag


def test_reasons_say_why(seeds: dict[str, Report]) -> None:
    report = seeds["changxingdao-2021.txt"]
    assert "存在的不足" in suggestion_for(report, "法定程序决策流程").reason
    assert "cue: 有待" in suggestion_for(report, "法治意识有待提高").reason
    assert "year 2022 + 将" in suggestion_for(report, "2022年,我区将").reason


# -- the rules on small texts ----------------------------------------------------------------

TEMPLATE = """某区2022年法治政府建设情况的报告
市人民政府:
现将有关情况报告如下。
一、主要举措和成效
全年审查规范性文件65件。
将依法行政工作纳入绩效考核。
同时也要看到,我区法治政府建设还有一些薄弱环节。
执法人员业务水平参差不齐。
二、存在的不足和原因
执法规范化程度不高。
三、2023年工作安排
深入开展宪法宣传活动。
某区人民政府
2023年2月1日
"""


def test_template_sections_paragraph_turns_and_framing(ws: Workspace, tmp_path: Path) -> None:
    report = import_text(ws, tmp_path, "template.txt", TEMPLATE)
    assert report.year == 2022
    expected = {
        "市人民政府:": None,
        "现将有关情况报告如下": None,
        "全年审查规范性文件65件": Tag.ACHIEVEMENT,
        "将依法行政工作纳入绩效考核": Tag.ACHIEVEMENT,
        "同时也要看到": Tag.SHORTCOMING,
        "执法人员业务水平参差不齐": Tag.SHORTCOMING,
        "执法规范化程度不高": Tag.SHORTCOMING,
        "深入开展宪法宣传活动": Tag.PLAN,
        "某区人民政府\n": None,
        "2023年2月1日": None,
    }
    for words, tag in expected.items():
        assert suggestion_for(report, words.strip()).tag is tag, words


def test_unheaded_plan_paragraph_after_the_last_section(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "某市2021年法治政府建设工作报告\n一、推进依法决策\n出台重大行政决策程序规定。\n"
        "2022年是实施规划的关键之年。\n一是加强组织领导。\n二是推进严格执法。\n"
    )
    report = import_text(ws, tmp_path, "unheaded.txt", text)
    assert suggestion_for(report, "出台重大行政决策").tag is Tag.ACHIEVEMENT
    for words in ("2022年是实施规划", "一是加强组织领导", "二是推进严格执法"):
        assert suggestion_for(report, words).tag is Tag.PLAN, words


def test_a_plan_document_is_plans_throughout(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "某县2013年依法行政工作要点\n一、加强规范性文件管理\n1.开展文件清理。全面清理规章65件。\n"
        "2.加强备案审查。完成备案审查工作。\n"
    )
    report = import_text(ws, tmp_path, "plan.txt", text)
    assert [s.tag for s in tagged(suggest(report))] == [Tag.PLAN, Tag.PLAN]


def test_suggestions_are_worked_out_once_per_text_version(ws: Workspace, tmp_path: Path) -> None:
    first = import_text(ws, tmp_path, "draft.txt", "一、成效\n全年审查规范性文件65件。\n")
    found = ws.suggested(first.id)
    assert found == tagged(suggest_learned(first, ws.model())) and ws.suggested(first.id) is found
    second = import_text(ws, tmp_path, "draft.txt", "某县2013年依法行政工作要点\n"
                         "一、加强规范性文件管理\n1.开展文件清理。\n")
    assert second.id == first.id
    assert ws.suggested(second.id) == tagged(suggest_learned(second, ws.model())) != found


# -- the command line ------------------------------------------------------------------------


def test_cli_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "ws"
    assert main(["--home", str(home), "suggest", "常州", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(list(r) == ["start", "end", "tag", "score", "reason"] for r in rows)
    assert {r["tag"] for r in rows} == {"achievement", "plan"}
    assert all(0 <= r["start"] < r["end"] and 0.0 <= r["score"] <= 1.0 for r in rows)
    text = Workspace.open(home).report(Workspace.open(home).resolve("常州").id).text
    assert any(text[r["start"] : r["end"]].startswith("2018年是全面贯彻") for r in rows)


def test_cli_plain_lists_tagged_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path / "ws"), "suggest", "长兴岛"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("shortcoming" in line and "有待" in line for line in lines)
    assert not any("2022年1月18日" in line for line in lines)
    assert lines and all(len(line.split("\t")) == 6 for line in lines)  # piped: columns


def test_apply_is_one_undo_step_and_not_repeated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "ws"
    args = ["--home", str(home), "--reviewer", "tester", "suggest", "长兴岛", "--apply"]
    assert main(args) == 0
    ws = Workspace.open(home, reviewer="tester")
    report_id = ws.resolve("长兴岛").id
    marks = ws.annotations(report_id)
    assert len(marks) == len(tagged(suggest(ws.report(report_id))))
    assert {m.reviewer for m in marks} == {REVIEWER}
    assert main(args) == 0
    assert len(ws.annotations(report_id)) == len(marks)
    assert ws.undo() is not None
    assert ws.annotations(report_id) == []


# -- suggestions in the workspace ------------------------------------------------------------


def test_rejected_and_marked_suggestions_do_not_come_back(ws: Workspace, tmp_path: Path) -> None:
    report_id = ws.resolve("长兴岛").id
    first, second, *rest = ws.suggestions(report_id)
    ws.reject_suggestion(report_id, first.start, first.end)
    ws.annotate(report_id, second.start, second.start + 2, Tag.ACHIEVEMENT)
    again = Workspace.open(tmp_path / "ws", reviewer="tester")
    spans = [(s.start, s.end, s.tag) for s in again.suggestions(report_id)]
    assert spans == [(s.start, s.end, s.tag) for s in rest]  # scores may move: it learned
    # another reviewer's list holds nothing back (the shared learner learned from both)
    assert ws.suggestions(report_id, reviewer="someone else") == ws.suggested(report_id)
