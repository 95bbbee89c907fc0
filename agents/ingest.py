"""The ingest stage: raw batches go to the process pool (normalize + enrich), results go out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import faust

from agents.metrics import Metrics
from agents.pool import Encoded, NlpPool
from agents.sending import deadletter_send, incoming, send_all
from agents.topology import Topology
from config.settings import Settings
from pipeline.deadletters import make_deadletter
from pipeline.records import Incoming

log = logging.getLogger(__name__)


def register_ingest(
    app: faust.App,
    topology: Topology,
    *,
    pool: NlpPool,
    clock: Callable[[], datetime],
    settings: Settings,
    metrics: Metrics,
) -> Any:
    """Register the ``ingest`` agent on ``app`` and return it.

    Args:
        app: the Faust app.
        topology: declared topics.
        pool: where normalize + enrich run (never on the event loop).
        clock: the injected clock.
        settings: batch size and wait.
        metrics: where batch figures go.
    """

    @app.agent(topology.raw, name="ingest")
    async def ingest(stream: Any) -> None:
        async for batch in stream.take_events(settings.batch_size, within=settings.batch_within_s):
            began = time.perf_counter()
            messages = [incoming(event.message) for event in batch]
            now = clock()
            enriched, deadletters = await _prepare_split(pool, messages, now=now)
            await send_all(
                [(topology.enriched, key, value, None) for key, value in enriched]
                + [deadletter_send(topology.deadletter, d) for d in deadletters]
            )
            metrics.batch("ingest", len(messages), time.perf_counter() - began)
            metrics.sent("ingest", settings.topic_names.enriched, len(enriched))
            metrics.sent("ingest", settings.topic_names.deadletter, len(deadletters))
            metrics.dead(deadletters)

    return ingest


async def _prepare_split(
    pool: NlpPool, messages: Sequence[Incoming], *, now: datetime
) -> tuple[list[Encoded], list[dict[str, Any]]]:
    # One share per pool process, so every process works on the batch; order is kept.
    size = -(-len(messages) // max(pool.workers, 1))
    shares = [messages[i : i + size] for i in range(0, len(messages), size)]
    results = await asyncio.gather(*(_prepare(pool, share, now=now) for share in shares))
    return (
        [article for enriched, _ in results for article in enriched],
        [letter for _, deadletters in results for letter in deadletters],
    )


async def _prepare(
    pool: NlpPool, messages: Sequence[Incoming], *, now: datetime
) -> tuple[list[Encoded], list[dict[str, Any]]]:
    # A crashed pool must not drop the batch: retry once on a fresh pool, then dead-letter it.
    for attempt in (1, 2):
        try:
            return await pool.prepare_encoded(messages, now=now)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:
            log.exception("ingest batch failed (attempt %d)", attempt)
            pool.close()
            error = exc
    reason = f"{type(error).__name__}: {error}"
    return [], [
        make_deadletter(m, stage="enrich", reason="internal_error", detail=reason, now=now)
        for m in messages
    ]
