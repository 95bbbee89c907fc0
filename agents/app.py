"""The Faust app factory: topics, the two stages and their wiring, built on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust

from agents.cluster import register_cluster
from agents.flow import use_resume_once_flow_control
from agents.ingest import register_ingest
from agents.metrics import Metrics
from agents.offsets import use_rewinding_consumer
from agents.pool import NlpPool
from agents.records import RecordsBuilder
from agents.topology import Topology, declare_topics
from agents.web import Observer, install_web
from wirestream.security import ClientSecurity
from wirestream.settings import Settings


def utc_now() -> datetime:
    """The production clock."""
    return datetime.now(UTC)


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
    records: RecordsBuilder
    observer: Observer | None = None


def build_app(
    settings: Settings,
    *,
    pool: NlpPool,
    clock: Callable[[], datetime] = utc_now,
    records: RecordsBuilder | None = None,
) -> Wiring:
    """Create the Faust app with its topics, agents and table.

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
        **ClientSecurity.from_settings(settings).faust(),
    )
    # Records Faust drops in a rebalance must be read again even before a first commit.
    use_rewinding_consumer(app)
    use_resume_once_flow_control(app)
    topology = declare_topics(app, settings)
    metrics = Metrics()
    ingest = register_ingest(
        app, topology, pool=pool, clock=clock, settings=settings, metrics=metrics
    )
    records = records or RecordsBuilder()
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
