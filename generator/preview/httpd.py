"""The preview's HTTP side: listening, whom it answers, and what each request gets.

Static files come from the preview folder; HTML pages get the live-reload tag injected as
they are sent, so the built files never change. Two checks keep a loopback preview private:

- The Host header must name this server (`HostCheck`). Without it, DNS rebinding lets any web
  page the user visits point its own domain at 127.0.0.1 and read the preview, drafts
  included; a browser always sends that domain as Host, so refusing it is enough.
- Reading a request has a time limit (`request_timeout`): a client that connects and sends
  nothing would hold a thread forever. It is the socket's limit, so it also ends a write that
  makes no progress that long (a client that stopped reading). An open event stream lives on:
  after its request it never reads, and its few bytes at a time are always taken.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import ipaddress
import json
import os
import re
import socket
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from ..core.errors import UserError, diagnostic
from . import reload

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
REQUEST_TIMEOUT_SECONDS = 15.0  # to send a request; far more than any client on this machine needs
_HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?|\[[0-9A-Fa-f:.]+\](:[0-9]+)?")


def local_url(host: str, port: int) -> str:
    """The address a browser uses for the server (a wildcard host is shown as localhost)."""
    if host in WILDCARD_HOSTS:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class HostCheck:
    """Which Host headers name this server: the loopback names and the address it is bound to
    (with a wildcard binding, which the user asked for to be seen on the network, any IP
    address, which DNS rebinding cannot forge); always with the port it listens on."""

    def __init__(self, host: str, port: int) -> None:
        self.names = set(LOOPBACK_HOSTS) | ({host.lower()} if host not in WILDCARD_HOSTS else set())
        self.any_address = host in WILDCARD_HOSTS
        self.port = port

    def allows(self, header: str | None) -> bool:
        """True if a request carrying this Host header is meant for us."""
        if header is None or not _HOST_HEADER.fullmatch(header):
            return False
        parts = urlsplit(f"//{header}")
        try:
            port = parts.port or 80  # a browser leaves out only the default port
        except ValueError:  # out of range
            return False
        name = parts.hostname or ""
        return port == self.port and (name in self.names or (self.any_address and _is_ip(name)))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class PreviewHTTPServer(http.server.ThreadingHTTPServer):
    """The listening socket, with what every request handler needs to know."""

    daemon_threads = True  # open event streams must not keep the process alive
    allow_reuse_address = True
    state: reload.BuildState
    hosts: HostCheck
    url: str
    request_timeout: float
    verbose: bool


def inject(page: bytes, build: int) -> bytes:
    """The page with the live-reload tag before its last </body> (at the end if none)."""
    tag = reload.script_tag(build)
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the preview folder, HTML with the live-reload tag, the events."""

    server: PreviewHTTPServer

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # the socket's, set by super().setup()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def parse_request(self) -> bool:
        """Parse as the base class does, then refuse any Host that does not name us."""
        if not super().parse_request():
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) == 1 and self.server.hosts.allows(hosts[0]):
            return True
        self.close_connection = True
        body = f"newsdigest serve answers only at {self.server.url}\n".encode()
        self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8", body)
        return False

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        super().end_headers()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == reload.EVENTS_PATH:
            self._stream_events()
        elif path == reload.STATE_PATH:
            self._send(200, "application/json", json.dumps(self.server.state.snapshot()).encode())
        elif path == reload.SCRIPT_PATH:
            self._send(200, "text/javascript; charset=utf-8", reload.live_script())
        elif (page := self._html_file(path)) is not None:
            self._send_page(200, page)
        elif not os.path.exists(self.translate_path(self.path)):
            self._not_found()
        else:
            super().do_GET()

    def _html_file(self, path: str) -> str | None:
        local = self.translate_path(path)
        if os.path.isdir(local):
            if not path.endswith("/"):
                return None  # the base class redirects /a to /a/
            local = os.path.join(local, "index.html")
        return local if local.endswith(".html") and os.path.isfile(local) else None

    def _send(self, status: int, media_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_page(self, status: int, path: str) -> None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:  # replaced by a rebuild between the check and the read
            self._not_found()
            return
        build = self.server.state.snapshot()["build"]
        self._send(status, "text/html; charset=utf-8", inject(data, build))

    def _not_found(self) -> None:
        page = os.path.join(self.directory, "404.html")
        if os.path.isfile(page):
            self._send_page(404, page)
            return
        text = b"<!DOCTYPE html><title>Not found</title><body><h1>Not found</h1></body>"
        build = self.server.state.snapshot()["build"]
        self._send(404, "text/html; charset=utf-8", inject(text, build))

    def _stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the page went away
            reload.stream_events(self.wfile, self.server.state)


def bind(
    host: str,
    port: int,
    directory: str,
    state: reload.BuildState,
    request_timeout: float = REQUEST_TIMEOUT_SECONDS,
    verbose: bool = False,
) -> PreviewHTTPServer:
    """Listen on host:port (port 0: any free port), serving `directory`; raise UserError if
    that address cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("_BoundServer", (PreviewHTTPServer,), {"address_family": family})
    handler = functools.partial(Handler, directory=directory)
    try:
        server = server_class((host, port), handler)
    except OSError as error:
        where = f"{host}:{port}"
        if error.errno == errno.EADDRINUSE:
            message, hint = "address already in use", "stop the other server or pick another --port"
        else:
            message, hint = f"cannot listen there: {error.strerror or error}", "check --host"
        raise UserError([diagnostic(where, None, message, hint)]) from None
    bound_port = server.server_address[1]
    server.state = state
    server.hosts = HostCheck(host, bound_port)
    server.url = local_url(host, bound_port)
    server.request_timeout = request_timeout
    server.verbose = verbose
    return server
