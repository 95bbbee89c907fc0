"""A local multi-node KRaft cluster (every node broker+controller) built on deploy.broker.

Layout under the cluster root: ``cluster.json`` (ports, cluster id, properties) and one
``node-<id>/`` data dir per node, so single nodes can be killed and restarted in place.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy import broker
from deploy.config import Voter, free_ports, new_cluster_id
from deploy.launch import LOG_FILE

CLUSTER_FILE = "cluster.json"

# replicated internal topics and durable writes: a record acked with acks=all survives one node
REPLICATED_DEFAULTS: Mapping[str, str] = {
    "offsets.topic.replication.factor": "3",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "share.coordinator.state.topic.replication.factor": "3",
    "share.coordinator.state.topic.min.isr": "2",
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "unclean.leader.election.enable": "false",
}


@dataclass(frozen=True)
class Cluster:
    """Where a cluster lives and how its nodes are reached.

    Args:
        root: the cluster folder.
        cluster_id: shared KRaft cluster id.
        host: address every node binds to.
        ports: node id -> (client port, controller port).
        properties: server.properties overrides shared by every node.
    """

    root: Path
    cluster_id: str
    host: str
    ports: Mapping[int, tuple[int, int]]
    properties: Mapping[str, str]

    @property
    def node_ids(self) -> list[int]:
        """Node ids in order."""
        return sorted(self.ports)

    @property
    def bootstrap(self) -> str:
        """Comma-separated client addresses of every node."""
        return ",".join(self.address(node_id) for node_id in self.node_ids)

    @property
    def voters(self) -> list[Voter]:
        """The static quorum: every node is a controller."""
        return [Voter(n, self.host, self.ports[n][1]) for n in self.node_ids]

    def address(self, node_id: int) -> str:
        """host:port of one node.

        Args:
            node_id: the node.
        """
        return f"{self.host}:{self.ports[node_id][0]}"

    def node_dir(self, node_id: int) -> Path:
        """Data dir of one node.

        Args:
            node_id: the node.
        """
        return self.root / f"node-{node_id}"


def create(
    root: Path,
    *,
    size: int = 3,
    host: str = "127.0.0.1",
    extra_properties: Mapping[str, str] | None = None,
) -> Cluster:
    """Pick ports and a cluster id for a new cluster and remember them in root (starts nothing).

    Args:
        root: an empty or missing folder.
        size: number of nodes (each broker+controller).
        host: loopback address.
        extra_properties: overrides on top of REPLICATED_DEFAULTS.
    """
    root = root.expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    ports = quiet_ports(2 * size, host)
    cluster = Cluster(
        root=root,
        cluster_id=new_cluster_id(),
        host=host,
        ports={n + 1: (ports[2 * n], ports[2 * n + 1]) for n in range(size)},
        properties={**REPLICATED_DEFAULTS, **(extra_properties or {})},
    )
    state = {
        "cluster_id": cluster.cluster_id,
        "host": host,
        "ports": {str(n): list(p) for n, p in cluster.ports.items()},
        "properties": dict(cluster.properties),
    }
    (root / CLUSTER_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return cluster


def quiet_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Free ports below the OS's ephemeral range, else any free ones.

    A restarted node must get its port back; in the ephemeral range a client hammering the
    dead port can connect to itself on it (TCP self-connect) and hold it.

    Args:
        count: how many distinct ports.
        host: address to bind.
    """
    low = _ephemeral_low()
    candidates = random.Random().sample(range(20000, low), min(low - 20000, 400))
    chosen: list[int] = []
    for port in candidates:
        if len(chosen) == count:
            return chosen
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        chosen.append(port)
    return chosen if len(chosen) == count else free_ports(count, host)


def _ephemeral_low() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii")
        return max(int(text.split()[0]), 20001)
    except (OSError, ValueError, IndexError):
        return 32768


def load(root: Path) -> Cluster:
    """The cluster remembered in root.

    Args:
        root: a folder made by ``create``.
    """
    root = root.expanduser().resolve()
    state: dict[str, Any] = json.loads((root / CLUSTER_FILE).read_text(encoding="utf-8"))
    return Cluster(
        root=root,
        cluster_id=state["cluster_id"],
        host=state["host"],
        ports={int(n): (p[0], p[1]) for n, p in state["ports"].items()},
        properties=state["properties"],
    )


def start(
    cluster: Cluster,
    *,
    node_ids: Sequence[int] | None = None,
    jvm_options: Sequence[str] = broker.FAST_START_JVM_OPTIONS,
    timeout: float = 180.0,
) -> list[broker.BrokerInfo]:
    """Start the given nodes (default all) together, then wait until each serves metadata.

    Args:
        cluster: the cluster.
        node_ids: which nodes (already running ones are reported, not restarted).
        jvm_options: JVM flags per node.
        timeout: seconds for the whole cluster to become ready.
    """
    chosen = list(node_ids or cluster.node_ids)
    infos = [_start_node(cluster, n, jvm_options) for n in chosen]
    deadline = time.monotonic() + timeout
    for info in infos:
        broker.wait_ready(
            info.bootstrap,
            pid=info.pid,
            timeout=max(deadline - time.monotonic(), 1.0),
            log=Path(info.data_dir) / LOG_FILE,
        )
    return infos


def _start_node(
    cluster: Cluster, node_id: int, jvm_options: Sequence[str], *, patience: float = 15.0
) -> broker.BrokerInfo:
    deadline = time.monotonic() + patience
    while True:
        try:
            return broker.start(
                cluster.node_dir(node_id),
                port=cluster.ports[node_id][0],
                controller_port=cluster.ports[node_id][1],
                node_id=node_id,
                host=cluster.host,
                voters=cluster.voters,
                cluster_id=cluster.cluster_id,
                extra_properties=cluster.properties,
                jvm_options=jvm_options,
                wait=False,
            )
        except broker.BrokerError as error:
            # a port of a just-killed node can stay held for a moment: try again briefly
            if "already in use" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def kill(cluster: Cluster, node_id: int, *, hard: bool = True, timeout: float = 30.0) -> bool:
    """Stop one node: SIGKILL when hard (a crash), else SIGTERM (a clean shutdown).

    Args:
        cluster: the cluster.
        node_id: the node.
        hard: crash it instead of shutting it down.
        timeout: seconds to wait for it to go away.
    """
    data_dir = cluster.node_dir(node_id)
    pid = broker.running_pid(data_dir)
    if pid is None:
        return False
    if not hard:
        return broker.stop(data_dir, timeout=timeout)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while broker.running_pid(data_dir) is not None:
        if time.monotonic() > deadline:
            raise broker.BrokerError(f"node {node_id} (pid {pid}) survived SIGKILL")
        time.sleep(0.05)
    return True


def running(cluster: Cluster) -> list[int]:
    """Ids of the nodes whose process is alive.

    Args:
        cluster: the cluster.
    """
    return [n for n in cluster.node_ids if broker.running_pid(cluster.node_dir(n)) is not None]


def stop(cluster: Cluster, *, timeout: float = 30.0) -> None:
    """Stop every node (SIGTERM, SIGKILL after timeout).

    Args:
        cluster: the cluster.
        timeout: seconds per node before SIGKILL.
    """
    for n in cluster.node_ids:
        broker.stop(cluster.node_dir(n), timeout=timeout)


def remove(cluster: Cluster, *, timeout: float = 30.0) -> None:
    """Stop every node and delete the cluster folder.

    Args:
        cluster: the cluster.
        timeout: seconds per node before SIGKILL.
    """
    stop(cluster, timeout=timeout)
    shutil.rmtree(cluster.root, ignore_errors=True)
