"""The interface catalogues: every message the code shows, the core's included, has a Chinese
translation; the catalogues are read and compiled by Babel, fuzzy entries left out."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import tui.i18n
from annotations.messages import ENGLISH, Message, say
from annotations.model import Tag
from tui.i18n import (
    TEXTUAL_MESSAGES,
    _,
    available_languages,
    language_from_environment,
    load_catalogue,
    render,
    set_language,
)

ROOT = Path(__file__).parent.parent
TUI = ROOT / "tui"
CATALOGUES = sorted((TUI / "locale").glob("*.po"))


def catalogue(path: Path = TUI / "locale" / "zh.po") -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


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


def test_every_interface_string_has_a_chinese_translation() -> None:
    ours = {m.id for m in catalogue() if m.id and not m.context}
    messages = messages_in_code()
    assert len(messages) > 50
    assert sorted((messages | TEXTUAL_MESSAGES) - ours) == []
    assert sorted(ours - messages - TEXTUAL_MESSAGES - {"Achievement", "Shortcoming", "Plan"}) == []


def test_every_message_of_the_core_has_a_chinese_translation() -> None:
    entries = {m.context: m for m in catalogue() if m.context}
    assert sorted(set(ENGLISH) - set(entries)) == []
    assert sorted(set(entries) - set(ENGLISH)) == []  # none left over from a removed message
    for code, forms in ENGLISH.items():
        # the msgid is the English wording: a changed wording shows here, untranslated
        assert entries[code].id == (forms if isinstance(forms, str) else tuple(forms)), code


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_no_entry_is_fuzzy_or_empty(path: Path) -> None:
    for message in list(catalogue(path))[1:]:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy and all(strings), message.id


def placeholders(text: str) -> list[tuple[str, str, str | None]]:
    return sorted((name, spec or "", conversion)
                  for _t, name, spec, conversion in string.Formatter().parse(text) if name)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_placeholders_survive_translation(path: Path) -> None:
    for message in list(catalogue(path))[1:]:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = placeholders(str(ids[-1]))  # the plural form names the count
        for text in strings:
            assert placeholders(str(text)) == wanted, message.id


SAYING = {"say", "Message", "UserError", "IngestError", "StoreError"}


def code_nodes() -> list[tuple[Path, ast.AST]]:
    """Every node of the core's and the interface's code, with its file."""
    return [(path, node) for folder in (ROOT / "annotations", TUI)
            for path in folder.rglob("*.py") if path.name != "messages.py"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))]


def used_codes() -> tuple[set[str], set[str]]:
    """The string constants of the code (a message code is one of them) and the fixed starts
    of its f-strings (`f"import.holds_{kind}"`)."""
    constants: set[str] = set()
    prefixes: set[str] = set()
    for _path, node in code_nodes():
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            constants.add(node.value)
        elif (isinstance(node, ast.JoinedStr) and node.values
              and isinstance(node.values[0], ast.Constant)):
            prefixes.add(str(node.values[0].value))
    return constants, prefixes


def test_every_message_said_has_a_code() -> None:
    """An error raised with an English sentence instead of a code would fail only when
    raised; here it fails at once."""
    said = [(path.name, node.args[0].value) for path, node in code_nodes()
            if isinstance(node, ast.Call) and node.args
            and getattr(node.func, "id", getattr(node.func, "attr", "")) in SAYING
            and isinstance(node.args[0], ast.Constant)]
    assert len(said) > 100
    assert [(name, code) for name, code in said if code not in ENGLISH] == []


def test_every_message_is_said_somewhere() -> None:
    constants, prefixes = used_codes()
    words = {f"tag.{tag.value}" for tag in Tag}  # an enum member passed as a parameter
    unused = [code for code in ENGLISH if code not in constants | words
              and not any(p.endswith((".", "_")) and code.startswith(p) for p in prefixes)]
    assert unused == []


def test_compiling_leaves_fuzzy_entries_out_and_keeps_plurals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "xx.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, fuzzy\nmsgid "Help"\nmsgstr "Hilfe?"\n\n'
        'msgid "Undo"\nmsgstr "Rückgängig"\n\n'
        'msgctxt "history.undid_partly"\nmsgid "a {count}"\nmsgid_plural "b {count}"\n'
        'msgstr[0] "eine {count}"\nmsgstr[1] "viele {count}"\n', encoding="utf-8")
    monkeypatch.setattr(tui.i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(tui.i18n, "CACHE_DIR", tmp_path / "cache")
    translations = load_catalogue("xx")
    assert translations.gettext("Help") == "Help"  # a fuzzy entry is a guess, not a translation
    assert translations.gettext("Undo") == "Rückgängig"
    assert translations.npgettext("history.undid_partly", "a {count}", "b {count}", 1) == (
        "eine {count}")
    assert translations.npgettext("history.undid_partly", "a {count}", "b {count}", 3) == (
        "viele {count}")
    [compiled] = (tmp_path / "cache").glob("xx.*.mo")
    assert load_catalogue("xx").gettext("Undo") == "Rückgängig"  # read from the cache
    compiled.write_bytes(b"damaged")
    assert load_catalogue("xx").gettext("Undo") == "Rückgängig"  # compiled again
    (tmp_path / "xx.po").write_text('msgid "Undo"\nmsgstr "Zurück"\n', encoding="utf-8")
    assert load_catalogue("xx").gettext("Undo") == "Zurück"  # a changed catalogue: a new .mo
    assert [p.name for p in (tmp_path / "cache").glob("xx.*.mo")] != [compiled.name]
    assert len(list((tmp_path / "cache").glob("xx.*.mo"))) == 1


def test_a_message_speaks_the_interface_language_its_text_verbatim() -> None:
    change = say("change.add", tag=Tag.PLAN, quote="一、[b]主要{成效}")
    undone = say("history.undid_partly", change=change, count=2)
    corrected = say("change.correct", fields=(say("field.title"), say("field.year")), title="某县")
    set_language("zh")
    try:
        assert render(undone) == (
            "已撤销：添加“计划”标注«一、[b]主要{成效}»（2 处标注其间已被他人修改，未予变动）")
        assert render(corrected) == "更正«某县»的标题、年份"
        assert render(say("history.redid", change=say("change.add_many", count=5))) == (
            "已重做：添加 5 处标注")
        assert render(say("report.unknown_id", report_id="abc")) == (
            "没有编号为 'abc' 的报告；`shenyue list` 可列出编号。")
    finally:
        set_language("en")
    assert render(undone) == str(undone) == (
        "undid: add plan mark «一、[b]主要{成效}» (2 marks left alone: changed since by someone "
        "else)")
    assert str(say("history.undid_partly", change=change, count=1)).endswith(
        "(1 mark left alone: changed since by someone else)")
    assert render(corrected) == "correct title, year of «某县»"


def test_the_source_language_needs_no_catalogue() -> None:
    set_language("en")
    assert _("Next sentence") == "Next sentence"
    assert render(Message("mark.join_reports")) == "Only marks on one report can be joined."


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
