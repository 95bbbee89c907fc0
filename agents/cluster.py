"""The cluster stage: one partition, state in a Faust table, articles and events out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import faust
import orjson

from agents.clusterflow import BatchChain, InFlight, failed_article, settled
from agents.eventbuilder import EventBuilder
from agents.heap import HeapKeeper
from agents.metrics import Metrics
from agents.sending import incoming
from agents.topology import Topology
from config.settings import Settings
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import decide_batch
from pipeline.clustering.index import CandidateIndex
from pipeline.deadletters import make_deadletter
from pipeline.events.jobs import EventJob

log = logging.getLogger(__name__)

STATE_TABLE = "cluster-state"


class IndexHolder:
    """The cluster agent's `CandidateIndex`: derived from the table, never written to it.

    Built from the table on first use, and again after every table recovery (a rebalance may
    have moved the partition away and back, or a standby may have caught up), since the
    recovered table is then the only truth.

    Args:
        table: the cluster-state table.
        config: the clusterer's configuration (LSH bands).
        heap: keeps the collector off the index (and a memory table); frozen after each
            rebuild and every few batches.
    """

    def __init__(self, table: Any, config: ClusterConfig, heap: HeapKeeper | None = None) -> None:
        self.table = table
        self.config = config
        self.heap = heap or HeapKeeper()
        self.index: CandidateIndex | None = None
        self.rebuilds = 0
        self.recoveries = 0

    async def on_recover(self) -> None:
        """Faust's table-recovered callback: drop the index; the next batch rebuilds it."""
        self.recoveries += 1
        self.index = None

    async def ready(self) -> CandidateIndex:
        """The index, rebuilt in a thread when dropped: a big table takes seconds, and the
        event loop must keep the consumer's heartbeats going meanwhile."""
        while self.index is None:
            began, seen = time.perf_counter(), self.recoveries
            index = await asyncio.to_thread(self._build)
            if self.recoveries == seen:  # else a recovery came meanwhile: build again
                self._installed(index, began)
        return self.index

    def current(self) -> CandidateIndex:
        """The index in step with the table, rebuilt here (blocking) when dropped."""
        if self.index is None:
            self._installed(self._build(), time.perf_counter())
        assert self.index is not None
        return self.index

    def _build(self) -> CandidateIndex:
        return CandidateIndex.from_state(self.table, bands=self.config.lsh_bands)

    def _installed(self, index: CandidateIndex, began: float) -> None:
        self.index = index
        self.rebuilds += 1
        self.heap.settle()  # the rebuilt index lives until the next recovery
        log.info(
            "cluster index rebuilt from the table: %d events in %.2f s",
            len(index.events.slots),
            time.perf_counter() - began,
        )


def register_cluster(
    app: faust.App,
    topology: Topology,
    *,
    clock: Callable[[], datetime],
    settings: Settings,
    metrics: Metrics,
    records: EventBuilder | None = None,
) -> tuple[Any, Any]:
    """Register the ``cluster`` agent and its state table on ``app``.

    Args:
        app: the Faust app.
        topology: declared topics.
        clock: the injected clock.
        settings: batch size and wait.
        metrics: where batch figures go.
        records: builds event records while the next batch is decided (None: built here).

    Returns:
        The agent and the table (its `IndexHolder` is the table's `index_holder` attribute).
    """
    table = app.Table(STATE_TABLE, partitions=1, key_type=str, help="clustering state")
    holder = IndexHolder(table, ClusterConfig())
    table.on_recover(holder.on_recover)
    table.index_holder = holder
    chain = BatchChain(records or EventBuilder(), topology, settings, metrics, clock)

    @app.agent(topology.enriched, name="cluster")
    async def cluster(stream: Any) -> None:
        # No acks from Faust: each input is acked once its batch's outputs are delivered.
        async for batch in stream.noack_take(settings.batch_size, within=settings.batch_within_s):
            began = time.perf_counter()
            await holder.ready()  # before the batch's clock and current event are taken
            now = clock()
            # Table writes need a current event for their changelog partition (all are partition 0).
            waiting = stream.current_event
            stream._set_current_event(batch[-1])
            articles, deadletters = [], []
            for event in batch:
                try:
                    articles.append(orjson.loads(event.message.value))
                except orjson.JSONDecodeError as exc:
                    deadletters.append(_rejected(event.message, "invalid_json", str(exc), now))
            decided, jobs = _decide(articles, holder, now, deadletters)
            holder.heap.batch_done()
            # Put back the record take_events is holding for the next batch: its buffer pairs that
            # record with the stream's current event once this batch is done (None crashes it).
            stream._set_current_event(waiting)
            # Records of this batch build while the next ones are decided; it is sent on its own.
            oldest = chain.add(stream, InFlight(batch, decided, deadletters, now, began), jobs)
            if oldest is not None and oldest.finisher is not None:
                # Shielded: a rebalance restarts this actor, never the batches in flight.
                await settled(oldest.finisher)

    return cluster, table


def _decide(
    articles: list[dict[str, Any]],
    holder: IndexHolder,
    now: datetime,
    deadletters: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[EventJob]]:
    table, config = holder.table, holder.config
    try:
        return decide_batch(articles, state=table, now=now, config=config, index=holder.current())
    except Exception:
        log.exception("cluster batch failed; retrying one by one")
        # A failure may leave the index a step ahead of the table: rebuild it from the table.
        holder.index = None
    decided: list[dict[str, Any]] = []
    jobs: list[EventJob] = []
    for article in articles:
        try:
            done, more = decide_batch(
                [article], state=table, now=now, config=config, index=holder.current()
            )
        except Exception as exc:
            holder.index = None
            deadletters.append(failed_article(article, f"{type(exc).__name__}: {exc}", now))
            continue
        decided += done
        jobs += more
    return decided, jobs


def _rejected(message: Any, reason: str, detail: str, now: datetime) -> dict[str, Any]:
    return make_deadletter(
        incoming(message), stage="cluster", reason=reason, detail=detail, now=now
    )
