"""The stats screen: marks per tag and coverage per report and section, and each place's
marks per year, as tables with bar charts."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from annotations.stats import workspace_stats
from tui.charts import stats_tables
from tui.i18n import _, localise_bindings
from tui.marks import TAG_COMPONENTS, palette
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListScroll

if TYPE_CHECKING:
    from tui.app import ShenyueApp


class StatsScreen(Screen[None]):
    """The picture of every report with marks (redrawn when the marks change)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "back", "Back", id="stats.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self.shown: RenderableType = Text("")  # what the screen draws now

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def compose(self) -> ComposeResult:
        with ListScroll(id="stats-scroll"):
            yield Static(id="stats-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload_marks()
        self.query_one("#stats-scroll").focus()

    def reload_marks(self) -> None:
        """Work the figures out again and redraw them."""
        stats = workspace_stats(self.shenyue.ws)
        self.shown = (Group(*stats_tables(stats, palette(self).tags)) if stats.reports
                      else Text(_("No marks yet: mark passages in a report first.")))
        self.query_one("#stats-body", Static).update(self.shown)

    def action_back(self) -> None:
        self.app.pop_screen()
