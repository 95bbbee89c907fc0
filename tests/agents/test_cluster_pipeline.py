"""The pipelined cluster agent: records built in another process, inputs acked after sends."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
from typing import Any

import orjson
import pytest

from agents import eventbuilder
from agents.app import build_app
from agents.clusterflow import IN_FLIGHT
from agents.eventbuilder import EventBuilder, records_executor, reset_memo
from agents.pool import NlpPool
from config.settings import Settings
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import decide_batch
from pipeline.clustering.index import CandidateIndex
from pipeline.events.jobs import build_records
from tests.agents.test_agents import FIXED_NOW, Recorder, _enriched_payloads, _feed
from tests.support import blank_resources, enriched_sample

pytestmark = pytest.mark.agents


class HeldRecorder(Recorder):
    """Records sends whose deliveries the test confirms (the broker's acks) when it decides."""

    def __init__(self) -> None:
        super().__init__()
        self.deliveries: list[asyncio.Future[None]] = []

    def attach(self, topic: Any) -> None:
        async def send(*, key: Any = None, value: Any = None, headers: Any = None) -> Any:
            self.sent[topic.get_topic_name()].append(
                {"key": key, "value": orjson.loads(value), "headers": headers}
            )
            future = asyncio.get_running_loop().create_future()
            self.deliveries.append(future)
            return future

        topic.send = send

    def deliver(self) -> None:
        for future in self.deliveries:
            if not future.done():
                future.set_result(None)


async def _until(condition: Any, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _first_batch_out(
    agent: Any, recorder: HeldRecorder, payloads: list[bytes]
) -> tuple[list[Any], list[dict[str, Any]], int]:
    """Put every payload; return the events, the sent articles and how many the first batch
    sent, once it has sent them."""
    events = [await agent.put(value=p, wait=False) for p in payloads]
    articles = recorder.sent["news.articles.v1"]
    await _until(lambda: len(articles) > 0)
    return events, articles, len(articles)


def test_inputs_are_acked_only_after_their_outputs_are_delivered() -> None:
    wiring, recorder = _wired(HeldRecorder(), batch_size=8)
    payloads = _enriched_payloads()
    assert len(payloads) > 16  # precondition: three batches or more

    async def run() -> None:
        async with wiring.cluster.test_context() as agent:
            events, articles, first = await _first_batch_out(agent, recorder, payloads)
            await asyncio.sleep(1.0)  # time for the next batch to be decided meanwhile
            # Undelivered: no input acked, and the next batch's sends wait for this one's.
            assert not any(e.message.acked for e in events)
            assert len(articles) == first < len(payloads)
            while not all(e.message.acked for e in events):
                recorder.deliver()
                await asyncio.sleep(0.05)
            assert recorder.accounted() == len(payloads)

    asyncio.run(run())


def test_a_records_process_gives_the_same_outputs_as_building_them_in_the_worker() -> None:
    payloads = _enriched_payloads()

    def outputs(records: EventBuilder | None) -> dict[str, list[Any]]:
        wiring, recorder = _wired(Recorder(), records)

        async def run() -> None:
            async with wiring.cluster.test_context() as agent:
                await _feed(agent, payloads, recorder)

        asyncio.run(run())
        return {name: [r["value"] for r in sent] for name, sent in recorder.sent.items()}

    builder = EventBuilder(records_executor())
    try:
        piped = outputs(builder)
    finally:
        builder.close()
    assert piped == outputs(None)
    assert piped["news.events.v1"] and builder.fallbacks == 0


def _sample_jobs() -> tuple[list[Any], list[dict[str, Any]]]:
    """The sample's record jobs, decided into a fresh state, and their records built here."""
    _, jobs = decide_batch(
        enriched_sample(FIXED_NOW),
        state={},
        now=FIXED_NOW,
        index=CandidateIndex(bands=ClusterConfig().lsh_bands),
    )
    return jobs, build_records(jobs, now=FIXED_NOW, memo=None)


def _wired(
    recorder: Recorder, records: EventBuilder | None = None, *, batch_size: int = 16
) -> tuple[Any, Any]:
    settings = Settings(
        store="memory://", web_enabled=False, broker="127.0.0.1:1", batch_size=batch_size
    )
    pool = NlpPool(blank_resources)
    wiring = build_app(settings, pool=pool, clock=lambda: FIXED_NOW, records=records)
    for topic in wiring.topology.outputs():
        recorder.attach(topic)
    return wiring, recorder


def test_records_are_built_in_the_worker_when_the_records_process_dies() -> None:
    jobs, expected = _sample_jobs()
    executor = records_executor()
    builder = EventBuilder(executor)
    os.kill(executor.submit(reset_memo).result(), signal.SIGKILL)

    async def run() -> list[Any]:
        await asyncio.sleep(0.5)
        first = (await builder.start(jobs, FIXED_NOW)).records
        second = (await builder.start(jobs, FIXED_NOW)).records  # the new records process
        return [first, second]

    try:
        first, second = asyncio.run(run())
    finally:
        builder.close()
    assert first == expected and second == expected
    assert builder.fallbacks == 1


def test_batches_queued_to_a_records_process_that_dies_are_all_built_in_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[Any] = []

    def counted() -> Any:
        started.append(records_executor())
        return started[-1]

    monkeypatch.setattr(eventbuilder, "records_executor", counted)
    jobs, expected = _sample_jobs()
    executor = records_executor()
    builder = EventBuilder(executor)
    pid = executor.submit(reset_memo).result()

    async def run() -> list[Any]:
        # Two batches in flight: both were queued to the process before it died.
        queued = [builder.start(jobs, FIXED_NOW) for _ in range(IN_FLIGHT)]
        os.kill(pid, signal.SIGKILL)
        built = [(await b).records for b in queued]
        replacement = builder.executor
        later = (await builder.start(jobs, FIXED_NOW)).records
        assert builder.executor is replacement  # one new process, kept for later batches
        return [*built, later]

    try:
        outputs = asyncio.run(run())
    finally:
        builder.close()
    assert outputs == [expected] * (IN_FLIGHT + 1)
    assert 1 <= builder.fallbacks <= IN_FLIGHT
    assert len(started) == 1  # the second failed batch does not replace the new process again


def test_an_event_whose_record_fails_is_reported_and_the_others_are_built() -> None:
    jobs, _ = _sample_jobs()
    assert len(jobs) > 2  # precondition
    broken = dataclasses.replace(jobs[1], members=[None])  # type: ignore[list-item]

    async def run() -> Any:
        return await EventBuilder().start([jobs[0], broken, *jobs[2:]], FIXED_NOW)

    built = asyncio.run(run())
    assert list(built.failed) == [broken.event_id]
    expected = build_records([jobs[0], *jobs[2:]], now=FIXED_NOW, memo=None)
    assert built.records == expected


def test_a_batch_whose_delivery_fails_is_sent_again_and_acked_only_after_that() -> None:
    wiring, recorder = _wired(HeldRecorder(), batch_size=8)
    payloads = _enriched_payloads()

    async def run() -> None:
        async with wiring.cluster.test_context() as agent:
            events, articles, first = await _first_batch_out(agent, recorder, payloads)
            for future in recorder.deliveries:  # the broker rejects the first batch
                future.set_exception(RuntimeError("delivery failed"))
            # `send_all` sends the whole batch again after a pause, before any later batch.
            await _until(lambda: len(articles) >= 2 * first)
            ids = [a["value"]["article_id"] for a in articles]
            assert ids[first : 2 * first] == ids[:first]
            assert not any(e.message.acked for e in events)
            while not all(e.message.acked for e in events):
                recorder.deliver()
                await asyncio.sleep(0.05)
            assert len(articles) == len(payloads) + first

    asyncio.run(run())
