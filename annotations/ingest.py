"""Bytes in, a report's normalised text out: encoding, normalisation, web chrome, metadata.

Normalisation happens once, here, and the SHA-256 of its result is the report's identity:
CRLF and CR become LF; vertical tab, form feed, NEL and the Unicode line and paragraph
separators become LF too (they separate paragraphs); a tab becomes four spaces (a fixed
width, so offsets never depend on column); escape sequences (CSI, OSC, DCS, …) and every
other C0/C1 control character are removed, as is U+FEFF (a byte-order mark left in the text)
— `clean.normalise`, the same function every other outside text passes through.
Everything else is kept exactly, ASCII and full-width punctuation alike.

Web chrome (breadcrumbs, font-size widgets, view counters, footers, the metadata table of a
government information page) is never deleted: its lines are returned as boilerplate spans.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from annotations import formats, structure
from annotations.clean import normalise
from annotations.decode import decode
from annotations.errors import IngestError
from annotations.model import Span
from annotations.place import derived_title, find_kind, find_place

MAX_BYTES: int = 16 * 1024 * 1024
SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md"}) | formats.SUFFIXES
TITLE_MAX = 60
_SUFFIXES = ", ".join(sorted(SUPPORTED_SUFFIXES))


@dataclass(frozen=True)
class Ingested:
    """A decoded, normalised report with what could be read off its text."""

    text: str
    sha256: str
    encoding: str
    boilerplate: tuple[Span, ...]
    title: str
    year: int | None
    issuer: str | None
    published: str | None
    doc_number: str | None
    place: str | None = None
    kind: str = "other"
    title_derived: bool = False


# -- reading ------------------------------------------------------------------


def read_report_file(path: Path) -> Ingested:
    """Read one report file; every reason it cannot be a report is an IngestError sentence."""
    path = Path(path)
    if not path.exists():
        raise IngestError("file.missing", path=str(path))
    if path.is_dir():
        raise IngestError("import.is_folder", path=str(path), suffixes=_SUFFIXES)
    if not path.is_file():  # reading a pipe or a device would wait for ever
        raise IngestError("import.not_a_file", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        if not path.suffix:
            raise IngestError("import.no_suffix", path=str(path), suffixes=_SUFFIXES)
        raise IngestError("import.unsupported_suffix", path=str(path), suffix=path.suffix,
                          suffixes=_SUFFIXES)
    published = suffix in formats.SUFFIXES
    limit = formats.MAX_FILE_BYTES if published else MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise _too_large(str(path), size, limit)
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError("import.unreadable", path=str(path), reason=str(exc.strerror)) from exc
    if published:
        found = formats.extract_text(path, data)
        return ingest_text(found.text, encoding=found.encoding, name=str(path), hints=found.hints)
    return ingest_bytes(data, name=str(path))


def ingest_bytes(data: bytes, *, name: str = "") -> Ingested:
    """Decode, normalise and describe a report given as bytes (`name` only labels errors)."""
    label = name or "the data"
    if not data:
        raise IngestError("import.empty", name=label)
    if len(data) > MAX_BYTES:
        raise _too_large(label, len(data))
    raw, encoding = decode(data, name=label)
    return ingest_text(raw, encoding=encoding, name=label)


def ingest_text(
    raw: str, *, encoding: str, name: str = "", hints: Mapping[str, str] | None = None
) -> Ingested:
    """Normalise and describe decoded report text; `hints` (a page's or file's own title and
    publication date) fill in what the text itself does not show."""
    label = name or "the data"
    hints = hints or {}
    text = normalise(raw)
    if len(text) > MAX_BYTES:
        raise _too_large(label, len(text))
    if not text.strip():
        raise IngestError("import.blank", name=label)
    lines = list(_lines(text))
    boilerplate = _boilerplate(lines)
    meta = _Metadata(lines, boilerplate, normalise(hints.get("title", "")))
    issuer = meta.issuer()
    place = find_place(text, title=meta.printed_title, issuer=issuer, signature=meta.signature())
    kind = find_kind(text, meta.printed_title)
    year = meta.year()
    made_up = None if meta.printed_title else derived_title(text, place, year, kind)
    return Ingested(
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        encoding=encoding,
        boilerplate=boilerplate,
        title=made_up or meta.title(),
        year=year,
        issuer=issuer,
        published=meta.published() or hints.get("published"),
        doc_number=meta.doc_number(),
        place=place,
        kind=kind.value,
        title_derived=meta.printed_title is None,
    )


def _too_large(label: str, size: int, limit: int = MAX_BYTES) -> IngestError:
    return IngestError("import.too_large", name=label, size=size / 1024 / 1024,
                       limit=limit // 1024 // 1024)


# -- lines and web chrome ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


def _lines(text: str) -> Iterator[_Line]:
    start = 0
    for part in text.split("\n"):
        yield _Line(start, start + len(part), part)
        start += len(part) + 1


_BLANKS = re.compile(r"[\s\u3000]+")
_CHROME_HEAD = re.compile(
    r"""^(?:
      您当前的位置 | 您的位置 | 当前位置
    | 首页(?:>|»|›|＞|/)
    | (?:发布)?(?:日期|时间)[:：]\d{4}-\d{1,2}-\d{1,2}
    | 【字号 | 【字体 | 字号[:：] | 字体[:：]
    | 浏览次数 | 访问量 | 阅读次数 | 点击数 | 点击量 | 浏览量
    | 扫一扫
    | 责编 | 责任编辑[:：] | 来源[:：]
    | 相关附件 | 附件下载
    | (?:索引号|信息名称|文件编号|发文字号|发布机构|发文机关|生成日期|成文日期|公开日期
        |发布日期|废止日期|内容概述|法定主动公开分类|主题分类|公开方式|公开范围|信息分类
        |主题词|有效性)[:：]
    | \d{4}-\d{1,2}-\d{1,2}(?:\d{1,2}:\d{2}(?::\d{2})?)?$
    )""",
    re.VERBOSE,
)
_CHROME_ANYWHERE = re.compile(r"【打印】|【关闭窗口】|【关闭】|【收藏】|扫一扫在手机打开")
_CHROME_MAX = 200
_ISO_DATE_LINE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ORG = re.compile(
    r"^[\u4e00-\u9fff]{2,30}?(?:人民政府|政府|管理委员会|管委会|委员会|办公室|办公厅|法制办"
    r"|局|厅|委|办|科|处|院|中心)$"
)


def _is_chrome(line: _Line) -> bool:
    if not line.stripped or len(line.text) > _CHROME_MAX:
        return False
    compact = _BLANKS.sub("", line.text)
    return bool(_CHROME_HEAD.match(compact) or _CHROME_ANYWHERE.search(compact))


def _boilerplate(lines: Sequence[_Line]) -> tuple[Span, ...]:
    """Whole-line spans of web chrome, in order; body sentences are never marked."""
    marked = [line for line in lines if _is_chrome(line)]
    byline = _top_byline(lines)
    if byline is not None and byline not in marked:
        marked.append(byline)
    return tuple(Span(line.start, line.end) for line in sorted(marked, key=lambda li: li.start))


def _top_byline(lines: Sequence[_Line]) -> _Line | None:
    """A page's poster line (an office name) directly above a bare ISO date at the very top."""
    filled = [line for line in lines[:20] if line.stripped][:2]
    if (
        len(filled) == 2
        and _ORG.match(filled[0].stripped)
        and _ISO_DATE_LINE.match(filled[1].stripped)
    ):
        return filled[0]
    return None


