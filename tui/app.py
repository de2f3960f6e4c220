"""The Shenyue review app: library → review → compare, lookup and help on top."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from annotations.errors import UserError
from annotations.messages import Message
from annotations.sync import SyncResult
from annotations.workspace import Workspace
from tui.i18n import _, error_text, localise_bindings, render, set_language
from tui.screens.comment import CommentScreen
from tui.screens.library import LibraryScreen
from tui.screens.review import ReviewScreen
from tui.screens.small import TooSmallScreen, too_small
from tui.widgets.status import synced_label

POLL_SECONDS = 1.0
LEARN_DELAY = 3.0  # train the learned reader once the marks have rested this long (s)
SETTLE_DELAY = 1.0  # after a screen change, while the reviewer reads: set the memory aside (s)
ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)  # a dropped SSH link; `kill`


def has_display() -> bool:
    """Whether a local clipboard can be reached (a desktop session, not a bare SSH login)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def read_keymap(ws: Workspace) -> dict[str, str]:
    """The reviewer's key overrides from `keymap.toml` (binding id = "key[,key]")."""
    path = ws.home / "keymap.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError("app.keymap_unreadable", path=str(path), problem=str(exc)) from exc
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


class ShenyueApp(App[None]):
    """Review annual reports from the keyboard."""

    CSS_PATH = "shenyue.tcss"
    TITLE = "Shenyue 审阅"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "lookup", "Look up", id="app.lookup", priority=True),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("tab", "app.focus_next", "Next pane", id="app.focus_next", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", id="app.focus_previous",
                show=False),
    ]

    def __init__(self, workspace: Workspace, report_id: str | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.ws = workspace
        self.start_report_id = report_id
        self.save_state_label = _("all marks saved")
        self._stamp: Any = None
        self._saved_state: dict[str, Any] = {}
        self._last_report: str | None = None  # the report last reviewed (not compared)
        self._offsets: dict[str, int] = {}  # where the review of each report got to
        # suggestions come from the last trained model; a stale one is trained in the background
        workspace.train_on_demand = False
        self._learn_after: float | None = None  # when to train the learned reader again
        self.drafts: dict[str, str] = {}  # comments typed but not saved, by mark id
        self.synced = ""  # when the workspace was last synced, as the status bars show it
        self._started = False  # the screens are pushed: a size notice may go on top
        self._settle_timer: Any = None
        self._trainer: subprocess.Popen[str] | None = None  # the learned reader's trainer

    # -- start, resume, refresh ----------------------------------------------------------------

    def on_mount(self) -> None:
        try:
            keymap = read_keymap(self.ws)
        except UserError as exc:
            self.report_error(exc)
        else:
            if keymap:  # setting even an empty one makes every footer compose its keys again
                self.set_keymap(keymap)
        self._saved_state = self.ws.load_state()
        self._stamp = self.ws.store_stamp()
        self.synced = synced_label(self.ws.last_synced())
        self._learn_later()  # in the background: whether the model is stale reads every mark
        state = self._saved_state
        self._last_report, self._offsets = saved_positions(state)
        self.drafts = saved_drafts(state)
        self.end_on_signals()
        # the marks' styles come from the theme: a new one redraws them (after its CSS applies)
        self.theme_changed_signal.subscribe(
            self, lambda _theme: self.call_after_refresh(self.refresh_marks))
        self.screen_change_signal.subscribe(self, lambda _screen: self._settle_later())
        if self.start_report_id is not None:
            self.open_report(self.start_report_id)
        elif state.get("screen") == "review" and self._last_report:
            self.open_report(self._last_report, quiet=True)
        if not isinstance(self.screen, ReviewScreen):
            self.push_screen(LibraryScreen(selected=self._last_report))
        # else the library is made when the review is left: with 2,000 reports it takes ~0.7 s
        self.set_interval(POLL_SECONDS, self.poll)
        self._started = True
        self.fit_terminal(self.size)

    def _settle_later(self) -> None:
        if self._settle_timer is not None:
            self._settle_timer.stop()
        self._settle_timer = self.set_timer(SETTLE_DELAY, self.settle_memory)

    def settle_memory(self) -> None:
        """Collect what the last screen left, then set every object alive now aside from the
        cyclic garbage collector (`gc.freeze`): a full collection over a 1 MB report's objects
        could fall in the middle of a key press; now the collections during keys walk only
        what was made since. Done once per screen change, while the reviewer reads."""
        gc.unfreeze()  # what a closed screen left is garbage now: collect it too
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()  # the process may go on (a test, a host): leave its collector as it was
        if self._trainer is not None and self._trainer.stdin is not None:
            with suppress(OSError):
                self._trainer.stdin.close()  # its input ends: it exits (it was killed else)

    def on_resize(self, event: events.Resize) -> None:
        self.fit_terminal(event.size)  # runs before App's own handler: self.size is the old one

    def fit_terminal(self, size: Size) -> None:
        """Below 80×24 a notice covers the screens (no layout fits); above, it goes."""
        if not self._started:
            return
        small = too_small(size)
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    def poll(self) -> None:
        """Redraw when another process changed the marks; remember where the reviewer is."""
        stamp = self.ws.store_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self._learn_later()
            self.synced = synced_label(self.ws.last_synced())  # a sync elsewhere, perhaps
            self.refresh_marks()
        if self._learn_after is not None and time.monotonic() >= self._learn_after:
            if any(w.group == "learn" and w.is_running for w in self.workers):
                self._learn_later()  # one training at a time: the next starts after it
            else:
                self._learn_after = None
                self.learn()
        self.remember_position()

    def _learn_later(self) -> None:
        self._learn_after = time.monotonic() + LEARN_DELAY

    @work(thread=True, group="learn", exit_on_error=False)
    def learn(self) -> None:
        """Train the learned reader on the marks and rejections in a child process at low
        priority (in a thread of this one, its seconds of work would hold up the keys), then
        redraw the suggestions it makes. This thread only waits.

        The child stays for the next training (`python -m annotations.learning --serve`):
        numpy and SciPy loaded, the examples of the reports whose marks did not change kept.
        One that died is started again."""
        trainer = self._trainer
        if trainer is None or trainer.poll() is not None:
            trainer = self._trainer = subprocess.Popen(
                [sys.executable, "-m", "annotations.learning", "--serve", str(self.ws.home),
                 self.ws.reviewer], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True)
        assert trainer.stdin is not None and trainer.stdout is not None
        try:
            trainer.stdin.write("train\n")
            trainer.stdin.flush()
            trainer.stdout.readline()  # "" if it died: the next training starts another
        except OSError:  # it died before reading
            pass
        self.ws.forget_model()
        self.call_from_thread(self.refresh_marks)

    def current_state(self) -> dict[str, Any]:
        """Where the reviewer is now: the screen, the report last reviewed, and the offset
        the review of each report got to."""
        review = next((s for s in reversed(self.screen_stack) if isinstance(s, ReviewScreen)),
                      None)
        screen = "library"
        if review is not None and review.is_mounted:
            self.note_position(review)
            screen = "review"
        return {"screen": screen, "report": self._last_report, "offsets": dict(self._offsets),
                "drafts": dict(self.drafts)}

    def note_position(self, review: ReviewScreen) -> None:
        """Keep where `review` is as the last review position of its report."""
        self._last_report = review.report.id
        self._offsets[review.report.id] = review.position()

    def remember_position(self) -> None:
        """Save the position if it changed since it was last saved."""
        state = self.current_state()
        if state != self._saved_state:
            try:
                self.ws.save_state(state)
            except OSError:
                return  # the position is a convenience; a full disk must not stop the review
            self._saved_state = state

    async def action_quit(self) -> None:
        self.remember_position()
        self.exit()

    def end_on_signals(self) -> None:
        """SIGHUP and SIGTERM end the app the way `q` does — the comment being typed kept as
        a draft, the terminal restored — instead of killing it in the alternate screen."""
        loop = asyncio.get_running_loop()
        for sig in ENDING_SIGNALS:
            with suppress(ValueError, RuntimeError):  # signals reach the main thread only
                loop.add_signal_handler(sig, self.end_on_signal)

    def end_on_signal(self) -> None:
        """Keep what the reviewer typed and where they were, then exit cleanly."""
        self.keep_drafts()
        self.remember_position()
        self.exit()

    def keep_drafts(self) -> None:
        """Remember the text of every open comment dialog that differs from the comment."""
        for screen in self.screen_stack:
            if isinstance(screen, CommentScreen) and screen.typed() != screen.original:
                self.drafts[screen.mark_id] = screen.typed()

    def refresh_marks(self) -> None:
        """Redraw the marks on the current screen."""
        reload = getattr(self.screen, "reload_marks", None)
        if reload is not None:
            try:
                reload()
            except UserError as exc:  # e.g. another program damaged the store while we run
                self.report_error(exc)

    def marks_changed(self, message: str) -> None:
        """A key press changed the marks (already on disk): say so and redraw."""
        self._stamp = self.ws.store_stamp()
        self._learn_later()
        # the status bar says it (a toast would cost a layout pass on every key press)
        self.save_state_label = _("{change} · saved").format(change=message)
        if isinstance(self.screen, ReviewScreen):
            self.screen.notice = None  # the change is the news now, not an earlier notice
        self.refresh_marks()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A notice: in the review's status bar (a toast over its panes would lose wide
        characters where it crosses a pane's edge, Textual #6357), elsewhere a toast."""
        screen = self.screen
        if isinstance(screen, ReviewScreen) and not title:
            text = Text.from_markup(message) if markup else Text(message)
            screen.show_notice(text, severity, timeout or self.NOTIFICATION_TIMEOUT)
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def report_error(self, exc: Exception) -> None:
        """Show an error the user can act on as one sentence."""
        self.notify(error_text(exc), severity="error", markup=False, timeout=6)

    # -- moving between screens ----------------------------------------------------------------

    def open_report(self, report_id: str, offset: int | None = None, quiet: bool = False) -> None:
        """Open the review screen of a report at `offset`, or where its review got to."""
        try:
            report = self.ws.report(report_id)
        except UserError as exc:
            if not quiet:
                self.report_error(exc)
            return
        top = self.screen
        if isinstance(top, ReviewScreen) and top.report.id == report_id:
            if offset is not None:  # a jump within the report moves the cursor, no new screen
                top.document.go_to(offset)
            return
        if isinstance(top, ReviewScreen):  # one review at a time: q always goes back one place
            self.note_position(top)
            self.pop_screen()
        self.save_state_label = _("all marks saved")  # a change message is about another view
        self.push_screen(ReviewScreen(report, self._offsets.get(report_id)
                                      if offset is None else offset))

    def leave_review(self, screen: ReviewScreen) -> None:
        """Go back from a review to the screen below it."""
        self.note_position(screen)
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:  # opened straight into the review: the library is made only now
            self.switch_screen(LibraryScreen(selected=screen.report.id))
        self.remember_position()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Lookup and help wait while a dialog (or the command palette) expects an answer."""
        return not (action in ("lookup", "help") and isinstance(self.screen, ModalScreen))

    def action_lookup(self) -> None:
        from tui.screens.lookup import LookupScreen

        if not isinstance(self.screen, LookupScreen):
            self.push_screen(LookupScreen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_undo(self) -> None:
        self._history(self.ws.undo, _("Nothing to undo."))

    def action_redo(self) -> None:
        self._history(self.ws.redo, _("Nothing to redo."))

    def _history(self, step: Callable[[], Message | None], nothing: str) -> None:
        try:
            done = step()
        except UserError as exc:
            self.report_error(exc)
            return
        if done is None:
            self.notify(nothing, markup=False, timeout=2)
        else:
            self.marks_changed(render(done))

    # -- sync ----------------------------------------------------------------------------------

    def action_sync(self) -> None:
        """Sync with the team's git remote in the background."""
        if any(w.group == "sync" and w.is_running for w in self.workers):
            self.notify(_("A sync is already running."), timeout=2)
            return
        self.sync()

    @work(thread=True, group="sync", exit_on_error=False)
    def sync(self) -> None:
        """Run a sync in a thread (the keys stay live); the status bars show each step, a
        notice the outcome."""
        steps = sync_steps()
        try:
            result = self.ws.sync(lambda step: self.call_from_thread(self.sync_step,
                                                                    steps[step]))
        except UserError as exc:
            self.call_from_thread(self.sync_failed, exc)
            return
        self.call_from_thread(self.synced_with, result)

    def sync_step(self, step: str) -> None:
        """Show the step a sync is at where the status bars show the last sync."""
        self.synced = step
        self.refresh_marks()

    def sync_failed(self, exc: UserError) -> None:
        """A sync stopped: the status bars show the last sync again, a notice why."""
        self.synced = synced_label(self.ws.last_synced())
        self.refresh_marks()
        self.report_error(exc)

    def synced_with(self, result: SyncResult) -> None:
        """A sync finished: redraw, and say what came in and whether anything went out."""
        self.synced = synced_label(self.ws.last_synced())
        self._stamp = self.ws.store_stamp()
        self.refresh_marks()
        merged = result.merged
        message = (_("Synced: {count} marks in, yours pushed.") if result.pushed
                   else _("Synced: {count} marks in, nothing to push."))
        self.notify(message.format(count=merged.added + merged.updated), markup=False)
        for problem in (*result.notes, *result.skipped):
            self.notify(problem, severity="warning", markup=False, timeout=8)

    # -- clipboard -----------------------------------------------------------------------------

    def copy_text(self, text: str) -> None:
        """Send `text` to the terminal's clipboard (OSC 52) and, with a display, the local one."""
        problems: list[str] = []
        try:
            self.copy_to_clipboard(text)
        except Exception as exc:  # a terminal that refuses the sequence must not end the review
            problems.append(str(exc))
        if has_display():
            try:
                import pyperclip

                pyperclip.copy(text)
            except Exception as exc:  # pyperclip raises its own types for every missing backend
                problems.append(str(exc))
        if problems:
            self.notify(_("Copied, but: {problem}").format(problem=problems[0]),
                        severity="warning", markup=False)
        else:
            self.notify(_("Copied with citation"), markup=False, timeout=2)

    # -- command palette: every binding of the screen ------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The screen's own key bindings, then Textual's commands."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)

            def run(action: str = binding.action, node: Any = active.node) -> None:
                self.call_later(self.run_action, action, node)

            keys = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(_(binding.description), f"{keys} · {binding.id or key}", run)
        yield SystemCommand(_("Sync"), _("exchange marks with the team's git remote"),
                            self.action_sync)
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))


