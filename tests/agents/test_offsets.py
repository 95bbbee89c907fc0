"""The worker's consumer never commits past a record its agents have not acknowledged."""

from __future__ import annotations

import asyncio
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


def _holed_consumer(monkeypatch: pytest.MonkeyPatch, clock: list[float]) -> tuple[Any, _Seeks]:
    consumer = _consumer()
    tp = TP("wirestream.raw.v1", 1)
    consumer._committed_offset[tp] = 27
    consumer._acked[tp].extend([28, 29])  # record 27 was skipped mid-stream, never acked
    consumer._acked_index[tp].update([28, 29])
    seeks = _Seeks()
    monkeypatch.setattr(consumer, "seek", seeks)
    monkeypatch.setattr(consumer, "assignment", lambda: {tp})
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
