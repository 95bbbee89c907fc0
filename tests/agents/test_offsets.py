"""The worker's consumer never commits past a record its agents have not acknowledged."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from faust.types import TP

import agents.offsets
from agents.app import build_app
from agents.offsets import RewindingConsumer
from agents.pool import NlpPool
from tests.support import blank_resources
from wirestream.settings import Settings

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
    monkeypatch.setattr(agents.offsets, "monotonic", lambda: clock[0], raising=False)
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
    tp = TP(Settings().topics.raw, 2)  # a source topic: acks enabled
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


def _record(tp: TP, offset: int) -> Any:
    fields = dict(timestamp=0, timestamp_type=0, headers=[], key=b"", value=b"{}", checksum=None)
    sizes = dict(serialized_key_size=0, serialized_value_size=2)
    return SimpleNamespace(topic=tp.topic, partition=tp.partition, offset=offset, **fields, **sizes)


def test_records_of_a_fetch_a_seek_overtook_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # The chaos holes: a rebalance seeks raw partition 2 back to its committed 24 while a fetch
    # from the old position (25..27) is out; delivered, they moved Faust's read offset past 24
    # and the re-read 24 was dropped as already read.
    consumer = _consumer()
    tp = TP(Settings().topics.raw, 2)
    consumer.app.topics.acking_topics.add(tp.topic)
    positions: list[tuple[TP, int]] = []
    fetches = [[25, 26, 27], [24, 25, 26, 27]]

    async def fetch(active: Any, timeout: float) -> dict[TP, list[Any]]:  # noqa: ASYNC109
        if len(fetches) == 2:
            await consumer.seek(tp, 24)  # the rebalance lands while this fetch is out
        return {tp: [_record(tp, offset) for offset in fetches.pop(0)]}

    monkeypatch.setattr(consumer._thread, "getmany", fetch)
    monkeypatch.setattr(consumer._thread, "seek", lambda tp, offset: positions.append((tp, offset)))
    monkeypatch.setattr(consumer._thread, "highwater", lambda tp: 28)
    monkeypatch.setattr(consumer, "assignment", lambda: {tp})
    consumer._set_active_tps({tp})

    async def read() -> list[int]:
        return [message.offset async for _, message in consumer.getmany(timeout=1.0)]

    assert consumer.loop.run_until_complete(read()) == []  # plain Faust yields 25, 26, 27
    assert positions == [(tp, 24), (tp, 24)]  # the fetch position is put back at the target
    assert consumer.loop.run_until_complete(read()) == [24, 25, 26, 27]


def _read_across_a_rebalance(monkeypatch: pytest.MonkeyPatch, consumer: Any, tp: TP) -> list[int]:
    """Offsets ``getmany`` yields of a fetch (6, 7) sent in generation 1 that returns in 2."""
    consumer.app.consumer_generation_id = 1

    async def fetch(active: Any, timeout: float) -> dict[TP, list[Any]]:  # noqa: ASYNC109
        consumer.app.consumer_generation_id = 2  # the rebalance completes meanwhile
        return {tp: [_record(tp, offset) for offset in (6, 7)]}

    monkeypatch.setattr(consumer._thread, "getmany", fetch)
    monkeypatch.setattr(consumer._thread, "highwater", lambda tp: 8)
    consumer._set_active_tps({tp})

    async def read() -> list[int]:
        return [message.offset async for _, message in consumer.getmany(timeout=1.0)]

    return list(consumer.loop.run_until_complete(read()))


def test_records_fetched_for_an_older_assignment_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Traced in a chaos run: a fetch of generation 1 came back during the rebalance and Faust
    # delivered it once table recovery resumed the flow in generation 2, before the seek.
    consumer = _consumer()
    tp = TP(Settings().topics.raw, 3)
    consumer.app.topics.acking_topics.add(tp.topic)  # as once the ingest agent subscribes
    assert _read_across_a_rebalance(monkeypatch, consumer, tp) == []  # plain Faust yields 6, 7


def test_changelog_records_of_an_older_assignment_still_reach_recovery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Recovery seeks a changelog once and counts its own offsets: a changelog fetch that came
    # back across a rebalance must be delivered, or recovery waits forever (a chaos-test stall).
    consumer = _consumer()
    tp = TP(next(iter(consumer.app.tables.changelog_topics)), 0)
    assert _read_across_a_rebalance(monkeypatch, consumer, tp) == [6, 7]


def test_a_re_read_from_a_hole_passes_over_what_was_processed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Record 10 was skipped, 11 and 12 were processed: the re-read from 10 delivers 10 and the
    # records after 12, not 11 and 12 a second time (their outputs went out already).
    consumer = _consumer()
    tp = TP(Settings().topics.raw, 1)
    consumer.app.topics.acking_topics.add(tp.topic)
    consumer._committed_offset[tp] = 10
    consumer._acked[tp].extend([11, 12])
    consumer._acked_index[tp].update([11, 12])

    async def fetch(active: Any, timeout: float) -> dict[TP, list[Any]]:  # noqa: ASYNC109
        return {tp: [_record(tp, offset) for offset in (10, 11, 12, 13)]}

    monkeypatch.setattr(consumer._thread, "getmany", fetch)
    monkeypatch.setattr(consumer._thread, "highwater", lambda tp: 14)
    consumer._set_active_tps({tp})

    async def read() -> list[int]:
        return [message.offset async for _, message in consumer.getmany(timeout=1.0)]

    assert consumer.loop.run_until_complete(read()) == [10, 13]  # plain Faust yields all four
    consumer._read_offset[tp] = 10
    warnings: list[str] = []
    monkeypatch.setattr(consumer, "_warn", lambda message, *args, tp: warnings.append(message))
    asyncio.run(consumer._add_gap(tp, 11, 13))  # the drain loop sees 10 then 13
    assert warnings == []  # not reported as skipped: they were acknowledged
    consumer._acked[tp].extend([10, 13])
    consumer._acked_index[tp].update([10, 13])
    assert consumer._new_offset(tp) == 14


def test_a_held_commit_is_reported_once_per_hole(monkeypatch: pytest.MonkeyPatch) -> None:
    consumer = _consumer()
    tp = TP(Settings().topics.raw, 0)
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
