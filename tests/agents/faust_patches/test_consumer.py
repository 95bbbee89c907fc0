"""The worker's consumer never commits past a record its agents have not acknowledged."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faust.types import TP

import agents.faust_patches.consumer
from agents.app import build_app
from agents.faust_patches.consumer import RewindingConsumer
from agents.pool import NlpPool
from config.settings import Settings
from tests.support import blank_resources

pytestmark = pytest.mark.agents


def _consumer() -> Any:
    settings = Settings(store="memory://", web_enabled=False, broker="127.0.0.1:1")
    wiring = build_app(settings, pool=NlpPool(blank_resources))
    return wiring.app.consumer


def test_the_worker_uses_the_rewinding_consumer() -> None:
    assert isinstance(_consumer(), RewindingConsumer)


def test_a_hole_at_the_committed_offset_holds_the_commit_back() -> None:
    consumer = _consumer()
    tp = TP("wirestream.enriched.v1", 0)
    consumer._committed_offset[tp] = 10
    consumer._acked[tp].extend([11, 12])  # record 10 was dropped in a rebalance, never acked
    consumer._acked_index[tp].update([11, 12])
    assert consumer._new_offset(tp) is None  # plain Faust commits 13 here: record 10 lost
    consumer._acked[tp].append(10)  # re-read after the seek back, then acknowledged
    consumer._acked_index[tp].add(10)
    assert consumer._new_offset(tp) == 13


def test_contiguous_acks_commit_as_before() -> None:
    consumer = _consumer()
    tp = TP("wirestream.enriched.v1", 0)
    consumer._committed_offset[tp] = 10
    consumer._acked[tp].extend([10, 11, 13])
    consumer._acked_index[tp].update([10, 11, 13])
    assert consumer._new_offset(tp) == 12  # up to the first gap, the rest waits


class _Seeks:
    """Records the consumer's seeks instead of sending them to a broker."""

    def __init__(self) -> None:
        self.calls: list[tuple[TP, int]] = []

    async def __call__(self, tp: TP, offset: int) -> None:
        self.calls.append((tp, offset))


def _earliest(starts: dict[TP, int]) -> Any:
    async def earliest_offsets(*tps: TP) -> dict[TP, int]:
        return {tp: starts[tp] for tp in tps}

    return earliest_offsets


HOLED = TP("wirestream.raw.v1", 1)


def _holed_consumer(
    monkeypatch: pytest.MonkeyPatch, clock: list[float], tp: TP = HOLED
) -> tuple[Any, _Seeks]:
    consumer = _consumer()
    consumer._committed_offset[tp] = 27
    consumer._acked[tp].extend([28, 29])  # record 27 was skipped mid-stream, never acked
    consumer._acked_index[tp].update([28, 29])
    seeks = _Seeks()
    monkeypatch.setattr(consumer, "seek", seeks)
    monkeypatch.setattr(consumer, "assignment", lambda: {tp})
    monkeypatch.setattr(consumer, "earliest_offsets", _earliest({tp: 0}))
    monkeypatch.setattr(agents.faust_patches.consumer, "monotonic", lambda: clock[0], raising=False)
    return consumer, seeks


def _commit(consumer: Any) -> bool:
    return asyncio.run(consumer._commit_tps(list(consumer._acked), start_new_transaction=True))


def test_a_lasting_hole_is_fetched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    consumer, seeks = _holed_consumer(monkeypatch, clock)
    assert not _commit(consumer) and seeks.calls == []  # first held commit: maybe still in flight
    clock[0] += 30.0  # > hole_patience commit intervals
    assert not _commit(consumer)
    assert seeks.calls == [(TP("wirestream.raw.v1", 1), 27)]  # without it: only at next rebalance
    assert not _commit(consumer) and len(seeks.calls) == 1  # one re-read per patience period


def test_a_slow_record_at_the_committed_offset_is_not_fetched_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    consumer, seeks = _holed_consumer(monkeypatch, clock)
    slow = type("Slow", (), {"tp": TP("wirestream.raw.v1", 1), "offset": 27})()
    consumer._unacked_messages.add(slow)
    _commit(consumer)
    clock[0] += 60.0
    _commit(consumer)
    assert seeks.calls == []


