"""`newsdigest fetch` against a real HTTP server on 127.0.0.1 serving fixture feeds and pages:
conditional GET, redirects, a slow host, a broken feed, a vanished page, robots.txt, the
address rule, the state between runs and the lock. No other network."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import Run

from generator.core.frontmatter import FrontMatter, parse_front_matter

PARAGRAPHS = [
    "The harbour council voted on Tuesday to keep the night ferry running for another three "
    "years, after a long debate about the cost to the town and the needs of shift workers.",
    "Councillors said the subsidy of two hundred thousand a year would come from the parking "
    "budget, which has grown since the new car parks opened near the station last spring.",
    "Opponents argued that the money would be better spent on buses, which carry more "
    "passengers per journey, and asked for a review of the service after twelve months.",
]


def article_html(title: str, words: str) -> bytes:
    body = "".join(f"<p>{words} {text}</p>" for text in PARAGRAPHS)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} - Harbour Times</title>"
        "<meta property='og:site_name' content='Harbour Times'></head><body><article>"
        f"<h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate><category>Harbour</category>"
        f"<category>@post-id:1913719</category></item>"
        for title, path in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Times</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    ).encode()


class Site:
    """The fixture server's routes and a log of every request it answered."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.log: list[tuple[str, dict[str, str], float]] = []
        self.base = ""

    def requested(self, path: str) -> int:
        return sum(1 for item, _, _ in self.log if item == path)


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            state.log.append((self.path, dict(self.headers.items()), time.monotonic()))
            route = state.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.end_headers()
                return
            # The fetcher gives up on a slow answer, as it should: the pipe breaks.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def send(
    status: int, body: bytes = b"", **headers: str
) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def conditional(body: bytes, etag: str) -> Callable[[BaseHTTPRequestHandler], None]:
    modified = formatdate(1_700_000_000, usegmt=True)

    def answer(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == etag:
            send(304, ETag=etag)(handler)
        else:
            send(200, body, ETag=etag, Last_Modified=modified, Content_Type="application/rss+xml")(
                handler
            )

    return answer


def slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(5)  # well past the 2 s timeout the tests set
    send(200, article_html("Slow story", "slow"))(handler)


def project(tmp_path: Path, site: Site, feeds: list[str], extra: str = "") -> Path:
    root = tmp_path / "digest"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: Digest\nbase_url: https://digest.example/\nimport:\n  publish: review\n",
        encoding="utf-8",
    )
    listed = "".join(f"  - {{url: '{site.base}{feed}', name: Harbour}}\n" for feed in feeds)
    (root / "sources.yaml").write_text(
        f"delay: 0\ntimeout: 2\nmax_bytes: 200000\nallow_private: [127.0.0.1]\n{extra}"
        f"feeds:\n{listed}",
        encoding="utf-8",
    )
    return root


def articles(root: Path) -> dict[str, FrontMatter]:
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        parsed = parse_front_matter(path.read_text(encoding="utf-8"), path)
        assert isinstance(parsed, FrontMatter)
        found[str(parsed.fields.get("original_url"))] = parsed
    return found


@pytest.fixture
def harbour(site: Site) -> Site:
    """A feed of six entries: a good page, a redirect, a vanished page, a slow one, one that
    robots.txt disallows and one too large."""
    site.routes["/robots.txt"] = send(200, b"User-agent: *\nDisallow: /private/\n")
    items = [
        ("Ferry to keep running", "/ferry"),
        ("Library opens late", "/old-library"),
        ("Vanished story", "/gone"),
        ("Slow story", "/slow"),
        ("Private story", "/private/secret"),
        ("Huge story", "/huge"),
    ]
    site.routes["/feed.xml"] = conditional(rss(site.base, items), '"v1"')
    site.routes["/ferry"] = send(200, article_html("Ferry to keep running", "ferry"))
    site.routes["/old-library"] = send(301, Location="/library")
    site.routes["/library"] = send(200, article_html("Library opens late", "library"))
    site.routes["/slow"] = slow
    site.routes["/private/secret"] = send(200, article_html("Private story", "private"))
    site.routes["/huge"] = send(200, b"<p>" + b"word " * 100_000 + b"</p>")
    return site


