"""kafka-python clients with the settings this project relies on (acks=all, idempotence)."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from config.security import ClientSecurity
from wirestream.security import check_access

T = TypeVar("T")


def client_security(security: ClientSecurity | None = None) -> dict[str, Any]:
    """kafka-python security keywords: the given ones, else those of the WIRESTREAM_* settings.

    Args:
        security: explicit security settings (None: read them from the environment).
    """
    return (security or _env_security()).kafka_python()


def _env_security() -> ClientSecurity:
    from config.settings import Settings

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
    security: ClientSecurity | None = None,
    deadline_s: float = 120.0,
) -> list[Any]:
    """Read a topic from the beginning to its end offsets at call time, with no consumer group.

    Args:
        bootstrap: bootstrap servers.
        topic: the topic.
        timeout_s: stop after this long without a new record, even short of the end.
        security: SASL/TLS settings (None: from the environment).
        deadline_s: hard bound on the whole read.

    Raises:
        TimeoutError: when the client hangs past deadline_s (kafka-python 3.0 has been seen
            to block forever in a fetch right after a broker restart).
    """
    config = client_security(security)
    return run_with_deadline(
        lambda: _read_to_end(bootstrap, topic, config, timeout_s),
        deadline_s=deadline_s,
        what=f"reading {topic}",
    )


def _read_to_end(bootstrap: str, topic: str, config: dict[str, Any], idle_s: float) -> list[Any]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **config)
    try:
        partitions = sorted(consumer.partitions_for_topic(topic) or ())
        assigned = [TopicPartition(topic, p) for p in partitions]
        if not assigned:
            return []
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        records: list[Any] = []
        idle_until = time.monotonic() + idle_s
        while any(consumer.position(tp) < ends[tp] for tp in assigned):
            batch = consumer.poll(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            if batch:
                idle_until = time.monotonic() + idle_s
            elif time.monotonic() > idle_until:
                break
        return records
    finally:
        consumer.close()


def run_with_deadline(call: Callable[[], T], *, deadline_s: float, what: str) -> T:
    """Run a blocking client call in a daemon thread; give up on it after deadline_s.

    Args:
        call: the call.
        deadline_s: seconds to wait.
        what: what the call does, for the error message.
    """
    outcome: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def target() -> None:
        try:
            outcome.put((True, call()))
        except BaseException as error:  # re-raised in the caller's thread
            outcome.put((False, error))

    threading.Thread(target=target, name=f"deadline: {what}", daemon=True).start()
    try:
        ok, value = outcome.get(timeout=deadline_s)
    except queue.Empty:
        message = f"{what}: no answer from the Kafka client in {deadline_s:.0f} s"
        raise TimeoutError(message) from None
    if ok:
        return cast(T, value)
    raise value


# kafka-python's admin client logs its whole configuration, SASL password included, at DEBUG.
_CONFIG_LOGGERS = ("kafka.admin.client",)


def admin_client(bootstrap: str, *, security: ClientSecurity, **config: Any) -> Any:
    """A kafka-python `KafkaAdminClient` whose start-up never logs the password.

    Args:
        bootstrap: bootstrap servers.
        security: SASL/TLS settings.
        config: extra admin client settings.
    """
    from kafka.admin import KafkaAdminClient

    for name in _CONFIG_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    return KafkaAdminClient(bootstrap_servers=bootstrap, **{**security.kafka_python(), **config})


def topic_specs(settings: Any) -> dict[str, tuple[int, dict[str, str]]]:
    """Every topic the pipeline uses: name -> (partitions, configs). Matches agents/topology.py.

    Args:
        settings: a ``Settings``.
    """
    names, parts = settings.topic_names, settings.raw_partitions
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
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    replication = replication or getattr(settings, "replication_factor", 1)
    admin = admin_client(
        bootstrap,
        security=security or ClientSecurity.from_settings(settings),
        client_id="wirestream-topics",
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
