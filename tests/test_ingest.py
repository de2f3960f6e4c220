"""Ingest on the five sample reports, on every supported encoding, and on bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from annotations.decode import decode
from annotations.errors import IngestError
from annotations.ingest import MAX_BYTES, ingest_bytes, normalise, read_report_file
from annotations.workspace import seed_files

SEED_NAMES = [path.stem for path in seed_files()]

# (title, year, issuer, published, doc_number) as printed in each report
METADATA = {
    "dalian-2017": (
        "2017年度大连市法治政府建设工作情况综述",
        2017,
        "大连市政府法制办",
        "2018-03-27",
        None,
    ),
    "changzhou-2017": (
        "常州市2017年法治政府建设工作报告",
        2017,
        "常州市人民政府",
        "2018-02-01",
        "常政发〔2018〕9号",
    ),
    "qingyuan-2019": (
        "清远市人民政府关于2019年法治政府建设工作情况的报告",
        2019,
        "清远市人民政府",
        "2020-01-22",
        "清府〔2020〕2号",
    ),
    "changxingdao-2021": (
        "大连长兴岛经济技术开发区2021年法治政府建设工作报告",
        2021,
        "大连长兴岛经济技术开发区管理委员会",
        "2022-01-18",
        None,
    ),
    "changhai-2012-plan": (
        "长海县2012年依法行政工作要点",
        2012,
        "政府办秘书科",
        "2012-07-07",
        None,
    ),
}


def seed(seeds_dir: Path, name: str) -> Path:
    return seeds_dir / f"{name}.txt"


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_metadata(seeds_dir: Path, name: str) -> None:
    data = read_report_file(seed(seeds_dir, name))
    title, year, issuer, published, doc_number = METADATA[name]
    assert (data.title, data.year, data.issuer, data.published, data.doc_number) == (
        title,
        year,
        issuer,
        published,
        doc_number,
    )
    assert data.encoding == "utf-8"
    assert data.sha256 == hashlib.sha256(data.text.encode("utf-8")).hexdigest()
    assert len(data.title) <= 60


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_text_is_kept_whole(seeds_dir: Path, name: str) -> None:
    raw = seed(seeds_dir, name).read_text(encoding="utf-8")
    assert read_report_file(seed(seeds_dir, name)).text == raw


def chrome_lines(seeds_dir: Path, name: str) -> list[str]:
    data = read_report_file(seed(seeds_dir, name))
    return [data.text[span.start : span.end].strip() for span in data.boilerplate]


def test_changzhou_chrome_is_the_page_header_table_and_footer(seeds_dir: Path) -> None:
    lines = chrome_lines(seeds_dir, "changzhou-2017")
    assert lines[:3] == ["您当前的位置:", "首页 >> 政务公开 >> 正文", "浏览次数:"]
    assert "文件编号:常政发〔2018〕9号 发布机构:常州市人民政府" in lines
    assert lines[-1] == "扫一扫在手机打开当前页"
    assert len(lines) == 10
    assert "常州市2017年法治政府建设工作报告" not in lines
    assert "(此件公开发布)" not in lines


def test_dalian_chrome(seeds_dir: Path) -> None:
    assert chrome_lines(seeds_dir, "dalian-2017") == [
        "日期: 2018-03-27 15:26:40",
        "【字号: | |",
        "责编: | 来源:市政府法制办 | 【打印】 | 【收藏】 | 【关闭窗口】",
    ]


def test_qingyuan_chrome(seeds_dir: Path) -> None:
    lines = chrome_lines(seeds_dir, "qingyuan-2019")
    assert lines[0].startswith("您当前的位置:首页")
    assert lines[1:] == [
        "时间:2020-01-22 16:25:44 来源:本网 访问量: -",
        "【字体:",
        "相关附件:",
        "扫一扫在手机打开当前页",
    ]


def test_changhai_byline_is_chrome(seeds_dir: Path) -> None:
    assert chrome_lines(seeds_dir, "changhai-2012-plan") == ["政府办秘书科", "2012-07-07"]


def test_changxingdao_has_no_chrome(seeds_dir: Path) -> None:
    assert chrome_lines(seeds_dir, "changxingdao-2021") == []


def test_boilerplate_spans_are_whole_lines(seeds_dir: Path) -> None:
    for name in SEED_NAMES:
        data = read_report_file(seed(seeds_dir, name))
        for span in data.boilerplate:
            assert span.start == 0 or data.text[span.start - 1] == "\n"
            assert span.end == len(data.text) or data.text[span.end] == "\n"


# -- encodings ---------------------------------------------------------------------------------

ENCODINGS = ["gbk", "gb18030", "utf-16-le", "utf-16-be", "utf-8-sig"]
BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


def gbk_safe(text: str) -> str:
    """The text with characters GBK cannot hold (changzhou's U+2002 spaces) made plain spaces."""
    return "".join(ch if ch.encode("gbk", errors="ignore") else " " for ch in text)


@pytest.mark.parametrize("name", SEED_NAMES)
@pytest.mark.parametrize("codec", ENCODINGS)
def test_every_encoding_gives_the_same_report(
    seeds_dir: Path, tmp_path: Path, name: str, codec: str
) -> None:
    text = seed(seeds_dir, name).read_text(encoding="utf-8")
    if codec == "gbk":
        text = gbk_safe(text)
    reference = ingest_bytes(text.encode("utf-8"))
    path = tmp_path / f"{name}.txt"
    path.write_bytes(BOMS.get(codec, b"") + text.encode(codec))
    data = read_report_file(path)
    assert data.text == reference.text == text
    assert data.sha256 == reference.sha256
    assert data.boilerplate == reference.boilerplate
    assert data.title == reference.title
    if codec == "gb18030":
        # GBK text is also GB18030: the narrower name is reported when it fits
        assert data.encoding == ("gbk" if gbk_safe(text) == text else "gb18030")
    else:
        assert data.encoding == codec


def test_gb18030_only_characters_are_detected() -> None:
    text = "报告𠀀正文。𡃁"  # characters outside GBK need the four-byte GB18030 form
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_short_gbk_text_is_not_mistaken_for_another_encoding() -> None:
    for text in ("法治政府", "一、成效", "存在的不足和原因。"):
        assert decode(text.encode("gbk")) == (text, "gbk")


def test_windows_1252_is_detected_when_no_chinese_encoding_fits() -> None:
    text = "Café résumé — naïve “quotes”, the report — done. " * 3
    assert decode(text.encode("cp1252")) == (text, "cp1252")


# -- normalisation -------------------------------------------------------------------------------


def test_line_endings_become_lf() -> None:
    assert normalise("一\r\n二\r三\n四") == "一\n二\n三\n四"
    assert normalise("a\x0cb\x0bc\x85d\u2028e\u2029f") == "a\nb\nc\nd\ne\nf"


def test_a_tab_becomes_four_spaces() -> None:
    assert normalise("\t一、成效\t2021") == "    一、成效    2021"


def test_escape_sequences_and_controls_are_removed() -> None:
    assert normalise("\x1b[31m红色\x1b[0m") == "红色"
    assert normalise("\x1b]0;title\x07正文") == "正文"
    assert normalise("\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\") == "链接"
    assert normalise("a\x00b\x07c\x1fd\x7fe\x80f\x9fg\ufeffh") == "abcdefgh"
    assert normalise("\x9b1m粗\x1bM行") == "粗行"


def test_bidirectional_controls_are_removed() -> None:
    # a right-to-left override would show "报告txt.exe" as "报告exe.txt"
    assert normalise("报告\u202etxt.exe") == "报告txt.exe"
    isolated = "\u2066甲\u2069\u2067乙\u2069\u2068丙\u202a丁\u202b戊\u202c\u202d"
    assert normalise(isolated) == "甲乙丙丁戊"
    assert normalise("阿拉伯文\u200f标记") == "阿拉伯文\u200f标记"  # a mark, not a control: kept


def test_an_unterminated_osc_never_eats_the_next_line() -> None:
    assert normalise("\x1b]0;title\n第二行") == "\n第二行"


def test_markup_lookalikes_and_full_width_punctuation_are_kept() -> None:
    text = "[/] [bold]加粗[/bold] [@click=app.quit]退出 ,:;() ,：；（） 〔2018〕 　全角空格"
    assert normalise(text) == text


def test_normalise_is_idempotent_on_a_seed(seeds_dir: Path) -> None:
    raw = seed(seeds_dir, "qingyuan-2019").read_text(encoding="utf-8")
    once = normalise(raw.replace("\n", "\r\n"))
    assert normalise(once) == once == raw


def test_crlf_file_has_the_same_identity_as_lf(seeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    raw = seed(seeds_dir, "dalian-2017").read_text(encoding="utf-8")
    path.write_bytes(raw.replace("\n", "\r\n").encode("utf-8"))
    assert read_report_file(path).sha256 == read_report_file(seed(seeds_dir, "dalian-2017")).sha256


# -- bad input ----------------------------------------------------------------------------------


def refusal(path: Path) -> str:
    with pytest.raises(IngestError) as caught:
        read_report_file(path)
    message = str(caught.value)
    assert message.endswith(".") and "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in refusal(tmp_path / "nope.txt")


def test_folder(tmp_path: Path) -> None:
    assert "is a folder" in refusal(tmp_path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.odt"
    path.write_bytes(b"PK\x03\x04")
    assert ".odt files are not supported" in refusal(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "is empty" in refusal(path)


def test_blank_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\u3000\r\n", encoding="utf-8")
    assert "only blank space" in refusal(path)


def test_png_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    assert "looks like a binary file, not a text report" in refusal(path)


def test_control_characters_without_nul_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(range(1, 9)) * 50 + "正文".encode())
    assert "binary" in refusal(path)


def test_undecodable(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"\xff\xff\x81\x8d\x90\x9d" * 20)
    assert "cannot be decoded (no supported encoding fits" in refusal(path)


def test_broken_utf16_after_its_bom(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xfe" + "报告".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    assert "broken utf-16-le" in refusal(path)


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 16 MB written to disk
    message = refusal(path)
    assert "16 MB" in message and "16.0 MB" in message


def test_too_large_bytes() -> None:
    with pytest.raises(IngestError, match="16 MB"):
        ingest_bytes(b"a" * (MAX_BYTES + 1))


def test_upper_case_suffix_is_accepted(seeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "REPORT.TXT"
    path.write_bytes(seed(seeds_dir, "dalian-2017").read_bytes())
    assert read_report_file(path).year == 2017


def test_markdown_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# 某县2020年法治政府建设年度报告\n\n一、成效\n完成了。", encoding="utf-8")
    data = read_report_file(path)
    assert data.title == "某县2020年法治政府建设年度报告"
    assert data.year == 2020
