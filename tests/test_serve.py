"""`shenyue serve` without a browser: the command each tab runs, a busy port, the page's URLs."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from annotations.workspace import Workspace
from tests.servekit import ROOT, free_port, serve_process, wait_for_port
from tui.serve import child_command, refusal


def test_child_command_passes_home_reviewer_and_language(tmp_path: Path) -> None:
    home = tmp_path / "a folder with spaces"
    argv = shlex.split(child_command(home, "王 五", "zh"))
    assert argv == [sys.executable, "-m", "tui.cli", "--home", str(home.resolve()),
                    "--reviewer", "王 五", "--lang", "zh", "open"]
    assert "--lang" not in shlex.split(child_command(home, "li", None))


def test_busy_port_is_one_sentence_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "tui.cli", "--home", str(tmp_path / "ws"), "serve",
             "--port", str(port)],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"shenyue: Port {port} on 127.0.0.1 is already in use; stop the program using it or "
        "choose another with --port N."
    ]


def test_port_out_of_range_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(tmp_path / "ws"), "serve",
         "--port", "70000"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert (result.returncode, result.stderr.strip()) == (
        1, "shenyue: --port must be between 1 and 65535, not 70000.")


def test_page_connects_back_to_the_address_the_browser_used(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "ws")
    port = free_port()
    with serve_process(tmp_path / "ws", port):
        wait_for_port(port)
        # a browser that reached the server by another name (bound to 0.0.0.0, say)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/",
                                         headers={"Host": f"review.example:{port}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            page = response.read().decode("utf-8")
    assert f'data-session-websocket-url="ws://review.example:{port}/ws"' in page
    assert f'src="http://review.example:{port}/static/js/textual.js"' in page
    assert "127.0.0.1" not in page


def test_websocket_only_for_this_servers_own_pages() -> None:
    assert refusal("127.0.0.1:8000", "http://127.0.0.1:8000", local_only=True) is None
    assert refusal("localhost:8000", "http://localhost:8000", local_only=True) is None
    assert refusal("[::1]:8000", "http://[::1]:8000", local_only=True) is None
    assert refusal("127.0.0.1:8000", None, local_only=True) is None  # not a browser
    # another site's page in the reviewer's browser
    assert refusal("127.0.0.1:8000", "https://evil.example", local_only=True) == (
        "origin https://evil.example is not this server")
    # another site whose name was re-pointed at 127.0.0.1 (DNS rebinding)
    assert refusal("evil.example:8000", "http://evil.example:8000", local_only=True) == (
        "host 'evil.example' is not this machine")
    # bound to another address on purpose: any name the network uses, own pages only
    assert refusal("review.lan:8000", "http://review.lan:8000", local_only=False) is None
    assert refusal("review.lan:8000", "https://evil.example", local_only=False) is not None


def test_page_from_another_site_starts_no_app(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "ws")
    port = free_port()
    handshake = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": "https://evil.example"}
    with serve_process(tmp_path / "ws", port):
        wait_for_port(port)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/ws", headers=handshake)
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 101
        except urllib.error.HTTPError as exc:
            status = exc.code
    assert status == 403
    assert "refused a browser connection: origin https://evil.example is not this server" in (
        (tmp_path / "serve.log").read_text(encoding="utf-8"))
