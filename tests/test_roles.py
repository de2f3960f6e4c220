"""Section roles: headings, years, order, content and turns decide the part of each sentence."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.model import Report, ReportMeta
from annotations.roles import (
    Role,
    heading_role,
    normalise_digits,
    parts,
    section_roles,
    sentence_roles,
    years_in,
)
from annotations.structure import build_structure
from annotations.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", reviewer="tester", seed=False)


def import_text(ws: Workspace, tmp_path: Path, text: str) -> Report:
    file = tmp_path / "report.txt"
    file.write_text(text, encoding="utf-8")
    return ws.import_report(file)


def role_of(report: Report, words: str) -> Role:
    at = report.text.index(words)
    roles = sentence_roles(report)
    return next(p.role for s, p in zip(report.sentences, roles, strict=True)
                if s.start <= at < s.end)


@pytest.mark.parametrize(
    ("title", "year", "past", "role"),
    [
        ("一、2015年工作回顾", 2016, True, Role.REVIEW),
        ("二、2008年主要任务", 2008, False, Role.TASKS),
        ("二、2015年工作总体部署", 2015, False, Role.TASKS),
        ("三、2016年重点工作", 2016, True, Role.TASKS),
        ("二、对今年政府工作的建议", 2003, False, Role.TASKS),
        ("二、存在的不足和原因", 2021, False, Role.PROBLEMS),
        ("三、下一年度推进法治政府建设的主要安排", 2021, False, Role.TASKS),
        ("二、１９５６年的国家预算", 1956, True, Role.TASKS),
        ("三、把改革开放扎实推向纵深", 2008, False, None),
        ("一、精心组织,统筹安排,有力推进法治政府建设", 2017, False, None),
    ],
)
def test_heading_roles(title: str, year: int, past: bool, role: Role | None) -> None:
    placed = heading_role(title, year, past)
    assert (placed.role if placed else None) is role


def test_years_in_any_writing() -> None:
    assert years_in("关于1 9 9 8 年政府工作的建议") == [1998]
    assert years_in("一、１９５５年国家决算") == [1955]
    assert years_in("一九八二年同一九七八年相比") == [1982, 1978]
    assert normalise_digits("一、二、三") == "一、二、三"


@settings(max_examples=300)
@given(st.text(alphabet="0123456789０１２３４５６７８９〇○零一二三四五六七八九年 \u3000\n\t是的",
               max_size=30))
def test_normalise_digits_returns_text_it_leaves_alone_unchanged(text: str) -> None:
    """The quick way out (nothing to normalise) gives what the full normalising gives."""
    full_width = str.maketrans("０１２３４５６７８９", "0123456789")
    chinese = str.maketrans("〇○零一二三四五六七八九", "000123456789")
    years = re.sub(r"[〇○零一二三四五六七八九]{4}(?=\s*年)",
                   lambda m: m.group().translate(chinese), text)
    assert normalise_digits(text) == re.sub(r"(?<=\d)\s+(?=\d)", "", years.translate(full_width))


GWR = """2009年政府工作报告

各位代表：

一、2008年工作回顾

过去一年，粮食产量达到5.3亿吨。我们加强耕地保护，完成了各项任务。

我们也清醒地看到，经济社会发展中还存在不少困难和问题。一是就业压力加大。

二是部分企业经营困难。

各位代表！

五年来，城乡居民收入增长了30%。

二、2009年主要任务

今年是实现“十一五”规划目标的关键一年。加强耕地保护。

三、把改革开放扎实推向纵深

深化财税体制改革。
"""


def test_a_work_report_reads_review_problems_tasks(ws: Workspace, tmp_path: Path) -> None:
    report = import_text(ws, tmp_path, GWR)
    assert role_of(report, "粮食产量达到") is Role.REVIEW
    assert role_of(report, "我们加强耕地保护") is Role.REVIEW
    assert role_of(report, "我们也清醒地看到") is Role.PROBLEMS
    assert role_of(report, "一是就业压力加大") is Role.PROBLEMS
    assert role_of(report, "二是部分企业经营困难") is Role.PROBLEMS
    assert role_of(report, "五年来") is Role.REVIEW  # the problems end at 各位代表！
    assert role_of(report, "今年是实现") is Role.TASKS
    assert role_of(report, "加强耕地保护。") is Role.TASKS
    assert role_of(report, "深化财税体制改革") is Role.TASKS  # a neutral heading after tasks
    roles = section_roles(report)
    top = {s.title: roles[(s.start, s.level)].role for s in report.sections}
    assert top == {"一、2008年工作回顾": Role.REVIEW, "二、2009年主要任务": Role.TASKS,
                   "三、把改革开放扎实推向纵深": Role.TASKS}
    assert role_of(report, "各位代表：") is Role.OTHER


def test_unnumbered_heading_lines_divide_the_report(ws: Workspace, tmp_path: Path) -> None:
    text = ("1983年政府工作报告\n\n各位代表：\n\n过去五年的回顾\n\n农业实现了持续增长。\n\n"
            "今后五年的主要任务\n\n必须加快能源建设。\n\n（一）关于经济建设\n\n要大力发展农业。\n")
    report = import_text(ws, tmp_path, text)
    assert role_of(report, "农业实现了") is Role.REVIEW
    assert role_of(report, "必须加快能源建设") is Role.TASKS
    assert role_of(report, "要大力发展农业") is Role.TASKS


def test_neutral_sections_read_by_their_sentences(ws: Workspace, tmp_path: Path) -> None:
    text = ("某市2017年法治政府建设工作报告\n一、推进依法决策\n"
            "出台了重大行政决策程序规定。审查文件65件。\n二、规范执法\n全年办理案件120件。\n")
    report = import_text(ws, tmp_path, text)
    assert {p.role for p in parts(report) if p.start > report.sections[0].start} == {
        Role.REVIEW}


# -- properties -------------------------------------------------------------------------------

PIECES = st.sampled_from([
    "一、2020年工作回顾", "二、2021年主要任务", "三、推进改革", "（一）加强管理", "完成了任务。",
    "我们也清醒看到，还存在不少问题。", "一是投入不足。", "各位代表！", "要加快发展。",
    "下一步，将继续推进。", "2022年是关键之年。", "", "审查文件65件。",
])


@settings(max_examples=150)
@given(st.lists(PIECES, max_size=14))
def test_every_sentence_gets_one_role_and_parts_tile_the_sentences(lines: list[str]) -> None:
    text = "2020年某市工作报告\n" + "\n".join(lines) + "\n"
    sections, sentences = build_structure(text)
    meta = ReportMeta("r", "0" * 64, "2020年某市工作报告", 2020, None, None, None, len(text),
                      None, "utf-8", "")
    report = Report(meta, text, sections, sentences)
    roles = sentence_roles(report)
    assert len(roles) == len(report.sentences)
    assert all(isinstance(p.role, Role) and p.reason for p in roles)
    assert sentence_roles(report) == roles  # deterministic
    found = parts(report)
    assert sum(1 for _ in found) <= len(report.sentences)
    assert all(a.end <= b.start for a, b in pairwise(found))
