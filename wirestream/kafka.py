"""kafka-python clients with the settings this project relies on (acks=all, idempotence)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


@contextmanager
def producer(bootstrap: str, **config: Any) -> Iterator[KafkaProducer]:
    """An idempotent, acks=all producer that is flushed and closed on exit.

    Args:
        bootstrap: bootstrap servers.
        config: extra kafka-python producer settings.
    """
    client = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **config,
    )
    try:
        yield client
    finally:
        client.flush()
        client.close()


def read_topic(
    bootstrap: str, topic: str, *, timeout_s: float = 5.0, from_beginning: bool = True
) -> list[Any]:
    """Read a whole topic from the start with no consumer group (assign, not subscribe).

    Args:
        bootstrap: bootstrap servers.
        topic: the topic.
        timeout_s: stop after this long without a new record.
        from_beginning: start at the earliest offsets, else at the end.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        consumer_timeout_ms=int(timeout_s * 1000),
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        if from_beginning:
            consumer.seek_to_beginning(*assigned)
        else:
            consumer.seek_to_end(*assigned)
        return list(consumer) if assigned else []
    finally:
        consumer.close()


def topic_specs(settings: Any) -> dict[str, tuple[int, dict[str, str]]]:
    """Every topic the pipeline uses: name -> (partitions, configs). Matches agents/topology.py.

    Args:
        settings: a ``Settings``.
    """
    names, parts = settings.topics, settings.raw_partitions
    return {
        names.raw: (parts, {}),
        names.enriched: (1, {}),
        names.articles: (parts, {}),
        names.events: (parts, {"cleanup.policy": "compact"}),
        names.deadletter: (1, {}),
    }


def ensure_topics(bootstrap: str, settings: Any, *, replication: int = 1) -> list[str]:
    """Create the pipeline's topics that do not exist yet; return the names created.

    Args:
        bootstrap: bootstrap servers.
        settings: a ``Settings`` (names and partition counts).
        replication: replication factor for new topics.
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="wirestream-topics")
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication, topic_configs=configs)
            for name, (partitions, configs) in topic_specs(settings).items()
            if name not in existing
        ]
        if missing:
            # Another client may create one first: that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        admin.close()


def end_offsets(bootstrap: str, topics: Any) -> dict[Any, int]:
    """End offset of every partition of the given topics (missing topics count as empty).

    Args:
        bootstrap: bootstrap servers.
        topics: topic names.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        return dict(consumer.end_offsets(partitions)) if partitions else {}
    finally:
        consumer.close()
