"""A process pool whose workers load the NLP resources once and prepare whole batches."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from pipeline.records import Incoming, Limits
from pipeline.stages import prepare_batch


@dataclass(frozen=True)
class Resources:
    """What a pool worker holds for its whole life."""

    nlp: Any
    classifier: Any


ResourceLoader = Callable[[], Resources]
# An enriched article as the ingest agent sends it: (key, value) = (article id, JSON).
Encoded = tuple[bytes, bytes]


class _Held:
    """The per-process resources, set once by the pool initializer."""

    resources: Resources | None = None


def _init_worker(loader: ResourceLoader) -> None:
    _Held.resources = loader()


def _prepare_in_worker(
    messages: Sequence[Incoming], now: datetime, limits: Limits, batch_size: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    resources = _Held.resources
    if resources is None:
        raise RuntimeError("pool worker used before its initializer ran")
    return prepare_batch(
        messages,
        nlp=resources.nlp,
        classifier=resources.classifier,
        now=now,
        limits=limits,
        batch_size=batch_size,
    )


def _prepare_encoded_in_worker(
    messages: Sequence[Incoming], now: datetime, limits: Limits, batch_size: int
) -> tuple[list[Encoded], list[dict[str, Any]]]:
    enriched, deadletters = _prepare_in_worker(messages, now, limits, batch_size)
    # JSON bytes cross the process boundary far cheaper than the pickled dicts would, and
    # the event loop has nothing left to encode.
    return [(a["article_id"].encode(), orjson.dumps(a)) for a in enriched], deadletters


def _warm_up() -> bool:
    return _Held.resources is not None


class NlpPool:
    """Runs ``prepare_batch`` off the event loop, one pool task per batch."""

    def __init__(
        self,
        loader: ResourceLoader,
        *,
        workers: int = 1,
        limits: Limits | None = None,
        batch_size: int = 32,
        executor: Executor | None = None,
    ) -> None:
        """Create the pool (processes start lazily, on first use or ``start``).

        Args:
            loader: a picklable top-level function returning ``Resources``.
            workers: number of worker processes.
            limits: normalization limits.
            batch_size: ``nlp.pipe`` batch size.
            executor: an executor to use instead (the worker's pre-started pool, tests); its
                processes must have run ``loader``'s resources through ``_init_worker``.
        """
        self._loader = loader
        self._workers = workers
        self._limits = limits or Limits()
        self._batch_size = batch_size
        self._executor = executor
        self.batches_submitted = 0
        # Read by the worker's readiness check and model-load metric.
        self.ready = False
        self.load_seconds: float | None = None

    @property
    def workers(self) -> int:
        """Number of worker processes."""
        return self._workers

    def _ensure(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self._loader,),
            )
        return self._executor

    async def start(self) -> None:
        """Start every worker and wait until each has loaded its model."""
        executor = self._ensure()
        loop = asyncio.get_running_loop()
        began = time.perf_counter()
        await asyncio.gather(
            *(loop.run_in_executor(executor, _warm_up) for _ in range(self._workers))
        )
        self.load_seconds = time.perf_counter() - began
        self.ready = True

    async def prepare(
        self, messages: Sequence[Incoming], *, now: datetime
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Normalize and enrich one batch in a worker process.

        Args:
            messages: the raw batch.
            now: the batch's ingestion time.
        """
        return await self._submit(_prepare_in_worker, messages, now)

    async def prepare_encoded(
        self, messages: Sequence[Incoming], *, now: datetime
    ) -> tuple[list[Encoded], list[dict[str, Any]]]:
        """Like ``prepare``, but each enriched article comes back as ``(key, JSON value)``.

        Args:
            messages: the raw batch.
            now: the batch's ingestion time.
        """
        return await self._submit(_prepare_encoded_in_worker, messages, now)

    async def _submit(
        self, task: Callable[..., Any], messages: Sequence[Incoming], now: datetime
    ) -> Any:
        loop = asyncio.get_running_loop()
        self.batches_submitted += 1
        return await loop.run_in_executor(
            self._ensure(), task, list(messages), now, self._limits, self._batch_size
        )

    def close(self) -> None:
        """Stop the worker processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
