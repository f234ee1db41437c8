"""`newsdigest serve`: serving, rebuilding on change, live reload, errors, clean exit, and
what a loopback preview refuses (other Host names, idle connections, a folder with no project)."""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import REPO, Run

from generator.__main__ import make_parser
from generator.core.console import Console
from generator.core.errors import UserError
from generator.preview.httpd import HostCheck
from generator.preview.reload import EVENTS_PATH, SCRIPT_PATH, STATE_PATH
from generator.preview.server import DevServer, ServeOptions

pytest.importorskip("watchfiles", reason="`newsdigest serve` needs watchfiles")

# Every wait below is for an event (a state change, a line, an exit); this limit only turns a
# hang into a failure, and is far beyond what a busy machine needs.
HANG = 120.0


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=HANG) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG
    while not done():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


class Running:
    """A DevServer running in a thread, with its terminal output captured."""

    def __init__(self, root: Path, **options: Any) -> None:
        self.root = root
        self.out, self.err = io.StringIO(), io.StringIO()
        console = Console(out=self.out, err=self.err, environ={})
        self.server = DevServer(ServeOptions(root=root, port=0, workers=1, **options), console)
        self.url = self.server.url
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.wait_for(lambda state: state["build"] >= 1 or bool(state["errors"]))

    def state(self) -> dict:
        return json.loads(fetch(self.url + STATE_PATH.lstrip("/"))[1])

    def wait_for(self, done: Callable[[dict], bool], timeout: float = HANG) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = self.state()
            except OSError:
                state = None  # not listening yet
            if state is not None and done(state):
                return state
            if time.monotonic() >= deadline:
                raise AssertionError(f"server state never got there; last: {state}")
            time.sleep(0.05)

    def until_seen(self, action: Callable[[], object], done: Callable[[dict], bool]) -> dict:
        """Change something and wait for the server to react; change it again if the watchers
        were not watching yet (they start in the background), waiting twice as long each time.
        A repeated change may cost an extra build, so `done` and the assertions after it must
        hold for any later build too."""
        deadline = time.monotonic() + HANG
        patience = 2.0
        while True:
            action()
            remaining = deadline - time.monotonic()
            try:
                return self.wait_for(done, timeout=min(patience, remaining))
            except AssertionError:
                if patience >= remaining:
                    raise
            patience *= 2

    def write_until_seen(self, path: Path, text: str, done: Callable[[dict], bool]) -> dict:
        """Write a file and wait for the server to react."""
        return self.until_seen(lambda: path.write_text(text, encoding="utf-8"), done)

    def page(self, path: str) -> tuple[int, str]:
        return fetch(self.url + path.lstrip("/"))

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=HANG)
        assert not self.thread.is_alive()


@pytest.fixture
def running(site_copy: Callable[[str], Path]) -> Iterator[Running]:
    server = Running(site_copy("basic"))
    try:
        yield server
    finally:
        server.stop()


def article_path(running: Running, title: str) -> str:
    manifest = json.loads(running.page("/search-index.json")[1])
    parts = [json.loads(running.page(part["url"])[1]) for part in manifest["parts"]]
    return next(item["u"] for part in parts for item in part["articles"] if item["t"] == title)


def test_serves_the_site_at_the_local_address_with_live_reload(running: Running) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", running.url)
    status, html = running.page("/")
    assert status == 200 and "Basic Test Digest" in html
    # base_url is the local address, so links work (site.yaml says https://test.example.org/news/).
    assert f'href="{running.url}"' in html and "/news/" not in html
    assert f'<script src="{SCRIPT_PATH}" data-build="1"></script>\n</body>' in html
    # ...injected as served, never written into the built files.
    built = running.server.options.output_dir / "index.html"
    assert SCRIPT_PATH not in built.read_text(encoding="utf-8")
    assert not (running.root / "output").exists()  # the preview does not touch output/
    status, script = running.page(SCRIPT_PATH)  # live.js, a package file
    assert status == 200 and f'new EventSource("{EVENTS_PATH}")' in script
    status, css = running.page("/style.css")
    assert status == 200 and SCRIPT_PATH not in css
    assert running.state() == {"build": 1, "errors": None}
    # The readiness line follows the first build's state by a moment.
    wait_until(lambda: "Serving" in running.out.getvalue(), "the server said where it listens")


def test_missing_page_is_the_sites_404_with_the_script(running: Running) -> None:
    status, html = running.page("/no/such/page/")
    assert status == 404
    assert "Page not found" in html and SCRIPT_PATH in html


