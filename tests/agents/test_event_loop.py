"""While a large batch is enriched with the real model, the event loop keeps its timers on time."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from agents.pool import NlpPool
from agents.resources import resource_loader
from pipeline.records import Incoming
from tests.agents.test_agents import FIXED_NOW
from tests.support import SAMPLE
from wirestream.commands.produce import read_lines

pytestmark = [pytest.mark.agents, pytest.mark.slow]


def _large_batch(copies: int) -> list[Incoming]:
    good = []
    for line in read_lines(SAMPLE):
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("body"):
            good.append(record)
    batch = []
    for i in range(copies):
        for record in good:
            value = orjson.dumps({**record, "url": f"{record['url']}?copy={i}"})
            batch.append(Incoming(value=value, topic="news.raw.v1", partition=0, offset=len(batch)))
    return batch


def test_timer_stays_on_time_while_a_large_batch_is_enriched() -> None:
    pool = NlpPool(resource_loader(), workers=1)
    batch = _large_batch(copies=8)

    async def run() -> tuple[float, float, int]:
        await pool.start()
        lateness: list[float] = []
        stop = asyncio.Event()

        async def ticker(period: float = 0.05) -> None:
            while not stop.is_set():
                expected = time.perf_counter() + period
                await asyncio.sleep(period)
                lateness.append(time.perf_counter() - expected)

        task = asyncio.create_task(ticker())
        began = time.perf_counter()
        enriched, deadletters = await pool.prepare(batch, now=FIXED_NOW)
        took = time.perf_counter() - began
        stop.set()
        await task
        return took, max(lateness), len(enriched) + len(deadletters)

    try:
        took, worst, count = asyncio.run(run())
    finally:
        pool.close()
    print(f"{len(batch)} articles enriched in {took:.1f}s; timer late by {worst * 1000:.0f} ms")
    assert count == len(batch)  # every input accounted for
    assert took > 1.0, "the batch must be large enough to matter"
    # Blocking NLP on the loop would delay the ticker by the whole batch time.
    assert worst < 0.25, f"timer was {worst:.3f}s late while enrichment took {took:.1f}s"
