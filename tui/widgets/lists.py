"""Lists that move with j/k/g/G as the document does: the library, help, lookup, outline,
the stats…"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, OptionList, Tree

from tui.i18n import localise_bindings


def list_keys(first: str, last: str, down: str = "cursor_down",
              up: str = "cursor_up") -> list[BindingType]:
    """j/k/g/G bound to a list widget's own actions (`first`/`last`: its top/bottom)."""
    return [
        Binding("j", down, "Next row", id="list.down", show=False),
        Binding("k", up, "Previous row", id="list.up", show=False),
        Binding("g", first, "First row", id="list.first", show=False),
        Binding("G", last, "Last row", id="list.last", show=False),
    ]


class ListTable(DataTable[Any]):
    """A table of rows with the list keys."""

    BINDINGS: ClassVar[list[BindingType]] = list_keys("scroll_top", "scroll_bottom")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


class ListOptions(OptionList):
    """A list of options with the list keys."""

    BINDINGS: ClassVar[list[BindingType]] = list_keys("first", "last")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


class ListTree(Tree[Any]):
    """A tree (the outline) with the list keys."""

    BINDINGS: ClassVar[list[BindingType]] = list_keys("first", "last")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)

    def action_first(self) -> None:
        """Move the cursor to the first line."""
        self.cursor_line = 0

    def action_last(self) -> None:
        """Move the cursor to the last line."""
        self.cursor_line = self.last_line


class ListScroll(VerticalScroll):
    """A scrolling page (the stats) with the list keys: a line down or up, top, bottom."""

    BINDINGS: ClassVar[list[BindingType]] = list_keys("scroll_home", "scroll_end",
                                                      "scroll_down", "scroll_up")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)