def test_a_hole_the_broker_deleted_is_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retention deleted record 27: no re-read can bring it back, so stop waiting for it.
    clock = [100.0]
    consumer, seeks = _holed_consumer(monkeypatch, clock)
    tp = TP("wirestream.raw.v1", 1)
    monkeypatch.setattr(consumer, "earliest_offsets", _earliest({tp: 28}))
    _commit(consumer)
    clock[0] += 30.0
    _commit(consumer)
    assert seeks.calls == [] and consumer._new_offset(tp) == 30


class _Message:
    """What the drain loop reads of a fetched record."""

    def __init__(self, tp: TP, offset: int) -> None:
        self.tp, self.topic, self.offset = tp, tp.topic, offset
        self.key = self.value = b""


def _drain(consumer: Any, tp: TP, offsets: list[int]) -> list[int]:
    """Run Faust's real fetch loop over records at ``offsets``; return what reached the streams."""
    delivered: list[int] = []

    async def getmany(timeout: float) -> Any:  # noqa: ASYNC109 (Faust's signature)
        for offset in offsets:
            yield tp, _Message(tp, offset)
        fetcher._stopped.set()  # one fetch, then the loop ends

    async def callback(message: Any) -> None:
        delivered.append(message.offset)

    fetcher = type("Fetcher", (), {"_stopped": asyncio.Event()})()
    consumer.getmany, consumer.callback = getmany, callback
    consumer.loop.run_until_complete(consumer._drain_messages(fetcher))  # the loop mode binds to
    return delivered


def test_records_the_fetcher_jumped_over_are_not_committed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The chaos loss: raw partition 2 committed at 4, records 4..11 read, then the fetch went
    # on at 37; Faust booked 12..36 as a gap (as if compacted) and committed 38 over them.
    clock = [100.0]
    tp = TP(Settings().topic_names.raw, 2)  # a source topic: acks enabled
    consumer, seeks = _holed_consumer(monkeypatch, clock, tp)
    consumer.app.topics.acking_topics.add(tp.topic)  # as once the ingest agent subscribes
    consumer._committed_offset[tp] = 4
    consumer._acked[tp].clear()
    consumer._acked_index[tp].clear()
    consumer._read_offset[tp] = 4
    delivered = _drain(consumer, tp, [*range(4, 12), 37])
    assert delivered == [*range(4, 12), 37]
    for offset in delivered:
        consumer._acked[tp].append(offset)
        consumer._acked_index[tp].add(offset)
    assert consumer._new_offset(tp) == 12  # not 38: 12..36 were never processed
    consumer._committed_offset[tp] = 12
    _commit(consumer)
    clock[0] += 30.0
    _commit(consumer)
    assert seeks.calls == [(tp, 12)]  # the skipped records are fetched again


def test_changelog_gaps_still_count_as_done() -> None:
    # Compacted changelogs do have missing offsets: table recovery must not wait for them.
    consumer = _consumer()
    tp = TP(next(iter(consumer.app.tables.changelog_topics)), 0)
    consumer._committed_offset[tp] = 4
    asyncio.run(consumer._add_gap(tp, 5, 9))
    consumer._acked[tp].extend([4, 10])
    consumer._acked_index[tp].update([4, 10])
    assert consumer._new_offset(tp) == 11


def test_a_held_commit_is_reported_once_per_hole(monkeypatch: pytest.MonkeyPatch) -> None:
    consumer = _consumer()
    tp = TP(Settings().topic_names.raw, 0)
    warnings: list[str] = []
    monkeypatch.setattr(consumer, "_warn", lambda message, *args, tp: warnings.append(message))
    consumer._committed_offset[tp] = 10
    consumer._acked[tp].extend([11, 12])
    consumer._acked_index[tp].update([11, 12])
    for _ in range(3):  # a long rebalance: each seek to committed forgets the hole
        assert consumer._new_offset(tp) is None
        consumer._holes.clear()
    assert len(warnings) == 1
    consumer._committed_offset[tp] = 20  # a later hole is reported again
    consumer._acked[tp][:] = [21]
    consumer._acked_index[tp].clear()
    consumer._acked_index[tp].add(21)
    assert consumer._new_offset(tp) is None
    assert len(warnings) == 2
