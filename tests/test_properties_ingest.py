"""Properties of ingest and structure that must hold for any input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.errors import IngestError
from annotations.ingest import ingest_bytes, normalise
from annotations.model import Section, Span
from annotations.structure import build_structure

PIECES = [
    "一、",
    "二、",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "3．",
    "（1）",
    "(2)",
    "①",
    "一是",
    "二是",
    "、",
    "。",
    "；",
    ";",
    "！",
    "？",
    "!",
    "?",
    "(",
    ")",
    "（",
    "）",
    "《",
    "》",
    "“",
    "”",
    "【",
    "】",
    "责任单位:",
    "您当前的位置:",
    "来源:",
    "2021年",
    "12",
    "法治",
    "政府",
    "建设",
    "\n",
    "\n\n",
    " ",
    "  ",
    "\t",
    "\u3000",
    "\r\n",
    "\x1b[31m",
]
report_like = st.lists(
    st.one_of(
        st.sampled_from(PIECES), st.text(alphabet="法治政府报告成效不足计划ab 12", max_size=6)
    ),
    max_size=60,
).map("".join)
any_text = st.one_of(report_like, st.text(max_size=200))


def all_sections(sections: tuple[Section, ...]) -> list[Section]:
    return [s for top in sections for s in top.walk()]


def check_structure(text: str, boilerplate: tuple[Span, ...] = ()) -> None:
    sections, sentences = build_structure(text, boilerplate)
    n = len(text)
    for span in boilerplate:
        assert 0 <= span.start < span.end <= n
    for s in all_sections(sections):
        assert 0 <= s.start < s.heading_end <= s.end <= n
        for child in s.children:
            assert s.heading_end <= child.start and child.end <= s.end
    covered = [False] * n
    previous_end = 0
    for span in sentences:
        assert previous_end <= span.start < span.end <= n
        piece = text[span.start : span.end]
        assert "\n" not in piece
        assert not piece[0].isspace() and not piece[-1].isspace()
        for i in range(span.start, span.end):
            covered[i] = True
        previous_end = span.end
    for s in all_sections(sections):
        for i in range(s.start, s.heading_end):
            assert not covered[i], "a heading is not a sentence"
            covered[i] = True
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert missed == []


@given(report_like)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_structure_spans_on_report_like_text(raw: str) -> None:
    check_structure(normalise(raw))


@given(st.text(max_size=300))
@settings(max_examples=200)
def test_structure_spans_on_any_text(raw: str) -> None:
    check_structure(normalise(raw))


@given(st.binary(max_size=400))
@settings(max_examples=300)
def test_ingest_of_any_bytes_succeeds_or_says_why(data: bytes) -> None:
    try:
        result = ingest_bytes(data)
    except IngestError as exc:
        assert str(exc)
        return
    assert result.title
    assert result.text.strip()
    check_structure(result.text, result.boilerplate)


@given(any_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
@settings(max_examples=200)
def test_ingest_of_encoded_text_succeeds_or_says_why(raw: str, codec: str) -> None:
    try:
        data = raw.encode(codec)
    except UnicodeEncodeError:
        return
    try:
        result = ingest_bytes(data)
    except IngestError:
        return
    if codec != "gb18030":  # GB18030 bytes may also be valid UTF-8, which is tried first
        assert result.text == normalise(raw)
    # the stored text read back gives the same report (the workspace relies on it)
    again = ingest_bytes(result.text.encode("utf-8"))
    assert again.text == result.text
    assert (again.boilerplate, again.title) == (result.boilerplate, result.title)
    check_structure(result.text, result.boilerplate)


@given(any_text)
def test_normalise_is_idempotent_and_strips_controls(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert not any((ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F for ch in once)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in once)
    assert "\r" not in once and "\t" not in once
