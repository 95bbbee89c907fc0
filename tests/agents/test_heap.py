"""The heap keeper: unfrozen generations collected, then survivors frozen, every N batches."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from agents.cluster import IndexHolder
from agents.heap import HeapKeeper
from pipeline.clustering.config import ClusterConfig

pytestmark = pytest.mark.agents


def _recording(every: int) -> tuple[HeapKeeper, list[str]]:
    calls: list[str] = []
    keeper = HeapKeeper(
        every=every,
        collect=lambda generation: calls.append(f"collect {generation}"),
        freeze=lambda: calls.append("freeze"),
    )
    return keeper, calls


def test_settling_collects_what_is_not_frozen_before_freezing() -> None:
    keeper, calls = _recording(every=3)
    for _ in range(7):
        keeper.batch_done()
    assert calls == ["collect 2", "freeze"] * 2 and keeper.freezes == 2


def test_an_index_rebuild_settles_the_heap() -> None:
    keeper, calls = _recording(every=1000)
    holder = IndexHolder({}, ClusterConfig(), heap=keeper)
    holder.current()
    assert calls == ["collect 2", "freeze"] and holder.rebuilds == 1


class _Record:
    """A state value that a weak reference can watch."""

    def __init__(self, value: Any) -> None:
        self.value = value


def test_frozen_objects_leave_the_collector_and_are_still_freed() -> None:
    gc.unfreeze()
    try:
        state = {f"art:{i}": _Record({"sentences": [str(i)]}) for i in range(1000)}
        before = gc.get_freeze_count()
        HeapKeeper().settle()
        assert gc.get_freeze_count() >= before + 3000  # every record, dict and list
        watched = weakref.ref(state["art:0"])
        del state
        assert watched() is None  # reference counting still frees frozen objects
    finally:
        gc.unfreeze()
