"""Look up text and marks across every report."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotations.errors import UserError
from tui.i18n import _, localise_bindings
from tui.marks import TAG_COMPONENTS, Palette, palette, tag_label
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListOptions

if TYPE_CHECKING:
    from annotations.lookup import Hit
    from tui.app import ShenyueApp

RESULT_LIMIT = 200


def hit_option(number: int, hit: Hit, query: str, styles: Palette) -> Option:
    """A result: where it is on one line, then the passage around it with the query marked."""
    where = Text(no_wrap=True, overflow="ellipsis", end="")
    if hit.annotation is not None:
        where.append(f"{tag_label(hit.annotation.tag)} ", style=styles.tags[hit.annotation.tag])
    where.append(hit.report.title, style="bold")
    if hit.section:
        where.append(f" · {hit.section}")
    context = Text("  " + " ".join(hit.context.split()), end="")
    context.highlight_words([query], style="reverse", case_sensitive=False)
    lines = [where, context]
    if hit.annotation is not None and hit.annotation.comment:
        lines.append(Text("  » " + hit.annotation.comment, style="italic", end=""))
    return Option(Text("\n", end="").join(lines), id=str(number))


class LookupScreen(Screen[None]):
    """A search box and its results; enter opens the passage."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(TAG_COMPONENTS)
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", id="lookup.back")]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self.hits: list[Hit] = []

    @property
    def shenyue(self) -> ShenyueApp:
        """The app, with its workspace."""
        return cast("ShenyueApp", self.app)

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("Search every report and mark (enter)"), id="query")
        yield ListOptions(id="hits")
        yield Static(id="lookup-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(event.value.strip())

    def search(self, query: str) -> None:
        """Run the query and list what it found."""
        results = self.query_one("#hits", OptionList)
        results.clear_options()
        self.hits = []
        status = self.query_one("#lookup-status", Static)
        if not query:
            status.update("")
            return
        try:
            self.hits = self.shenyue.ws.lookup(query, limit=RESULT_LIMIT)
        except UserError as exc:
            self.shenyue.report_error(exc)
            return
        styles = palette(self)
        results.add_options([hit_option(i, h, query, styles) for i, h in enumerate(self.hits)])
        status.update(Text(_("{count} results for {query}").format(count=len(self.hits),
                                                                    query=query)))
        if self.hits:
            results.highlighted = 0
            results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        hit = self.hits[int(event.option.id or 0)]
        self.app.pop_screen()
        self.shenyue.open_report(hit.report.id, hit.start)

    def action_back(self) -> None:
        self.app.pop_screen()
