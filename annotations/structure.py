"""A report's outline (section tree) and its sentences, as code-point spans of the text.

Headings are numbered lines in the styles Chinese official documents use: 一、 / （一）(一) /
1. 1、 1． / （1）(1) / ①, ASCII and full-width alike, after optional leading spaces. A
heading is recognised only at the start of a line (a paragraph), never inside web chrome,
and never on a line that continues a wrapped sentence. When a numbered line goes on with
body text ("(三)规范行政决策程序,加快转变政府职能。健全…"), the heading is its first sentence.

`Section.level` is the nesting depth (1 = outermost), not the numbering style: styles nest
in the order a report uses them, so `1.` directly under `一、` is level 2. A style met for
the first time nests under the styles open above it unless it ranks higher in the usual
order 一、 > （一） > 1. > （1） > ①, in which case it closes them.

Sentences end at 。！？!? and at ；; (each 一是…；二是… item is its own unit), take any
closing quotes or brackets right after the terminator, never split inside a matched pair of
《》 “” ‘’ 「」 『』 （） () 【】 [] 〔〕, and never cross a line break. Unmatched brackets
are ignored. A heading's text is not a sentence; all other non-blank text is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from annotations.model import Section, Span

HEADING_MAX = 80
_WRAPPED_MIN = 60

_STYLES = (
    ("一、", r"[一二三四五六七八九十百]{1,4}[、．.](?![一二三四五六七八九十])"),
    ("（一）", r"[（(][一二三四五六七八九十百]{1,4}[）)][、．.]?"),
    ("1.", r"\d{1,3}[．.、](?!\d)"),
    ("（1）", r"[（(]\d{1,3}[）)][、．.]?"),
    ("①", r"[①-⑳]"),
)
_RANK = {name: rank for rank, (name, _) in enumerate(_STYLES)}
_MARKER = re.compile("|".join(f"(?P<s{rank}>{regex})" for rank, (_, regex) in enumerate(_STYLES)))
# a line cut off in the middle of a sentence stops on a letter, a digit or a comma
_WRAP_END = re.compile(r"[\w,，、]")

_TERMINATORS = frozenset("。！？!?；;")
_CLOSE_TO_OPEN = {
    "》": "《",
    "〉": "〈",
    "”": "“",
    "’": "‘",
    "」": "「",
    "』": "『",
    "）": "(",
    ")": "(",
    "】": "【",
    "]": "【",
    "〕": "〔",
    "］": "【",
}
_OPENERS = {
    "《": "《",
    "〈": "〈",
    "“": "“",
    "‘": "‘",
    "「": "「",
    "『": "『",
    "（": "(",
    "(": "(",
    "【": "【",
    "[": "【",
    "〔": "〔",
    "［": "【",
}
_TAIL = _TERMINATORS | frozenset(_CLOSE_TO_OPEN)
_SPECIAL = re.compile("[" + re.escape("".join(sorted(_TAIL | set(_OPENERS)))) + "]")
# how far down the open-bracket stack a closer looks for its partner
_MATCH_DEPTH = 8


def heading_marker(line: str) -> str | None:
    """The numbering style ("一、", "（一）", "1.", "（1）", "①") a line starts with, if any."""
    found = _MARKER.match(line.lstrip())
    if found is None or found.lastgroup is None:
        return None
    return _STYLES[int(found.lastgroup[1:])][0]


# -- sentences -------------------------------------------------------------------------------


def _matched_brackets(text: str, start: int, end: int) -> tuple[list[re.Match[str]], set[int]]:
    """The special characters of text[start:end] and the positions of brackets that pair up."""
    specials = list(_SPECIAL.finditer(text, start, end))
    stack: list[tuple[str, int]] = []
    paired: set[int] = set()
    for found in specials:
        ch = found.group()
        if ch in _OPENERS:
            stack.append((_OPENERS[ch], found.start()))
        elif ch in _CLOSE_TO_OPEN:
            want = _CLOSE_TO_OPEN[ch]
            for depth in range(len(stack) - 1, max(-1, len(stack) - 1 - _MATCH_DEPTH), -1):
                if stack[depth][0] == want:
                    paired.add(stack[depth][1])
                    paired.add(found.start())
                    del stack[depth:]
                    break
    return specials, paired


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Raw sentence pieces of one line segment, untrimmed, covering it exactly."""
    specials, paired = _matched_brackets(text, start, end)
    depth = 0
    cut = start
    skip_to = start
    for found in specials:
        pos = found.start()
        if pos < skip_to:
            continue
        ch = found.group()
        if pos in paired:
            depth += 1 if ch in _OPENERS else -1
            continue
        if ch not in _TERMINATORS:
            continue
        after, after_depth = pos + 1, depth
        while after < end and text[after] in _TAIL:
            if after in paired:
                after_depth -= 1
            after += 1
        if after_depth == 0:
            yield cut, after
            cut = skip_to = after
            depth = 0
    if cut < end:
        yield cut, end


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _line_bounds(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for part in text.split("\n"):
        yield start, start + len(part)
        start += len(part) + 1


def split_sentences(text: str, sections: Sequence[Section] = ()) -> tuple[Span, ...]:
    """Sentence spans of `text`, in order, skipping the heading text of `sections`."""
    headings = sorted(
        (s.start, s.heading_end) for top in sections for s in top.walk() if s.heading_end > s.start
    )
    out: list[Span] = []
    index = 0
    for line_start, line_end in _line_bounds(text):
        segment_start = line_start
        while index < len(headings) and headings[index][0] < line_end:
            if headings[index][0] >= line_start:
                segment_start = max(segment_start, min(headings[index][1], line_end))
            index += 1
        for piece_start, piece_end in _pieces(text, segment_start, line_end):
            span = _trimmed(text, piece_start, piece_end)
            if span is not None:
                out.append(span)
    return tuple(out)


# -- sections --------------------------------------------------------------------------------


@dataclass
class _Node:
    title: str
    level: int
    start: int
    heading_end: int
    end: int = -1
    children: list[_Node] = field(default_factory=list)

    def freeze(self) -> Section:
        return Section(
            title=self.title,
            level=self.level,
            start=self.start,
            end=self.end,
            heading_end=self.heading_end,
            children=tuple(child.freeze() for child in self.children),
        )


def _heading(text: str, line_start: int, line_end: int) -> tuple[str, int, int, str] | None:
    """(style, start, heading_end, title) when the line is a heading."""
    start = line_start
    while start < line_end and text[start].isspace():
        start += 1
    found = _MARKER.match(text, start, line_end)
    if found is None or found.lastgroup is None or found.end() >= line_end:
        return None
    first_end = next(_pieces(text, found.end(), line_end))[1]
    span = _trimmed(text, start, first_end)
    if span is None or span.end - span.start > HEADING_MAX:
        return None
    title = text[span.start : span.end].rstrip("。！？!?；;").strip()
    return _STYLES[int(found.lastgroup[1:])][0], span.start, span.end, title


def _in_spans(position: int, spans: Sequence[Span], cursor: list[int]) -> bool:
    """Whether `position` lies in one of the sorted `spans` (for increasing positions)."""
    while cursor[0] < len(spans) and spans[cursor[0]].end <= position:
        cursor[0] += 1
    return cursor[0] < len(spans) and spans[cursor[0]].start <= position


def parse_sections(text: str, boilerplate: Sequence[Span] = ()) -> tuple[Section, ...]:
    """The section tree of `text`; lines inside `boilerplate` are never headings."""
    chrome = sorted(boilerplate, key=lambda s: s.start)
    cursor = [0]
    styles: list[str] = []
    open_nodes: list[_Node] = []
    roots: list[_Node] = []
    content_end = 0
    previous_wraps = False
    for line_start, line_end in _line_bounds(text):
        line = text[line_start:line_end]
        stripped = line.strip()
        if not stripped:
            previous_wraps = False
            continue
        if _in_spans(line_start, chrome, cursor):
            previous_wraps = False
            continue
        content_end = line_start + len(line.rstrip())
        found = None if previous_wraps else _heading(text, line_start, line_end)
        if found is None:
            # a long line that stops mid-sentence runs on into the next line
            previous_wraps = len(stripped) >= _WRAPPED_MIN and bool(_WRAP_END.match(stripped[-1]))
            continue
        previous_wraps = False
        style, start, heading_end, title = found
        if style in styles:
            del styles[styles.index(style) + 1 :]
        else:
            while styles and _RANK[styles[-1]] > _RANK[style]:
                styles.pop()
            styles.append(style)
        level = len(styles)
        while open_nodes and open_nodes[-1].level >= level:
            open_nodes.pop().end = start
        node = _Node(title, level, start, heading_end)
        (open_nodes[-1].children if open_nodes else roots).append(node)
        open_nodes.append(node)
    for node in open_nodes:
        node.end = max(content_end, node.heading_end)
    return tuple(node.freeze() for node in roots)


def build_structure(
    text: str, boilerplate: Sequence[Span] = ()
) -> tuple[tuple[Section, ...], tuple[Span, ...]]:
    """The section tree and the sentence spans of `text`, in one call."""
    sections = parse_sections(text, boilerplate)
    return sections, split_sentences(text, sections)
