"""`newsdigest fetch`: read each subscribed feed, follow its new entries to their pages,
clean and import them.

A polite, bounded client on urllib3: conditional GET (ETag, Last-Modified), one request at a
time per host with a delay between them (longer if robots.txt asks for it), a timeout, a size
limit, a User-Agent naming newsdigest and the site, robots.txt honoured (urllib.robotparser),
redirects followed a few hops and each hop checked again. Addresses on private, loopback and
link-local networks are refused unless sources.yaml lists them under `allow_private`, so a
feed cannot make the fetcher read the machine's own services.

Every failure is one line naming the source and the URL; the other feeds go on, and the
summary counts them. fetch-state.json remembers what was seen: a feed that failed keeps its
old state, so its entries are asked for again next time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib import robotparser
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3

from generator import __version__  # the package root's version (a dunder, not private)

from ..core.errors import Diagnostic
from ..core.layout import FETCH_LOCK_FILE, FETCH_STATE_FILE, SOURCES_FILE
from .feedinput import Entry, entry_hints, entry_page, parse_feed
from .fetchstate import DONE, GONE, FeedState, load_state, save_state
from .model import RawDocument
from .readers import decode
from .sources import FetchSettings, Source, load_sources

ROBOTS_AGENT = "newsdigest"  # the token robots.txt rules name
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_GONE = (404, 410)


Report = Callable[["Source", str, str], None]  # source, URL, what went wrong


class FetchFailed(Exception):
    """One request that did not give a usable answer; the message says why, in a few words."""


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Tally:
    """What a fetch did, for its summary line."""

    feeds: int = 0
    unchanged: int = 0
    entries: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def user_agent(site_url: str | None) -> str:
    """Who is asking, and where a publisher can see what we do with their pages."""
    contact = f"; +{site_url}" if site_url else ""
    return f"{ROBOTS_AGENT}/{__version__} (news digest feed reader{contact})"


class Client:
    """GET with the limits above; robots.txt read once per host and run."""

    def __init__(self, settings: FetchSettings, agent: str) -> None:
        self.settings, self.agent = settings, agent
        self.pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
        self.last_request: dict[str, float] = {}
        self.robots: dict[str, robotparser.RobotFileParser | FetchFailed] = {}

    def _check_address(self, url: str) -> str:
        """The address to connect to: looked up once, every address of the host checked, and
        then connected to as it is, so a second lookup (DNS rebinding) cannot swap it."""
        host = urlsplit(url).hostname or ""
        named = host.casefold() in self.settings.allow_hosts
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise FetchFailed(f"cannot resolve {host}: {error}") from None
        addresses = list(dict.fromkeys(str(item[4][0]) for item in found))
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if named or address.is_global:
                continue
            if any(address in network for network in self.settings.allow_networks):
                continue
            raise FetchFailed(
                f"refused: {host} is at {address}, a private, loopback or link-local address "
                "(list it under allow_private in sources.yaml to fetch it)"
            )
        if not addresses:
            raise FetchFailed(f"cannot resolve {host}: no address")
        return addresses[0]

    def _pool(self, scheme: str, host: str, port: int, address: str) -> urllib3.HTTPConnectionPool:
        key = (scheme, host, port, address)
        if key not in self.pools:
            timeout = urllib3.Timeout(connect=self.settings.timeout, read=self.settings.timeout)
            if scheme == "https":  # the certificate and SNI are the host's, not the address's
                self.pools[key] = urllib3.HTTPSConnectionPool(
                    address,
                    port,
                    timeout=timeout,
                    retries=False,
                    maxsize=1,
                    server_hostname=host,
                    assert_hostname=host,
                )
            else:
                self.pools[key] = urllib3.HTTPConnectionPool(
                    address, port, timeout=timeout, retries=False, maxsize=1
                )
        return self.pools[key]

    def _wait(self, host: str, delay: float) -> None:
        last = self.last_request.get(host)
        if last is not None:
            pause = last + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        self.last_request[host] = time.monotonic()

    def _once(self, url: str, headers: dict[str, str], delay: float) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchFailed(f"not an http(s) URL: {url}")
        address = self._check_address(url)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        self._wait(host, delay)
        limit, timeout = self.settings.max_bytes, self.settings.timeout
        named = f"[{host}]" if ":" in host else host
        target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            answer = self._pool(parts.scheme, host, port, address).urlopen(
                "GET",
                target,
                headers={
                    "Host": named if parts.port is None else f"{named}:{parts.port}",
                    "User-Agent": self.agent,
                    **headers,
                },
                redirect=False,
                retries=False,
                preload_content=False,
            )
        except urllib3.exceptions.TimeoutError:
            raise FetchFailed(f"no answer within {timeout:g} s") from None
        except urllib3.exceptions.HTTPError as error:
            raise FetchFailed(f"cannot connect: {_reason(error)}") from None
        try:
            length = answer.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise FetchFailed(f"larger than the size limit ({int(length):,} > {limit:,} bytes)")
            deadline = time.monotonic() + 3 * timeout  # a host dripping bytes forever
            body = bytearray()
            for piece in answer.stream(65536):
                body += piece
                if len(body) > limit:
                    raise FetchFailed(f"larger than the size limit ({limit:,} bytes)")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"still sending after {3 * timeout:g} s")
        except urllib3.exceptions.TimeoutError:
            raise FetchFailed(f"stopped answering for {timeout:g} s") from None
        except urllib3.exceptions.HTTPError as error:
            raise FetchFailed(f"broken answer: {_reason(error)}") from None
        finally:
            answer.release_conn()
        return Response(url, answer.status, dict(answer.headers.items()), bytes(body))

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET `url`, following redirects; robots.txt and the address rule apply to each hop."""
        for _ in range(MAX_REDIRECTS + 1):
            self._check_address(url)  # before robots.txt: a refused host is not asked at all
            rules = self._robots(url)
            if not rules.can_fetch(ROBOTS_AGENT, url):
                raise FetchFailed("robots.txt disallows fetching it")
            delay = max(self.settings.delay, float(rules.crawl_delay(ROBOTS_AGENT) or 0))
            answer = self._once(url, headers or {}, delay)
            location = answer.headers.get("Location") or answer.headers.get("location")
            if answer.status not in _REDIRECTS or not location:
                return answer
            url = urljoin(url, location)
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")

    def _robots(self, url: str) -> robotparser.RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self.robots.get(origin)
        if isinstance(known, FetchFailed):
            raise known  # asked once per run: an unreadable robots.txt bars the whole host
        if known is not None:
            return known
        rules = robotparser.RobotFileParser(origin + "/robots.txt")
        location = origin + "/robots.txt"
        try:
            for _ in range(MAX_REDIRECTS + 1):  # RFC 9309: follow at least five redirects
                answer = self._once(location, {}, self.settings.delay)
                target = answer.headers.get("Location") or answer.headers.get("location")
                if answer.status not in _REDIRECTS or not target:
                    break
                location = urljoin(location, target)
        except FetchFailed as failure:
            answer, reason = None, str(failure)
        else:
            reason = f"HTTP {answer.status}"
        if answer is None or answer.status >= 500:
            # RFC 9309: robots.txt unreachable means "assume everything is disallowed".
            barred = FetchFailed(f"robots.txt unreadable ({reason}), so nothing is fetched there")
            self.robots[origin] = barred
            raise barred
        elif answer.status in (401, 403):
            rules.disallow_all = True
        elif 200 <= answer.status < 300:
            rules.parse(answer.body.decode("utf-8", "replace").splitlines())
        else:
            rules.allow_all = True
        self.robots[origin] = rules
        return rules

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return (
        str(reason).strip().splitlines()[0][:200] if str(reason).strip() else type(error).__name__
    )


