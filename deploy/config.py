"""KRaft node settings: one combined broker+controller, rendered as server.properties."""

from __future__ import annotations

import base64
import socket
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LOG4J2_TEMPLATE = Path(__file__).resolve().parent / "kafka" / "log4j2.properties"

# single-node dev defaults; a multi-node cluster overrides the replication ones via extra
DEV_DEFAULTS: Mapping[str, str] = {
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "true",
    "num.partitions": "1",
    "default.replication.factor": "1",
}


@dataclass(frozen=True)
class Voter:
    """One controller of the static KRaft quorum."""

    node_id: int
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.node_id}@{self.host}:{self.port}"


@dataclass(frozen=True)
class NodeConfig:
    """Ports, identity and quorum of one combined broker+controller node.

    Args:
        node_id: KRaft node id, unique in the cluster.
        host: loopback (or other) address both listeners bind to.
        port: PLAINTEXT client port.
        controller_port: CONTROLLER listener port.
        voters: the whole static quorum; empty means this node alone.
        extra: properties that override DEV_DEFAULTS or add to them.
    """

    node_id: int = 1
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    voters: Sequence[Voter] = ()
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def bootstrap(self) -> str:
        """host:port for clients."""
        return f"{self.host}:{self.port}"

    @property
    def quorum(self) -> str:
        """Value of controller.quorum.voters."""
        voters = self.voters or (Voter(self.node_id, self.host, self.controller_port),)
        return ",".join(str(voter) for voter in voters)


def render_properties(node: NodeConfig, log_dir: Path) -> str:
    """server.properties text for a node (no trailing comments: Kafka would read them as values).

    Args:
        node: the node settings.
        log_dir: where the node keeps its data (log.dirs).
    """
    properties = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "listeners": (
            f"PLAINTEXT://{node.host}:{node.port},CONTROLLER://{node.host}:{node.controller_port}"
        ),
        "advertised.listeners": f"PLAINTEXT://{node.bootstrap}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.voters": node.quorum,
        "log.dirs": str(log_dir),
        **DEV_DEFAULTS,
        **node.extra,
    }
    lines = []
    for key, value in properties.items():
        if any(bad in f"{key}{value}" for bad in "\r\n") or "=" in key:
            raise ValueError(f"bad property {key!r}={value!r}")
        lines.append(f"{key}={value}")
    return (
        "# written by wirestream deploy.broker; edits are overwritten on start\n"
        + "\n".join(lines)
        + "\n"
    )


def new_cluster_id() -> str:
    """A Kafka cluster id, as `kafka-storage random-uuid` makes it, without starting a JVM."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        # Kafka rejects ids whose text starts with '-' (they read like CLI flags)
        if not text.startswith("-"):
            return text


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS may hand it out again later).

    Args:
        host: address to probe.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Several distinct free ports, held open together so they cannot repeat.

    Args:
        count: how many ports.
        host: address to probe.
    """
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port.

    Args:
        host: address.
        port: port.
        timeout: connect timeout in seconds.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
