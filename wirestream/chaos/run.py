"""One chaos scenario run: its cluster, workers, feeder, faults and final audit."""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.settings import Settings
from deploy import cluster as kafka_cluster
from wirestream.chaos.audit import Outputs, audit, first_output_after, read_outputs
from wirestream.chaos.stream import (
    Feeder,
    create_topics,
    group_offsets,
    make_inputs,
    output_count,
    partition_ends,
    wait_until,
)
from wirestream.chaos.workers import Worker

SINGLE_NODE = {
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "default.replication.factor": "1",
    "min.insync.replicas": "1",
}


@dataclass(frozen=True)
class Shape:
    """How big a run is.

    Args:
        inputs: articles to send.
        rate: articles per second.
        nodes: brokers (1 or 3; 3 means replication factor 3, min.insync.replicas 2).
        workers: worker processes.
        session_timeout_s: consumer session timeout of the workers.
        commit_interval_s: offset commit interval of the workers.
        batch_size: worker batch size.
        join_delay_s: seconds between worker starts (a later worker joins mid-batch).
    """

    inputs: int = 150
    rate: float = 8.0
    nodes: int = 1
    workers: int = 1
    session_timeout_s: float = 6.0
    commit_interval_s: float = 1.0
    batch_size: int = 16
    join_delay_s: float = 0.0


@dataclass
class Run:
    """The live parts of a scenario and the faults injected so far."""

    name: str
    shape: Shape
    root: Path
    cluster: kafka_cluster.Cluster
    settings: Settings
    env: dict[str, str]
    workers: list[Worker] = field(default_factory=list)
    feeder: Feeder | None = None
    faults: list[tuple[str, float]] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        """Addresses of the live nodes (the harness's own clients must not pick a dead one)."""
        live = kafka_cluster.running(self.cluster)
        return ",".join(self.cluster.address(n) for n in live) or self.cluster.bootstrap

    def fault(self, label: str) -> None:
        """Note the moment of a fault (call right before injecting it)."""
        self.faults.append((label, time.time()))

    def progress(self) -> float:
        """Fraction of the planned inputs already on an output topic (duplicates count)."""
        count = output_count(self.bootstrap, self.settings)
        return (count or 0) / self.shape.inputs

    def wait_progress(self, fraction: float, *, timeout: float = 300.0) -> None:
        """Block until that fraction of outputs exists; fail if every worker died."""

        def reached() -> bool:
            if not any(w.alive for w in self.workers):
                raise RuntimeError(f"every worker died:\n{self.workers[0].tail()}")
            return self.progress() >= fraction

        wait_until(reached, timeout=timeout, what=f"{fraction:.0%} of the outputs")


def start_run(name: str, shape: Shape, root: Path) -> Run:
    """Start the brokers, create topics, start the workers and the feeder.

    Args:
        name: scenario name.
        shape: sizes and timeouts.
        root: a folder for brokers, workers and logs.
    """
    props = SINGLE_NODE if shape.nodes == 1 else {}
    cluster = kafka_cluster.create(root / "kafka", size=shape.nodes, extra_properties=props)
    kafka_cluster.start(cluster)
    run_id = f"chaos-{name}-{uuid.uuid4().hex[:6]}"
    env = {
        "WIRESTREAM_APP_ID": run_id,
        "WIRESTREAM_TOPIC_NAMESPACE": f"{run_id}.",
        "WIRESTREAM_RAW_PARTITIONS": "4",
        "WIRESTREAM_REPLICATION_FACTOR": str(min(shape.nodes, 3)),
        "WIRESTREAM_SESSION_TIMEOUT_S": str(shape.session_timeout_s),
        "WIRESTREAM_COMMIT_INTERVAL_S": str(shape.commit_interval_s),
        "WIRESTREAM_BATCH_SIZE": str(shape.batch_size),
    }
    settings = Settings.from_env(env, broker=cluster.bootstrap)
    run = Run(name, shape, root, cluster, settings, env)
    create_topics(run.bootstrap, settings)
    for n in range(shape.workers):
        worker = Worker(cluster.bootstrap, root / f"worker-{n}", env, name=f"{run_id}-w{n}")
        if n:
            time.sleep(shape.join_delay_s)
        run.workers.append(worker.start())
    run.feeder = Feeder(
        cluster.bootstrap, settings.topic_names.raw, make_inputs(name, shape.inputs), shape.rate
    )
    run.feeder.start()
    return run