# -- metadata --------------------------------------------------------------------------------

_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,5}\s*号"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_END = re.compile(
    r"(?:报告|综述|要点|总结|情况|计划|方案|意见|通知|公告|通报|纲要|规划|决定)[)）》]?$"
)
_TERMINATORS = re.compile(r"[。！？!?；;]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CN_DATE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_FIELD_VALUE = r"\s*[:：]\s*([^\s|｜]+)"
_HEAD_LINES = 25
_BODY_MIN = 80
_UNNAMED_SOURCES = frozenset({"本网", "本站", "网站", "本网站"})


def _valid_date(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _trim_title(text: str) -> str:
    text = _BLANKS.sub(" ", text).strip().lstrip("#").strip().rstrip("。；;，,：:")
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


class _Metadata:
    """Reads title, year, issuer, publication date and document number off a report's text;
    `hint_title` is the file's own (a web page's <title>, a Word file's properties), used
    when no title is printed."""

    def __init__(self, lines: Sequence[_Line], boilerplate: Sequence[Span], hint_title: str = ""
                 ) -> None:
        chrome = {span.start for span in boilerplate}
        self.lines = lines
        self.chrome = [line.text for line in lines if line.start in chrome]
        self.content = [line for line in lines if line.stripped and line.start not in chrome]
        self.chrome_text = "\n".join(self.chrome)
        self._title = self._printed_title() or _trim_title(hint_title) or None

    def _field(self, name: str) -> str | None:
        found = re.search(name + _FIELD_VALUE, self.chrome_text)
        return found.group(1) if found else None

    def _chrome_date(self, names: str) -> str | None:
        found = re.search(
            rf"(?:^|\s)(?:{names})\s*[:：]\s*(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})",
            self.chrome_text,
            re.MULTILINE,
        )
        return _valid_date(*found.groups()) if found else None

    def _head(self) -> list[str]:
        """The short lines above the body: where titles and document numbers are printed."""
        head: list[str] = []
        for line in self.content[:_HEAD_LINES]:
            stripped = line.stripped
            if len(stripped) > _BODY_MIN or structure.heading_marker(stripped):
                break
            head.append(stripped)
        return head

    def _printed_title(self) -> str | None:
        head = self._head()
        for index, line in enumerate(head):
            if _TERMINATORS.search(line) or line.endswith((":", "：")):
                continue
            if _TITLE_END.search(line) and len(line) <= TITLE_MAX:
                return line
            # a title printed across two lines
            if index + 1 < len(head) and _TITLE_END.search(head[index + 1]):
                joined = line + head[index + 1]
                if len(joined) <= TITLE_MAX and not _TERMINATORS.search(joined):
                    return joined
        return self._field("信息名称")

    @property
    def printed_title(self) -> str | None:
        """The title printed above the body, else the file's own title, else None."""
        return self._title

    def signature(self) -> list[str]:
        """The office names the body is signed with (near its end)."""
        return [line.stripped for line in self.content[-6:] if _ORG.match(line.stripped)]

    def title(self) -> str:
        """The printed title, else the first sentence of the body, never empty."""
        if self._title:
            return _trim_title(self._title)
        # the text is never blank, so some line has a first sentence
        first = next(iter(self.content), None) or next(li for li in self.lines if li.stripped)
        sentence = structure.split_sentences(first.text)[0]
        piece = first.text[sentence.start : sentence.end]
        return _trim_title(piece) or piece[:TITLE_MAX]

    def year(self) -> int | None:
        """The year the report covers: from its title, else from the opening of its body."""
        if self._title:
            found = _YEAR.search(self._title)
            if found:
                return int(found.group(1))
        body = next((line.stripped for line in self.content if len(line.stripped) > _BODY_MIN), "")
        found = _YEAR.search(body)
        return int(found.group(1)) if found else None

    def doc_number(self) -> str | None:
        """The 文件编号 field, else a number printed on a line of its own above the body."""
        field = self._field("文件编号") or self._field("发文字号")
        if field and _DOC_NUMBER.fullmatch(field):
            return field
        for line in self._head():
            if _DOC_NUMBER.fullmatch(line):
                return line
        return None

    def published(self) -> str | None:
        """公开日期, else the page's date, else a bare date at the top, else the signed date."""
        on_page = self._chrome_date("公开日期") or self._chrome_date("发布日期|发布时间|日期|时间")
        if on_page:
            return on_page
        for chrome_line in self.chrome:
            if _ISO_DATE_LINE.match(chrome_line.strip()):
                found = _ISO_DATE.match(chrome_line.strip())
                assert found is not None
                return _valid_date(*found.groups())
        for line in reversed(self.content[-6:]):
            found = _CN_DATE.match(line.stripped)
            if found:
                return _valid_date(*found.groups())
        return self._chrome_date("成文日期|生成日期")

    def issuer(self) -> str | None:
        """发布机构; else the body signed at the end; else "X关于…" in the title; else the
        page's 来源 (qualified with the place the title names); else the page's poster."""
        field = self._field("发布机构")
        if field:
            return field
        signed = self.signature()
        if signed:
            return signed[-1]
        if self._title:
            found = re.match(r"^(.{2,30}?)关于", self._title)
            if found and _ORG.match(found.group(1)):
                return found.group(1)
        source = self._field("来源")
        if source and source not in _UNNAMED_SOURCES:
            title = re.sub(r"(?:19|20)\d{2}\s*年度?", "", self._title or "")
            place = re.search(r"([\u4e00-\u9fff]{2,6}?[省市县区])", title)
            if place and source[0] in "省市县区" and not source.startswith(place.group(1)):
                return place.group(1)[:-1] + source
            return source
        byline = _top_byline(self.lines)
        return byline.stripped if byline is not None else None
