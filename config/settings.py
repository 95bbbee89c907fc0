"""Typed settings read from the environment (``WIRESTREAM_*``), with defaults that run locally."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "WIRESTREAM_"


@dataclass(frozen=True)
class TopicNames:
    """Public and internal topic names (public names are API: never rename, add a v2)."""

    raw: str = "news.raw.v1"
    articles: str = "news.articles.v1"
    events: str = "news.events.v1"
    deadletter: str = "news.deadletter.v1"
    enriched: str = "wirestream.enriched.v1"

    @classmethod
    def in_namespace(cls, namespace: str) -> TopicNames:
        """The same names behind a prefix, for several pipelines (or tests) on one cluster.

        Args:
            namespace: a prefix such as ``"staging."``; empty for the public names.
        """
        return cls(**{spec.name: namespace + spec.default for spec in fields(cls)})  # type: ignore[operator]


@dataclass(frozen=True)
class Settings:
    """Everything a worker or a command needs to know, in one place."""

    broker: str = "127.0.0.1:9092"
    app_id: str = "wirestream"
    raw_partitions: int = 4
    data_dir: Path = field(default_factory=lambda: Path.home() / ".local/share/wirestream")
    store: str = "rocksdb://"
    model: str = ""
    pool_size: int = 1
    batch_size: int = 64
    # how long a stage waits to fill a batch: each of the two stages adds up to this latency
    batch_within_s: float = 0.1
    nlp_batch_size: int = 32
    max_bytes: int = 1_048_576
    max_body_chars: int = 200_000
    web_port: int = 6066
    web_enabled: bool = True
    # 0.0.0.0 in a container, so the kubelet can reach /health and /ready
    web_host: str = "127.0.0.1"
    # the event service (``wirestream events serve``)
    events_port: int = 8070
    session_timeout_s: float = 10.0
    instance_id: str = ""
    topic_namespace: str = ""
    # Kafka client security (config/security.py): PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""
    # replicas of the topics the worker creates (3 on a production cluster)
    replication_factor: int = 1
    # how often the worker commits offsets: bounds re-sent duplicates after a crash
    commit_interval_s: float = 2.8
    # producer batching: one produce request per batch of records, not one per record
    producer_linger_s: float = 0.02
    # below the broker's 1 MB message.max.bytes: a batch larger than that is rejected
    producer_max_batch_bytes: int = 524_288

    @property
    def topic_names(self) -> TopicNames:
        """Kafka topic names, behind ``topic_namespace`` when one is set."""
        return TopicNames.in_namespace(self.topic_namespace)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``WIRESTREAM_<FIELD>`` variables, then explicit overrides.

        Args:
            env: the environment to read (default ``os.environ``).
            overrides: values that win over the environment.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = env.get(ENV_PREFIX + spec.name.upper())
            if raw is None:
                continue
            values[spec.name] = _coerce(raw, spec.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _coerce(raw: str, type_name: object) -> Any:
    name = str(type_name)
    if name == "int":
        return int(raw)
    if name == "float":
        return float(raw)
    if name == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name == "Path":
        return Path(raw).expanduser()
    return raw
