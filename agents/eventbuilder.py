"""Event records built in a dedicated process while the cluster agent decides the next batch."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from agents.heap import HeapKeeper
from pipeline.events.jobs import EventJob, build_record, build_records

log = logging.getLogger(__name__)

MEMO_CAP = 4096  # big events' summaries kept by a records process (oldest dropped first)


class _Held:
    """The records process's memo of big events' summaries.

    Derived, not state: each entry is checked against its key (the competing members), so
    a cold, trimmed or lost memo only costs time; the table never holds it.
    """

    memo: ClassVar[dict[str, Any]] = {}
    heap: ClassVar[HeapKeeper | None] = None


def _start_records_process() -> None:
    """Collect cycles once per batch instead of every 700 allocations: a batch's jobs and
    records are freed by reference counting, and the automatic collections cost about as
    much as unpickling them."""
    gc.disable()
    _Held.heap = HeapKeeper(young=1)
    _Held.heap.settle()


def build_in_worker(jobs: list[EventJob], now: datetime) -> list[dict[str, Any]]:
    """Build a batch's event records in the records process, with its own summary memo.

    Args:
        jobs: the batch's record jobs (`pipeline.clustering.decide.decide_batch`).
        now: the batch's clock.
    """
    try:
        return _trimmed(build_records(jobs, now=now, memo=_Held.memo), _Held.memo)
    finally:
        if _Held.heap is not None:  # this batch's cycles, if any: what it left alive is scanned
            _Held.heap.batch_done()


def _trimmed(records: list[dict[str, Any]], memo: dict[str, Any]) -> list[dict[str, Any]]:
    while len(memo) > MEMO_CAP:  # evicted events never come back: drop the oldest entries
        memo.pop(next(iter(memo)))
    return records


def reset_memo() -> int:
    """Empty the records process's memo (benchmarks start cold); returns its process id."""
    import os

    _Held.memo = {}
    return os.getpid()


def cpu_seconds() -> float:
    """The records process's CPU time so far (benchmarks count both processes)."""
    return time.process_time()


def records_executor() -> ProcessPoolExecutor:
    """A one-process spawn pool for event records, started now (not the NLP pool, whose
    queue would make records wait behind NLP batches)."""
    executor = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_records_process,
    )
    executor.submit(reset_memo)  # a process starts per pending task: import while we start
    return executor


@dataclass
class Built:
    """A batch's event records, and the events whose record could not be built."""

    records: list[dict[str, Any]]
    failed: dict[str, str] = field(default_factory=dict)  # event id -> error


class EventBuilder:
    """Builds each batch's records in the records process, or here when it is missing or dies.

    Args:
        executor: the records pool (`records_executor`); None builds on the event loop.
    """

    def __init__(self, executor: Executor | None = None) -> None:
        self.executor = executor
        self.memo: dict[str, Any] = {}  # the in-process fallback's own derived memo
        self.fallbacks = 0

    def start(self, jobs: list[EventJob], now: datetime) -> asyncio.Future[Built]:
        """Submit a batch's jobs now; the returned future gives its records.

        Args:
            jobs: the batch's record jobs.
            now: the batch's clock.
        """
        remote, executor = None, self.executor
        if executor is not None and jobs:
            try:
                remote = executor.submit(build_in_worker, jobs, now)
            except (BrokenProcessPool, RuntimeError):
                self._lost("records pool refused a batch", executor)
                self.fallbacks += 1
        return asyncio.ensure_future(self._collect(remote, executor, jobs, now))

    async def _collect(
        self,
        remote: Future[list[dict[str, Any]]] | None,
        executor: Executor | None,
        jobs: list[EventJob],
        now: datetime,
    ) -> Built:
        if remote is not None:
            try:
                return Built(await asyncio.wrap_future(remote))
            except BrokenProcessPool:
                self._lost("records process died", executor)
            except Exception:
                log.exception("records process failed a batch; building it here")
            self.fallbacks += 1
        return self._here(jobs, now)

    def _here(self, jobs: list[EventJob], now: datetime) -> Built:
        try:
            return Built(_trimmed(build_records(jobs, now=now, memo=self.memo), self.memo))
        except Exception:
            log.exception("building event records failed; retrying one by one")
        built = Built([])
        for job in jobs:
            try:
                built.records.append(build_record(job, now=now, memo=self.memo))
            except Exception as exc:
                built.failed[job.event_id] = f"{type(exc).__name__}: {exc}"
        return built

    def _lost(self, what: str, failed: Executor | None) -> None:
        # Never drop outputs: this batch is built here, later ones in a fresh process.
        log.error("%s; building its records in the worker", what)
        if failed is not self.executor:
            return  # another batch queued there already replaced it: keep the new process
        log.error("starting a new records process")
        if failed is not None:
            failed.shutdown(wait=False, cancel_futures=True)
        try:
            self.executor = records_executor()
        except Exception:
            log.exception("no new records process; records are built in the worker from now on")
            self.executor = None

    def close(self) -> None:
        """Stop the records process."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
