"""Inputs for a chaos run: unique raw articles, a rate-limited producer thread, progress probes."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from config.settings import Settings
from wirestream.bench.corpus import raw_lines
from wirestream.kafka import end_offsets, topic_specs

# the broker stamps output records when it appends them: recovery is measured on its clock
APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}


def make_inputs(prefix: str, count: int) -> list[tuple[str, bytes]]:
    """``count`` raw articles with unique ids and URLs: ``(id, line)`` pairs.

    Args:
        prefix: id prefix (one per scenario).
        count: how many.
    """
    inputs = []
    for n, line in enumerate(raw_lines(count)):
        input_id = f"{prefix}-{n}"
        record = {**orjson.loads(line), "id": input_id, "url": f"https://chaos.example/{input_id}"}
        inputs.append((input_id, orjson.dumps(record)))
    return inputs


def create_topics(bootstrap: str, settings: Settings) -> None:
    """Create the run's topics, outputs with broker append times; replication from settings.

    Args:
        bootstrap: bootstrap servers.
        settings: topic names, partitions, replication factor.
    """
    from kafka.admin import KafkaAdminClient, NewTopic

    names = settings.topic_names
    outputs = {names.articles, names.events, names.deadletter}
    replication = settings.replication_factor
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="wirestream-chaos")
    try:
        admin.create_topics(
            [
                NewTopic(
                    name,
                    partitions,
                    replication,
                    topic_configs={**configs, **(APPEND_TIME if name in outputs else {})},
                )
                for name, (partitions, configs) in topic_specs(settings).items()
            ]
        )
    finally:
        admin.close()


class Feeder(threading.Thread):
    """Sends inputs at a steady rate (acks=all, idempotent) until done or stopped.

    Args:
        bootstrap: bootstrap servers.
        topic: the raw topic.
        inputs: ``(id, line)`` pairs.
        rate: inputs per second.
    """

    def __init__(
        self, bootstrap: str, topic: str, inputs: list[tuple[str, bytes]], rate: float
    ) -> None:
        super().__init__(name="chaos-feeder", daemon=True)
        self.bootstrap, self.topic, self.inputs, self.rate = bootstrap, topic, inputs, rate
        self.stopping = threading.Event()
        self.acked: list[str] = []
        self.sent_at: dict[str, float] = {}
        self.failed: list[str] = []
        self.placed: dict[str, str] = {}  # id -> "partition:offset" on the raw topic
        self.error: BaseException | None = None

    def run(self) -> None:
        """Send, pacing by the clock; remember which ids the broker acknowledged."""
        from kafka import KafkaProducer

        try:
            client = KafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                delivery_timeout_ms=180_000,
            )
        except Exception as error:  # surfaced by the scenario, which fails the run
            self.error = error
            return
        began, pending = time.monotonic(), []
        for n, (input_id, line) in enumerate(self.inputs):
            if self.stopping.is_set():
                break
            time.sleep(max(0.0, began + n / self.rate - time.monotonic()))
            self.sent_at[input_id] = time.time()
            pending.append((input_id, client.send(self.topic, value=line)))
        client.flush(timeout=200)
        for input_id, future in pending:
            (self.acked if future.succeeded() else self.failed).append(input_id)
            if future.succeeded():
                self.placed[input_id] = f"{future.value.partition}:{future.value.offset}"
        client.close()


def output_count(bootstrap: str, settings: Settings) -> int | None:
    """Records on the articles and dead-letter topics (end offsets), None when unreachable.

    Args:
        bootstrap: bootstrap servers.
        settings: topic names.
    """
    from kafka import KafkaConsumer, TopicPartition

    topics = (settings.topic_names.articles, settings.topic_names.deadletter)
    with contextlib.suppress(Exception):
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            request_timeout_ms=5000,
        )
        try:
            parts = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
            ]
            return sum(consumer.end_offsets(parts).values()) if parts else 0
        finally:
            consumer.close()
    return None


def partition_ends(bootstrap: str, topic: str) -> dict[str, int]:
    """End offsets of a topic's partitions as ``{"partition": offset}`` (empty if unreachable).

    Args:
        bootstrap: bootstrap servers.
        topic: the topic.
    """
    with contextlib.suppress(Exception):
        ends = end_offsets(bootstrap, [topic])
        return {str(tp.partition): end for tp, end in ends.items()}
    return {}


def group_offsets(bootstrap: str, group: str) -> dict[str, int]:
    """Committed offsets of a consumer group as ``{"topic:partition": offset}`` (empty if unknown).

    Args:
        bootstrap: bootstrap servers.
        group: the consumer group (the app id).
    """
    from kafka.admin import KafkaAdminClient

    with contextlib.suppress(Exception):
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            offsets = admin.list_group_offsets(group)[group]
            return {f"{tp.topic}:{tp.partition}": meta.offset for tp, meta in offsets.items()}
        finally:
            admin.close()
    return {}


def wait_until(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.5) -> Any:
    """Poll check until it returns something truthy; raise TimeoutError naming what.

    Args:
        check: the probe.
        timeout: seconds.
        what: for the error message.
        every: seconds between probes.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
