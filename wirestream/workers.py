"""Start ``wirestream worker`` subprocesses (demo, benchmarks, chaos runs and tests)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def spawn_worker(
    bootstrap: str,
    data_dir: Path,
    *,
    web_port: int,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    extra_args: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Start a worker in its own process group (so its pool dies with it); return at once.

    Args:
        bootstrap: bootstrap servers.
        data_dir: the worker's table state and files.
        web_port: its web port (metrics, health, status page).
        env: ``WIRESTREAM_*`` settings on top of this process's environment.
        log: where stdout and stderr are appended (default ``data_dir/worker.log``).
        extra_args: more ``wirestream worker`` options.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "wirestream", "worker", "--broker", bootstrap,
        "--data-dir", str(data_dir), "--web-port", str(web_port), *extra_args,
    ]  # fmt: skip
    with open(log or data_dir / "worker.log", "ab") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )


def prestart_pool(workers: int, model: str) -> ProcessPoolExecutor:
    """Spawn the NLP pool now, so its model load overlaps the worker's own start-up.

    Args:
        workers: pool processes.
        model: spaCy model name (empty for the default).
    """
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_load_in_pool,
        initargs=(model,),
    )
    # The worker imports for ~7 s and a pool process loads spaCy for ~11 s: one after the
    # other they kept a restarted worker from producing for over 20 s.
    for _ in range(workers):
        executor.submit(bool)  # a process starts per pending task
    return executor


def prestart_records() -> ProcessPoolExecutor:
    """Spawn the cluster agent's records process now (one process, no model), beside the pool."""
    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    executor.submit(_import_records)  # imports the record builder while the worker starts
    return executor


def _import_records() -> None:
    import agents.eventbuilder  # noqa: F401  (in the records process only)


def _load_in_pool(model: str) -> None:
    # Imported in the pool process only: the parent does not wait for these imports.
    from agents.pool import _init_worker
    from agents.resources import resource_loader

    _init_worker(resource_loader(model))
