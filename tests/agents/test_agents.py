"""The Faust agents through ``agent.test_context()`` with a memory store and recorded sends."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

import orjson
import pytest

from agents.app import build_app
from agents.pool import NlpPool, _init_worker
from config.settings import Settings
from tests.support import SAMPLE, blank_resources, enriched_sample
from wirestream.commands.produce import read_lines

pytestmark = pytest.mark.agents

FIXED_NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


class Recorder:
    """Stands in for the broker on outbound topics: keeps what was sent, per topic."""

    def __init__(self) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def attach(self, topic: Any) -> None:
        async def send(*, key: Any = None, value: Any = None, headers: Any = None) -> Any:
            self.sent[topic.get_topic_name()].append(
                {"key": key, "value": orjson.loads(value), "headers": headers}
            )
            future = asyncio.get_running_loop().create_future()
            future.set_result(None)
            return future

        topic.send = send

    def accounted(self) -> int:
        """Records that answer one input each (articles, enriched, dead letters; not events)."""
        return sum(len(records) for name, records in self.sent.items() if "events" not in name)


def _wiring(pool: NlpPool) -> tuple[Any, Recorder]:
    settings = Settings(store="memory://", web_enabled=False, broker="127.0.0.1:1", batch_size=16)
    wiring = build_app(settings, pool=pool, clock=lambda: FIXED_NOW)
    recorder = Recorder()
    for topic in wiring.topology.outputs():
        recorder.attach(topic)
    return wiring, recorder


def _process_pool() -> NlpPool:
    executor = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(partial(blank_resources),),
    )
    return NlpPool(blank_resources, workers=1, executor=executor)


def _identity(article: dict[str, Any]) -> tuple[str, int]:
    # A republished URL shares the article id; the raw offset tells the two inputs apart.
    return article["article_id"], article["origin"]["offset"]


async def _feed(agent: Any, lines: list[bytes], recorder: Recorder) -> None:
    expected = recorder.accounted() + len(lines)
    for line in lines:
        await agent.put(value=line)
    # Wait for the outputs, not a fixed time: a loaded machine may take seconds per batch.
    for _ in range(600):
        if recorder.accounted() >= expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{expected - recorder.accounted()} inputs not processed in 60 s")


def test_ingest_runs_nlp_in_the_pool_not_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("NER ran in the worker's own process")

    # The spawned pool process imports its own, unpatched copy: only it can run NER.
    monkeypatch.setattr("pipeline.nlp.enrich.extract_entities", forbidden)
    pool = _process_pool()
    wiring, recorder = _wiring(pool)
    lines = read_lines(SAMPLE)

    async def run() -> None:
        async with wiring.ingest.test_context() as agent:
            await _feed(agent, lines, recorder)

    try:
        asyncio.run(run())
    finally:
        pool.close()
    enriched = recorder.sent["wirestream.enriched.v1"]
    deadletters = recorder.sent["news.deadletter.v1"]
    assert len(enriched) + len(deadletters) == len(lines)
    assert pool.batches_submitted >= 2  # batches, not single messages
    assert any(e["value"]["entities"] for e in enriched)
    assert all(d["headers"] for d in deadletters)


def test_cluster_agent_emits_articles_and_events_idempotently() -> None:
    pool = NlpPool(blank_resources, workers=1)
    wiring, recorder = _wiring(pool)
    payloads = _enriched_payloads()

    async def run() -> None:
        async with wiring.cluster.test_context() as agent:
            await _feed(agent, payloads, recorder)
            await _feed(agent, payloads[:5], recorder)  # redelivery after a crash

    asyncio.run(run())
    articles = recorder.sent["news.articles.v1"]
    assert len(articles) == len(payloads) + 5
    first = {_identity(a["value"]): a["value"] for a in articles[: len(payloads)]}
    for again in articles[len(payloads) :]:
        assert again["value"] == first[_identity(again["value"])]  # identical re-send
    assert all("features" not in a["value"] for a in articles)
    events = recorder.sent["news.events.v1"]
    assert {e["value"]["event_id"] for e in events} == {a["event_id"] for a in first.values()}
    assert len(wiring.table) > 0


def _enriched_payloads() -> list[bytes]:
    return [orjson.dumps(a) for a in enriched_sample(FIXED_NOW)]


def _membership(recorders: list[Recorder]) -> dict[tuple[str, int], str]:
    return {
        _identity(a["value"]): a["value"]["event_id"]
        for recorder in recorders
        for a in recorder.sent["news.articles.v1"]
    }


def test_cluster_index_is_rebuilt_from_the_table_when_it_is_recovered() -> None:
    payloads = _enriched_payloads()
    half = len(payloads) // 2

    def run(wiring: Any, recorder: Recorder, *parts: list[bytes], between: Any = None) -> None:
        async def go() -> None:
            async with wiring.cluster.test_context() as agent:
                await _feed(agent, parts[0], recorder)
                if between is not None:
                    await between()
                for part in parts[1:]:
                    await _feed(agent, part, recorder)

        asyncio.run(go())

    pool = NlpPool(blank_resources, workers=1)
    reference, seen = _wiring(pool)
    run(reference, seen, payloads)
    truth = _membership([seen])
    # precondition: an event has members on both sides of the hand-over
    first_ids = {_identity(orjson.loads(p)) for p in payloads[:half]}
    events_first = {e for k, e in truth.items() if k in first_ids}
    assert any(e in events_first for k, e in truth.items() if k not in first_ids)

    # Worker A clusters the first half; its table is what a changelog recovery brings back.
    before, sent_before = _wiring(pool)
    run(before, sent_before, payloads[:half])
    recovered = dict(before.table.items())

    def hand_over(wiring: Any, *, callbacks: bool) -> Any:
        async def between() -> None:
            # The table now holds A's state (as after a rebalance back to this worker).
            for key, value in recovered.items():
                wiring.table.data[key] = value
            if callbacks:
                await wiring.table.call_recover_callbacks()

        return between

    # Worker B has already built its index (one article, A's first), then recovers A's table.
    after, sent_after = _wiring(pool)
    run(after, sent_after, payloads[:1], payloads[half:], between=hand_over(after, callbacks=True))
    assert after.table.index_holder.rebuilds == 2
    assert {**_membership([sent_before]), **_membership([sent_after])} == truth

    # Control: without the recovery callback the index misses A's events and stories split.
    stale, sent_stale = _wiring(pool)
    run(stale, sent_stale, payloads[:1], payloads[half:], between=hand_over(stale, callbacks=False))
    assert stale.table.index_holder.rebuilds == 1
    assert {**_membership([sent_before]), **_membership([sent_stale])} != truth
