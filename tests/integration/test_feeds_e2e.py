"""Feeds served on 127.0.0.1 → poller → real broker → real worker → articles and events."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from config.settings import Settings
from tests.integration.worker_proc import WorkerProcess
from wirestream.feeds.config import FeedConfig, PollerConfig
from wirestream.feeds.poller import Poller
from wirestream.feeds.publish import KafkaPublisher
from wirestream.feeds.serve import make_server
from wirestream.feeds.state import StateStore
from wirestream.kafka import ensure_topics, producer, read_topic

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).resolve().parents[2] / "samples" / "feeds"


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    """`wirestream feeds serve samples/feeds` on a free port; yields its base URL."""
    server: ThreadingHTTPServer = make_server(FEEDS, port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _config(root: str) -> PollerConfig:
    # The server is on loopback (allowed explicitly); the sample feeds name their outlets.
    local = {"allow_private_origins": (root,)}
    aggregator = {**local, "trust_item_source": True}
    return PollerConfig(
        feeds=(
            FeedConfig(
                name="rss", url=f"{root}/rss.xml", source="Sample RSS", language="en", **aggregator
            ),
            FeedConfig(name="atom", url=f"{root}/atom.xml", source="Sample Atom", **aggregator),
            FeedConfig(
                name="jsonl",
                url=f"{root}/wire.jsonl",
                source="Sample JSONL",
                format="jsonl",
                **aggregator,
            ),
            FeedConfig(
                name="ledger",
                url=f"{root}/summaries.xml",
                source="Lakeside Ledger",
                full_text=True,
                **local,
            ),
        ),
        timeout_s=10,
    )


def _poll_once(bootstrap: str, config: PollerConfig, state: Path, topic: str) -> list[Any]:
    store = StateStore(state)
    try:
        with producer(bootstrap) as client:
            poller = Poller(config, store=store, publish=KafkaPublisher(client, topic))
            return poller.run(once=True)
    finally:
        store.close()


def _wait_for(
    bootstrap: str, settings: Settings, want: int, worker: WorkerProcess, timeout: float = 240.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        articles = read_topic(bootstrap, settings.topic_names.articles, timeout_s=1.0)
        deadletters = read_topic(bootstrap, settings.topic_names.deadletter, timeout_s=1.0)
        if len(articles) + len(deadletters) >= want:
            assert deadletters == [], [d.value[:300] for d in deadletters]
            return [orjson.loads(record.value) for record in articles]
        assert time.monotonic() < deadline, f"{len(articles)}/{want} articles\n{worker.tail()}"
        assert worker.proc and worker.proc.poll() is None, f"worker died\n{worker.tail()}"
        time.sleep(1.0)


def test_feed_items_become_articles_and_events_once(
    kafka_bootstrap: str, feed_server: str, tmp_path: Path
) -> None:
    settings = Settings.from_env(broker=kafka_bootstrap)
    ensure_topics(kafka_bootstrap, settings)
    config, state = _config(feed_server), tmp_path / "feeds" / "state.sqlite"
    worker = WorkerProcess(
        kafka_bootstrap, tmp_path / "worker", app_id=f"feeds-{uuid.uuid4().hex[:8]}"
    ).start()
    try:
        first = _poll_once(kafka_bootstrap, config, state, settings.topic_names.raw)
        assert [(r.feed, r.outcome, r.published) for r in first] == [
            ("rss", "ok", 12),
            ("atom", "ok", 8),
            ("jsonl", "ok", 5),
            ("ledger", "ok", 2),
        ]
        # A second round (304s) and a restart with the same state publish nothing more.
        second = _poll_once(kafka_bootstrap, config, state, settings.topic_names.raw)
        assert {r.outcome for r in second} == {"not-modified"}
        assert sum(r.published for r in second) == 0
        articles = _wait_for(kafka_bootstrap, settings, 27, worker)
        time.sleep(2.0)  # let the last event versions land
        events = read_topic(kafka_bootstrap, settings.topic_names.events, timeout_s=2.0)
        raw = read_topic(kafka_bootstrap, settings.topic_names.raw, timeout_s=2.0)
    finally:
        worker.stop()

    assert len(raw) == 27
    keys = {record.key.decode() for record in raw}
    assert "https://www.harbortimes.example/world/2026/10/14/putin-beijing" in keys
    by_raw_id = {article["raw_id"]: article for article in articles}
    assert len(articles) == len(by_raw_id) == 27
    assert all(article["event_id"] for article in articles)
    # s14 (Atom feed) is an exact copy of s01 (RSS feed): the pipeline joins them.
    assert by_raw_id["urn:wirestream:sample:s14"]["event_id"] == by_raw_id["s01"]["event_id"]
    ferry = by_raw_id["ledger-arden-ferry"]
    assert "propeller shaft" in ferry["text"]  # full text fetched from the page
    event_ids = {orjson.loads(record.value)["event_id"] for record in events}
    assert {article["event_id"] for article in articles} <= event_ids
