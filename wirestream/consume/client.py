"""The kafka-python consumer a follower uses, secured by the ``WIRESTREAM_*`` settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer

from config.security import ClientSecurity
from config.settings import Settings
from wirestream.security import check_access


def make_consumer(
    settings: Settings,
    *,
    group_id: str,
    security: ClientSecurity | None = None,
    config: Mapping[str, Any] | None = None,
) -> KafkaConsumer:
    """A consumer in ``group_id`` that never commits by itself and starts new groups at the start.

    Args:
        settings: broker address, session timeout and security settings.
        group_id: the consumer group (one per materialized copy of the state).
        security: SASL/TLS settings (default: those of ``settings``).
        config: more kafka-python consumer settings; they win over these defaults.

    Raises:
        BrokerAccessError: with SASL or TLS, when the login or handshake fails (in ~1 s).
    """
    secured = security or ClientSecurity.from_settings(settings)
    if secured.uses_sasl or secured.uses_tls:
        check_access(settings.broker, secured)
    session_ms = int(settings.session_timeout_s * 1000)
    defaults: dict[str, Any] = {
        "bootstrap_servers": settings.broker,
        "group_id": group_id,
        "client_id": f"wirestream-consume-{group_id}",
        # offsets are committed by the follower, only for records whose handler returned
        "enable_auto_commit": False,
        # a new group reads the compacted events topic from its start: the full state
        "auto_offset_reset": "earliest",
        "session_timeout_ms": session_ms,
        "heartbeat_interval_ms": max(session_ms // 3, 100),
    }
    return KafkaConsumer(**{**defaults, **secured.kafka_python(), **(config or {})})
