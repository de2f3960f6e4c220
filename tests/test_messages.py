"""The core's messages: typed values (a code and its parameters) with an English wording."""

from __future__ import annotations

import json
import pickle
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import StoreError, UserError
from annotations.messages import ENGLISH, Message, fields, say
from annotations.model import Tag
from annotations.workspace import Workspace


def test_a_message_is_checked_against_its_wording() -> None:
    with pytest.raises(ValueError, match="no message"):
        say("mark.no_such_thing")
    with pytest.raises(ValueError, match="takes"):
        say("mark.already_yours")  # its quote is missing
    with pytest.raises(ValueError, match="takes"):
        say("mark.already_yours", quote="x", reviewer="y")


def test_every_wording_takes_its_fields() -> None:
    for code, forms in ENGLISH.items():
        numbers = {name for form in ((forms,) if isinstance(forms, str) else forms)
                   for _t, name, spec, _c in string.Formatter().parse(form) if spec}
        params = {name: 1 if name in numbers | {"count"} else "x" for name in fields(code)}
        assert str(Message(code, params))
        if not isinstance(forms, str):
            assert "count" in fields(code), code  # the count chooses the form


def test_parameters_are_made_safe_for_a_terminal_and_words_become_messages() -> None:
    message = say("mark.already_tagged", quote="a\x1b]52;c;ZXZpbA==\x07b\nc", tag=Tag.PLAN)
    assert message.params["quote"] == "ab c"
    assert message.params["tag"] == Message("tag.plan")
    assert str(message) == "The mark «ab c» is already plan."


def test_a_user_error_carries_its_message_and_says_it_in_english() -> None:
    error = StoreError("store.damaged", path="/x", what=say("store.damaged_line", line=3))
    assert error.message.code == "store.damaged"
    assert str(error) == ("The annotation store /x is damaged at line 3; it was left untouched — "
                          "move it aside (or restore a backup) and run shenyue again.")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is StoreError and copy.message == error.message
    assert isinstance(UserError.of(error.message), UserError)


texts = st.text(max_size=30)
leaves = st.one_of(
    st.builds(lambda q: say("change.delete", quote=q), texts),
    st.builds(lambda n: say("change.add_many", count=n), st.integers(2, 10**6)),
    st.builds(lambda t, q: say("change.add", tag=t, quote=q), st.sampled_from(Tag), texts),
)
messages = st.one_of(
    leaves,
    st.builds(lambda c, n: say("history.undid_partly", change=c, count=n), leaves,
              st.integers(1, 9)),
    st.builds(lambda fs, t: say("change.correct", fields=tuple(fs), title=t),
              st.lists(st.sampled_from([say("field.title"), say("field.year")]), max_size=3),
              texts),
)


@given(messages)
def test_a_message_survives_json(message: Message) -> None:
    again = Message.from_json(json.loads(json.dumps(message.to_json())))
    assert again == message and str(again) == str(message)


@pytest.mark.parametrize("data", [
    None, [], {"code": "change.merge"}, {"code": "change.no_such", "params": {}},
    {"code": "change.merge", "params": {}}, {"code": "change.merge", "params": {"name": None}},
    {"code": "change.merge", "params": {"name": True}},
    {"code": "history.undid", "params": {"change": {"code": "x", "params": {}}}},
    {"code": "change.correct", "params": {"fields": [1], "title": "t"}},
])
def test_a_message_that_this_version_cannot_say_is_none(data: object) -> None:
    assert Message.from_json(data) is None


def test_undo_says_what_it_undid_as_a_message(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws", reviewer="甲")
    rid = ws.reports()[0].id
    ws.annotate(rid, 0, 4, "plan")
    undone = ws.undo()
    assert undone is not None and undone.code == "history.undid"
    change = undone.params["change"]
    assert change.code == "change.add" and change.params["tag"] == Message("tag.plan")
    assert ws.redo() == say("history.redid", change=change)


def test_an_older_history_entry_is_undone_by_its_english_summary(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws", reviewer="甲")
    rid = ws.reports()[0].id
    mark = ws.annotate(rid, 0, 4, "plan")
    lines = ws.store.path.read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[-1])  # the mark and its history entry, in one batch
    for item in record["batch"]:
        item["doc"].pop("message", None)  # as a Shenyue before typed messages wrote it
    lines[-1] = json.dumps(record, ensure_ascii=False) + "\n"
    ws.store.path.write_text("".join(lines), encoding="utf-8")
    undone = Workspace.open(ws.home, reviewer="甲").undo()
    assert undone is not None and undone.params["change"].code == "change.recorded"
    assert str(undone) == f"undid: add plan mark «{mark.quote}»"