def test_fetch_imports_new_entries_and_reports_each_failure_once(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    root = project(tmp_path, harbour, ["/feed.xml"])
    result = run_cli("fetch", "--root", root)
    assert result.status == 1  # some pages failed
    found = articles(root)
    base = harbour.base
    assert set(found) == {f"{base}/ferry", f"{base}/library"}  # the redirect's target URL
    ferry = found[f"{base}/ferry"].fields
    assert ferry["draft"] is True and ferry["review"] == "imported"
    assert ferry["tags"] == ["Harbour"]  # the CMS identifier was dropped
    assert ferry["publisher"] == "Harbour"  # sources.yaml's name wins over the feed's title
    failures = result.err.strip().splitlines()
    assert sorted(failures) == sorted(
        [
            f"Harbour: {base}/gone: page gone (HTTP 404); not asked for again",
            f"Harbour: {base}/slow: no answer within 2 s",
            f"Harbour: {base}/private/secret: robots.txt disallows fetching it",
            f"Harbour: {base}/huge: larger than the size limit (500,007 > 200,000 bytes)",
        ]
    ), result.err
    assert harbour.requested("/private/secret") == 0
    assert "fetched 1 feeds" in result.out and "2 new pages, failed 4" in result.out
    assert "imported 2," in result.out
    agent = next(headers for path, headers, _ in harbour.log if path == "/feed.xml")["User-Agent"]
    assert agent.startswith("newsdigest/") and "https://digest.example/" in agent


def test_second_run_asks_only_for_what_is_new_or_failed(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    root = project(tmp_path, harbour, ["/feed.xml"])
    run_cli("fetch", "--root", root)
    state = json.loads((root / "fetch-state.json").read_text(encoding="utf-8"))
    feed = state["feeds"][f"{harbour.base}/feed.xml"]
    assert feed["etag"] is None  # a page failed: the next run must read the feed whole again
    harbour.routes["/slow"] = send(200, article_html("Slow story", "slow"))
    harbour.routes["/huge"] = send(200, article_html("Huge story", "huge"))
    harbour.log.clear()
    second = run_cli("fetch", "--root", root)
    assert harbour.requested("/ferry") == 0 and harbour.requested("/library") == 0
    assert harbour.requested("/gone") == 0  # vanished: not asked for again
    assert harbour.requested("/slow") == 1 and harbour.requested("/huge") == 1
    assert "2 new pages, failed 1" in second.out  # the robots.txt refusal still counts
    assert len(articles(root)) == 4
    state = json.loads((root / "fetch-state.json").read_text(encoding="utf-8"))
    harbour.routes["/private/secret"] = send(404)
    harbour.routes["/robots.txt"] = send(404)  # no robots.txt: everything may be fetched
    harbour.log.clear()
    run_cli("fetch", "--root", root)
    state = json.loads((root / "fetch-state.json").read_text(encoding="utf-8"))
    assert state["feeds"][f"{harbour.base}/feed.xml"]["etag"] == '"v1"'
    harbour.log.clear()
    fourth = run_cli("fetch", "--root", root)
    assert fourth.status == 0, fourth.err
    [(path, headers, _)] = [item for item in harbour.log if item[0] == "/feed.xml"]
    assert headers["If-None-Match"] == '"v1"' and "If-Modified-Since" in headers
    assert "1 unchanged, 0 new pages, failed 0" in fourth.out  # the server said 304


def test_a_broken_or_unreachable_feed_does_not_stop_the_others(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    harbour.routes["/broken.xml"] = send(200, b"<html><body>Oops, no feed here")
    harbour.routes["/down.xml"] = send(503)
    root = project(tmp_path, harbour, ["/broken.xml", "/down.xml", "/feed.xml"])
    result = run_cli("fetch", "--root", root)
    base = harbour.base
    lines = result.err.splitlines()
    assert any(line.startswith(f"Harbour: {base}/broken.xml: bad feed: ") for line in lines)
    assert f"Harbour: {base}/down.xml: HTTP 503" in lines
    assert len(articles(root)) == 2  # the good feed's pages came in all the same
    state = json.loads((root / "fetch-state.json").read_text(encoding="utf-8"))
    assert state["feeds"][f"{base}/down.xml"]["failures"] == 1
    harbour.routes["/down.xml"] = conditional(rss(base, [("Back up", "/ferry")]), '"x"')
    harbour.log.clear()
    run_cli("fetch", "--root", root)
    assert harbour.requested("/down.xml") == 1  # retried on the next run
    state = json.loads((root / "fetch-state.json").read_text(encoding="utf-8"))
    assert state["feeds"][f"{base}/down.xml"]["failures"] == 0


def test_private_addresses_are_refused_unless_allowed(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    root = project(tmp_path, harbour, ["/feed.xml"])
    text = (root / "sources.yaml").read_text(encoding="utf-8")
    (root / "sources.yaml").write_text(text.replace("allow_private: [127.0.0.1]\n", ""))
    result = run_cli("fetch", "--root", root)
    assert result.status == 1
    assert "127.0.0.1 is at 127.0.0.1, a private, loopback or link-local address" in result.err
    assert harbour.log == []  # not even robots.txt was asked for


def test_a_redirect_to_a_private_address_is_refused(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    harbour.routes["/feed.xml"] = send(302, Location="http://169.254.169.254/latest/meta-data/")
    root = project(tmp_path, harbour, ["/feed.xml"])
    result = run_cli("fetch", "--root", root)
    assert "169.254.169.254, a private, loopback or link-local address" in result.err


def test_delay_between_requests_to_one_host(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    for path in ("/gone", "/slow", "/private/secret", "/huge"):
        harbour.routes[path] = send(404)
    root = project(tmp_path, harbour, ["/feed.xml"])
    text = (root / "sources.yaml").read_text(encoding="utf-8")
    (root / "sources.yaml").write_text(text.replace("delay: 0\n", "delay: 0.3\n"))
    started = time.monotonic()
    run_cli("fetch", "--root", root)
    elapsed = time.monotonic() - started
    requests = len(harbour.log)
    assert requests >= 5
    # The fetcher waits 0.3 s before each request after the first. Timed on the client side,
    # as a lower bound only: a busy machine makes the run longer, never shorter. (The
    # server's own time stamps are not used: a request handled late on a loaded machine
    # shortens its gap to the next one.)
    assert elapsed >= 0.3 * (requests - 1)


def test_sources_yaml_mistakes_are_reported_by_line_and_nothing_is_fetched(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    root = project(tmp_path, harbour, ["/feed.xml"])
    (root / "sources.yaml").write_text(
        "delay: soon\nfeeds:\n  - https://ok.example/rss\n  - ftp://files.example/feed\n"
        "colour: blue\n",
        encoding="utf-8",
    )
    result = run_cli("fetch", "--root", root)
    assert result.status == 1
    sources = root / "sources.yaml"
    assert f"{sources}:1: `delay` must be a number of at least 0.0" in result.err
    assert (
        f"{sources}:4: feeds: 'ftp://files.example/feed' is not an absolute http(s) URL"
        in result.err
    )
    assert f"{sources}:5: unknown key `colour`" in result.err
    assert harbour.log == []


def test_opml_subscriptions(tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]) -> None:
    root = project(tmp_path, harbour, [])
    (root / "subs.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
        f'<outline text="Harbour Times" type="rss" xmlUrl="{harbour.base}/feed.xml"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    text = (root / "sources.yaml").read_text(encoding="utf-8").replace("feeds:\n", "feeds: []\n")
    (root / "sources.yaml").write_text(text + "opml: [subs.opml]\n", encoding="utf-8")
    result = run_cli("fetch", "--root", root)
    assert "fetched 1 feeds" in result.out, result.err
    assert f"{harbour.base}/ferry" in articles(root)
    assert articles(root)[f"{harbour.base}/ferry"].fields["publisher"] == "Harbour Times"


def test_damaged_state_is_set_aside_with_a_warning(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    root = project(tmp_path, harbour, ["/feed.xml"])
    (root / "fetch-state.json").write_text(
        '{"version": 1, "feeds": {"x": {"seen": {"a": "rm -rf"}}}}'
    )
    result = run_cli("fetch", "--root", root)
    assert "warning: " in result.err and "not a fetch state newsdigest wrote" in result.err
    assert len(articles(root)) == 2
    json.loads((root / "fetch-state.json").read_text(encoding="utf-8"))  # rewritten whole


HOLD_LOCK = """
import sys, time
from pathlib import Path
from generator.core.lock import project_lock
with project_lock(Path(sys.argv[1]), "newsdigest fetch"):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_fetch_while_one_runs_changes_nothing(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run]
) -> None:
    root = project(tmp_path, harbour, ["/feed.xml"])
    repo = Path(__file__).resolve().parent.parent
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(root / ".newsdigest-fetch.lock")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=repo,
        env={"PYTHONPATH": str(repo)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_cli("fetch", "--root", root)
        assert result.status == 1
        assert "another newsdigest fetch is running in this project" in result.err
        assert f"process {holder.pid} holds" in result.err
        assert harbour.log == [] and not (root / "fetch-state.json").exists()
    finally:
        holder.kill()
        holder.wait()
    # The kernel drops a dead holder's lock: the next run goes ahead.
    assert run_cli("fetch", "--root", root).status == 1  # (its pages' failures, not the lock)
    assert len(articles(root)) == 2


def test_connections_go_to_the_address_that_was_checked(
    tmp_path: Path, harbour: Site, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is looked up once per request, by the check; the connection is made to that
    address, so a second lookup answering differently (DNS rebinding) is never used."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def lookup(host: str, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if host == "feeds.example":
            lookups.append(sys._getframe(1).f_globals["__name__"])  # who looked it up
            host = "127.0.0.1"
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    port = harbour.base.rsplit(":", 1)[1]
    harbour.base = f"http://feeds.example:{port}"
    harbour.routes["/feed.xml"] = conditional(
        rss(harbour.base, [("Ferry to keep running", "/ferry")]), '"v1"'
    )
    root = project(tmp_path, harbour, ["/feed.xml"])
    result = run_cli("fetch", "--root", root)
    assert result.status == 0, result.err
    assert f"{harbour.base}/ferry" in articles(root)
    hosts = {headers["Host"] for _, headers, _ in harbour.log}
    assert hosts == {f"feeds.example:{port}"}
    assert set(lookups) == {"generator.ingest.fetch"}  # urllib3 never looked the name up
