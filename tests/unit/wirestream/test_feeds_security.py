"""Feeds against hostile servers: real loopback HTTP servers, the real fetcher and poller.

Each server below is its own origin (127.0.0.1 with its own port). A feed allows only the
origin it names in ``allow_private_origins``, so "another loopback port" stands in for any
internal service (a database console, a metadata endpoint) a feed could point the poller at.
"""

from __future__ import annotations

import ipaddress
import random
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from wirestream.feeds.check import check_feeds
from wirestream.feeds.config import FeedConfig, PollerConfig
from wirestream.feeds.http import FetchError, http_fetch
from wirestream.feeds.parse import Item, parse_document
from wirestream.feeds.poller import Poller
from wirestream.feeds.state import FeedState, StateStore

pytestmark = pytest.mark.pure

SECRET = b"<html><body><p>db_password=hunter2 and the admin console</p></body></html>"
Handler = Callable[[BaseHTTPRequestHandler], None]


class Site(ThreadingHTTPServer):
    """A loopback server whose paths are answered by small functions; counts requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Dispatch)
        self.paths: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.origin + path

    def hits(self, path: str | None = None) -> int:
        return sum(1 for seen, _ in self.requests if path is None or seen == path)


class _Dispatch(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers.items())))
        self.server.paths.get(self.path, _not_found)(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _not_found(handler: BaseHTTPRequestHandler) -> None:
    answer(404, b"not found")(handler)


def answer(status: int, body: bytes = b"", **headers: str) -> Handler:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def trickle(every_s: float, *, total: int = 200) -> Handler:
    """A 200 whose body arrives one byte per ``every_s`` seconds."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        try:
            for _ in range(total):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(every_s)
        except OSError:
            pass  # the client gave up

    return respond


