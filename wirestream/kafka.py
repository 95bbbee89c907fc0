"""kafka-python clients with the settings this project relies on (acks=all, idempotence)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from wirestream.security import ClientSecurity, check_access


def client_security(security: ClientSecurity | None = None) -> dict[str, Any]:
    """kafka-python security keywords: the given ones, else those of the WIRESTREAM_* settings.

    Args:
        security: explicit security settings (None: read them from the environment).
    """
    return (security or _env_security()).kafka_python()


def _env_security() -> ClientSecurity:
    from wirestream.settings import Settings

    return ClientSecurity.from_settings(Settings.from_env())


@contextmanager
def producer(
    bootstrap: str, *, security: ClientSecurity | None = None, **config: Any
) -> Iterator[KafkaProducer]:
    """An idempotent, acks=all producer that is flushed and closed on exit.

    Args:
        bootstrap: bootstrap servers.
        security: SASL/TLS settings (None: from the environment).
        config: extra kafka-python producer settings.

    Raises:
        BrokerAccessError: with SASL or TLS, when the login or handshake fails (in ~1 s, not
            after the client's 30 s bootstrap timeout).
    """
    secured = security or _env_security()
    if secured.uses_sasl or secured.uses_tls:
        check_access(bootstrap, secured)
    client = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **{**secured.kafka_python(), **config},
    )
    try:
        yield client
    finally:
        client.flush()
        client.close()


def read_topic(
    bootstrap: str,
    topic: str,
    *,
    timeout_s: float = 5.0,
    from_beginning: bool = True,
    security: ClientSecurity | None = None,
) -> list[Any]:
    """Read a whole topic from the start with no consumer group (assign, not subscribe).

    Args:
        bootstrap: bootstrap servers.
        topic: the topic.
        timeout_s: stop after this long without a new record.
        from_beginning: start at the earliest offsets, else at the end.
        security: SASL/TLS settings (None: from the environment).
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        consumer_timeout_ms=int(timeout_s * 1000),
        **client_security(security),
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


def ensure_topics(
    bootstrap: str,
    settings: Any,
    *,
    replication: int | None = None,
    security: ClientSecurity | None = None,
) -> list[str]:
    """Create the pipeline's topics that do not exist yet; return the names created.

    Args:
        bootstrap: bootstrap servers.
        settings: a ``Settings`` (names, partition counts, security).
        replication: replication factor for new topics (default: the settings').
        security: SASL/TLS settings (default: the settings').
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    replication = replication or getattr(settings, "replication_factor", 1)
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="wirestream-topics",
        **(security or ClientSecurity.from_settings(settings)).kafka_python(),
    )
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


def end_offsets(
    bootstrap: str, topics: Any, *, security: ClientSecurity | None = None
) -> dict[Any, int]:
    """End offset of every partition of the given topics (missing topics count as empty).

    Args:
        bootstrap: bootstrap servers.
        topics: topic names.
        security: SASL/TLS settings (None: from the environment).
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **client_security(security)
    )
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        return dict(consumer.end_offsets(partitions)) if partitions else {}
    finally:
        consumer.close()
