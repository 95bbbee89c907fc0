"""Start ``wirestream worker`` subprocesses (demo, benchmarks, chaos runs and tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
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
