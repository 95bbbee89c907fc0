"""Start, stop and inspect one local KRaft Kafka node (broker+controller) living in a data dir.

Files in the data dir: server.properties, log4j2.properties, broker.log, broker.pid,
broker.json (ports, node id, cluster id) and kraft/ (the node's log.dirs).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from deploy import lifecycle
from deploy.config import NodeConfig, Voter, port_open
from deploy.jars import Progress, ensure_jars
from deploy.java import find_java
from deploy.launch import (
    FAST_START_JVM_OPTIONS,
    JVM_OPTIONS,
    LOG_FILE,
    PID_FILE,
    STATE_FILE,
    BrokerError,
    launch,
    metadata_ok,
    prepare,
    wait_ready,
)

# what status() repeats from broker.json
STATE_KEYS = ("bootstrap", "port", "controller_port", "node_id", "cluster_id", "kafka_version")

__all__ = [
    "FAST_START_JVM_OPTIONS",
    "JVM_OPTIONS",
    "PID_FILE",
    "BrokerError",
    "BrokerInfo",
    "metadata_ok",
    "remove",
    "running_pid",
    "start",
    "status",
    "stop",
    "wait_ready",
]


@dataclass(frozen=True)
class BrokerInfo:
    """A running node: where to reach it and how it was found."""

    data_dir: str
    pid: int
    bootstrap: str
    port: int
    controller_port: int
    node_id: int
    cluster_id: str
    log: str
    already_running: bool
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able view."""
        return asdict(self)


def start(
    data_dir: Path,
    *,
    port: int = 9092,
    controller_port: int = 9093,
    node_id: int = 1,
    host: str = "127.0.0.1",
    voters: Sequence[Voter] = (),
    cluster_id: str | None = None,
    extra_properties: Mapping[str, str] | None = None,
    jvm_options: Sequence[str] = JVM_OPTIONS,
    java: Path | None = None,
    lib_dir: Path | None = None,
    wait: bool = True,
    timeout: float = 90.0,
    progress: Progress | None = None,
) -> BrokerInfo:
    """Start a node in data_dir unless one already runs there; wait until it serves metadata.

    Args:
        data_dir: the node's folder (created; storage is formatted once).
        port: PLAINTEXT client port.
        controller_port: CONTROLLER port.
        node_id: KRaft node id.
        host: address to bind and advertise.
        voters: the full static quorum for a multi-node cluster; empty for a single node.
        cluster_id: shared id of a multi-node cluster (default: kept from earlier or new).
        extra_properties: server.properties overrides.
        jvm_options: JVM flags (heap size and such).
        java: java executable (default: find_java()).
        lib_dir: folder with the broker jars (default: ensure_jars()).
        wait: wait for readiness (False lets a caller start several nodes first).
        timeout: seconds to wait for readiness.
        progress: jar download progress callback.
    """
    began = time.monotonic()
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with lifecycle.locked(data_dir / ".lock"):
        pid = running_pid(data_dir)
        if pid is not None:
            info = _info(data_dir, pid, already_running=True, began=began)
            if wait:
                wait_ready(info.bootstrap, pid=pid, timeout=timeout, log=data_dir / LOG_FILE)
            return info
        node = NodeConfig(
            node_id, host, port, controller_port, tuple(voters), dict(extra_properties or {})
        )
        for busy in (port, controller_port):
            if port_open(host, busy):
                raise BrokerError(f"{host}:{busy} is already in use by another process")
        java_path = java or find_java().path
        lib = lib_dir or ensure_jars(progress=progress)
        prepare(data_dir, node, cluster_id, java_path, lib)
        pid = launch(data_dir, java_path, lib, jvm_options)
    info = _info(data_dir, pid, already_running=False, began=began)
    if wait:
        try:
            wait_ready(info.bootstrap, pid=pid, timeout=timeout, log=data_dir / LOG_FILE)
        except BrokerError:
            stop(data_dir, timeout=10)
            raise
    return BrokerInfo(**{**info.to_dict(), "seconds": round(time.monotonic() - began, 3)})


def stop(data_dir: Path, *, timeout: float = 30.0) -> bool:
    """Stop the node of data_dir: SIGTERM, then SIGKILL after timeout. False if none ran.

    Args:
        data_dir: the node's folder.
        timeout: seconds to wait for a clean shutdown before SIGKILL.
    """
    data_dir = data_dir.expanduser().resolve()
    pid = running_pid(data_dir)
    if pid is None:
        (data_dir / PID_FILE).unlink(missing_ok=True)
        return False
    if not lifecycle.terminate(pid, timeout=timeout):
        raise BrokerError(f"broker pid {pid} survived SIGKILL")
    (data_dir / PID_FILE).unlink(missing_ok=True)
    return True


def status(data_dir: Path, *, probe_timeout: float = 5.0) -> dict[str, Any]:
    """What runs in data_dir: running, pid, ports, bootstrap and whether it answers metadata.

    Args:
        data_dir: the node's folder.
        probe_timeout: seconds for the metadata request.
    """
    data_dir = data_dir.expanduser().resolve()
    state = _read_state(data_dir)
    pid = running_pid(data_dir)
    bootstrap = state.get("bootstrap")
    reachable = bool(pid and bootstrap and metadata_ok(bootstrap, timeout=probe_timeout))
    return {
        "running": pid is not None,
        "reachable": reachable,
        "pid": pid,
        "stale_pid_file": pid is None and (data_dir / PID_FILE).exists(),
        "data_dir": str(data_dir),
        "log": str(data_dir / LOG_FILE),
        **{key: state.get(key) for key in STATE_KEYS},
    }


def running_pid(data_dir: Path) -> int | None:
    """Pid of the live broker of data_dir, or None (a stale pid file counts as none).

    Args:
        data_dir: the node's folder.
    """
    try:
        pid = int((data_dir / PID_FILE).read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None
    config = str(data_dir / "server.properties")
    return pid if lifecycle.is_running(pid, must_contain=("kafka.Kafka", config)) else None


def remove(data_dir: Path, *, timeout: float = 30.0) -> None:
    """Stop the node if it runs, then delete its data dir.

    Args:
        data_dir: the node's folder.
        timeout: seconds before SIGKILL.
    """
    stop(data_dir, timeout=timeout)
    shutil.rmtree(data_dir, ignore_errors=True)


def _read_state(data_dir: Path) -> dict[str, Any]:
    with contextlib.suppress(FileNotFoundError, ValueError):
        state = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
        if isinstance(state, dict):
            return state
    return {}


def _info(data_dir: Path, pid: int, *, already_running: bool, began: float) -> BrokerInfo:
    state = _read_state(data_dir)
    return BrokerInfo(
        data_dir=str(data_dir),
        pid=pid,
        bootstrap=state["bootstrap"],
        port=state["port"],
        controller_port=state["controller_port"],
        node_id=state["node_id"],
        cluster_id=state["cluster_id"],
        log=str(data_dir / LOG_FILE),
        already_running=already_running,
        seconds=round(time.monotonic() - began, 3),
    )
