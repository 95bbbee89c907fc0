"""The heap keeper: unfrozen generations collected, then survivors frozen, every N batches."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, datetime
from typing import Any

import pytest

from agents import eventbuilder
from agents.cluster import IndexHolder
from agents.eventbuilder import build_in_worker, records_executor
from agents.heap import HeapKeeper
from pipeline.clustering.config import ClusterConfig
from pipeline.events.build import member_snapshot
from pipeline.events.jobs import EventJob, build_records

pytestmark = pytest.mark.agents

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
_MEMBER = member_snapshot(
    {
        "article_id": "a1",
        "source": "example.org",
        "title": "Harbour bridge reopens after repairs",
        "text": "The harbour bridge reopened on Monday after six weeks of repairs. "
        "Traffic returned to both lanes by noon, the city said.",
        "entities": [{"name": "Monday", "label": "DATE", "count": 1}],
    }
)


def _recording(every: int, young: int | None = None) -> tuple[HeapKeeper, list[str]]:
    calls: list[str] = []
    keeper = HeapKeeper(
        every=every,
        young=young,
        collect=lambda generation: calls.append(f"collect {generation}"),
        freeze=lambda: calls.append("freeze"),
    )
    return keeper, calls


def test_settling_collects_what_is_not_frozen_before_freezing() -> None:
    keeper, calls = _recording(every=3)
    for _ in range(7):
        keeper.batch_done()
    assert calls == ["collect 2", "freeze"] * 2 and keeper.freezes == 2


def test_a_keeper_of_young_generations_collects_them_after_every_other_batch() -> None:
    keeper, calls = _recording(every=3, young=1)
    for _ in range(4):
        keeper.batch_done()
    assert calls == ["collect 1", "collect 1", "collect 2", "freeze", "collect 1"]


def test_the_records_process_collects_once_per_batch_with_automatic_collection_off() -> None:
    executor = records_executor()
    try:
        assert executor.submit(gc.isenabled).result() is False
        job = EventJob("e", 1, [dict(_MEMBER)], [_MEMBER["article_id"]])
        built = executor.submit(build_in_worker, [job], NOW).result()
    finally:
        executor.shutdown()
    assert built == build_records([job], now=NOW, memo={})


def test_a_built_batch_is_counted_by_the_records_process_keeper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keeper, calls = _recording(every=100, young=1)
    monkeypatch.setattr(eventbuilder._Held, "heap", keeper)
    job = EventJob("e", 1, [dict(_MEMBER)], [_MEMBER["article_id"]])
    eventbuilder.build_in_worker([job], NOW)
    assert calls == ["collect 1"] and keeper.batches == 1


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
