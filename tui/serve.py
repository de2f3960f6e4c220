"""`shenyue serve`: the app in a browser — textual-serve runs one app process per browser tab.

Every tab is an ordinary `shenyue open` on the same workspace, so the multi-process store
keeps their marks apart and durable exactly as for reviewers in several terminals. This
module itself never imports Textual; textual-serve is imported only when serving starts.
"""

from __future__ import annotations

import errno
import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from annotations.errors import UserError
from annotations.workspace import Workspace


def child_command(home: Path, reviewer: str, lang: str | None) -> str:
    """The shell command textual-serve runs for each tab: this app, workspace and reviewer."""
    argv = [sys.executable, "-m", "tui.cli", "--home", str(home.resolve()),
            "--reviewer", reviewer]
    if lang:
        argv += ["--lang", lang]
    # textual-serve hands the command to a shell: quote every part (paths may hold spaces)
    return shlex.join([*argv, "open"])


def check_port(host: str, port: int) -> None:
    """Raise UserError, in one sentence, if nothing could listen on `host`:`port` now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UserError("serve.bad_host", host=host, reason=str(exc.strerror)) from exc
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as probe:
            # the same option aiohttp sets, so a port in TIME_WAIT is not taken for busy
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise port_error(host, port, exc) from exc


def port_error(host: str, port: int, exc: OSError) -> UserError:
    """The one sentence for a socket that cannot listen."""
    if exc.errno == errno.EADDRINUSE:
        return UserError("serve.port_in_use", port=port, host=host)
    return UserError("serve.cannot_listen", host=host, port=port, reason=str(exc.strerror or exc))


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) means this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(host_header: str, origin: str | None, local_only: bool) -> str | None:
    """Why a websocket request must not start an app (None: it may).

    A page from another site may open a websocket to this server (browsers allow that across
    sites), and a site whose name is re-pointed at 127.0.0.1 reaches it under its own name:
    so the page's origin must be this server, and a loopback server answers loopback names only.
    """
    if origin is not None and urlsplit(origin).netloc != host_header:
        return f"origin {origin} is not this server"
    name = urlsplit(f"//{host_header}").hostname or ""
    if local_only and not is_loopback(name):
        return f"host {name!r} is not this machine"
    return None


def serve(ws: Workspace, host: str, port: int, lang: str | None) -> None:
    """Serve the app on http://host:port until Ctrl+C; each browser tab gets its own app."""
    if not 1 <= port <= 65535:
        raise UserError("serve.bad_port", port=port)
    # a store that is damaged or too new is refused here, once, rather than in every tab
    ws.check_store()
    check_port(host, port)
    server = make_server(child_command(ws.home, ws.reviewer, lang), host, port,
                         local_only=is_loopback(host))
    address = f"[{host}]" if ":" in host else host  # an IPv6 address needs brackets in a URL
    print(f"Shenyue (审阅) at http://{address}:{port}/ — every browser tab runs its own app on "
          f"{ws.home.resolve()} as reviewer {ws.reviewer}. No password: anyone who can reach "
          "this address can read and mark. Ctrl+C stops.", flush=True)
    try:
        server.serve()
    except OSError as exc:
        # another program took the port between the check and the bind
        raise port_error(host, port, exc) from exc


def make_server(command: str, host: str, port: int, *, local_only: bool) -> Any:
    """A textual-serve Server for `command`, whose pages connect back to the address the
    browser used (not to the bind address, which may be 0.0.0.0), and which starts no app
    for another site's page (see `refusal`)."""
    from aiohttp import web
    from textual_serve.server import Server

    class ShenyueServer(Server):
        """textual-serve without its banner (serve() prints ours) and with page-relative URLs."""

        async def on_startup(self, app: web.Application) -> None:
            """Print nothing: the banner is printed once the port is known to be free."""

        async def handle_index(self, request: web.Request) -> Any:
            """The page, with its websocket and static URLs on the host the browser asked."""
            # no await before the template reads it, so concurrent requests cannot mix hosts
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """Start the app for this tab, unless the request comes from another site."""
            reason = refusal(request.host, request.headers.get("Origin"), local_only)
            if reason is not None:
                print(f"refused a browser connection: {reason}", flush=True)
                raise web.HTTPForbidden(text=f"Shenyue refuses this connection: {reason}.")
            return await super().handle_websocket(request)

    return ShenyueServer(command, host=host, port=port, title="Shenyue 审阅")
