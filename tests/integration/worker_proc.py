"""Run ``wirestream worker`` as a real subprocess against a test broker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from deploy.config import free_port
from wirestream.workers import spawn_worker


class WorkerProcess:
    """A worker subprocess with its own data dir, app id and log file."""

    def __init__(
        self,
        bootstrap: str,
        data_dir: Path,
        *,
        app_id: str,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.data_dir = data_dir
        self.app_id = app_id
        self.web_port = free_port()
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "worker.log"

    def start(self) -> WorkerProcess:
        """Start the worker (returns at once; output appears when it is ready)."""
        env = {"WIRESTREAM_APP_ID": self.app_id, **self.extra_env}
        self.proc = spawn_worker(
            self.bootstrap, self.data_dir, web_port=self.web_port, env=env, log=self.log
        )
        return self

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        """Stop the worker and its pool processes."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # leftover pool processes

    def tail(self, lines: int = 40) -> str:
        """The end of the worker log, for assertion messages."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
