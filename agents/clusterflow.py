"""The cluster agent's decided batches in flight: records built, outputs sent, inputs acked.

A decided batch's event records are queued to the records process at once, so while the agent
decides the next batches the records process works through the queue in batch order (up to
`IN_FLIGHT` batches: one slow batch does not leave either process idle). A batch's articles,
events and dead letters are sent after the previous batch's, and only once the broker has
acknowledged them all are its inputs acknowledged (Faust may then commit them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
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

IN_FLIGHT = 2  # decided batches whose outputs may still be on their way while one is decided


@dataclass
class InFlight:
    """One decided batch: its inputs, decided articles and dead letters, and its finisher."""

    batch: list[Any]
    decided: list[dict[str, Any]]
    deadletters: list[dict[str, Any]]
    now: datetime
    began: float
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
    flying: deque[InFlight] = field(default_factory=deque)

    def add(self, stream: Any, current: InFlight, jobs: list[EventJob]) -> InFlight | None:
        """Queue `current`'s records and finish it behind the last batch; returns the batch to
        wait for before deciding another (the one `IN_FLIGHT` back), or None.

        Args:
            stream: the agent's stream (acks go through it).
            current: the batch just decided.
            jobs: its record jobs.
        """
        previous = self.flying[-1] if self.flying else None
        # Queued now, not when the previous records are back: the records process never waits
        # for the event loop, which is busy deciding.
        building = self.builder.start(jobs, current.now)
        current.finisher = asyncio.ensure_future(
            self._finish(stream, current, building, previous)
        )
        current.finisher.add_done_callback(_report)
        self.flying.append(current)
        return self.flying.popleft() if len(self.flying) > IN_FLIGHT else None

    async def _finish(
        self,
        stream: Any,
        current: InFlight,
        building: asyncio.Future[Built],
        previous: InFlight | None,
    ) -> None:
        built = await building
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
