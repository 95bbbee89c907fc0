"""Launch a Kafka node's JVM: write its config, format KRaft storage once, start it, wait for it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from deploy import lifecycle
from deploy.config import LOG4J2_TEMPLATE, NodeConfig, new_cluster_id, port_open, render_properties
from deploy.jars import LOCK_FILE, kafka_version, read_lock

STATE_FILE = "broker.json"
PID_FILE = "broker.pid"
LOG_FILE = "broker.log"
LOG_DIR = "kraft"
JVM_OPTIONS = ("-Xmx512m", "-Xms128m")
# C1-only JIT: about half the start-up time on a busy 2-core machine, lower peak throughput
FAST_START_JVM_OPTIONS = (*JVM_OPTIONS, "-XX:TieredStopAtLevel=1")
# the storage tool runs for a second: the C1 compiler alone starts it faster
FORMAT_JVM_OPTIONS = ("-Xmx256m", "-XX:TieredStopAtLevel=1")


class BrokerError(RuntimeError):
    """The broker could not be started or did not become ready."""


def wait_ready(bootstrap: str, *, pid: int | None, timeout: float, log: Path | None) -> None:
    """Block until bootstrap answers a metadata request; fail early if the process dies.

    Args:
        bootstrap: host:port.
        pid: the broker process to watch (None: don't watch).
        timeout: seconds.
        log: broker log whose tail goes into the error message.
    """
    host, port = bootstrap.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not lifecycle.is_running(pid):
            raise BrokerError(f"broker exited during startup{log_tail(log)}")
        if port_open(host, int(port)) and metadata_ok(bootstrap, timeout=5.0):
            return
        time.sleep(0.2)
    raise BrokerError(f"broker at {bootstrap} not ready after {timeout:.0f} s{log_tail(log)}")


def metadata_ok(bootstrap: str, *, timeout: float) -> bool:
    """True when a metadata request to bootstrap lists at least one broker.

    Args:
        bootstrap: host:port.
        timeout: seconds.
    """
    from kafka import KafkaAdminClient  # lazy: deploy/ stays stdlib-only at import

    millis = max(int(timeout * 1000), 100)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="wirestream-broker-probe",
            bootstrap_timeout_ms=millis,
            request_timeout_ms=millis,
        )
    except Exception:  # any failure to connect just means "not reachable"
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except Exception:
        return False
    finally:
        admin.close()


def prepare(data_dir: Path, node: NodeConfig, cluster_id: str | None, java: Path, lib: Path) -> str:
    log_dir = data_dir / LOG_DIR
    formatted = formatted_cluster_id(log_dir)
    if formatted and cluster_id and formatted != cluster_id:
        raise BrokerError(f"{log_dir} belongs to cluster {formatted}, not {cluster_id}")
    cluster = formatted or cluster_id or new_cluster_id()
    config = data_dir / "server.properties"
    config.write_text(render_properties(node, log_dir), encoding="utf-8")
    shutil.copyfile(LOG4J2_TEMPLATE, data_dir / "log4j2.properties")
    if not formatted:
        format_storage(data_dir, java, lib, cluster)
    state = {
        **asdict(node),
        "voters": node.quorum,
        "bootstrap": node.bootstrap,
        "cluster_id": cluster,
        "kafka_version": kafka_version(read_lock(LOCK_FILE)),
        "java": str(java),
        "lib_dir": str(lib),
    }
    (data_dir / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return cluster


def format_storage(data_dir: Path, java: Path, lib: Path, cluster: str) -> None:
    command = [
        *java_command(data_dir, java, lib, FORMAT_JVM_OPTIONS),
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster,
        "-c",
        str(data_dir / "server.properties"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise BrokerError(f"formatting storage failed:\n{done.stdout}{done.stderr}")


def launch(data_dir: Path, java: Path, lib: Path, jvm_options: Sequence[str]) -> int:
    command = [
        *java_command(data_dir, java, lib, jvm_options),
        "kafka.Kafka",
        str(data_dir / "server.properties"),
    ]
    with (data_dir / LOG_FILE).open("ab") as log:
        # own session: the broker outlives the CLI and a Ctrl-C in the terminal
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=data_dir,
            start_new_session=True,
        )
    lifecycle.adopt(child)
    (data_dir / PID_FILE).write_text(f"{child.pid}\n", encoding="ascii")
    return child.pid


def java_command(data_dir: Path, java: Path, lib: Path, jvm_options: Sequence[str]) -> list[str]:
    return [
        str(java),
        *jvm_options,
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={data_dir / 'log4j2.properties'}",
        "-cp",
        f"{lib}{os.sep}*",
    ]


def formatted_cluster_id(log_dir: Path) -> str | None:
    meta = log_dir / "meta.properties"
    if not meta.exists():
        return None
    for line in meta.read_text(encoding="utf-8").splitlines():
        if line.startswith("cluster.id="):
            return line.split("=", 1)[1].strip()
    raise BrokerError(f"{meta} has no cluster.id")


def log_tail(log: Path | None, lines: int = 15) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"; last lines of {log}:\n" + "\n".join(text)
