"""Helpers for the app tests: a workspace in a temporary folder and the seed reports' ids."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from textual.app import App
from textual.command import CommandPalette
from textual.pilot import Pilot

from annotations.workspace import Workspace
from tui.i18n import set_language
from tui.widgets.document import DocumentView


def open_workspace(folder: Path, reviewer: str = "tester") -> Workspace:
    """A workspace with the seed reports, in English, never the user's own folder."""
    set_language("en")
    return Workspace.open(folder / "ws", reviewer=reviewer)


def seed_id(ws: Workspace, name: str) -> str:
    """The id of the seed report imported from the file whose name contains `name`."""
    return next(m.id for m in ws.reports() if name in Path(m.source or "").name)


def visible_text(view: DocumentView) -> str:
    """The lines a document view shows now, as plain text."""
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


def app_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test (Textual's `run_test`) in a fresh event loop."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def choose_in_palette(app: App[None], pilot: Pilot[None], words: str) -> None:
    """Open the command palette, type `words` and press enter on the first command found."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*words)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()
