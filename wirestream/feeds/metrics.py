"""Prometheus metrics of the feed poller, in a registry of its own."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server


class FeedMetrics:
    """Per-feed gauges and counters; the ``feed`` label takes only configured feed names.

    Args:
        feeds: the configured feed names (series are created up front, at zero).
        registry: where to register (default: a new `CollectorRegistry`).
    """

    def __init__(self, feeds: Iterable[str], *, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.last_success = Gauge(
            "wirestream_feed_last_success_timestamp_seconds",
            "When the feed was last fetched successfully (200 or 304).",
            ["feed"],
            registry=self.registry,
        )
        self.items_published = Counter(
            "wirestream_feed_items_published",
            "Feed entries published to news.raw.v1 and acknowledged by the broker.",
            ["feed"],
            registry=self.registry,
        )
        self.errors = Counter(
            "wirestream_feed_errors",
            "Failed polls (network, HTTP status, malformed document, unacknowledged sends).",
            ["feed"],
            registry=self.registry,
        )
        self.next_poll = Gauge(
            "wirestream_feed_next_poll_timestamp_seconds",
            "When the feed is next due.",
            ["feed"],
            registry=self.registry,
        )
        for name in feeds:
            for metric in (self.last_success, self.items_published, self.errors, self.next_poll):
                metric.labels(feed=name)

    def serve(self, port: int, *, addr: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` over HTTP from a daemon thread.

        Args:
            port: the TCP port.
            addr: the address to bind.
        """
        start_http_server(port, addr=addr, registry=self.registry)