@dataclass
class Fetched:
    """The pages one run read, and which entries they were, to mark them seen after import."""

    documents: list[RawDocument] = field(default_factory=list)
    marks: list[tuple[str, str, str]] = field(default_factory=list)  # feed url, key, how
    complete: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def fetch_sources(
    sources: list[Source],
    states: dict[str, FeedState],
    client: Client,
    tally: Tally,
    err: TextIO,
) -> Fetched:
    """Fetch every feed and its new entries' pages; failures reported, the rest go on."""
    fetched = Fetched()

    def fail(source: Source, url: str, message: str) -> None:
        tally.failed += 1
        tally.reasons[message.split(":")[0].split(" (")[0]] += 1
        print(f"{source.name}: {url}: {message}", file=err)

    for source in sources:
        tally.feeds += 1
        state = states.setdefault(source.url, FeedState())
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            answer = client.get(source.url, headers)
            if answer.status == 304:
                tally.unchanged += 1
                state.failures, state.error = 0, None
                continue
            if answer.status != 200:
                raise FetchFailed(f"HTTP {answer.status}")
        except FetchFailed as failure:
            state.failures += 1
            state.error = str(failure)
            fail(source, source.url, str(failure))
            continue
        feed = parse_feed(answer.body, source.url)
        if isinstance(feed, Diagnostic):
            state.failures += 1
            state.error = feed.message
            fail(source, source.url, f"bad feed: {feed.message}")
            continue
        state.failures, state.error = 0, None
        publisher = source.publisher or feed.title
        all_handled = True
        for entry in feed.entries:
            if entry.key in state.seen:
                continue
            document = _entry_document(entry, source, publisher, client, fail)
            if isinstance(document, str):  # a vanished page is not asked for again
                if document == GONE:
                    fetched.marks.append((source.url, entry.key, GONE))
                else:
                    all_handled = False
                continue
            tally.entries += 1
            fetched.documents.append(document)
            fetched.marks.append((source.url, entry.key, DONE))
        if all_handled:  # else the next run must read the whole feed again, not get a 304
            fetched.complete[source.url] = (
                answer.headers.get("ETag") or answer.headers.get("etag"),
                answer.headers.get("Last-Modified") or answer.headers.get("last-modified"),
            )
    return fetched


