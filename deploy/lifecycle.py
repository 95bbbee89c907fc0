"""Process helpers for detached processes: liveness by pid and command line, pid files,
termination, locks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

# brokers started by this Python process, kept so they are reaped instead of left as zombies
_children: dict[int, subprocess.Popen[bytes]] = {}


def adopt(child: subprocess.Popen[bytes]) -> None:
    """Remember a child we launched so liveness checks can reap it.

    Args:
        child: the launched process.
    """
    _children[child.pid] = child


def is_running(pid: int, *, must_contain: Sequence[str] = ()) -> bool:
    """True when pid is alive (not a zombie) and its command line has every given part.

    Args:
        pid: process id.
        must_contain: strings its command line must contain (guards against pid reuse).
    """
    child = _children.get(pid)
    if child is not None:
        # our own child: poll() is the truth and reaps it
        if child.poll() is not None:
            del _children[pid]
            return False
    elif not _alive(pid):
        return False
    if not must_contain:
        return True
    command = command_line(pid)
    return command is not None and all(part in command for part in must_contain)


def command_line(pid: int) -> str | None:
    """The command line of pid, from /proc or `ps`; None when unknown.

    Args:
        pid: process id.
    """
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.parent.exists():
        with contextlib.suppress(OSError):
            return proc.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        return None
    try:
        done = subprocess.run(
            ["ps", "-o", "command=", "-p", str(pid)],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def terminate(pid: int, *, timeout: float, kill_wait: float = 10.0) -> bool:
    """SIGTERM pid, wait up to timeout, then SIGKILL; True when it is gone.

    Args:
        pid: process id (a session leader we launched).
        timeout: seconds for a clean exit.
        kill_wait: seconds to wait after SIGKILL.
    """
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, kill_wait)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not is_running(pid):
                _children.pop(pid, None)
                return True
            time.sleep(0.1)
    return not is_running(pid)


def recorded_pid(pid_file: Path) -> int | None:
    """The pid a pid file names, if that process still runs.

    Args:
        pid_file: a file holding one pid.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if is_running(pid) else None


def stop_recorded(pid_file: Path, *, timeout: float) -> bool:
    """SIGTERM the process a pid file names, then SIGKILL its process group; False if none ran.

    Args:
        pid_file: the file written when the process (a session leader) was started.
        timeout: seconds for a clean exit before the group is killed.
    """
    pid = recorded_pid(pid_file)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and recorded_pid(pid_file) is not None:
        time.sleep(0.2)
    if recorded_pid(pid_file) is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # its children (the NLP pool) go with it
    pid_file.unlink(missing_ok=True)
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on path (two starts on one data dir run one at a time).

    Args:
        path: lock file, created if needed.
    """
    try:
        import fcntl
    except ImportError:  # no fcntl on Windows: go without the lock
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive but owned by someone else; the command line check still applies
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # the state letter follows the ")" that closes the command name
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]
