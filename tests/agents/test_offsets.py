"""The worker's consumer never commits past a record its agents have not acknowledged."""

from __future__ import annotations

from typing import Any

import pytest
from faust.types import TP

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
