"""Sections and sentences of the five sample reports, and of small made-up texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.ingest import read_report_file
from annotations.model import Section, Span
from annotations.structure import build_structure, heading_marker, parse_sections, split_sentences
from annotations.workspace import seed_files


def structure_of(seeds_dir: Path, name: str) -> tuple[str, tuple[Section, ...], tuple[Span, ...]]:
    data = read_report_file(seeds_dir / f"{name}.txt")
    sections, sentences = build_structure(data.text, data.boilerplate)
    return data.text, sections, sentences


def sentence_texts(text: str, sentences: tuple[Span, ...]) -> list[str]:
    return [text[s.start : s.end] for s in sentences]


def test_changzhou_has_five_top_sections_and_no_children(seeds_dir: Path) -> None:
    text, sections, sentences = structure_of(seeds_dir, "changzhou-2017")
    assert [s.title for s in sections] == [
        "一、精心组织,统筹安排,有力推进法治政府建设",
        "二、聚力创新,纵深推进,全面深化“放管服”改革",
        "三、民主公开,强化监督,着力健全依法行政制度体系",
        "四、深化改革,规范执法,切实提高行政执法效能",
        "五、健全机制,提升实效,依法化解社会矛盾纠纷",
    ]
    assert all(s.level == 1 and not s.children for s in sections)
    # the 2018 plans follow section 五 without a heading; the page footer is left out
    assert text[sections[-1].end - 8 : sections[-1].end] == "(此件公开发布)"
    assert "一是在部署推进上扎实作为。" in sentence_texts(text, sentences)


def test_changhai_has_eight_sections_of_numbered_items(seeds_dir: Path) -> None:
    text, sections, sentences = structure_of(seeds_dir, "changhai-2012-plan")
    assert [s.title[:2] for s in sections] == [f"{n}、" for n in "一二三四五六七八"]
    assert [len(s.children) for s in sections] == [5, 4, 2, 1, 3, 2, 3, 2]
    items = [child for s in sections for child in s.children]
    assert [c.title.split(".")[0] for c in items] == [str(n) for n in range(1, 23)]
    assert all(c.level == 2 for c in items)
    assert items[1].title == "2.推进依法行政考核工作规范化建设"
    assert text[items[1].start : items[1].heading_end] == "2.推进依法行政考核工作规范化建设。"
    found = sentence_texts(text, sentences)
    assert "【责任单位:县依法行政办公室】" in found
    assert "全面贯彻落实《指标体系》,强化和规范依法行政考核。" in found


def test_changxingdao_follows_the_report_template(seeds_dir: Path) -> None:
    text, sections, sentences = structure_of(seeds_dir, "changxingdao-2021")
    assert [s.title for s in sections] == [
        "一、2021年推进法治政府建设的主要举措和成效及党政主要负责人履行推进法治建设第一责任人,"
        "加强法治政府建设的有关情况",
        "二、2021年推进法治政府建设存在的不足和原因",
        "三、下一年度推进法治政府建设的主要安排",
    ]
    assert [len(s.children) for s in sections] == [5, 0, 5]
    third = sections[2].children[2]
    assert third.title == "(三)规范行政决策程序,加快转变政府职能"
    assert third.level == 2
    found = sentence_texts(text, sentences)
    assert (
        "健全重大政策事前评估和事后评价制度,提高决策科学化、民主化、法治化水平,"
        "推进政务服务标准化、规范化、便利化。"
    ) in found
    assert "(三)规范行政决策程序,加快转变政府职能。" not in " ".join(found)
    # the signature closes the last section
    assert text[sections[-1].end - 10 : sections[-1].end] == "2022年1月18日"


def test_qingyuan_shortcomings_sit_inside_section_one(seeds_dir: Path) -> None:
    text, sections, sentences = structure_of(seeds_dir, "qingyuan-2019")
    assert [s.title for s in sections] == [
        "一、2019年法治政府建设主要情况",
        "二、2020年法治政府建设初步设想",
    ]
    assert [len(s.children) for s in sections] == [8, 9]
    assert sections[0].children[0].title == "(一)依法全面履行政府职能,优化营商环境"
    shortcomings = text.index("2019年,我市推进依法行政")
    assert sections[0].children[-1].start < shortcomings < sections[0].end
    found = sentence_texts(text, sentences)
    assert "一是全面深化行政审批制度改革。" in found
    assert (
        "二是全面实施权责清单编制工作,加大简政放权力度,继续取消、下放市级行政许可事项33项。"
        in found
    )


def test_dalian_numbers_restart_under_each_top_section(seeds_dir: Path) -> None:
    text, sections, _ = structure_of(seeds_dir, "dalian-2017")
    assert [s.title[:2] for s in sections] == ["一、", "二、"]
    assert [len(s.children) for s in sections] == [9, 3]
    assert sections[0].children[0].title == "1.依法履行政府职能,深化“放管服”改革"
    assert sections[1].children[2].title == "3.扎实工作,督察任务得到了有效落实"
    # the 责编/来源 footer is not part of the last section
    assert "责编" not in text[sections[-1].start : sections[-1].end]


SEED_NAMES = [path.stem for path in seed_files()]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_sections_nest_and_order(seeds_dir: Path, name: str) -> None:
    text, sections, _ = structure_of(seeds_dir, name)

    def check(siblings: tuple[Section, ...], lo: int, hi: int, level: int) -> None:
        previous_end = lo
        for s in siblings:
            assert s.level == level
            assert previous_end <= s.start < s.heading_end <= s.end <= hi
            assert s.title and s.title[-1] not in "。\n " and "\n" not in s.title
            check(s.children, s.heading_end, s.end, level + 1)
            previous_end = s.end

    check(sections, 0, len(text), 1)


# -- headings on made-up text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "style"),
    [
        ("一、成效", "一、"),
        ("  十二、其他", "一、"),
        ("（一）举措", "（一）"),
        ("(二)举措", "（一）"),
        ("（三)混排", "（一）"),
        ("\u3000\u30001.条目", "1."),
        ("12、条目", "1."),
        ("3．条目", "1."),
        ("（1）细目", "（1）"),
        ("(2)细目", "（1）"),
        ("①要点", "①"),
        ("一是加强领导", None),
        ("2.5个工作日", None),
        ("1、2月份完成", None),
        ("2021年,我区", None),
    ],
)
def test_heading_marker(line: str, style: str | None) -> None:
    assert heading_marker(line) == style


def test_styles_nest_in_order_of_appearance() -> None:
    text = "一、甲\n(一)乙\n1.丙\n(1)丁\n①戊\n2.己\n二、庚\n1.辛\n"
    sections = parse_sections(text)
    assert [s.title for s in sections] == ["一、甲", "二、庚"]
    first = sections[0].children[0]
    assert first.title == "(一)乙" and first.level == 2
    assert [c.title for c in first.children] == ["1.丙", "2.己"]
    assert first.children[0].children[0].children[0].title == "①戊"
    assert first.children[0].children[0].children[0].level == 5
    assert sections[1].children[0].level == 2


def test_arabic_numbers_running_on_across_parents_stay_children() -> None:
    sections = parse_sections("(一)甲\n1.子\n2.子\n(二)乙\n3.子\n4.子\n")
    assert [[c.title for c in s.children] for s in sections] == [["1.子", "2.子"], ["3.子", "4.子"]]


def test_a_higher_style_met_late_is_not_nested_under_a_lower_one() -> None:
    sections = parse_sections("1.前言条目\n一、正文\n1.条目\n")
    assert [(s.title, s.level) for s in sections] == [("1.前言条目", 1), ("一、正文", 1)]
    assert sections[1].children[0].level == 2


def test_a_numbered_line_inside_a_wrapped_sentence_is_not_a_heading() -> None:
    text = (
        "我市全年共办理各类行政复议案件和行政应诉案件,其中包括经过复议后又进入诉讼程序的案件共计\n"
        "12.5%得到纠正\n3、条目\n"
    )
    assert [s.title for s in parse_sections(text)] == ["3、条目"]
    wrapped = (
        "这是一个很长的句子被网页排版从中间断开了" * 3 + "而下一行以数字和顿号开头,\n1、续。\n"
    )
    assert parse_sections(wrapped) == ()


def test_a_long_numbered_paragraph_without_a_stop_is_not_a_heading() -> None:
    assert parse_sections("一、" + "很长" * 50 + "\n") == ()


def test_headings_inside_boilerplate_are_ignored() -> None:
    text = "一、页面导航\n二、正文\n"
    assert [s.title for s in parse_sections(text, [Span(0, 6)])] == ["二、正文"]


# -- sentences on made-up text ------------------------------------------------------------------


def split(text: str) -> list[str]:
    return sentence_texts(text, split_sentences(text))


def test_sentences_end_at_stops_and_semicolons() -> None:
    assert split("一是加强领导;二是完善制度；三是强化监督。好!真的?对！") == [
        "一是加强领导;",
        "二是完善制度；",
        "三是强化监督。",
        "好!",
        "真的?",
        "对！",
    ]


def test_closing_quotes_after_a_stop_stay_with_the_sentence() -> None:
    assert split("他说:“要做好。”然后散会。") == ["他说:“要做好。”", "然后散会。"]
    assert split("(见附件。)下一句。") == ["(见附件。)", "下一句。"]


def test_no_split_inside_pairs() -> None:
    assert split("出台《条例。细则》并实施(试行;暂行)。完成。") == [
        "出台《条例。细则》并实施(试行;暂行)。",
        "完成。",
    ]
    assert split("【责任单位:县法制办。各乡(镇)政府】") == ["【责任单位:县法制办。各乡(镇)政府】"]


def test_mixed_width_brackets_pair_up() -> None:
    assert split("实施(试行。暂行）。完成。") == ["实施(试行。暂行）。", "完成。"]


def test_an_unclosed_bracket_does_not_swallow_the_paragraph() -> None:
    assert split("实施《条例。完成。再来。") == ["实施《条例。", "完成。", "再来。"]
    assert split("a)b。c」d。") == ["a)b。", "c」d。"]


def test_sentences_never_cross_a_line_and_are_trimmed() -> None:
    text = "  第一句,没有句号\n\u3000第二句。 第三句 \n\n"
    assert split(text) == ["第一句,没有句号", "第二句。", "第三句"]


def test_heading_text_is_not_a_sentence() -> None:
    text = "(三)规范决策,转变职能。健全制度。\n一、成效\n完成。"
    sections, sentences = build_structure(text)
    assert sentence_texts(text, sentences) == ["健全制度。", "完成。"]
    ends = [s.heading_end for s in sections]
    assert ends == [len("(三)规范决策,转变职能。"), text.index("\n完成")]
