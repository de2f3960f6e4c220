"""Bytes to text: the one place that detects an encoding, for text files and web pages.

A text file is read by its byte-order mark, else as strict UTF-8, GBK or GB18030, else by
charset-normalizer among the other encodings a Chinese report may be in. A web page is read by
its BOM, else its declared charset, else like a text file. Binary data is refused.
"""

from __future__ import annotations

import re

from annotations.errors import IngestError

HTML_SNIFF = 4096  # bytes of a page searched for its declared charset

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
# the encodings a Chinese report may be in, besides UTF-8/16 and GB18030 tried first
_DETECTABLE = ["big5", "big5hkscs", "cp1252", "shift_jis", "euc_kr"]


def decode(data: bytes, *, name: str = "the data") -> tuple[str, str]:
    """Decode report bytes, detecting the encoding; returns (text, encoding name).

    Order: a byte-order mark (UTF-8, UTF-16 LE/BE); strict UTF-8; strict GBK, then
    GB18030; then charset-normalizer among Big5, Windows-1252, Shift-JIS and EUC-KR.
    Raises IngestError (naming `name`) for binary data and for bytes nothing decodes.
    """
    text, encoding = _decode_text(data, name)
    if _looks_binary(text):
        raise IngestError("import.binary", name=name)
    return text, encoding


def _decode_text(data: bytes, name: str) -> tuple[str, str]:
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError:
                raise IngestError("import.broken_bom", name=name, encoding=label) from None
    if b"\x00" in data:
        # NUL bytes without a UTF-16 byte-order mark: an image, an archive, a PDF
        raise IngestError("import.binary", name=name)
    for codec in ("utf-8", "gbk", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_DETECTABLE).best()
    if best is None:
        raise IngestError("import.undecodable", name=name)
    return str(best), best.encoding


# every C0/C1 control except the ones that lay out lines and ESC (its sequences are stripped)
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def _looks_binary(text: str) -> bool:
    """More than one character in twenty is a control character other than line layout."""
    return len(_BINARY_CONTROLS.findall(text)) * 20 > len(text)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w:.]+)""", re.I)
_XML_CHARSET = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([-\w.]+)""", re.I)
# the Chinese encodings pages declare are subsets of GB18030: decode with the superset
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def decode_html(data: bytes, name: str) -> tuple[str, str]:
    """The page as text and the encoding used: BOM, else the declared charset, else detected."""
    head = data[:HTML_SNIFF]
    declared = _META_CHARSET.search(head) or _XML_CHARSET.search(head)
    if declared and not head.startswith(tuple(bom for bom, _label, _codec in _BOMS)):
        label = declared.group(1).decode("ascii", "replace").lower()
        # a declaration readable as ASCII is not UTF-16's own: HTML reads such a page as UTF-8
        codec = "utf-8" if label.startswith(("utf-16", "utf-32")) else _SUPERSETS.get(label, label)
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            # a page whose declaration is wrong or unknown: detect as for a text file
            pass
    return decode(data, name=name)
