"""The worker's Prometheus metrics: one registry per app, updated by the stage agents."""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)
RECENT = 25
MESSAGE_CHARS = 300

# Lines about one article carry `article_id` and `stage` (see wirestream.logs).
article_log = logging.getLogger("wirestream.articles")


class Metrics:
    """Counters and histograms the stages update; exposed on the worker's web port."""

    def __init__(self, registry: CollectorRegistry | None = None, *, recent: int = RECENT) -> None:
        """Create every metric in ``registry`` (a fresh one by default).

        Args:
            registry: where the metrics live.
            recent: how many newest events and dead letters to keep for the status page.
        """
        self.registry = registry or CollectorRegistry()
        self.records_in = Counter(
            "wirestream_stage_records_in_total",
            "Records consumed by a stage",
            ["stage"],
            registry=self.registry,
        )
        self.records_out = Counter(
            "wirestream_stage_records_out_total",
            "Records a stage sent on, by output topic",
            ["stage", "topic"],
            registry=self.registry,
        )
        self.deadletters = Counter(
            "wirestream_deadletters_total",
            "Records sent to the dead-letter topic",
            ["stage", "reason"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "wirestream_duplicates_total",
            "Articles recognised as duplicates",
            ["kind"],
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "wirestream_stage_batch_seconds",
            "Time to process one batch, per stage",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.end_to_end_seconds = Histogram(
            "wirestream_ingest_to_article_seconds",
            "From ingestion (normalize) to the article being sent",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._add_gauges()
        self.recent_events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.recent_deadletters: deque[dict[str, Any]] = deque(maxlen=recent)
        self._recent = recent

    def _add_gauges(self) -> None:
        self.consumer_lag = Gauge(
            "wirestream_consumer_lag",
            "Messages behind the end of an assigned source partition",
            ["topic", "partition"],
            registry=self.registry,
        )
        self.live_events = Gauge(
            "wirestream_live_events",
            "Events held in the clustering state (not yet evicted)",
            registry=self.registry,
        )
        self.table_keys = Gauge(
            "wirestream_table_keys",
            "Keys in a Faust table (active partitions of this worker)",
            ["table"],
            registry=self.registry,
        )
        self.model_load_seconds = Gauge(
            "wirestream_model_load_seconds",
            "Time the NLP pool took to load its models",
            registry=self.registry,
        )
        self.resident_memory = Gauge(
            "wirestream_process_resident_memory_bytes",
            "Resident memory, worker or NLP pool",
            ["process"],
            registry=self.registry,
        )
        self.ready = Gauge(
            "wirestream_ready", "1 when a readiness check passes", ["check"], registry=self.registry
        )

    def batch(self, stage: str, count: int, seconds: float) -> None:
        """Record one processed batch.

        Args:
            stage: ``ingest`` or ``cluster``.
            count: records consumed.
            seconds: wall time of the batch.
        """
        self.records_in.labels(stage).inc(count)
        self.batch_seconds.labels(stage).observe(seconds)

    def sent(self, stage: str, topic: str, count: int) -> None:
        """Count records a stage sent to ``topic``."""
        if count:
            self.records_out.labels(stage, topic).inc(count)

    def dead(self, deadletters: Iterable[dict[str, Any]]) -> None:
        """Count dead letters by stage and reason, log each and keep the newest."""
        for deadletter in deadletters:
            stage, reason = deadletter["stage"], deadletter["reason"]
            self.deadletters.labels(stage, reason).inc()
            self.recent_deadletters.appendleft(_deadletter_summary(deadletter))
            article_log.warning(
                "dead letter: %s",
                reason,
                extra={
                    "article_id": deadletter.get("article_id"),
                    "stage": stage,
                    "reason": reason,
                    "source": deadletter.get("source"),
                },
            )

    def clustered(self, articles: Iterable[dict[str, Any]], ages_s: Iterable[float]) -> None:
        """Count duplicates by kind and observe ingest-to-article latencies."""
        for article in articles:
            if article.get("duplicate_kind"):
                self.duplicates.labels(article["duplicate_kind"]).inc()
            article_log.debug(
                "article out",
                extra={
                    "article_id": article.get("article_id"),
                    "stage": "cluster",
                    "event_id": article.get("event_id"),
                    "duplicate_kind": article.get("duplicate_kind"),
                },
            )
        for age in ages_s:
            self.end_to_end_seconds.observe(max(age, 0.0))

    def events(self, events: Iterable[dict[str, Any]]) -> None:
        """Remember the newest version of each recently updated event (for the status page)."""
        for event in events:
            event_id = str(event.get("event_id"))
            self.recent_events.pop(event_id, None)
            if event.get("merged_into"):
                continue  # absorbed by a merge: the surviving event shows its members
            self.recent_events[event_id] = _event_summary(event)
            while len(self.recent_events) > self._recent:
                self.recent_events.popitem(last=False)

    def newest_events(self) -> list[dict[str, Any]]:
        """Recently updated events, newest first."""
        return list(reversed(self.recent_events.values()))

    def totals(self) -> dict[str, float]:
        """Counter totals the status page and ``wirestream status`` turn into rates."""
        records_in = _by_label(self.records_in, "stage")
        out = _by_label(self.records_out, "topic")
        return {
            "ingested": records_in.get("ingest", 0.0),
            "clustered": records_in.get("cluster", 0.0),
            "articles": sum(v for k, v in out.items() if k.startswith("news.articles")),
            "event_updates": sum(v for k, v in out.items() if k.startswith("news.events")),
            "deadletters": sum(_by_label(self.deadletters, "stage").values()),
            "duplicates": sum(_by_label(self.duplicates, "kind").values()),
        }

    def deadletters_by_reason(self) -> dict[str, float]:
        """Dead-letter totals per ``stage/reason``."""
        return _by_labels(self.deadletters, ("stage", "reason"))

    def duplicates_by_kind(self) -> dict[str, float]:
        """Duplicate totals per kind."""
        return _by_label(self.duplicates, "kind")


def _by_label(metric: Counter, label: str) -> dict[str, float]:
    return _by_labels(metric, (label,))


def _by_labels(metric: Counter, labels: tuple[str, ...]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for family in metric.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                key = "/".join(sample.labels[label] for label in labels)
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


def _event_summary(event: Mapping[str, Any]) -> dict[str, Any]:
    sources = event.get("sources") or []
    return {
        "event_id": event.get("event_id"),
        "version": event.get("version"),
        "title": event.get("title"),
        "article_count": event.get("article_count"),
        "sources": [
            {"name": s.get("name"), "url": s.get("url")} for s in sources if isinstance(s, dict)
        ],
        "last_seen": event.get("last_seen"),
        "updated_at": event.get("updated_at"),
    }


def _deadletter_summary(deadletter: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "stage": deadletter.get("stage"),
        "reason": deadletter.get("reason"),
        "message": str(deadletter.get("message") or "")[:MESSAGE_CHARS],
        "article_id": deadletter.get("article_id"),
        "source": deadletter.get("source"),
        "failed_at": deadletter.get("failed_at"),
    }
