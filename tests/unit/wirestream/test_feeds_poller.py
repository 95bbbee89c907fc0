"""The feed poller against a real HTTP server on 127.0.0.1, with a fake clock and publisher."""

from __future__ import annotations

import gzip
import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from wirestream.feeds.config import FeedConfig, PollerConfig
from wirestream.feeds.parse import Item
from wirestream.feeds.poller import Poller
from wirestream.feeds.state import StateStore

pytestmark = pytest.mark.pure

FEEDS = Path(__file__).resolve().parents[3] / "samples" / "feeds"
START = 1_800_000_000.0


@dataclass
class Route:
    """What the scripted server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


class ScriptedServer(ThreadingHTTPServer):
    """Serves ``routes`` and records every request's path and headers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested == path)


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path, Route(404, b"not found"))
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Clock:
    """A fake clock whose sleep advances time."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    """The publisher seam: records what was sent; can refuse chosen keys (no ack)."""

    def __init__(self) -> None:
        self.sent: list[Item] = []
        self.refuse: set[str] = set()

    def __call__(self, items: list[Item]) -> list[bool]:
        acks = [item.key not in self.refuse for item in items]
        self.sent.extend(item for item, ok in zip(items, acks, strict=True) if ok)
        return acks

    def ids(self) -> list[str]:
        return [item.record["id"] for item in self.sent]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    httpd = ScriptedServer()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def make_poller(
    feeds: list[FeedConfig], store: StateStore, clock: Clock, publisher: Recorder, **options: Any
) -> Poller:
    config = PollerConfig(feeds=tuple(feeds), timeout_s=5.0, **options)
    return Poller(
        config, store=store, publish=publisher, clock=clock, sleep=clock.sleep, rng=random.Random(7)
    )


def feed(server: ScriptedServer, name: str, path: str, **options: Any) -> FeedConfig:
    # The test server is on loopback: its origin must be allowed explicitly.
    allowed = options.pop("allow_private_origins", (server.url(""),))
    return FeedConfig(
        name=name,
        url=server.url(path),
        source=f"{name} source",
        allow_private_origins=allowed,
        **options,
    )


def test_rss_atom_jsonl_entries_published_once_as_raw_records(server: ScriptedServer) -> None:
    server.routes = {
        "/rss.xml": Route(body=fixture("rss.xml"), etag='"r1"'),
        "/atom.xml": Route(body=fixture("atom.xml")),
        "/wire.jsonl": Route(body=fixture("wire.jsonl")),
    }
    feeds = [
        feed(server, "rss", "/rss.xml", trust_item_source=True),
        feed(server, "atom", "/atom.xml", trust_item_source=True),
        feed(server, "jsonl", "/wire.jsonl", format="jsonl", trust_item_source=True),
    ]
    clock, publisher = Clock(), Recorder()
    poller = make_poller(feeds, StateStore(":memory:"), clock, publisher)
    results = poller.poll_due()
    assert [(r.outcome, r.items, r.published) for r in results] == [
        ("ok", 12, 12),
        ("ok", 8, 8),
        ("ok", 5, 5),
    ]
    ids = publisher.ids()
    assert len(ids) == len(set(ids)) == 25
    first = publisher.sent[0]
    assert first.key == "https://www.harbortimes.example/world/2026/10/14/putin-beijing"
    record = first.record
    assert record["id"] == "s01" and record["source"] == "Harbor Times"
    assert record["published_at"] == "2026-10-14T03:05:00+00:00"  # 11:05 +08:00 in UTC
    assert record["authors"] == ["Elena Marsh", "Zhou Wen"]
    assert record["language"] == "en"
    assert "Vladimir Putin landed in Beijing" in record["body"]
    atom = next(i.record for i in publisher.sent if i.record["id"].endswith(":s13"))
    assert atom["authors"] == ["Owen Pritchard"] and atom["source"] == "Northgate Herald"
    assert "Kiptanui" in atom["body"]  # content, not the one-sentence summary


def test_second_poll_gets_304_and_publishes_nothing(server: ScriptedServer) -> None:
    server.routes = {"/rss.xml": Route(body=fixture("rss.xml"), etag='"v1"')}
    clock, publisher = Clock(), Recorder()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml", interval_s=60)], StateStore(":memory:"), clock, publisher
    )
    assert poller.poll_due()[0].published == 12
    assert poller.poll_due() == []  # not due yet: no request
    assert server.hits("/rss.xml") == 1
    clock.sleep(61)
    second = poller.poll_due()[0]
    assert (second.outcome, second.http_status, second.published) == ("not-modified", 304, 0)
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'
    assert len(publisher.sent) == 12


def test_restart_publishes_nothing_twice_and_only_new_entries(
    server: ScriptedServer, tmp_path: Path
) -> None:
    body = fixture("rss.xml")
    server.routes = {"/rss.xml": Route(body=body)}  # no validators: every poll is a full 200
    feeds = [feed(server, "rss", "/rss.xml")]
    clock, publisher = Clock(), Recorder()
    store = StateStore(tmp_path / "state.sqlite")
    assert make_poller(feeds, store, clock, publisher).poll_due()[0].published == 12
    store.close()

    added = body.replace(b"<item>", _NEW_ITEM + b"\n    <item>", 1)
    server.routes["/rss.xml"] = Route(body=added)
    clock.sleep(3600)
    restarted = StateStore(tmp_path / "state.sqlite")
    result = make_poller(feeds, restarted, clock, publisher).poll_due()[0]
    assert (result.outcome, result.items, result.new, result.published) == ("ok", 13, 1, 1)
    assert publisher.ids().count("s01") == 1
    assert publisher.ids()[-1] == "own-new-item"


_NEW_ITEM = b"""<item>
      <title>Harbour cranes return to service after storm damage</title>
      <link>https://www.harbortimes.example/local/2026/11/06/cranes-return?utm_source=rss</link>
      <guid isPermaLink="false">own-new-item</guid>
      <pubDate>Fri, 06 Nov 2026 08:00:00 +0000</pubDate>
      <description>Two of the four east quay cranes worked again on Friday.</description>
    </item>"""


def test_same_url_under_a_new_guid_is_not_republished(server: ScriptedServer) -> None:
    body = fixture("rss.xml")
    server.routes = {"/rss.xml": Route(body=body)}
    clock, publisher = Clock(), Recorder()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml")], StateStore(":memory:"), clock, publisher
    )
    poller.poll_due()
    server.routes["/rss.xml"] = Route(body=body.replace(b">s01</guid>", b">s01-edited</guid>"))
    clock.sleep(400)
    assert poller.poll_due()[0].published == 0


def test_503_with_retry_after_is_honoured(server: ScriptedServer) -> None:
    server.routes = {"/rss.xml": Route(503, b"busy", {"Retry-After": "120"})}
    clock, publisher = Clock(), Recorder()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml", interval_s=10)], StateStore(":memory:"), clock, publisher
    )
    failed = poller.poll_due()[0]
    assert (failed.outcome, failed.http_status, failed.next_poll) == ("error", 503, START + 120)
    clock.sleep(119)
    assert poller.poll_due() == [] and poller.poll_due(force=True) == []
    assert server.hits("/rss.xml") == 1
    server.routes["/rss.xml"] = Route(body=fixture("rss.xml"))
    clock.sleep(1)
    assert poller.poll_due()[0].published == 12


def test_429_retry_after_as_http_date(server: ScriptedServer) -> None:
    when = format_datetime(datetime.fromtimestamp(START + 900, UTC), usegmt=True)
    server.routes = {"/rss.xml": Route(429, b"slow down", {"Retry-After": when})}
    clock = Clock()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml")], StateStore(":memory:"), clock, Recorder()
    )
    assert poller.poll_due()[0].next_poll == pytest.approx(START + 900)


def test_errors_back_off_exponentially_with_jitter(server: ScriptedServer) -> None:
    server.routes = {"/rss.xml": Route(500, b"oops")}
    clock = Clock()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml", interval_s=60)],
        StateStore(":memory:"),
        clock,
        Recorder(),
        backoff_base_s=30,
        backoff_max_s=1000,
    )
    delays = []
    for _ in range(6):
        result = poller.poll(poller.config.feeds[0])
        delays.append(result.next_poll - clock.now)
    for n, delay in enumerate(delays):
        full = min(1000.0, 60.0 * 2**n)
        assert full / 2 <= delay <= full
    assert len(set(delays)) == len(delays)  # jittered
    registry = generate_latest(poller.metrics.registry).decode()
    assert 'wirestream_feed_errors_total{feed="rss"} 6.0' in registry


def test_malformed_feed_is_reported_and_others_continue(server: ScriptedServer) -> None:
    server.routes = {
        "/broken.xml": Route(body=fixture("broken.xml")),
        "/atom.xml": Route(body=fixture("atom.xml")),
    }
    refused = FeedConfig(
        name="refused",
        url="http://127.0.0.1:9/feed.xml",
        source="x",
        allow_private_origins=("http://127.0.0.1:9",),
    )
    feeds = [feed(server, "broken", "/broken.xml"), refused, feed(server, "atom", "/atom.xml")]
    publisher = Recorder()
    poller = make_poller(feeds, StateStore(":memory:"), Clock(), publisher)
    broken, refused, atom = poller.poll_due()
    assert broken.outcome == "error" and "malformed" in broken.problems[0]
    assert refused.outcome == "error" and refused.http_status is None
    assert (atom.outcome, atom.published) == ("ok", 8)
    assert len(publisher.sent) == 8


def test_permanent_redirect_is_followed_and_remembered(server: ScriptedServer) -> None:
    server.routes = {
        "/old.xml": Route(301, b"", {"Location": "/tmp.xml"}),
        "/tmp.xml": Route(302, b"", {"Location": "/rss.xml"}),
        "/rss.xml": Route(body=fixture("rss.xml")),
    }
    clock = Clock()
    poller = make_poller(
        [feed(server, "rss", "/old.xml")], StateStore(":memory:"), clock, Recorder()
    )
    assert poller.poll_due()[0].published == 12
    clock.sleep(400)
    poller.poll_due()
    assert [path for path, _ in server.requests] == [
        "/old.xml",
        "/tmp.xml",
        "/rss.xml",
        "/tmp.xml",
        "/rss.xml",
    ]
    state = poller.store.feed("rss", server.url("/old.xml"))
    assert state.location == server.url("/tmp.xml")  # the 302 hop is not remembered


def test_gone_feed_is_retired_with_a_log_line(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes = {"/gone.xml": Route(410, b"gone")}
    clock = Clock()
    poller = make_poller(
        [feed(server, "old", "/gone.xml")], StateStore(":memory:"), clock, Recorder()
    )
    with caplog.at_level(logging.WARNING, logger="wirestream.feeds"):
        assert poller.poll_due()[0].outcome == "retired"
    assert any("410" in r.message and "retired" in r.message for r in caplog.records)
    clock.sleep(10_000)
    assert poller.poll_due() == []
    assert poller.run(once=True) == []
    assert server.hits("/gone.xml") == 1


def test_unacknowledged_entries_are_retried_not_lost(server: ScriptedServer) -> None:
    server.routes = {"/rss.xml": Route(body=fixture("rss.xml"), etag='"same"')}
    clock, publisher = Clock(), Recorder()
    lost = "https://www.harbortimes.example/world/2026/10/14/putin-beijing"
    publisher.refuse = {lost}
    poller = make_poller(
        [feed(server, "rss", "/rss.xml", interval_s=60)], StateStore(":memory:"), clock, publisher
    )
    first = poller.poll_due()[0]
    assert (first.outcome, first.new, first.published) == ("error", 12, 11)
    publisher.refuse = set()
    clock.sleep(first.next_poll - clock.now)
    second = poller.poll_due()[0]
    # No ETag was stored, so the retry is a full fetch, and only the missing entry goes out.
    assert "If-None-Match" not in server.requests[-1][1]
    assert (second.outcome, second.published) == ("ok", 1)
    assert publisher.sent[-1].key == lost


def test_full_text_fetched_for_summary_only_entries(server: ScriptedServer) -> None:
    server.routes = {
        "/feeds/summaries.xml": Route(body=fixture("summaries.xml")),
        "/feeds/pages/arden-ferry.html": Route(
            body=fixture("pages/arden-ferry.html"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        ),
    }
    publisher = Recorder()
    poller = make_poller(
        [feed(server, "ledger", "/feeds/summaries.xml", full_text=True)],
        StateStore(":memory:"),
        Clock(),
        publisher,
        fulltext_concurrency=2,
    )
    result = poller.poll_due()[0]
    assert (result.outcome, result.published) == ("ok", 2)
    ferry, library = (item.record for item in publisher.sent)
    assert ferry["url"] == server.url("/feeds/pages/arden-ferry.html")
    assert "cracked propeller shaft" in ferry["body"] and "Idris Pell" in ferry["body"]
    assert "cookies" not in ferry["body"] and "Bridge plan" not in ferry["body"]
    assert library["body"] == "Late opening until ten on weekdays."  # page 404: summary kept
    assert any("404" in problem for problem in result.problems)


def test_full_text_respects_the_size_cap(server: ScriptedServer) -> None:
    server.routes = {
        "/s.xml": Route(body=fixture("summaries.xml")),
        "/pages/arden-ferry.html": Route(
            body=b"<p>" + b"word " * 5000 + b"</p>", headers={"Content-Type": "text/html"}
        ),
    }
    publisher = Recorder()
    poller = make_poller(
        [feed(server, "ledger", "/s.xml", full_text=True)],
        StateStore(":memory:"),
        Clock(),
        publisher,
        fulltext_max_bytes=1000,
    )
    result = poller.poll_due()[0]
    assert publisher.sent[0].record["body"] == "The Arden Queen is back on the water."
    assert any("larger than 1000 bytes" in problem for problem in result.problems)


def test_metrics_per_feed(server: ScriptedServer) -> None:
    server.routes = {"/rss.xml": Route(body=fixture("rss.xml"))}
    clock = Clock()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml", interval_s=60), feed(server, "idle", "/none.xml")],
        StateStore(":memory:"),
        clock,
        Recorder(),
    )
    poller.poll(poller.config.feeds[0])
    text = generate_latest(poller.metrics.registry).decode()
    assert 'wirestream_feed_items_published_total{feed="rss"} 12.0' in text
    assert 'wirestream_feed_items_published_total{feed="idle"} 0.0' in text
    registry, label = poller.metrics.registry, {"feed": "rss"}
    sample = registry.get_sample_value
    assert sample("wirestream_feed_last_success_timestamp_seconds", label) == START
    assert sample("wirestream_feed_next_poll_timestamp_seconds", label) == START + 60
    assert sample("wirestream_feed_errors_total", label) == 0


def test_run_loop_sleeps_until_the_next_due_feed(server: ScriptedServer) -> None:
    server.routes = {"/rss.xml": Route(body=fixture("rss.xml"), etag='"e"')}
    clock, publisher = Clock(), Recorder()
    poller = make_poller(
        [feed(server, "rss", "/rss.xml", interval_s=30)], StateStore(":memory:"), clock, publisher
    )
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.now >= START + 95:
            stop.set()

    poller.sleep = sleep
    poller.run(stop=stop)
    assert server.hits("/rss.xml") == 4  # at 0, 30, 60 and 90 s
    assert len(publisher.sent) == 12


def test_gzip_feed_is_inflated_within_the_cap(server: ScriptedServer) -> None:
    body = fixture("atom.xml")
    server.routes = {
        "/atom.xml": Route(body=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    }
    clock, publisher = Clock(), Recorder()
    poller = make_poller(
        [feed(server, "atom", "/atom.xml")], StateStore(":memory:"), clock, publisher
    )
    assert poller.poll_due()[0].published == 8
    assert server.requests[0][1]["Accept-Encoding"] == "gzip, deflate"
    small = make_poller(
        [feed(server, "atom", "/atom.xml")],
        StateStore(":memory:"),
        clock,
        publisher,
        max_feed_bytes=len(body) - 1,
    )
    assert "larger than" in small.poll_due()[0].problems[0]


def test_a_crashing_publisher_fails_one_feed_not_the_round(server: ScriptedServer) -> None:
    server.routes = {
        "/rss.xml": Route(body=fixture("rss.xml")),
        "/atom.xml": Route(body=fixture("atom.xml")),
    }
    publisher = Recorder()

    def publish(items: list[Item]) -> list[bool]:
        if any(item.record["id"] == "s01" for item in items):
            raise RuntimeError("broker exploded")
        return publisher(items)

    feeds = (feed(server, "rss", "/rss.xml"), feed(server, "atom", "/atom.xml"))
    config = PollerConfig(feeds=feeds)
    clock = Clock()
    poller = Poller(
        config, store=StateStore(":memory:"), publish=publish, clock=clock, rng=random.Random(1)
    )
    rss, atom = poller.poll_due()
    assert rss.outcome == "error" and "broker exploded" in rss.problems[0]
    assert (atom.outcome, atom.published) == ("ok", 8)
    assert poller.store.seen("rss", ["guid:s01", "guid:s02"]) == set()
