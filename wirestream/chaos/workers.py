"""``wirestream worker`` subprocesses the harness can SIGKILL and restart."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from deploy.config import free_port
from wirestream.workers import spawn_worker


class Worker:
    """One worker process in its own session (its NLP pool children die with it).

    Args:
        bootstrap: bootstrap servers.
        data_dir: table state and log folder.
        env: ``WIRESTREAM_*`` settings for the worker.
        name: label used for the log file and the static-membership instance id.
    """

    def __init__(self, bootstrap: str, data_dir: Path, env: Mapping[str, str], name: str) -> None:
        self.bootstrap = bootstrap
        self.data_dir = data_dir
        self.env = dict(env)
        self.name = name
        self.log = data_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        # Faust checks a static member's web URL on rejoin: a restart must keep its port.
        self.web_port = free_port()

    def start(self) -> Worker:
        """Start (or restart) the worker; returns at once."""
        env = {"WIRESTREAM_INSTANCE_ID": self.name, **self.env}
        self.proc = spawn_worker(
            self.bootstrap,
            self.data_dir,
            web_port=self.web_port,
            env=env,
            log=self.log,
            extra_args=("--loglevel", "warn"),
        )
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes (a crash, nothing flushed)."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self, *, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after timeout; always reaps the pool processes too."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=30)
        time.sleep(0.2)
        self._signal_group(signal.SIGKILL)  # leftover pool processes

    def tail(self, lines: int = 30) -> str:
        """The end of the worker log."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def _signal_group(self, sig: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)