def trickle_headers(every_s: float) -> Handler:
    """A status line and headers that never finish."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(1000):
                handler.wfile.write(b"X")
                handler.wfile.flush()
                time.sleep(every_s)
        except OSError:
            pass

    return respond


@pytest.fixture
def sites() -> Iterator[Callable[[], Site]]:
    started: list[Site] = []

    def start() -> Site:
        site = Site()
        threading.Thread(target=site.serve_forever, args=(0.05,), daemon=True).start()
        started.append(site)
        return site

    yield start
    for site in started:
        site.shutdown()
        site.server_close()


class Recorder:
    """The publisher seam: every item is acknowledged and kept."""

    def __init__(self) -> None:
        self.sent: list[Item] = []

    def __call__(self, items: list[Item]) -> list[bool]:
        self.sent.extend(items)
        return [True] * len(items)

    def bodies(self) -> dict[str, str]:
        return {item.record["id"]: item.record["body"] for item in self.sent}


def summaries_feed(*links: str) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>{link}</link><guid isPermaLink='false'>item-{n}</guid>"
        f"<description>Summary of item {n}.</description></item>"
        for n, link in enumerate(links, 1)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def poll_once(feeds: list[FeedConfig], publisher: Recorder, **options: Any) -> list[Any]:
    config = PollerConfig(feeds=tuple(feeds), **{"timeout_s": 5.0, **options})
    poller = Poller(config, store=StateStore(":memory:"), publish=publisher, rng=random.Random(3))
    return poller.poll_due(force=True)


def local_feed(site: Site, path: str, **options: Any) -> FeedConfig:
    return FeedConfig(
        name=options.pop("name", "local"),
        url=site.url(path),
        source="Local",
        allow_private_origins=(site.origin,),
        **options,
    )


# Finding 1: SSRF through full text ----------------------------------------------------------


def test_full_text_never_reaches_another_loopback_origin(sites: Callable[[], Site]) -> None:
    feed_site, internal = sites(), sites()
    internal.paths["/secret"] = answer(200, SECRET, Content_Type="text/html")
    feed_site.paths["/hop"] = answer(302, Location=internal.url("/secret"))
    feed_site.paths["/feed.xml"] = answer(
        200, summaries_feed(internal.url("/secret"), feed_site.url("/hop"))
    )
    publisher = Recorder()
    (result,) = poll_once([local_feed(feed_site, "/feed.xml", full_text=True)], publisher)

    # Both items go out with their feed summary: nothing lost, nothing from the inside.
    assert (result.outcome, result.published) == ("ok", 2)
    assert publisher.bodies() == {
        "item-1": "Summary of item 1.",
        "item-2": "Summary of item 2.",
    }
    assert internal.hits() == 0  # the address was refused before any connection
    assert feed_site.hits("/hop") == 1  # the allowed origin was asked; its redirect was not
    assert sum("loopback" in problem for problem in result.problems) == 2


def test_a_feed_on_a_private_address_needs_the_explicit_setting(
    sites: Callable[[], Site],
) -> None:
    site = sites()
    site.paths["/feed.xml"] = answer(200, summaries_feed("https://news.example/a"))
    unlisted = FeedConfig(name="plain", url=site.url("/feed.xml"), source="Plain")
    other_port = FeedConfig(
        name="other-port",
        url=site.url("/feed.xml"),
        source="Plain",
        allow_private_origins=(f"http://127.0.0.1:{site.server_address[1] + 1}",),
    )
    publisher = Recorder()
    plain, port = poll_once([unlisted, other_port], publisher)
    assert (plain.outcome, port.outcome) == ("error", "error")
    assert "127.0.0.1 is a loopback address" in plain.problems[0]
    assert site.hits() == 0 and publisher.sent == []
    (allowed,) = poll_once([local_feed(site, "/feed.xml")], publisher)
    assert (allowed.outcome, allowed.published) == ("ok", 1)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "0.0.0.0",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT
        "169.254.169.254",  # cloud metadata
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",  # cloud metadata over IPv6
        "fc00::5",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 around the metadata address
    ],
)
def test_every_non_public_address_is_refused(address: str) -> None:
    from wirestream.feeds.guard import Refused, vet

    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(None, None, None, "", (address, port))]

    with pytest.raises(Refused, match=address.replace(".", r"\.")):
        vet("https://innocent.example/article", resolve=resolve)


def test_public_addresses_pass_and_one_private_answer_spoils_a_host() -> None:
    from wirestream.feeds.guard import Refused, non_public, vet

    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        answers = {
            "public.example": ["93.184.216.34"],
            "mixed.example": ["93.184.216.34", "10.0.0.1"],
        }
        return [(None, None, None, "", (ip, port)) for ip in answers[host]]

    target = vet("https://public.example/a", resolve=resolve)
    assert (target.host, target.port, target.address) == ("public.example", 443, "93.184.216.34")
    with pytest.raises(Refused, match=r"10\.0\.0\.1"):
        vet("http://mixed.example/a", resolve=resolve)
    assert non_public(ipaddress.ip_address("2606:4700::1")) is None


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected(
    sites: Callable[[], Site],
) -> None:
    site = sites()
    site.paths["/a"] = answer(302, Location="/b")
    site.paths["/b"] = answer(200, b"landed", Content_Type="text/plain")
    port = site.server_address[1]
    lookups: list[str] = []

    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        # Only this resolver knows feed.test: a second lookup by urllib would fail.
        lookups.append(host)
        return [(None, None, None, "", ("127.0.0.1", port))]

    allow = (f"http://feed.test:{port}",)
    response = http_fetch(
        f"http://feed.test:{port}/a",
        headers={},
        timeout=5,
        max_bytes=100,
        allow=allow,
        resolve=resolve,
    )
    assert (response.status, response.body) == (200, b"landed")
    assert [headers["Host"] for _, headers in site.requests] == [f"feed.test:{port}"] * 2
    assert lookups == ["feed.test", "feed.test"]  # once per hop, by the guard


def test_localhost_by_name_is_refused_too() -> None:
    with pytest.raises(FetchError, match="loopback"):
        http_fetch("http://localhost:9/x", headers={}, timeout=2, max_bytes=10)


def test_a_page_without_content_type_is_not_read_as_html(sites: Callable[[], Site]) -> None:
    site = sites()
    site.paths["/page"] = answer(200, b"<p>" + b"Long text of an unknown kind. " * 20 + b"</p>")
    site.paths["/feed.xml"] = answer(200, summaries_feed(site.url("/page")))
    publisher = Recorder()
    (result,) = poll_once([local_feed(site, "/feed.xml", full_text=True)], publisher)
    assert publisher.bodies() == {"item-1": "Summary of item 1."}
    assert any("not HTML" in problem and "missing" in problem for problem in result.problems)


# Finding 2: redirects to other schemes ------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "ftp://files.example/x", "data:text/plain,hello", "gopher://x/"],
)
def test_a_redirect_to_another_scheme_is_refused_and_never_stored(
    sites: Callable[[], Site], location: str
) -> None:
    site = sites()
    site.paths["/feed.xml"] = answer(301, Location=location)
    with pytest.raises(FetchError, match="only http and https"):
        http_fetch(
            site.url("/feed.xml"), headers={}, timeout=5, max_bytes=10_000, allow=(site.origin,)
        )
    store = StateStore(":memory:")
    feed = local_feed(site, "/feed.xml")
    config = PollerConfig(feeds=(feed,), timeout_s=5.0)
    result = Poller(config, store=store, publish=Recorder()).poll(feed)
    assert result.outcome == "error" and "refused" in result.problems[0]
    assert store.feed(feed.name, feed.url).location is None


def test_a_stored_non_http_location_is_never_fetched() -> None:
    state = FeedState("a", "https://news.example/rss.xml", location="file:///etc/passwd")
    assert state.fetch_url == "https://news.example/rss.xml"
    moved = FeedState("a", "https://news.example/rss.xml", location="https://news.example/new")
    assert moved.fetch_url == "https://news.example/new"


# Finding 3: one deadline per request, one budget per poll -----------------------------------


def test_a_trickling_body_is_cut_at_the_deadline(sites: Callable[[], Site]) -> None:
    site = sites()
    site.paths["/slow"] = trickle(0.2)  # 200 bytes: 40 s if every read were allowed 3 s
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline"):
        http_fetch(
            site.url("/slow"), headers={}, timeout=1.0, max_bytes=10_000, allow=(site.origin,)
        )
    assert time.monotonic() - started < 4.0  # every read allowed 3 s: 40 s


def test_trickling_headers_are_cut_at_the_deadline(sites: Callable[[], Site]) -> None:
    site = sites()
    site.paths["/slow"] = trickle_headers(0.2)
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline"):
        http_fetch(
            site.url("/slow"), headers={}, timeout=1.0, max_bytes=10_000, allow=(site.origin,)
        )
    assert time.monotonic() - started < 4.0  # the status line never ends


def test_a_slow_feed_spends_its_budget_and_the_next_feed_is_polled(
    sites: Callable[[], Site],
) -> None:
    slow, fast = sites(), sites()
    pages = [slow.url(f"/page{n}") for n in range(6)]
    for n in range(6):
        slow.paths[f"/page{n}"] = trickle(0.2)
    slow.paths["/feed.xml"] = answer(200, summaries_feed(*pages))
    fast.paths["/feed.xml"] = answer(200, summaries_feed("https://news.example/fast"))
    publisher = Recorder()
    started = time.monotonic()
    first, second = poll_once(
        [
            local_feed(slow, "/feed.xml", name="slow", full_text=True),
            local_feed(fast, "/feed.xml", name="fast"),
        ],
        publisher,
        poll_budget_s=1.5,
        fulltext_timeout_s=30.0,
        fulltext_concurrency=2,
    )
    assert time.monotonic() - started < 8.0  # without a budget: 3 rounds of 40 s pages
    assert (first.outcome, first.published) == ("ok", 6)  # every item, with its summary
    assert set(publisher.bodies().values()) >= {f"Summary of item {n}." for n in range(1, 7)}
    assert all("deadline" in p or "budget" in p for p in first.problems)
    assert (second.outcome, second.published) == ("ok", 1)


# Finding 4: a bad charset stays with its item -----------------------------------------------


@pytest.mark.parametrize("charset", ["rot13", "hex", "undefined", "no-such-charset"])
def test_a_page_with_a_non_text_charset_is_read_as_utf8(
    sites: Callable[[], Site], charset: str
) -> None:
    site = sites()
    page = "<p>" + "Der Fährbetrieb läuft wieder nach sechs Wochen Reparatur. " * 4 + "</p>"
    site.paths["/odd"] = answer(200, page.encode(), Content_Type=f"text/html; charset={charset}")
    site.paths["/plain"] = answer(
        200, page.encode("latin-1"), Content_Type="text/html; charset=ISO-8859-1"
    )
    site.paths["/feed.xml"] = answer(200, summaries_feed(site.url("/odd"), site.url("/plain")))
    publisher = Recorder()
    (result,) = poll_once([local_feed(site, "/feed.xml", full_text=True)], publisher)
    assert (result.outcome, result.published) == ("ok", 2)
    bodies = publisher.bodies()
    assert bodies["item-1"].startswith("Der Fährbetrieb läuft wieder")
    assert bodies["item-2"] == bodies["item-1"]


# Finding 8: the configured outlet is the source ---------------------------------------------

_CLAIMING_RSS = b"""<rss version="2.0"><channel><title>Spam</title>
<item><title>Markets rally</title><link>https://spam.example/a</link>
<guid isPermaLink="false">a</guid><source url="https://reuters.example/rss">Reuters</source><description>Up.</description></item>
</channel></rss>"""
_CLAIMING_JSONL = (
    b'{"url": "https://spam.example/b", "body": "B", "title": "T", "source": "Reuters"}'
)


@pytest.mark.parametrize(("fmt", "body"), [("feed", _CLAIMING_RSS), ("jsonl", _CLAIMING_JSONL)])
def test_a_feed_cannot_claim_another_outlet_unless_trusted(fmt: str, body: bytes) -> None:
    spam = FeedConfig(name="spam", url="https://spam.example/feed", source="Spam Blog", format=fmt)
    (item,) = parse_document(body, feed=spam, base_url=spam.url).items
    assert (item.record["source"], item.record["claimed_source"]) == ("Spam Blog", "Reuters")
    trusted = FeedConfig(
        name="wire", url=spam.url, source="Wire", format=fmt, trust_item_source=True
    )
    (item,) = parse_document(body, feed=trusted, base_url=trusted.url).items
    assert item.record["source"] == "Reuters" and "claimed_source" not in item.record


# Finding 13: feed size and parse cost -------------------------------------------------------


def test_the_default_cap_refuses_a_feed_that_would_take_seconds_to_parse(
    sites: Callable[[], Site],
) -> None:
    # 20k entries, 2.4 MB: ~3.5 s of feedparser CPU on the reference machine.
    entries = "".join(
        f"<item><title>Entry {n}</title><link>https://x.example/{n}</link>"
        f"<description>Summary number {n} of many.</description></item>"
        for n in range(20_000)
    )
    document = f'<rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()
    site = sites()
    site.paths["/huge.xml"] = answer(200, document, Content_Type="application/rss+xml")
    feed = local_feed(site, "/huge.xml")
    config = PollerConfig(feeds=(feed,))
    assert config.max_feed_bytes < len(document)
    result = Poller(config, store=StateStore(":memory:"), publish=Recorder()).poll(feed)
    assert result.outcome == "error" and "larger than" in result.problems[0]


def test_check_uses_the_same_guard(sites: Callable[[], Site]) -> None:
    site = sites()
    site.paths["/feed.xml"] = answer(200, summaries_feed("https://news.example/a"))
    config = PollerConfig(
        feeds=(FeedConfig(name="plain", url=site.url("/feed.xml"), source="P"),), timeout_s=5.0
    )
    (row,) = check_feeds(config)
    assert not row.ok and "loopback" in row.problems[0] and site.hits() == 0


@pytest.fixture
def tls_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 whose certificate names feed.test; its CA trusted."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=feed.test", "-addext", "subjectAltName=DNS:feed.test"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the default context trusts it
    site = Site()
    site.paths["/feed.xml"] = answer(200, b"over TLS", Content_Type="text/plain")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    site.socket = context.wrap_socket(site.socket, server_side=True)
    threading.Thread(target=site.serve_forever, args=(0.05,), daemon=True).start()
    yield site.server_address[1]
    site.shutdown()
    site.server_close()


def test_https_goes_to_the_checked_address_and_verifies_the_name(tls_site: int) -> None:
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(None, None, None, "", ("127.0.0.1", port))]

    allow = (f"https://feed.test:{tls_site}", f"https://other.test:{tls_site}")
    good = http_fetch(
        f"https://feed.test:{tls_site}/feed.xml",
        headers={},
        timeout=10,
        max_bytes=100,
        allow=allow,
        resolve=resolve,
    )
    assert (good.status, good.body) == (200, b"over TLS")
    # Same address, another name: the certificate is checked against the name asked for.
    with pytest.raises(FetchError, match=r"CERTIFICATE_VERIFY_FAILED|doesn't match|mismatch"):
        http_fetch(
            f"https://other.test:{tls_site}/feed.xml",
            headers={},
            timeout=10,
            max_bytes=100,
            allow=allow,
            resolve=resolve,
        )
