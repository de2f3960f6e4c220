"""The interface catalogues: every message the code shows has a Chinese translation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tui.i18n import (
    TEXTUAL_MESSAGES,
    available_languages,
    language_from_environment,
    parse_po,
)

TUI = Path(__file__).parent.parent / "tui"


def messages_in_code() -> set[str]:
    """Every literal passed to `_()` and every binding description in the tui package."""
    found: set[str] = set()
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[2] if name == "Binding" and len(node.args) > 2 else node.args[0]
            if name in ("_", "Binding") and isinstance(first, ast.Constant):
                found.add(str(first.value))
    return found


def test_every_message_has_a_chinese_translation() -> None:
    catalogue = parse_po((TUI / "locale" / "zh.po").read_text(encoding="utf-8"))
    messages = messages_in_code()
    assert len(messages) > 50
    assert sorted((messages | TEXTUAL_MESSAGES) - set(catalogue)) == []
    assert sorted(set(catalogue) - messages - TEXTUAL_MESSAGES
                  - {"Achievement", "Shortcoming", "Plan"}) == []


def test_placeholders_survive_translation() -> None:
    catalogue = parse_po((TUI / "locale" / "zh.po").read_text(encoding="utf-8"))
    for msgid, msgstr in catalogue.items():
        fields = {p.split("}")[0].split(":")[0] for p in msgid.split("{")[1:]}
        assert fields == {p.split("}")[0].split(":")[0] for p in msgstr.split("{")[1:]}, msgid


def test_po_parser_joins_continued_strings() -> None:
    text = ('msgid ""\nmsgstr "header"\n\n'
            'msgid "a"\n"b"\nmsgstr "甲"\n"乙"\n\nmsgid "c"\nmsgstr ""\n')
    assert parse_po(text) == {"ab": "甲乙"}


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({}, "en"),
])
def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                       expected: str) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert language_from_environment() == expected
    assert expected in available_languages()

