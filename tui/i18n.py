"""The interface language: one gettext catalogue per language, `tui/locale/<lang>.po`.

A catalogue holds the interface's own strings (msgid: the English text used in the code) and
the core's messages (msgctxt: the code of the `annotations.messages.Message`, msgid: its
English wording), plural forms included. Babel reads and compiles it — fuzzy entries are left
out — and the compiled `.mo` is kept in `locale/__pycache__` under the `.po`'s hash (as Python
keeps its bytecode), so a start reads it with the standard library's gettext. Report text is
never passed through here.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import os
import struct
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotations.errors import UserError
from annotations.messages import ENGLISH, Message

LOCALE_DIR = Path(__file__).parent / "locale"
CACHE_DIR = LOCALE_DIR / "__pycache__"
SOURCE_LANGUAGE = "en"

# Textual's own binding and command descriptions that the help, the palette and the footer
# show; the catalogue translates them like ours (the catalogue test reads this list)
TEXTUAL_MESSAGES = frozenset({
    "palette", "Copy selected text", "Cut selected text", "Paste text from the clipboard",
    "Select all", "Focus Next", "Focus Previous", "Scroll Up", "Scroll Down", "Scroll Left",
    "Scroll Right", "Scroll Home", "Scroll End", "Page Up", "Page Down", "Page Left",
    "Page Right", "Home", "End", "Cursor Up", "Cursor Down", "Cursor up", "Cursor down",
    "Cursor left", "Cursor right", "Cursor to parent", "Cursor to next ancestor",
    "Cursor to next sibling", "Cursor to previous sibling", "Expand or collapse all", "Toggle",
    "Select", "Submit", "Go to start", "Go to end", "Move cursor left",
    "Move cursor left and select", "Move cursor left a word",
    "Move cursor left a word and select", "Move cursor right and select",
    "Move cursor right a word", "Move cursor right a word and select",
    "Move cursor right or accept the completion suggestion", "Select line start",
    "Select line end", "Delete character left", "Delete character right",
    "Delete left to start of word", "Delete right to start of word", "Delete all to the left",
    "Delete all to the right", "Theme", "Change the current theme",
    "Quit the application as soon as possible", "Keys",
    "Show help for the focused widget and a summary of available keys",
    "Hide the keys and widget help panel", "Maximize", "Maximize the focused widget", "Minimize",
    "Minimize the widget and restore to normal size", "Screenshot",
    "Save an SVG 'screenshot' of the current screen", "Bell", "Ring the bell",
})

_translations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def available_languages() -> list[str]:
    """The languages that have a catalogue, plus the source language."""
    return sorted({SOURCE_LANGUAGE, *(p.stem for p in LOCALE_DIR.glob("*.po"))})


def compile_catalogue(po: bytes) -> bytes:
    """The `.mo` of a `.po` catalogue: its translated entries that are not fuzzy."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(po), abort_invalid=True), use_fuzzy=False)
    return out.getvalue()


def load_catalogue(language: str) -> gettext.NullTranslations:
    """The translations of `language` (none for the source language or an unknown one),
    compiled once per version of its `.po`."""
    try:
        po = (LOCALE_DIR / f"{language}.po").read_bytes()
    except FileNotFoundError:
        return gettext.NullTranslations()
    cached = CACHE_DIR / f"{language}.{hashlib.sha256(po).hexdigest()[:16]}.mo"
    try:
        return gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
    except (OSError, ValueError, struct.error):  # not compiled yet, or a damaged copy
        pass
    mo = compile_catalogue(po)
    with suppress(OSError):  # a read-only install compiles at every start instead
        CACHE_DIR.mkdir(exist_ok=True)
        for old in CACHE_DIR.glob(f"{language}.*.mo"):
            if old != cached:
                old.unlink()
        partial = cached.with_name(f".{cached.name}.{os.getpid()}")
        partial.write_bytes(mo)
        partial.replace(cached)  # another process reads the whole file or none
    return gettext.GNUTranslations(io.BytesIO(mo))


def language_from_environment() -> str:
    """The language named by LC_ALL, LC_MESSAGES or LANG (the first one set), if we have it."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in available_languages() else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def set_language(language: str | None) -> str:
    """Switch the interface to `language` (None: from the environment); returns the code used."""
    global _translations, _language
    code = language or language_from_environment()
    _translations = load_catalogue(code)
    _language = code
    return code


def current_language() -> str:
    """The code of the interface language in use."""
    return _language


def _(message: str) -> str:
    """The translation of `message` in the current language (itself when there is none)."""
    return _translations.gettext(message)


def render(message: Message) -> str:
    """A message of the core in the current language: its words translated (a tag's name,
    a nested message), its text (quotes, titles, file names) verbatim."""
    forms = ENGLISH[message.code]
    if isinstance(forms, str):
        wording = _translations.pgettext(message.code, forms)
    else:
        wording = _translations.npgettext(message.code, *forms, message.params["count"])
    return wording.format(**{k: _rendered(v) for k, v in message.params.items()})


def _rendered(value: Any) -> Any:
    if isinstance(value, Message):
        return render(value)
    if isinstance(value, tuple):
        return render(Message("word.list_separator")).join(render(v) for v in value)
    return value


def error_text(exc: Exception) -> str:
    """What went wrong, in the current language (a system error says it as the system does)."""
    return render(exc.message) if isinstance(exc, UserError) else str(exc)


def localise_bindings(node: Any) -> None:
    """Give a widget's own copy of its bindings descriptions in the current language."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=_(b.description)) if b.description else b
                      for b in bindings]


set_language(None)
