"""Text from outside, made safe to store and to show: the one place control characters go.

Report text, comments, file names, titles, reviewer names and error details all pass through
`normalise` (or `one_line`, for text shown on a single line) where they enter, so nothing
that reaches a terminal can drive it (an OSC 52 in a file name would write the clipboard).

CRLF and CR become LF; vertical tab, form feed, NEL and the Unicode line and paragraph
separators become LF too (they separate paragraphs); a tab becomes four spaces (a fixed
width, so offsets never depend on column); escape sequences (CSI, OSC, DCS, …) and every
other C0/C1 control character are removed, as is U+FEFF (a byte-order mark left in the text),
and so are the bidirectional embedding, override and isolate controls (U+202A–E, U+2066–9):
they reorder what is shown, so a file name or comment could show other text than it holds.
"""

from __future__ import annotations

import re
import unicodedata

TAB = "    "

_ESCAPES = re.compile(
    r"""
      \x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?     # OSC … BEL/ST (never past the line)
    | \x1b[P^_X][^\x1b\n]*(?:\x1b\\)?          # DCS, PM, APC, SOS strings
    | \x1b\[[0-?]*[ -/]*[@-~]?                 # CSI
    | \x1b[ -/]*[0-~]?                         # other escapes, or a lone ESC
    | \x9b[0-?]*[ -/]*[@-~]?                   # 8-bit CSI
    | \x9d[^\x07\x9c\n]*[\x07\x9c]?            # 8-bit OSC
    """,
    re.VERBOSE,
)
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\u202a-\u202e\u2066-\u2069]")
# every character any step above acts on: text without one is already normal (the common case)
_ACTED_ON = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]")


def normalise(text: str) -> str:
    """The one normal form of outside text (see the module docstring); idempotent."""
    if not _ACTED_ON.search(text):
        return text
    text = _LINE_BREAKS.sub("\n", text)
    text = _ESCAPES.sub("", text)
    text = text.replace("\t", TAB)
    return _CONTROLS.sub("", text)


def one_line(text: object) -> str:
    """`normalise`d text on one line (line breaks become spaces): for names, titles, paths
    and messages."""
    return normalise(str(text)).replace("\n", " ")


def person_name(raw: str) -> str:
    """A reviewer's name in its one form: one line, NFC, no surrounding blank space (so
    `wang ` and `wang` are the same person)."""
    return unicodedata.normalize("NFC", one_line(raw)).strip()
