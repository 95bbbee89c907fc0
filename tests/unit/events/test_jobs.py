"""Deciding a batch and building its event records apart gives `cluster_batch`'s outputs."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agents.eventbuilder import records_executor, reset_memo
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch, decide_batch
from pipeline.clustering.index import CandidateIndex
from pipeline.events.jobs import EventJob, build_records
from tests.unit.clustering.test_digest import _stream
from wirestream.bench import cluster as bench
from wirestream.bench import synthetic

pytestmark = pytest.mark.pure

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synthetic, "BASE_STORIES", 12)


def _batches() -> list[list[dict[str, Any]]]:
    articles = _stream()
    return [articles[start : start + 50] for start in range(0, len(articles), 50)]


def _serial(batches: list[list[dict[str, Any]]]) -> list[tuple[Any, Any]]:
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=ClusterConfig().lsh_bands)
    return [
        cluster_batch(batch, state=state, now=NOW + timedelta(minutes=i), index=index)
        for i, batch in enumerate(copy.deepcopy(batches))
    ]


def test_jobs_built_after_every_later_batch_give_the_serial_records() -> None:
    batches = _batches()
    serial = _serial(batches)
    assert sum(len(events) for _, events in serial) > len(batches)  # precondition: records
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=ClusterConfig().lsh_bands)
    decided, jobs, frozen = [], [], []
    for i, batch in enumerate(copy.deepcopy(batches)):
        done, more = decide_batch(batch, state=state, now=NOW + timedelta(minutes=i), index=index)
        decided.append(done)
        jobs.append(more)
        frozen.append(copy.deepcopy(more))
    # Later batches changed the events (members, versions); the jobs kept their own view.
    assert jobs == frozen
    memo: dict[str, Any] = {}  # another process's memo: cold, and shared by every batch
    for i, (done, more) in enumerate(zip(decided, jobs, strict=True)):
        assert done == serial[i][0]
        assert build_records(more, now=NOW + timedelta(minutes=i), memo=memo) == serial[i][1]


def test_a_big_event_summary_comes_from_the_memo_only_when_its_members_match() -> None:
    batches = _batches()
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=ClusterConfig().lsh_bands)
    jobs = []
    for i, batch in enumerate(copy.deepcopy(batches)):
        jobs += decide_batch(batch, state=state, now=NOW + timedelta(minutes=i), index=index)[1]
    memo: dict[str, Any] = {}
    cold = build_records(jobs, now=NOW, memo=None)
    assert build_records(jobs, now=NOW, memo=memo) == cold
    assert build_records(jobs, now=NOW, memo=memo) == cold  # warm memo: same records


def test_the_bench_pipelined_measure_builds_the_serial_records() -> None:
    state, index = synthetic.prefill(60)
    again, index_again = synthetic.prefill(60)
    fresh = synthetic.fresh_articles(60, 80)
    executor = records_executor()
    try:
        executor.submit(reset_memo).result()
        decided, events, used = bench.pipelined(
            copy.deepcopy(fresh), state=state, index=index, records=executor, batch=20
        )
    finally:
        executor.shutdown()
    now = bench.NOW + timedelta(seconds=1)
    expected: tuple[list[Any], list[Any]] = ([], [])
    for start in range(0, len(fresh), 20):
        done, records = cluster_batch(
            fresh[start : start + 20], state=again, now=now, index=index_again
        )
        expected[0].extend(done)
        expected[1].extend(records)
    assert (decided, events) == expected and events
    assert used["seconds"] > 0 and used["records_cpu"] > 0


def test_a_founding_record_ignores_the_memo_of_an_evicted_namesake() -> None:
    snapshots = [a["features"]["snapshot"] for story in synthetic.base_pool(12) for a in story]
    members = [
        dict(s, article_id=f"{n:024x}", source=f"outlet{n}") for n, s in enumerate(snapshots[:10])
    ]
    job = EventJob("e", 5, members, [m["article_id"] for m in members])
    memo: dict[str, Any] = {}
    right = build_records([job], now=NOW, memo=memo)[0]
    key, _, scores, *_ = memo["e"]  # precondition: a big event, memoized
    memo["e"] = (key, [{"text": "stale", "sources": [1]}], scores)
    assert build_records([job], now=NOW, memo=memo)[0]["summary"][0]["text"] == "stale"
    founding = dataclasses.replace(job, version=1)
    assert build_records([founding], now=NOW, memo=memo)[0]["summary"] == right["summary"]


def test_a_big_event_title_is_kept_with_its_summary_and_dropped_with_it() -> None:
    snapshots = [a["features"]["snapshot"] for story in synthetic.base_pool(12) for a in story]
    members = [
        dict(s, article_id=f"{n:024x}", source=f"outlet{n}") for n, s in enumerate(snapshots[:11])
    ]
    job = EventJob("e", 5, members[:10], [m["article_id"] for m in members[:10]])
    memo: dict[str, Any] = {}
    right = build_records([job], now=NOW, memo=memo)[0]
    key, summary, scores, title = memo["e"]  # precondition: memoized with its title
    assert title == right["title"]
    memo["e"] = (key, summary, scores, "stale title")
    assert build_records([job], now=NOW, memo=memo)[0]["title"] == "stale title"
    grown = EventJob("e", 6, members, [m["article_id"] for m in members])
    assert build_records([grown], now=NOW, memo=memo)[0]["title"] == build_records(
        [grown], now=NOW, memo=None
    )[0]["title"]
