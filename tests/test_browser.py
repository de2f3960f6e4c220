"""`shenyue serve` in a real headless Chromium (Debian's `chromium`, driven by Playwright).

The page shows the library; keys open a report and tag a sentence; the mark is in the store.
A screenshot of the review screen and the measured times are written to tests/artefacts/.
Skipped, with the reason, where Chromium is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import codecs
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotations.model import Tag
from annotations.workspace import Workspace
from tests.servekit import REVIEWER, free_port, serve_process, wait_for_port

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run "
                "does it): the browser tests cannot run", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ARTEFACTS = Path(__file__).parent / "artefacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# what a terminal stream holds besides text: CSI sequences (cursor moves, colours) and the rest
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
TIMEOUT = 30.0
REVIEWING = "done 0%"  # in the review screen's status bar (not in the library's)


class Tab:
    """A browser tab on the server, with the text of everything its terminal was sent."""

    def __init__(self, page: Any, port: int) -> None:
        self.page = page
        self.blocked: list[str] = []
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._received: list[str] = []
        # the page asks a font server for Roboto Mono: nothing may leave this machine
        page.route("**/*", self._only_local(f"http://127.0.0.1:{port}/"))
        page.on("websocket", lambda ws: ws.on("framereceived", self._receive))

    def _only_local(self, prefix: str) -> Callable[[Any], None]:
        def route(route: Any) -> None:
            if route.request.url.startswith(prefix):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        return route

    def _receive(self, payload: str | bytes) -> None:
        text = payload if isinstance(payload, str) else self._decoder.decode(payload)
        self._received.append(text)

    def text(self) -> str:
        """What the app wrote so far, escape sequences removed."""
        return ESCAPES.sub("", "".join(self._received))

    def wait_for(self, predicate: Callable[[], bool], what: str) -> float:
        """Seconds until `predicate` holds (the page keeps running meanwhile)."""
        start = time.monotonic()
        while not predicate():
            if time.monotonic() - start > TIMEOUT:
                raise AssertionError(f"no {what} after {TIMEOUT:.0f} s; the page got:\n"
                                     + self.text()[-3000:])
            self.page.wait_for_timeout(20)
        return time.monotonic() - start

    def wait_for_text(self, text: str) -> float:
        """Seconds until the app has written `text`."""
        return self.wait_for(lambda: text in self.text(), repr(text))

    def wait_for_any(self, *texts: str) -> str:
        """The first of `texts` that the app has written, once it has written one."""
        self.wait_for(lambda: any(t in self.text() for t in texts), " or ".join(texts))
        return next(t for t in texts if t in self.text())

    def press(self, key: str) -> None:
        """Press `key` in the terminal (as after clicking into it)."""
        self.page.focus(".xterm-helper-textarea")
        self.page.keyboard.press(key)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile; Playwright's own browsers unused."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context
        finally:
            context.close()


def app_processes(home: Path) -> list[int]:
    """The pids of the `shenyue open` processes running on `home` (one per browser tab)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue  # the process ended while we looked
        if b"tui.cli" in argv and str(home.resolve()).encode() in argv and b"open" in argv:
            pids.append(int(cmdline.parent.name))
    return pids


def test_review_and_tag_in_the_browser(browser: Any, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    first = Workspace.open(home).reports()[0]  # the library lists reports by title
    port = free_port()
    with serve_process(home, port):
        wait_for_port(port)
        tab = Tab(browser.new_page(), port)
        started = time.monotonic()
        tab.page.goto(f"http://127.0.0.1:{port}/")
        tab.wait_for_text("5 reports")
        tab.wait_for_text(first.title[:12])
        load = time.monotonic() - started

        tab.press("Enter")
        open_report = tab.wait_for_text(REVIEWING)
        tab.press("j")
        pressed = time.monotonic()
        tab.press("a")
        marks = Workspace.open(home).annotations
        tab.wait_for(lambda: bool(marks()), "mark in the store")
        on_disk = time.monotonic() - pressed
        tab.wait_for_text("Achievement 1")
        drawn = time.monotonic() - pressed
        ARTEFACTS.mkdir(exist_ok=True)
        tab.page.wait_for_timeout(300)  # the terminal paints the frame it was sent
        tab.page.screenshot(path=ARTEFACTS / "browser-review.png")
        tab.page.close()

    [mark] = Workspace.open(home).annotations()
    assert (mark.report_id, mark.tag, mark.reviewer) == (first.id, Tag.ACHIEVEMENT, REVIEWER)
    assert set(tab.blocked) <= {"https://fonts.googleapis.com/css?family=Roboto%20Mono"}
    timings = {"page to library": load, "enter to review": open_report,
               "key a to mark on disk": on_disk, "key a to mark drawn": drawn}
    (ARTEFACTS / "browser-timings.json").write_text(
        json.dumps({k: round(v, 3) for k, v in timings.items()}, indent=2) + "\n")


def test_one_app_process_per_tab(browser: Any, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    Workspace.open(home)
    port = free_port()
    with serve_process(home, port) as server:
        wait_for_port(port)
        tabs = [Tab(browser.new_page(), port) for _ in range(2)]
        for tab in tabs:
            tab.page.goto(f"http://127.0.0.1:{port}/")
            # the second tab may resume in the report the first one opened
            if tab.wait_for_any("5 reports", REVIEWING) != REVIEWING:
                tab.press("Enter")
            tab.wait_for_text(REVIEWING)
        assert len(app_processes(home)) == 2
        # both tabs on the same report: a mark made in one shows in the other (it polls 1/s)
        tabs[0].press("a")
        assert tabs[1].wait_for_text("Achievement 1") <= 3.0
        tabs[0].page.close()
        tabs[1].wait_for(lambda: len(app_processes(home)) == 1, "app ended with its tab")
        tabs[1].page.close()
        deadline = time.monotonic() + TIMEOUT
        while app_processes(home) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app_processes(home) == []
        assert server.poll() is None  # closing tabs never stops the server
