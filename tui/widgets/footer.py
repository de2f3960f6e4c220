"""The footer of every screen: Textual's, composing its keys only when they change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


def shown_bindings(screen: Screen[object]) -> tuple[Hashable, ...]:
    """What a footer shows of a screen's active bindings."""
    return tuple((key, binding.action, binding.description, binding.key_display, enabled, tip)
                 for key, (_node, binding, enabled, tip) in screen.active_bindings.items()
                 if binding.show)


class KeyFooter(Footer):
    """Textual's Footer composes its keys anew for every change of bindings — a screen
    pushed, the focus moved, a keymap set: three or four times at each start, ~10 ms apiece,
    each a frame of its own. This one waits for a refresh and composes them again only if
    what it shows changed."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting = False
        self._shown: tuple[Hashable, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Look at the bindings after the next refresh, once however often asked."""
        if not self._waiting:
            self._waiting = True
            self.call_after_refresh(self._changed, screen)

    def _changed(self, screen: Screen[object]) -> None:
        self._waiting = False
        if shown_bindings(screen) != self._shown:
            super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        """The keys, remembering which they are."""
        self._shown = shown_bindings(self.screen) if self._bindings_ready else None
        yield from super().compose()
