"""``wirestream events serve`` in the background, for the demo: start once, find, stop."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from deploy import lifecycle

PID_FILE = "events.pid"


def running_pid(folder: Path) -> int | None:
    """The pid of the service started in ``folder``, if it still runs."""
    return lifecycle.recorded_pid(folder / PID_FILE)


def start(folder: Path, *, bootstrap: str, port: int) -> int:
    """Start the service unless it runs; its file, log and pid file live in ``folder``.

    Args:
        folder: the service's folder (``events.sqlite3``, ``events.log``, ``events.pid``).
        bootstrap: bootstrap servers.
        port: its HTTP port.
    """
    pid = running_pid(folder)
    if pid is not None:
        return pid
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "wirestream", "events", "serve", "--broker", bootstrap,
        "--port", str(port), "--db", str(folder / "events.sqlite3"),
    ]  # fmt: skip
    with open(folder / "events.log", "ab") as log:
        child = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (folder / PID_FILE).write_text(str(child.pid))
    return child.pid


def stop(folder: Path, timeout: float = 20.0) -> bool:
    """Stop the service started in ``folder``; False if none ran."""
    return lifecycle.stop_recorded(folder / PID_FILE, timeout=timeout)


def wait_for_events(base: str, want: set[str], *, timeout: float = 60.0) -> bool:
    """Wait until the service at ``base`` is ready and lists every event id in ``want``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            if want <= {card["event_id"] for card in _listed(base)}:
                return True
        time.sleep(0.5)
    return False


def _listed(base: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base}/ready", timeout=2) as response:
        if response.status != 200:
            return []
    with urllib.request.urlopen(f"{base}/api/events?limit=200", timeout=5) as response:
        events: list[dict[str, Any]] = json.loads(response.read())["events"]
        return events
