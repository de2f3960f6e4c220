"""Place, kind and made-up titles: on the seeds, on corpus-like reports and on made-up cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.ingest import ingest_text, normalise, read_report_file
from annotations.model import Kind
from annotations.place import (
    LEVELS,
    NATION,
    derived_title,
    find_kind,
    find_place,
    leading_place,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# (place, year, kind, title printed?) of each bundled sample report
SEEDS = {
    "dalian-2017": ("大连市", 2017, Kind.ANNUAL_REPORT, True),
    "changzhou-2017": ("常州市", 2017, Kind.ANNUAL_REPORT, True),
    "qingyuan-2019": ("清远市", 2019, Kind.ANNUAL_REPORT, True),
    "changxingdao-2021": ("大连长兴岛经济技术开发区", 2021, Kind.ANNUAL_REPORT, False),
    "changhai-2012-plan": ("长海县", 2012, Kind.WORK_PLAN, False),
}


@pytest.mark.parametrize("name", SEEDS)
def test_every_seed_has_a_title_naming_its_place_and_year(seeds_dir: Path, name: str) -> None:
    data = read_report_file(seeds_dir / f"{name}.txt")
    place, year, kind, printed = SEEDS[name]
    assert (data.place, data.year, data.kind) == (place, year, kind.value)
    assert data.title_derived is not printed
    assert place in data.title and str(year) in data.title


def test_a_plan_without_a_title_gets_one_from_place_year_and_topic(seeds_dir: Path) -> None:
    data = read_report_file(seeds_dir / "changhai-2012-plan.txt")
    assert data.title == "长海县2012年依法行政工作要点"


@pytest.mark.parametrize("year", [1979, 1994, 2010, 2022])
def test_corpus_reports_are_the_nations(year: int) -> None:
    path = CORPUS / f"gwr-{year}.txt"
    if not path.exists():
        pytest.skip("the shared corpus is not here")
    data = read_report_file(path)
    assert (data.place, data.year, data.kind) == (NATION, year, Kind.ANNUAL_REPORT.value)


def test_a_corpus_report_without_its_title_line_still_gets_year_and_kind() -> None:
    path = CORPUS / "gwr-2010.txt"
    if not path.exists():
        pytest.skip("the shared corpus is not here")
    body = path.read_text(encoding="utf-8").split("\n", 1)[1]
    data = ingest_text(body, encoding="utf-8")
    assert data.title_derived and data.year == 2009  # the body opens with 2009年工作回顾
    assert NATION not in data.title  # nothing in the body names the nation: none is made up


def test_a_title_from_the_files_metadata_gives_the_year_and_place() -> None:
    body = "一、主要工作\n今年以来,我县扎实推进依法行政,审查规范性文件65件。\n"
    data = ingest_text(body, encoding="html:utf-8",
                       hints={"title": "某某县2022年法治政府建设年度报告"})
    assert (data.title, data.year, data.place) == ("某某县2022年法治政府建设年度报告", 2022,
                                                   "某某县")
    assert not data.title_derived


@pytest.mark.parametrize(("text", "place"), [
    ("2017年度大连市法治政府建设工作情况综述", "大连市"),
    ("清远市人民政府关于2019年法治政府建设工作情况的报告", "清远市"),
    ("辽宁省大连市长海县2012年依法行政工作要点", "长海县"),
    ("关于北京市海淀区2020年法治政府建设情况的报告", "海淀区"),
    ("上海市浦东新区2021年法治政府建设工作报告", "浦东新区"),
    ("内蒙古自治区鄂尔多斯市伊金霍洛旗2020年报告", "伊金霍洛旗"),
    ("大连长兴岛经济技术开发区管理委员会", "大连长兴岛经济技术开发区"),
    ("2019年法治政府建设工作报告", None),
    ("政府办秘书科", None),
    ("市县两级政府", None),
])
def test_leading_place(text: str, place: str | None) -> None:
    assert leading_place(text) == place


def test_self_reference_picks_the_speaking_government() -> None:
    body = ("2012年,全县认真贯彻《辽宁省法治政府建设指标体系》和“大连市推进会议”精神,"
            "落实《长海县依法行政规划》。我县将进一步加强行政执法。")
    assert find_place(body) == "长海县"
    assert find_place(body.replace("全县", "全市").replace("我县", "我市")) == "大连市"


def test_the_issuer_outweighs_names_in_the_body() -> None:
    body = "2021年,我区认真落实大连市和辽宁省部署,召开全区大会。"
    assert find_place(body, issuer="某某新区管理委员会") == "某某新区"
    assert find_place(body, signature=["某某新区管委会"]) == "某某新区"


def test_words_ending_in_a_level_are_not_places() -> None:
    body = "。进一步规范土地市场,建设城市社区,加强景区管理,创建“全国文明城市”。我市持续发力。"
    assert find_place(body) is None


@pytest.mark.parametrize(("title", "body", "kind"), [
    ("长海县2012年依法行政工作要点", "", Kind.WORK_PLAN),
    ("某市2019年法治政府建设工作情况的报告", "", Kind.ANNUAL_REPORT),
    ("2017年工作总结和2018年工作计划", "", Kind.ANNUAL_REPORT),
    (None, "1.做好备案。【责任单位:县法制办】2.…【责任单位:各乡镇】3.…【牵头单位:县司法局】",
     Kind.WORK_PLAN),
    (None, "2021年,我区推进法治政府建设。现将有关情况报告如下。", Kind.ANNUAL_REPORT),
    (None, "会议纪要:与会同志讨论了下一步工作。", Kind.OTHER),
])
def test_kind(title: str | None, body: str, kind: Kind) -> None:
    assert find_kind(body, title) is kind


def test_derived_title_needs_a_place_or_a_year() -> None:
    made_up = derived_title("依法行政", "长海县", 2012, Kind.WORK_PLAN)
    assert made_up == "长海县2012年依法行政工作要点"
    assert derived_title("", None, 2020, Kind.OTHER) == "2020年文件"
    assert derived_title("依法行政", None, None, Kind.WORK_PLAN) is None


# a stem of a place name: characters that occur in real names and in none of the stop words
STEM = st.text(alphabet="长海常清远大连兴岛沈阳鞍山抚顺丹东锦营口辽阜新铁朝葫芦苏锡通扬泰宿迁",
               min_size=2, max_size=6)
LEVEL = st.sampled_from(LEVELS)


@given(stem=STEM, level=LEVEL, year=st.integers(1950, 2099))
def test_a_printed_title_names_place_and_year(stem: str, level: str, year: int) -> None:
    name = stem + level
    text = f"{name}{year}年法治政府建设工作报告\n\n{year}年,我{level}深入推进依法行政。\n"
    data = ingest_text(text, encoding="utf-8")
    assert (data.place, data.year, data.title_derived) == (name, year, False)


@given(stem=STEM, level=LEVEL, year=st.integers(1950, 2099),
       noise=st.lists(st.sampled_from(["辽宁省", "大连市", "江苏省", "某某县"]), max_size=4))
def test_an_untitled_report_is_named_by_its_signature(
    stem: str, level: str, year: int, noise: list[str]
) -> None:
    name = stem + level
    mentions = "".join(f"“{other}会议”精神," for other in noise)
    text = (f"{year}年,我{level}认真落实{mentions}深入学习贯彻党中央、国务院关于法治政府建设的"
            f"决策部署,健全组织机构强保障,完善工作机制抓落实,全{level}法治政府建设取得新进展。"
            f"现将有关情况报告如下。\n一、主要举措\n审查文件65件。\n{name}人民政府\n"
            f"{year + 1}年1月9日\n")
    data = ingest_text(text, encoding="utf-8")
    assert data.place == name
    assert data.title_derived and data.title == f"{name}{year}年法治政府建设工作报告"


@given(st.text(max_size=300))
def test_derivation_never_fails_and_titles_stay_one_line(text: str) -> None:
    controls = sum(c < " " and c not in "\n\t\r" for c in text)
    if not normalise(text).strip() or controls * 20 > len(text):
        return  # refused at import: blank, or a binary file
    data = ingest_text(text, encoding="utf-8")
    assert data.title and "\n" not in data.title and len(data.title) <= 80
    assert data.kind in {k.value for k in Kind}
    assert data.place is None or data.place[-1] in LEVELS or data.place == NATION
