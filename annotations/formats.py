"""Reports as published: the text of an HTML page, a Word (.docx) file or a PDF.

Each format yields paragraphs separated by "\\n", stripped of leading and trailing blank
space (ASCII, no-break and full-width spaces: the indentation of a paragraph is layout, not
text), with blank paragraphs dropped and tables turned into one row per line, cells joined
by a single space. What comes out is plain text for `ingest` to normalise and describe like
any text file.

- HTML: decoded by its BOM, else its declared charset, else detected like a text file;
  scripts, styles, forms, <nav>/<header>/<footer>/<aside> and hidden elements are dropped;
  the body is the block with the most Chinese text outside links, widened to its enclosing
  blocks while they only add a little text that is not links (the printed title and the
  date line above an article; never the navigation). Runs of blank space inside a paragraph
  become one space; a line break between two Chinese characters disappears.
- DOCX: body paragraphs and tables in order (content controls included); footnotes, headers,
  footers, comments and text boxes are not part of the body and are left out.
- PDF: the text layer, page by page in reading order; lines repeated at the top or bottom of
  most pages and page numbers ("- 3 -", "第3页", "3/12") are dropped; lines are joined into
  paragraphs without a space between Chinese characters.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from annotations import structure
from annotations.decode import decode_html
from annotations.errors import IngestError

# a PDF or Word file carries pictures and fonts besides its text
MAX_FILE_BYTES: int = 128 * 1024 * 1024

# pypdf logs the damage it works around to stderr, garbling a terminal screen or a refusal
logging.getLogger("pypdf").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Extracted:
    """The text of a published report and what its file says about it besides the text."""

    text: str
    encoding: str
    # "title", "published" (ISO date): used only where the text itself is silent
    hints: dict[str, str] = field(default_factory=dict)


def extract_text(path: Path, data: bytes) -> Extracted:
    """The text of an .html/.htm, .docx or .pdf report; IngestError says why there is none."""
    name = str(path)
    suffix = Path(path).suffix.lower()
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        raise IngestError("import.not_published_format", name=name, suffix=suffix)
    found = content_kind(data)
    if found not in _ACCEPTED[suffix]:
        raise IngestError(f"import.holds_{found}", name=name, suffix=suffix)
    return extractor(data, name)


# -- what a file really holds ----------------------------------------------------------------

_SNIFF = 4096
_HTML_START = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p|table)\b", re.I)
_ACCEPTED = {".html": {"html"}, ".htm": {"html"}, ".docx": {"docx"}, ".pdf": {"pdf"}}


def content_kind(data: bytes) -> str:
    """What the bytes are, whatever the file is called: html, pdf, docx, text, doc, zip, image
    or binary (each has its advice, the message `import.holds_<kind>`)."""
    head = data[:_SNIFF]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    if _HTML_START.search(head.replace(b"\x00", b"")):
        return "html"
    return "text"


def _is_docx(data: bytes) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# -- shared text clean-up ------------------------------------------------------------------

_EDGE_BLANKS = " \t\r\n\f\v\xa0\u3000\u2002\u2003\u2009\u200b"
_RUNS = re.compile(r"[ \t\r\n\f\v\xa0\u2002\u2003\u2009]+")
# Han, kana, full-width forms, CJK and general punctuation (“” ‘’ — … are Chinese text too)
_CJK = r"\u2010-\u2027\u2030-\u205e\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_BREAK_IN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\r\f\n]*(?=[{_CJK}])")
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")


def paragraph(raw: str) -> str:
    """One paragraph of flowing text: no line break between two Chinese characters, other
    blank runs as one space, no blank space at either end."""
    return _RUNS.sub(" ", _BREAK_IN_CJK.sub("", raw)).strip(_EDGE_BLANKS)


def join_paragraphs(paragraphs: Sequence[str]) -> str:
    """The paragraphs that hold text, one per line."""
    return "\n".join(p for p in paragraphs if p)


# -- HTML ------------------------------------------------------------------------------------

_DROPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed"}
    | {"applet", "svg", "math", "canvas", "nav", "header", "footer", "aside", "form", "select"}
    | {"option", "button", "input", "textarea", "map", "head", "title"}
)
_BLOCK_TAGS = frozenset(
    {"address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dir"}
    | {"div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"hr", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "table"}
    | {"td", "th", "tr", "ul"}
)
_LAYOUT_INSIDE = frozenset({"table", "p", "div", "br", "ul", "ol"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_MIN_BODY = 20
# widening stops at a block that adds more than this share of text, or mostly links
_WIDEN_SHARE = 0.2
_WIDEN_LINKS = 0.25
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s)\s*")
_META_TITLE = ("articletitle", "og:title", "title")
_META_DATE = ("pubdate", "publishdate", "article:published_time", "firstpublishedtime", "date")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def _html_tree(text: str, name: str) -> Any:
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError("import.empty_page", name=name) from exc


def _html_hints(root: Any) -> dict[str, str]:
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        value = paragraph(meta.get("content") or "")
        if key and value:
            metas.setdefault(key, value)
    hints: dict[str, str] = {}
    title = next((metas[k] for k in _META_TITLE if k in metas), None)
    if title is None:
        node = root.find(".//title")
        title = paragraph(node.text_content()) if node is not None else ""
        title = next((part for part in _TITLE_SEPARATORS.split(title) if part), "")
    if title:
        hints["title"] = title
    for key in _META_DATE:
        found = _DATE.search(metas.get(key, ""))
        if found and (published := _valid_date(*found.groups())):
            hints["published"] = published
            break
    return hints


def _valid_date(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _drop_chrome(root: Any) -> None:
    doomed = list(root.iter(*_DROPPED_TAGS))
    doomed += [
        el
        for el in root.iter()
        if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or "")
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _weight(text: str) -> float:
    """How much report text a string holds: Chinese characters count fully, other letters little."""
    cjk = len(_CJK_CHAR.findall(text))
    return cjk + 0.25 * sum(1 for ch in text if ch.isalnum() and not _CJK_CHAR.match(ch))


@dataclass
class _Tally:
    """Text weight under each element, and how much of it sits inside links."""

    own: dict[Any, float] = field(default_factory=dict)
    total: dict[Any, float] = field(default_factory=dict)
    linked: dict[Any, float] = field(default_factory=dict)


def _tally(root: Any) -> _Tally:
    tally = _Tally()

    def visit(element: Any, in_link: bool) -> tuple[float, float]:
        in_link = in_link or element.tag == "a"
        total: float = _weight(element.text or "")
        linked: float = total if in_link else 0.0
        own: float = total
        for child in element:
            child_total, child_linked = visit(child, in_link)
            tail = _weight(child.tail or "")
            total += child_total + tail
            linked += child_linked + (tail if in_link else 0.0)
            own += tail + (0.0 if child.tag in _BLOCK_TAGS else child_total - child_linked)
        tally.total[element], tally.linked[element] = total, linked
        tally.own[element] = own if not in_link else 0.0
        return total, linked

    visit(root, False)
    return tally


def _body_element(root: Any, tally: _Tally) -> Any:
    """The block holding the article: most unlinked text from its own paragraphs, widened."""
    score: dict[Any, float] = defaultdict(float)
    for element, own in tally.own.items():
        if own <= 0 or not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        score[element] += own
        if parent is not None:
            score[parent] += own
            if parent.getparent() is not None:
                score[parent.getparent()] += own / 2
    if not score:
        return None
    best = max(score, key=lambda el: score[el] * (1 - _link_share(tally, el)))
    while (parent := best.getparent()) is not None:
        added = tally.total[parent] - tally.total[best]
        added_links = tally.linked[parent] - tally.linked[best]
        if added > _WIDEN_SHARE * tally.total[best] or added_links > _WIDEN_LINKS * max(added, 1):
            break
        best = parent
    return best


def _link_share(tally: _Tally, element: Any) -> float:
    total = tally.total[element]
    return tally.linked[element] / total if total else 1.0


def _is_data_table(table: Any) -> bool:
    """A table of values (rows of short cells), not a page layout built from a table."""
    return not any(inner.tag in _LAYOUT_INSIDE for inner in table.iter() if inner is not table)


class _HtmlLines:
    """Walks a body element and collects its paragraphs."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pieces: list[str] = []

    def flush(self) -> None:
        self.lines.append(paragraph("".join(self.pieces)))
        self.pieces = []

    def walk(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            self.flush()
        elif tag == "table" and _is_data_table(element):
            self.flush()
            for row in element.iter("tr"):
                cells = (paragraph(cell.text_content()) for cell in row if cell.tag in ("td", "th"))
                self.lines.append(" ".join(c for c in cells if c))
        elif tag == "pre":
            self.flush()
            self.lines.extend(paragraph(line) for line in element.text_content().split("\n"))
        else:
            block = tag in _BLOCK_TAGS
            if block:
                self.flush()
            self.pieces.append(element.text or "")
            for child in element:
                self.walk(child)
                self.pieces.append(child.tail or "")
            if block:
                self.flush()


def extract_html(data: bytes, name: str) -> Extracted:
    """The report body of a saved web page (see the module docstring)."""
    text, encoding = decode_html(data, name)
    root = _html_tree(text, name)
    hints = _html_hints(root)
    _drop_chrome(root)
    tally = _tally(root)
    body = _body_element(root, tally)
    if body is None or tally.total[body] - tally.linked[body] < _MIN_BODY:
        raise IngestError("import.no_body_text", name=name)
    walker = _HtmlLines()
    walker.walk(body)
    walker.flush()
    return Extracted(join_paragraphs(walker.lines), f"html:{encoding}", hints)


# -- DOCX ------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_docx(data: bytes, name: str) -> Extracted:
    """Body paragraphs and table rows of a Word file, in order (see the module docstring)."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError("import.docx_damaged", name=name, problem=str(exc)) from exc
    lines = list(_docx_blocks(document.element.body, document))
    hints = {"title": paragraph(document.core_properties.title or "")}
    text = join_paragraphs(lines)
    if not text:
        raise IngestError("import.docx_no_text", name=name)
    return Extracted(text, "docx", {k: v for k, v in hints.items() if v})


def _docx_blocks(container: Any, document: Any) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield from (paragraph(line) for line in Paragraph(child, document).text.split("\n"))
        elif child.tag == f"{_W}tbl":
            for row in Table(child, document).rows:
                yield " ".join(_docx_row_cells(row, document))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _docx_blocks(content, document)


def _docx_row_cells(row: Any, document: Any) -> Iterator[str]:
    seen: set[Any] = set()
    for cell in row.cells:
        # a merged cell appears once per grid column it spans
        if cell._tc in seen:
            continue
        seen.add(cell._tc)
        text = " ".join(p for p in _docx_blocks(cell._tc, document) if p)
        if text:
            yield text


# -- PDF -------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·\s]*\d{1,4}[-—–－_~·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page\s*)?\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.I,
)
_EDGE_LINES = 2
_REPEAT_SHARE = 0.5
_PARAGRAPH_END = ("。", "！", "？", "!", "?", "；", ";", "：", ":")
_SHORT_LINE = 0.8
_INDENT_MIN = 2
# a full line holds at least 25 Chinese characters: lines all shorter are one paragraph each
_FULL_MIN = 50
_INDENTED_SHARE = 0.05
_LATIN_WORD = re.compile(r"[(（]?[A-Za-z0-9.,:/%+\-—–]+[)）]?")


@dataclass(frozen=True)
class _PdfLine:
    text: str
    indent: int
    after_gap: bool
    page: int


def extract_pdf(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF, as paragraphs (see the module docstring)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        _unlock(reader, name)
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
        info = reader.metadata
    except PdfReadError as exc:
        raise IngestError("import.pdf_damaged", name=name, problem=str(exc)) from exc
    lines = _body_lines([_page_lines(text, number) for number, text in enumerate(pages)])
    if not any(_weight(line.text) for line in lines):
        raise IngestError("import.pdf_scanned", name=name)
    hints: dict[str, str] = {}
    title = paragraph(str(info.title or "")) if info is not None else ""
    title = re.sub(r"^Microsoft Word\s*-\s*|\.(?:docx?|wps)$", "", title, flags=re.I)
    if title:
        hints["title"] = title
    return Extracted(join_paragraphs(_join_lines(lines)), "pdf", hints)


def _unlock(reader: Any, name: str) -> None:
    """Open a PDF that is encrypted only against editing; refuse one that needs a password."""
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    if not reader.is_encrypted:
        return
    try:
        unlocked = reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except (DependencyError, NotImplementedError) as exc:
        raise IngestError("import.pdf_encryption", name=name, problem=str(exc)) from exc
    if not unlocked:
        raise IngestError("import.pdf_password", name=name)


def _page_lines(text: str, page: int) -> list[_PdfLine]:
    lines: list[_PdfLine] = []
    gap = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            gap = bool(lines)
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        lines.append(_PdfLine(_SPACE_IN_CJK.sub("", _RUNS.sub(" ", stripped)), indent, gap, page))
        gap = False
    return lines


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _body_lines(pages: Sequence[list[_PdfLine]]) -> list[_PdfLine]:
    """All lines but page numbers and the headers and footers repeated on most pages."""
    tops = [page[:_EDGE_LINES] for page in pages]
    bottoms = [page[-_EDGE_LINES:] for page in pages]
    repeated = _repeated(tops) | _repeated(bottoms)
    body: list[_PdfLine] = []
    for page, top, bottom in zip(pages, tops, bottoms, strict=True):
        edge = {id(line) for line in top + bottom}
        body.extend(
            line
            for line in page
            if id(line) not in edge
            or not (_PAGE_NUMBER.match(line.text) or _furniture_key(line.text) in repeated)
        )
    return body


def _repeated(edges: Sequence[list[_PdfLine]]) -> set[str]:
    """Lines (numbers aside) found at the same edge of at least half the pages, and of 2."""
    counts = Counter(key for edge in edges for key in {_furniture_key(line.text) for line in edge})
    least = max(2, _REPEAT_SHARE * len(edges))
    return {key for key, n in counts.items() if n >= least}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_lines(lines: Sequence[_PdfLine]) -> list[str]:
    """Lines re-joined into paragraphs: a paragraph ends after a line that had room left for
    the next line's first word, before an indented line, a blank gap or a heading, and at
    。：； only in a document that does not indent its paragraphs."""
    if not lines:
        return []
    widths = [_width(line.text) + line.indent for line in lines]
    full = max(sorted(widths)[len(widths) * 9 // 10], _FULL_MIN)
    margin = Counter(line.indent for line in lines).most_common(1)[0][0]
    indented = [line.indent >= margin + _INDENT_MIN for line in lines]
    uses_indent = _uses_indentation(indented)
    paragraphs: list[str] = []
    current = lines[0].text
    for index in range(1, len(lines)):
        before, line = lines[index - 1], lines[index]
        ends = (
            widths[index - 1] + _width(_first_word(line.text)) < _SHORT_LINE * full
            or (line.after_gap and line.page == before.page)
            or structure.heading_marker(line.text) is not None
            or (indented[index] if uses_indent else before.text.endswith(_PARAGRAPH_END))
        )
        if ends:
            paragraphs.append(current)
            current = line.text
        else:
            current += _glue(current, line.text) + line.text
    paragraphs.append(current)
    return [paragraph(p) for p in paragraphs]


def _first_word(text: str) -> str:
    """The Latin word or number a line starts with: it may have been too long for the line above."""
    found = _LATIN_WORD.match(text)
    return found.group() if found else ""


def _uses_indentation(indented: Sequence[bool]) -> bool:
    """Whether paragraphs begin indented: a fair share of lines start right of the margin."""
    return sum(indented) >= max(3, _INDENTED_SHARE * len(indented))


def _glue(left: str, right: str) -> str:
    """A space only between two Latin letters (an English word wrapped), else nothing."""
    latin = re.compile("[A-Za-z]")
    return " " if latin.fullmatch(left[-1:]) and latin.fullmatch(right[:1]) else ""


EXTRACTORS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".html": extract_html,
    ".htm": extract_html,
    ".docx": extract_docx,
    ".pdf": extract_pdf,
}
SUFFIXES: frozenset[str] = frozenset(EXTRACTORS)
