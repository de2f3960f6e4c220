"""Every key reaches a real terminal as one frame: the document, the status bar, the outline
and the marks pane together, never the document first and the rest a frame later.

The terminal answers Textual's synchronized-output query as a modern one does, so each
frame the app draws comes bracketed by ESC[?2026h … ESC[?2026l and can be counted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.terminal import SHENYUE, PtyProcess, shenyue_env
from tests.appkit import open_workspace, seed_id

QUIET = 0.3  # no output for this long: the key has been drawn (a second frame came ~30 ms later)
POSITION = re.compile(rb"(\d+)/(\d+) \xe2\x94\x82")  # the status bar's `n/N │`


@pytest.mark.slow
def test_each_key_draws_one_frame_with_the_status_bar_in_it(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    rid = seed_id(ws, "dalian")
    app = PtyProcess([SHENYUE, "--home", str(tmp_path / "ws"), "--reviewer", "tester",
                      "--lang", "en", "open", rid], shenyue_env())
    try:
        app.read_until(b" tester ")
        app.settle(QUIET)
        shown = None
        for key in [*"jjjjjjjjjjjj", "pagedown", "pagedown", "k", "]", "[", "G", "g", "j"]:
            burst = app.press(key, QUIET)
            assert burst.frames == 1, f"{key!r} drew {burst.frames} frames"
            found = POSITION.findall(burst.data)
            assert found, f"{key!r}: the status bar was not in the key's frame"
            assert found[-1] != shown, f"{key!r}: the position did not change"
            shown = found[-1]
        for key in "aasu":  # tag, untag, tag another, undo: a durable write each
            burst = app.press(key, QUIET)
            assert burst.frames == 1, f"{key!r} drew {burst.frames} frames"
            assert b"saved" in burst.data, f"{key!r}: the status bar was not in the key's frame"
    finally:
        app.stop()
