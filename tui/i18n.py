"""The interface language: one gettext-style `.po` catalogue per language in `tui/locale/`.

Message ids are the English strings; a language is added by adding `tui/locale/<lang>.po`.
Report text is never passed through here.
"""

from __future__ import annotations

import ast
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).parent / "locale"
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

_catalogue: dict[str, str] = {}
_language = SOURCE_LANGUAGE


def available_languages() -> list[str]:
    """The languages that have a catalogue, plus the source language."""
    return sorted({SOURCE_LANGUAGE, *(p.stem for p in LOCALE_DIR.glob("*.po"))})


def parse_po(text: str) -> dict[str, str]:
    """The msgid → msgstr pairs of a `.po` file (untranslated and header entries left out)."""
    entries: dict[str, str] = {}
    field = ""
    parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}

    def flush() -> None:
        msgid, msgstr = "".join(parts["msgid"]), "".join(parts["msgstr"])
        if msgid and msgstr:
            entries[msgid] = msgstr
        parts["msgid"], parts["msgstr"] = [], []

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            field, line = "msgid", line[6:]
        elif line.startswith("msgstr "):
            field, line = "msgstr", line[7:]
        if field and line.startswith('"'):
            parts[field].append(ast.literal_eval(line))
    flush()
    return entries


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
    global _catalogue, _language
    code = language or language_from_environment()
    path = LOCALE_DIR / f"{code}.po"
    _catalogue = parse_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    _language = code
    return code


def current_language() -> str:
    """The code of the interface language in use."""
    return _language


def _(message: str) -> str:
    """The translation of `message` in the current language (itself when there is none)."""
    return _catalogue.get(message, message)


def localise_bindings(node: Any) -> None:
    """Give a widget's own copy of its bindings descriptions in the current language."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=_(b.description)) if b.description else b
                      for b in bindings]


set_language(None)
