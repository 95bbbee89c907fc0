"""Feed poller parts: config, state store, HTTP fetch, static server, check, command line."""

from __future__ import annotations

import argparse
import re
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from wirestream.commands import feeds as feeds_command
from wirestream.feeds.check import check_feeds
from wirestream.feeds.config import ConfigError, FeedConfig, PollerConfig, load_config, parse_config
from wirestream.feeds.http import FetchError, http_fetch
from wirestream.feeds.parse import MalformedFeed, parse_document
from wirestream.feeds.serve import make_server
from wirestream.feeds.state import FeedState, StateStore

pytestmark = pytest.mark.pure

FEEDS = Path(__file__).resolve().parents[3] / "samples" / "feeds"


@pytest.fixture
def static(tmp_path: Path) -> Iterator[ThreadingHTTPServer]:
    """`feeds serve` on a copy of samples/feeds plus a gzip file, on a free port."""
    for path in FEEDS.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(FEEDS)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    server = make_server(tmp_path, port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def base(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def loopback(server: ThreadingHTTPServer) -> tuple[str, ...]:
    """The allow setting a feed on the test server needs (it is on 127.0.0.1)."""
    return (base(server),)


def test_sample_config_loads() -> None:
    config = load_config(FEEDS / "local.toml")
    assert [f.name for f in config.feeds] == [
        "sample-rss",
        "sample-atom",
        "sample-jsonl",
        "ledger-summaries",
    ]
    jsonl, ledger = config.feeds[2], config.feeds[3]
    assert jsonl.format == "jsonl" and jsonl.language == "en" and jsonl.interval_s == 60.0
    assert ledger.full_text and ledger.interval_s == 300.0
    assert config.fulltext_concurrency == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"feeds": []}, "no [[feeds]]"),
        (
            {"feeds": [{"name": "a", "url": "http://x.example/", "source": "A", "colour": 1}]},
            "unknown keys",
        ),
        ({"feeds": [{"name": "a", "url": "ftp://x.example/", "source": "A"}]}, "http(s)"),
        ({"feeds": [{"name": "a", "url": "http://x.example/"}]}, "missing ['source']"),
        ({"feeds": [{"name": "a", "url": "http://x.example/", "source": "A"}] * 2}, "unique"),
        (
            {"poller": {"speed": 3}, "feeds": [{"name": "a", "url": "http://x/", "source": "A"}]},
            "[poller]",
        ),
    ],
)
def test_bad_configs_are_rejected(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config(data)


def test_state_survives_reopen_and_url_change_resets(tmp_path: Path) -> None:
    path = tmp_path / "feeds" / "state.sqlite"
    store = StateStore(path)
    store.save_feed(FeedState("a", "http://x.example/a", etag='"1"', failures=2, retired=True))
    store.mark_seen("a", ["guid:1", "url:http://x.example/1"], now=100.0)
    store.close()
    store = StateStore(path)
    state = store.feed("a", "http://x.example/a")
    assert (state.etag, state.failures, state.retired) == ('"1"', 2, True)
    assert store.seen("a", ["guid:1", "guid:2"]) == {"guid:1"}
    assert store.seen("b", ["guid:1"]) == set()  # per feed
    assert store.feed("a", "http://x.example/moved") == FeedState("a", "http://x.example/moved")


def test_seen_set_is_pruned_by_last_presence(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    store.mark_seen("a", ["k1", "k2"], now=100.0)
    store.mark_seen("a", ["k1"], now=500.0)  # still in the feed: refreshed
    assert store.prune(older_than=300.0) == 1
    assert store.seen("a", ["k1", "k2"]) == {"k1"}
    assert store.count_seen("a") == 1


def test_static_server_answers_304_to_its_etag(static: ThreadingHTTPServer) -> None:
    url = f"{base(static)}/rss.xml"
    allow = loopback(static)
    first = http_fetch(url, headers={}, timeout=5, max_bytes=1_000_000, allow=allow)
    assert first.status == 200 and first.headers["content-type"] == "application/xml"
    etag = first.headers["etag"]
    again = http_fetch(
        url, headers={"If-None-Match": etag}, timeout=5, max_bytes=1_000_000, allow=allow
    )
    assert (again.status, again.body) == (304, b"")
    since = http_fetch(
        url,
        headers={"If-Modified-Since": first.headers["last-modified"]},
        timeout=5,
        max_bytes=1_000_000,
        allow=allow,
    )
    assert since.status == 304


def test_fetch_caps_size_and_reports_network_errors(static: ThreadingHTTPServer) -> None:
    with pytest.raises(FetchError, match="larger than"):
        http_fetch(
            f"{base(static)}/rss.xml", headers={}, timeout=5, max_bytes=100, allow=loopback(static)
        )
    with pytest.raises(FetchError, match="Connection refused"):
        http_fetch(
            "http://127.0.0.1:9/none",
            headers={},
            timeout=5,
            max_bytes=100,
            allow=("http://127.0.0.1:9",),
        )


def test_parse_rejects_non_feeds_and_reports_bad_entries() -> None:
    feed = FeedConfig(name="a", url="http://x.example/f", source="A")
    with pytest.raises(MalformedFeed):
        parse_document(b"<html><body><h1>Oops</h1></body></html>", feed=feed, base_url=feed.url)
    with pytest.raises(MalformedFeed):
        parse_document((FEEDS / "broken.xml").read_bytes(), feed=feed, base_url=feed.url)
    document = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>no link</title><description>d</description></item>"
        b"<item><title>ok</title><link>/a?utm_source=x</link><description>d</description>"
        b"</item><item><title>dup</title><link>/a</link><description>e</description></item>"
        b"</channel></rss>"
    )
    parsed = parse_document(document, feed=feed, base_url=feed.url)
    assert [item.key for item in parsed.items] == ["http://x.example/a"]
    assert parsed.items[0].record["id"] == "http://x.example/a?utm_source=x"
    assert parsed.problems == ["entry 1 skipped: no link"]


def test_jsonl_feed_keeps_records_and_reports_bad_lines() -> None:
    feed = FeedConfig(
        name="j", url="http://x.example/w.jsonl", source="Wire", format="jsonl", language="en"
    )
    body = b'{"url": "/one", "title": "One", "body": "b"}\nnot json\n[1, 2]\n'
    parsed = parse_document(body, feed=feed, base_url=feed.url)
    assert [item.record for item in parsed.items] == [
        {
            "url": "http://x.example/one",
            "title": "One",
            "body": "b",
            "source": "Wire",
            "language": "en",
            "id": "http://x.example/one",
        }
    ]
    assert len(parsed.problems) == 2


def test_check_reports_each_feed(static: ThreadingHTTPServer, tmp_path: Path) -> None:
    root = base(static)
    allow = loopback(static)
    config = PollerConfig(
        feeds=(
            FeedConfig(name="rss", url=f"{root}/rss.xml", source="S", allow_private_origins=allow),
            FeedConfig(
                name="broken", url=f"{root}/broken.xml", source="S", allow_private_origins=allow
            ),
            FeedConfig(
                name="missing", url=f"{root}/missing.xml", source="S", allow_private_origins=allow
            ),
            FeedConfig(
                name="jsonl",
                url=f"{root}/wire.jsonl",
                source="S",
                format="jsonl",
                allow_private_origins=allow,
            ),
        ),
        timeout_s=5,
    )
    store = StateStore(tmp_path / "state.sqlite")
    store.mark_seen("rss", ["guid:s01", "guid:s02"], now=1.0)
    rows = {row.feed: row for row in check_feeds(config, store=store)}
    assert (rows["rss"].ok, rows["rss"].status, rows["rss"].items, rows["rss"].new) == (
        True,
        "200",
        12,
        10,
    )
    assert not rows["broken"].ok and "malformed" in rows["broken"].problems[0]
    assert (rows["missing"].ok, rows["missing"].status) == (False, "404")
    assert (rows["jsonl"].items, rows["jsonl"].new) == (5, 5)


def test_feeds_check_command_prints_a_table(
    static: ThreadingHTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(
        (FEEDS / "local.toml").read_text().replace("127.0.0.1:8765", base(static).split("//")[1])
    )
    parser = argparse.ArgumentParser()
    feeds_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["feeds", "check", str(config), "--state", str(tmp_path / "none")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    for name in ("sample-rss", "sample-atom", "sample-jsonl", "ledger-summaries"):
        assert name in out
    assert " 12 " in out and " 8 " in out