def sync_steps() -> dict[str, str]:
    """What each step of a sync (`annotations.sync.STEPS`) is called in the notices."""
    return {"tidy": _("syncing: tidying…"), "write": _("syncing: writing your marks…"),
            "fetch": _("syncing: fetching…"), "merge": _("syncing: merging…"),
            "push": _("syncing: pushing…")}


def saved_positions(state: dict[str, Any]) -> tuple[str | None, dict[str, int]]:
    """The last report and the offset of each report from a saved state (also from the
    older shape with one `offset` of the last report)."""
    report = state.get("report")
    last = report if isinstance(report, str) and report else None
    offsets = state.get("offsets")
    found = {str(k): v for k, v in offsets.items() if isinstance(v, int)} if isinstance(
        offsets, dict) else {}
    if last is not None and isinstance(state.get("offset"), int):
        found.setdefault(last, state["offset"])
    return last, found


def saved_drafts(state: dict[str, Any]) -> dict[str, str]:
    """The unsaved comments of a saved state, by mark id."""
    drafts = state.get("drafts")
    if not isinstance(drafts, dict):
        return {}
    return {str(k): v for k, v in drafts.items() if isinstance(v, str)}


def run_app(ws: Workspace, report_id: str | None, lang: str | None) -> None:
    """Run the app in this terminal (what `shenyue` with no subcommand does)."""
    set_language(lang)
    # a damaged or newer store is refused here, as one sentence, before the screen is taken
    ws.check_store()
    ShenyueApp(ws, report_id).run()