def test_an_edit_is_rebuilt_and_served(running: Running) -> None:
    path = article_path(running, "Library extends opening hours")
    source = running.root / "content" / "a2.md"
    text = source.read_text(encoding="utf-8")
    running.write_until_seen(
        source,
        text.replace("Library extends opening hours", "Library opens on Sundays too"),
        lambda state: state["build"] >= 2,
    )
    status, html = running.page(
        path.replace("library-extends-opening-hours", "library-opens-on-sundays-too")
    )
    assert status == 200 and "Library opens on Sundays too" in html
    built = re.search(r'data-build="(\d+)"', html)
    assert built and int(built.group(1)) >= 2  # a repeated write may have cost another build
    assert "changed:" in running.out.getvalue() and "a2.md" in running.out.getvalue()


def test_site_yaml_change_is_rebuilt(running: Running) -> None:
    config = running.root / "site.yaml"
    running.write_until_seen(
        config,
        config.read_text(encoding="utf-8").replace("Basic Test Digest", "Renamed Digest"),
        lambda state: state["build"] >= 2,
    )
    assert "Renamed Digest" in running.page("/")[1]


def test_a_build_error_keeps_the_last_good_site_and_is_shown(running: Running) -> None:
    path = article_path(running, "Harbour ferry gets a new timetable")
    source = running.root / "content" / "a1.md"
    good = source.read_text(encoding="utf-8")
    state = running.write_until_seen(
        source,
        good.replace("date: 2025-03-01T08:00:00+01:00", "date: 1 March"),
        lambda state: bool(state["errors"]),
    )
    assert state["build"] == 1
    assert re.search(r"a1\.md:3: invalid date '1 March'", state["errors"][0]), state
    # The terminal shows the same `path:line: message`, and that the old site is still served.
    err = running.err.getvalue()
    assert re.search(r"a1\.md:3: invalid date '1 March'", err)
    assert "still serving the last good site" in err
    status, html = running.page(path)
    assert status == 200 and "Harbour ferry gets a new timetable" in html
    # A page opened now learns about the error at once from the event stream.
    with urllib.request.urlopen(running.url + EVENTS_PATH.lstrip("/"), timeout=HANG) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        lines = []
        while not any(line.startswith("data:") for line in lines):
            lines.append(stream.readline().decode("utf-8").strip())
    assert "event: state" in lines
    data = json.loads(next(line for line in lines if line.startswith("data:"))[5:])
    assert data["build"] == 1 and "invalid date" in data["errors"][0]
    # Fixing the file clears the error and publishes a new build.
    state = running.write_until_seen(source, good, lambda state: state["build"] >= 2)
    assert state["errors"] is None


def test_a_broken_template_is_reported_with_its_line(running: Running) -> None:
    templates = running.root / "templates"

    def create_folder() -> None:  # a new top-level folder: the server starts watching it
        if templates.exists():
            templates.rmdir()
        templates.mkdir()

    running.until_seen(create_folder, lambda state: state["build"] >= 2)
    broken = "{% extends 'base.html' %}\n{% block content %}\n{{ nope( }}\n{% endblock %}\n"
    state = running.write_until_seen(
        templates / "tags.html", broken, lambda state: bool(state["errors"])
    )
    assert re.search(r"tags\.html:3: template syntax error", state["errors"][0]), state


def test_the_port_in_use_is_a_user_error(running: Running) -> None:
    port = running.server.httpd.server_address[1]
    with pytest.raises(UserError) as raised:
        DevServer(ServeOptions(root=running.root, port=port), Console(environ={}))
    assert raised.value.diagnostics[0].format() == (
        f"127.0.0.1:{port}: address already in use (stop the other server or pick another --port)"
    )


def test_defaults_bind_to_loopback_on_port_8000() -> None:
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.drafts, args.future) == ("127.0.0.1", 8000, False, False)
    args = make_parser().parse_args(["serve", "--port", "0", "--drafts", "--future", "-q"])
    assert (args.port, args.drafts, args.future, args.quiet) == (0, True, True, True)


# `python -m generator` started with SIGINT ignored, as a shell starts `cmd &` in a script
# (Python then installs no KeyboardInterrupt handler of its own).
_SIGINT_IGNORED = (
    "-c",
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "sys.argv[0] = 'newsdigest'; runpy.run_module('generator', run_name='__main__')",
)


@pytest.mark.parametrize(
    "launcher", [("-m", "generator"), _SIGINT_IGNORED], ids=["plain", "ignored"]
)
def test_ctrl_c_exits_cleanly(
    site_copy: Callable[[str], Path], tmp_path: Path, launcher: tuple[str, ...]
) -> None:
    root = site_copy("basic")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    err_path = tmp_path / "stderr.txt"
    lines: queue.Queue[str | None] = queue.Queue()  # stdout, line by line; None at its end
    with err_path.open("w", encoding="utf-8") as err_file:
        process = subprocess.Popen(
            [sys.executable, *launcher, "serve", "--root", str(root), "--port", "0"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
        )

        def read_stdout() -> None:
            assert process.stdout is not None
            with process.stdout:
                for line in process.stdout:
                    lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read_stdout, daemon=True)
        reader.start()
        out: list[str] = []
        try:
            url = None
            while url is None:  # the readiness line comes after the first build
                line = lines.get(timeout=HANG)
                assert line is not None, f"ended before serving: {err_path.read_text('utf-8')}"
                out.append(line)
                found = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
                url = found.group(1) if found else None
            assert fetch(url)[0] == 200
            process.send_signal(signal.SIGINT)
            process.wait(timeout=HANG)
            reader.join(timeout=HANG)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    while (line := lines.get_nowait()) is not None:
        out.append(line)
    err = err_path.read_text(encoding="utf-8")
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "".join(out).strip().endswith("stopped")