def _entry_document(
    entry: Entry, source: Source, publisher: str | None, client: Client, report: Report
) -> RawDocument | str:
    """The entry's article page as a document, or GONE / "failed" after reporting why."""
    hints = entry_hints(entry, publisher)
    if source.tags:  # first: the editor's choice survives the limit on tags
        hints["tags"] = [*source.tags, *hints.get("tags", [])]  # type: ignore[misc]
    if not entry.link:  # nothing to follow: the entry's own text is all there is
        page = entry_page(entry)
        return _document(f"{source.name}: {entry.key}", page.encode(), page, hints)
    try:
        answer = client.get(entry.link)
    except FetchFailed as failure:
        report(source, entry.link, str(failure))
        return "failed"
    if answer.status in _GONE:
        report(source, entry.link, f"page gone (HTTP {answer.status}); not asked for again")
        return GONE
    if answer.status != 200:
        report(source, entry.link, f"HTTP {answer.status}; asked for again next run")
        return "failed"
    charset = _charset(answer.headers.get("Content-Type") or answer.headers.get("content-type"))
    text = decode(entry.link, None, answer.body, "html", charset, lenient=True)
    if isinstance(text, Diagnostic):
        report(source, entry.link, text.message)
        return GONE
    hints["url"] = answer.url if answer.url else entry.link
    return _document(entry.link, answer.body, text, hints)


def _document(name: str, data: bytes, text: str, hints: dict[str, object]) -> RawDocument:
    return RawDocument(name, data, "html", text, hashlib.sha256(data).hexdigest(), 0, hints)


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.casefold() == "charset" and value.strip(' "'):
            return value.strip(' "')
    return None


def run_fetch(
    root: Path,
    *,
    out: TextIO,
    err: TextIO,
    sources_path: Path | None = None,
    force: bool = False,
) -> int:
    """The whole command: lock, read sources and state, fetch, import, save state."""
    from ..core.errors import UserError
    from ..core.lock import project_lock
    from .executor import LocalExecutor
    from .pipeline import import_pages
    from .policy import load_policy
    from .report import report_summary

    path = sources_path or root / SOURCES_FILE
    root.mkdir(parents=True, exist_ok=True)
    try:
        with project_lock(root / FETCH_LOCK_FILE, "newsdigest fetch"):
            found = load_sources(path)
            policy = load_policy(root)
            problems = (found if isinstance(found, list) else []) + (
                policy if isinstance(policy, list) else []
            )
            if problems or isinstance(found, list) or isinstance(policy, list):
                for problem in problems:
                    print(problem.format(), file=err)
                count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
                print(f"{count} found; nothing was fetched", file=err)
                return 1
            state_path = root / FETCH_STATE_FILE
            states, warning = load_state(state_path)
            if warning:
                print(f"warning: {warning}", file=err)
            tally = Tally()
            client = Client(found.settings, user_agent(policy.site_url))
            try:
                fetched = fetch_sources(list(found.sources), states, client, tally, err)
            finally:
                client.close()
            executor = LocalExecutor()
            try:
                outcome = import_pages(
                    [],
                    root,
                    executor,
                    force=force,
                    policy=policy,
                    documents=fetched.documents,
                    out=out,
                    err=err,
                )
            finally:
                executor.close()
            for url, key, how in fetched.marks:
                states[url].remember(key, how)
            for url, (etag, modified) in fetched.complete.items():
                states[url].etag, states[url].last_modified = etag, modified
            save_state(state_path, states)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            reasons = ", ".join(f"{n} {why}" for why, n in sorted(tally.reasons.items()))
            print(
                f"fetched {tally.feeds} feeds at {stamp}: {tally.unchanged} unchanged, "
                f"{tally.entries} new pages, failed {tally.failed}"
                + (f" ({reasons})" if reasons else ""),
                file=out,
            )
            report_summary(outcome, False, out)
            return 1 if tally.failed or outcome.failed else 0
    except UserError as error:
        for item in error.diagnostics:
            print(item.format(), file=err)
        return 1
