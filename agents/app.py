"""The Faust app factory: topics, the two stages and their wiring, built on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust

from agents.cluster import register_cluster
from agents.eventbuilder import EventBuilder
from agents.faust_patches import (
    require_faust_internals,
    use_resume_once_flow_control,
    use_rewinding_consumer,
)
from agents.ingest import register_ingest
from agents.metrics import Metrics
from agents.pool import NlpPool
from agents.topology import Topology, declare_topics
from agents.web import Observer, install_web
from config.security import ClientSecurity
from config.settings import Settings


def utc_now() -> datetime:
    """The production clock."""
    return datetime.now(UTC)


def broker_credentials(security: ClientSecurity) -> dict[str, Any]:
    """Faust app settings: ``broker_credentials`` for SASL/TLS, nothing for PLAINTEXT.

    Args:
        security: how the worker's clients authenticate and encrypt.
    """
    if security.uses_sasl:
        credentials: Any = faust.SASLCredentials(
            username=security.username,
            password=security.password,
            mechanism=security.mechanism,
            ssl_context=security.ssl_context(),
        )
        return {"broker_credentials": credentials}
    if security.uses_tls:
        return {"broker_credentials": faust.SSLCredentials(security.ssl_context())}
    return {}


@dataclass
class Wiring:
    """An app with handles on its parts, for the CLI and tests."""

    app: faust.App
    topology: Topology
    ingest: Any
    cluster: Any
    table: Any
    pool: NlpPool
    metrics: Metrics
    records: EventBuilder
    observer: Observer | None = None


def build_app(
    settings: Settings,
    *,
    pool: NlpPool,
    clock: Callable[[], datetime] = utc_now,
    records: EventBuilder | None = None,
) -> Wiring:
    """Create the Faust app with its topics, agents and table.

    Raises ``FaustInternalsChanged`` when the installed Faust lacks what the patches override.

    Args:
        settings: broker, store, topics, batch sizes.
        pool: the process pool that runs normalize + enrich.
        clock: the clock stamped on records.
        records: builds event records in its own process (None: on the event loop).
    """
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.broker}",
        store=settings.store,
        datadir=str(settings.data_dir / "faust"),
        topic_partitions=settings.raw_partitions,
        topic_replication_factor=settings.replication_factor,
        broker_commit_interval=settings.commit_interval_s,
        producer_acks=-1,
        producer_linger=settings.producer_linger_s,
        producer_max_batch_size=settings.producer_max_batch_bytes,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        consumer_group_instance_id=settings.instance_id or None,
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_host=settings.web_host,
        # Our views own "/" and "/metrics" (agents/web.py); Faust's debug pages stay off.
        web_stats_enabled=False,
        web_graph_enabled=False,
        web_metrics_enabled=False,
        # /table serves table contents and /router the workers' addresses to anyone who can
        # reach WEB_PORT; no view here routes by table key, so both stay off.
        web_tables_enabled=False,
        web_router_enabled=False,
        stream_recovery_delay=0.0,
        **broker_credentials(ClientSecurity.from_settings(settings)),
    )
    # Records Faust drops in a rebalance must be read again even before a first commit.
    use_rewinding_consumer(app)
    use_resume_once_flow_control(app)
    require_faust_internals(app)
    topology = declare_topics(app, settings)
    metrics = Metrics()
    ingest = register_ingest(
        app, topology, pool=pool, clock=clock, settings=settings, metrics=metrics
    )
    records = records or EventBuilder()
    cluster, table = register_cluster(
        app, topology, clock=clock, settings=settings, metrics=metrics, records=records
    )

    @app.task
    async def declare_outputs() -> None:
        # Send-only topics are not declared by Faust; create them with their configs up front.
        for topic in topology.outputs():
            await topic.maybe_declare()

    @app.task
    async def start_pool() -> None:
        await pool.start()

    wiring = Wiring(
        app=app,
        topology=topology,
        ingest=ingest,
        cluster=cluster,
        table=table,
        pool=pool,
        metrics=metrics,
        records=records,
    )
    wiring.observer = install_web(wiring, settings)
    return wiring