def finish_run(run: Run, *, timeout: float = 300.0) -> dict[str, Any]:
    """Wait for the feeder and for every acknowledged input to come out, then audit.

    Args:
        run: the run.
        timeout: seconds to wait for the outputs after the feeder is done.
    """
    assert run.feeder is not None
    run.feeder.join(timeout=timeout)
    if run.feeder.error is not None:
        raise RuntimeError(f"feeder failed: {run.feeder.error}")
    acked = list(run.feeder.acked)
    began = time.monotonic()
    outputs = read_outputs(run.bootstrap, run.settings.topic_names, timeout_s=1.0)
    while audit(outputs, acked).lost and time.monotonic() - began < timeout:
        if not any(w.alive for w in run.workers):
            break
        time.sleep(2.0)
        outputs = read_outputs(run.bootstrap, run.settings.topic_names, timeout_s=1.0)
    time.sleep(2.0)  # the last event versions follow their articles
    outputs = read_outputs(run.bootstrap, run.settings.topic_names, timeout_s=2.0)
    verdict = audit(outputs, acked)
    recoveries = []
    for _, moment in run.faults:
        first = first_output_after(outputs, int(moment * 1000))
        recoveries.append(None if first is None else round(first / 1000 - moment, 2))
    # Each of two stages (ingest, cluster) redoes what it had not committed: acked records of
    # one commit window plus those in flight, rate x time in flight (Little's law), plus a batch.
    rate, window = max(run.shape.rate, throughput(outputs)), run.shape.commit_interval_s
    first_fault = min((moment for _, moment in run.faults), default=None)
    resumed = [moment + r for (_, moment), r in zip(run.faults, recoveries, strict=True) if r]
    in_flight = (
        steady_latency(
            outputs, run.feeder.sent_at, before=first_fault, after=max(resumed, default=None)
        )
        or 0.0
    )
    return {
        "scenario": run.name,
        "inputs": verdict.inputs,
        "lost": len(verdict.lost),
        "duplicated_resends": verdict.duplicated_resends,
        "recovery_s": max((r for r in recoveries if r is not None), default=None),
        "recoveries_s": recoveries,
        "faults": [label for label, _ in run.faults],
        "resend_bound": round(
            2 * len(run.faults) * (rate * (window + in_flight) + run.shape.batch_size)
        ),
        "in_flight_s": round(in_flight, 2),
        "throughput_per_s": round(throughput(outputs), 1),
        "worst_latency_s": worst_latency(outputs, run.feeder.sent_at),
        "divergent_duplicates": len(verdict.divergent),
        "event_violations": len(verdict.event_violations),
        "unacked_inputs": len(run.feeder.failed),
        "ok": verdict.ok and None not in recoveries,
        "examples": (verdict.lost + verdict.divergent + verdict.event_violations)[:5],
        # where a lost input sat on the raw topic, and how far the group committed (diagnosis)
        "lost_at": [run.feeder.placed.get(i) for i in verdict.lost[:20]],
        "committed": group_offsets(run.bootstrap, run.settings.app_id) if verdict.lost else {},
        # a lost input at or past its partition's end was lost by the broker, not the workers
        "raw_end": partition_ends(run.bootstrap, run.settings.topic_names.raw)
        if verdict.lost
        else {},
    }


def throughput(outputs: Outputs) -> float:
    """Articles per second over the run, on the broker's append clock.

    Args:
        outputs: what the topics hold.
    """
    stamps = sorted(r.timestamp_ms for r in outputs.articles)
    if len(stamps) < 2 or stamps[-1] == stamps[0]:
        return 0.0
    return 1000 * len(stamps) / (stamps[-1] - stamps[0])


def first_outputs(outputs: Outputs) -> dict[str, int]:
    """Append time (ms) of each input's first article record, by raw id.

    Args:
        outputs: what the topics hold.
    """
    first: dict[str, int] = {}
    for record in outputs.articles:
        raw_id = str(record.value.get("raw_id"))
        first[raw_id] = min(first.get(raw_id, record.timestamp_ms), record.timestamp_ms)
    return first


def steady_latency(
    outputs: Outputs,
    sent_at: dict[str, float],
    *,
    before: float | None,
    after: float | None = None,
) -> float | None:
    """Median send-to-first-output time of inputs sent after output flowed, before a fault;
    when a fault came before anything flowed, of inputs sent once output resumed after the last.

    Args:
        outputs: what the topics hold.
        sent_at: epoch seconds each input id was handed to the producer.
        before: epoch seconds of the first fault (None: no fault).
        after: epoch seconds output resumed after the last fault (None: unknown).
    """
    first = first_outputs(outputs)
    warm = min(first.values(), default=0) / 1000
    flowing = {i: first[i] / 1000 - t for i, t in sent_at.items() if i in first and t >= warm}
    latencies = sorted(
        latency for i, latency in flowing.items() if before is None or first[i] / 1000 < before
    )
    if not latencies and after is not None:  # no clean sample before: take the calm after
        latencies = sorted(latency for i, latency in flowing.items() if sent_at[i] >= after)
    return latencies[len(latencies) // 2] if latencies else None


def worst_latency(outputs: Outputs, sent_at: dict[str, float]) -> float | None:
    """Longest send-to-first-output time of inputs sent once output flowed (start-up excluded).

    Args:
        outputs: what the topics hold.
        sent_at: epoch seconds each input id was handed to the producer.
    """
    first = first_outputs(outputs)
    if not first:
        return None
    warm = min(first.values()) / 1000
    latencies = [first[i] / 1000 - t for i, t in sent_at.items() if i in first and t >= warm]
    return round(max(latencies), 2) if latencies else None


def close_run(run: Run) -> None:
    """Stop the feeder, the workers and the brokers, and delete the broker data."""
    if run.feeder is not None:
        run.feeder.stopping.set()
        run.feeder.join(timeout=30)
    for worker in run.workers:
        with contextlib.suppress(Exception):
            worker.stop(timeout=10)
    kafka_cluster.remove(run.cluster, timeout=10)
