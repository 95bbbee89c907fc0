"""The cluster agent's decided batches in flight: records built, outputs sent, inputs acked.

While the agent decides batch N+1, batch N's event records are built by the records process;
batch N's articles, events and dead letters are then sent, and only once the broker has
acknowledged them all are batch N's inputs acknowledged (Faust may then commit them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from agents.eventbuilder import Built, EventBuilder
from agents.metrics import Metrics
from agents.sending import deadletter_send, send_all
from agents.topology import Topology
from config.settings import Settings
from pipeline.deadletters import make_deadletter
from pipeline.events.jobs import EventJob
from pipeline.records import Incoming

log = logging.getLogger(__name__)


@dataclass
class InFlight:
    """One decided batch: its inputs, decided articles and dead letters, then its records."""

    batch: list[Any]
    decided: list[dict[str, Any]]
    deadletters: list[dict[str, Any]]
    now: datetime
    began: float
    built: asyncio.Future[Built] = field(default_factory=asyncio.Future)
    finisher: asyncio.Future[None] | None = None


@dataclass
class BatchChain:
    """Finishes decided batches in order; lives as long as the agent's registration, so an
    actor restarted by a rebalance chains its first batch behind the last one in flight."""

    builder: EventBuilder
    topology: Topology
    settings: Settings
    metrics: Metrics
    clock: Callable[[], datetime]
    last: InFlight | None = None

    def add(self, stream: Any, current: InFlight, jobs: list[EventJob]) -> InFlight | None:
        """Start finishing `current` behind the last batch; returns that batch (or None).

        Args:
            stream: the agent's stream (acks go through it).
            current: the batch just decided.
            jobs: its record jobs.
        """
        previous, self.last = self.last, current
        current.finisher = asyncio.ensure_future(self._finish(stream, current, jobs, previous))
        current.finisher.add_done_callback(_report)
        return previous

    async def _finish(
        self, stream: Any, current: InFlight, jobs: list[EventJob], previous: InFlight | None
    ) -> None:
        try:
            if previous is not None:
                await settled(previous.built)  # at most one batch's records in flight
            built = await self.builder.start(jobs, current.now)
        except asyncio.CancelledError:
            current.built.cancel()  # the next batch must not wait forever for these
            raise
        except Exception as exc:
            current.built.set_exception(exc)
            raise
        current.built.set_result(built)
        if previous is not None and previous.finisher is not None:
            await settled(previous.finisher)  # the previous batch's sends go out first
        articles, deadletters = self._outputs(current, built)
        topology = self.topology
        await send_all(
            [(topology.articles, a["article_id"].encode(), orjson.dumps(a), None) for a in articles]
            + [
                (topology.events, e["event_id"].encode(), orjson.dumps(e), None)
                for e in built.records
            ]
            + [deadletter_send(topology.deadletter, d) for d in deadletters]
        )
        for event in current.batch:  # only now: every output of the batch is delivered
            await stream.ack(event)
        metrics, topics = self.metrics, self.settings.topic_names
        metrics.batch("cluster", len(current.batch), time.perf_counter() - current.began)
        metrics.sent("cluster", topics.articles, len(articles))
        metrics.sent("cluster", topics.events, len(built.records))
        metrics.dead(deadletters)
        metrics.clustered(articles, _ages(articles, self.clock()))
        metrics.events(built.records)

    def _outputs(
        self, current: InFlight, built: Built
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The articles to send, and the dead letters: those of the batch, plus the articles of
        events whose record failed (as a failed batch dead-letters its failing articles)."""
        articles, deadletters = current.decided, current.deadletters
        if not built.failed:
            return articles, deadletters
        failed = built.failed
        dead = [
            failed_article(a, failed[a["event_id"]], current.now)
            for a in articles
            if a["event_id"] in failed
        ]
        return [a for a in articles if a["event_id"] not in failed], deadletters + dead


async def settled(future: asyncio.Future[Any]) -> None:
    """Wait until a batch's future is done, whatever its outcome (failures are logged by its
    finisher): a batch whose sends failed stays unacknowledged, and later batches go on.

    Args:
        future: the batch's records or finisher; shielded, so a cancelled waiter leaves it be.
    """
    try:
        await asyncio.shield(future)
    except asyncio.CancelledError:
        if not future.cancelled():
            raise  # the waiter itself was cancelled
    except Exception:
        return


def _report(finisher: asyncio.Future[None]) -> None:
    if finisher.cancelled() or finisher.exception() is None:
        return
    # Its inputs stay unacknowledged: the commit holds there, and a restart reads them again.
    log.error(
        "cluster batch outputs not sent; inputs left unacknowledged", exc_info=finisher.exception()
    )


def _ages(articles: list[dict[str, Any]], now: datetime) -> list[float]:
    ages = []
    for article in articles:
        try:
            ages.append((now - datetime.fromisoformat(article["ingested_at"])).total_seconds())
        except (KeyError, TypeError, ValueError):
            continue
    return ages


def failed_article(article: dict[str, Any], detail: str, now: datetime) -> dict[str, Any]:
    """The dead letter of an article the cluster stage could not handle.

    Args:
        article: the enriched (or decided) article.
        detail: what failed.
        now: the clock.
    """
    origin = article.get("origin") or {}
    # The raw bytes stayed upstream: the enriched record (minus features) is what failed here.
    record = {k: v for k, v in article.items() if k != "features"}
    message = Incoming(
        value=orjson.dumps(record),
        topic=str(origin.get("topic", "")),
        partition=int(origin.get("partition", -1)),
        offset=int(origin.get("offset", -1)),
    )
    return make_deadletter(
        message,
        stage="cluster",
        reason="cluster_failed",
        detail=detail,
        now=now,
        article_id=article.get("article_id"),
    )