def raw_get(url: str, path: str, hosts: list[str], method: str = "GET") -> tuple[int, bytes]:
    """A request carrying exactly these Host headers (none, or several), as a browser pointed
    at another domain by DNS rebinding would send one."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=HANG)
    try:
        connection.putrequest(method, path, skip_host=True)
        for host in hosts:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_request_naming_another_host_is_refused(running: Running) -> None:
    port = urlsplit(running.url).port
    refused = f"newsdigest serve answers only at {running.url}\n".encode()
    foreign = [
        [f"evil.example:{port}"],  # a rebound domain
        ["evil.example"],
        [f"127.0.0.1.evil.example:{port}"],
        [f"localhost:{port}@evil.example"],
        [f"localhost:{port + 1 if port < 65535 else port - 1}"],  # another port
        [f"127.0.0.1:{port}", f"evil.example:{port}"],  # two Host headers
        [],  # none
    ]
    for hosts in foreign:
        for path in ("/", STATE_PATH, EVENTS_PATH, "/style.css", "/search-index.json"):
            assert raw_get(running.url, path, hosts) == (421, refused), (hosts, path)
        status, body = raw_get(running.url, "/", hosts, method="HEAD")
        assert (status, body) == (421, b""), hosts
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        status, body = raw_get(running.url, "/", [host])
        assert status == 200 and b"Basic Test Digest" in body, host


def test_a_server_bound_beyond_loopback_answers_to_its_own_address_too() -> None:
    bound = HostCheck("192.0.2.7", 8000)
    assert bound.allows("192.0.2.7:8000") and bound.allows("localhost:8000")
    assert not bound.allows("192.0.2.8:8000") and not bound.allows("evil.example:8000")
    anywhere = HostCheck("0.0.0.0", 8000)  # any IP address: DNS rebinding needs a domain
    assert anywhere.allows("192.0.2.7:8000") and anywhere.allows("[2001:db8::1]:8000")
    assert not anywhere.allows("evil.example:8000") and not anywhere.allows("192.0.2.7:80")
    assert HostCheck("127.0.0.1", 80).allows("localhost")  # the default port may be left out


def test_an_idle_connection_is_closed_but_an_event_stream_stays_open(
    site_copy: Callable[[str], Path],
) -> None:
    timeout = 2.0
    running = Running(site_copy("basic"), request_timeout=timeout)
    try:
        address = (urlsplit(running.url).hostname, urlsplit(running.url).port)
        events = running.url + EVENTS_PATH.lstrip("/")
        with urllib.request.urlopen(events, timeout=HANG) as stream:

            def next_state() -> dict:
                while not (line := stream.readline().decode("utf-8")).startswith("data:"):
                    assert line, "the event stream ended"
                return json.loads(line[5:])

            assert next_state()["build"] == 1
            opened = time.monotonic()  # before the server can start counting
            silent = socket.create_connection(address, timeout=HANG)
            halfway = socket.create_connection(address, timeout=HANG)
            with silent, halfway:
                halfway.sendall(b"GET / HTTP/1.1\r\n")  # and never the rest
                assert silent.recv(1) == b""  # closed by the server, not by our HANG
                assert halfway.recv(1) == b""
                assert time.monotonic() - opened >= timeout * 0.9  # by the timeout, not at once
            # The stream outlived the request timeout: it still brings the next build.
            source = running.root / "content" / "a2.md"
            text = source.read_text(encoding="utf-8")
            running.write_until_seen(source, text + "\nMore.\n", lambda s: s["build"] >= 2)
            assert next_state()["build"] >= 2
    finally:
        running.stop()


def test_serve_without_a_project_says_so(run_cli: Callable[..., Run], tmp_path: Path) -> None:
    empty = tmp_path / "not-a-site"
    empty.mkdir()
    expected = f"{empty}: no site.yaml here; run `newsdigest init` to start a site, or pass --root"
    with pytest.raises(UserError) as raised:  # first in-process: it must not start serving
        DevServer(ServeOptions(root=empty, port=0), Console(environ={}))
    assert raised.value.diagnostics[0].format() == expected
    result = run_cli("serve", "--root", empty, "--port", "0")
    assert result.status == 1
    assert expected in result.err and "Serving" not in result.out
    assert list(empty.iterdir()) == []  # no preview folder made in a folder that is no project
