"""The fault scenarios and the list the ``chaos`` command runs (full and quick)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deploy import cluster as kafka_cluster
from wirestream.chaos.run import Run, Shape, close_run, finish_run, start_run
from wirestream.chaos.stream import wait_until

Inject = Callable[[Run], None]


def kill_worker(kills: int) -> Inject:
    """SIGKILL the only worker ``kills`` times mid-stream, restarting it at once each time.

    Args:
        kills: how many crashes.
    """

    def inject(run: Run) -> None:
        worker = run.workers[0]
        for n in range(kills):
            run.wait_progress((n + 1) / (kills + 1))
            run.fault(f"SIGKILL worker #{n + 1}")
            worker.kill()
            worker.start()

    return inject


def restart_broker(run: Run, *, at: float = 0.4) -> None:
    """SIGKILL the single broker mid-stream, then start it again on the same ports."""
    run.wait_progress(at)
    run.fault("SIGKILL broker, restart")
    kafka_cluster.kill(run.cluster, 1)
    kafka_cluster.start(run.cluster, node_ids=[1])


def kill_then_restart(run: Run) -> None:
    """The CI form: one worker SIGKILL (restarted at once), later one broker restart."""
    kill_worker(1)(run)  # at 50% of the outputs
    restart_broker(run, at=0.75)


def kill_cluster_node(run: Run) -> None:
    """SIGKILL the leader of the clustering topic in a 3-node cluster; leave it down."""
    run.wait_progress(0.4)
    leader = current_leader(run)
    run.fault(f"SIGKILL broker {leader} of 3")
    kafka_cluster.kill(run.cluster, leader)


def kill_one_of_two_workers(run: Run) -> None:
    """SIGKILL one of two workers mid-stream; the group rebalances onto the survivor."""
    run.wait_progress(0.4)
    run.fault("SIGKILL worker 2 of 2")
    run.workers[1].kill()


def bounce_leader(bounces: int) -> Inject:
    """SIGKILL the clustering topic's partition leader and restart it, ``bounces`` times.

    Args:
        bounces: how many times in a row.
    """

    def inject(run: Run) -> None:
        run.wait_progress(0.1)
        for n in range(bounces):
            leader = current_leader(run)
            run.fault(f"bounce leader {leader} #{n + 1}")
            kafka_cluster.kill(run.cluster, leader)
            current_leader(run, other_than=leader)
            kafka_cluster.start(run.cluster, node_ids=[leader])
            _wait_in_sync(run, leader)
        assert run.feeder is not None
        run.feeder.stopping.set()  # enough has been sent through the bounces

    return inject


def current_leader(run: Run, *, other_than: int | None = None, timeout: float = 60.0) -> int:
    """Wait for the clustering partition to have a leader (other than a node just killed).

    Args:
        run: the run.
        other_than: a node that must not be the answer.
        timeout: seconds.
    """

    def elected() -> int | None:
        leader = partition_leader(run)
        return None if leader == other_than else leader

    return int(wait_until(elected, timeout=timeout, what="a partition leader"))


def _wait_in_sync(run: Run, node: int) -> None:
    wait_until(lambda: node in in_sync(run), timeout=120, what=f"broker {node} back in sync")


def partition_leader(run: Run) -> int | None:
    """Leader of partition 0 of the one-partition clustering topic (every article passes it)."""
    state = _describe(run)
    return None if state is None or state["leader"] < 0 else int(state["leader"])


def in_sync(run: Run) -> list[int]:
    """In-sync replicas of that partition."""
    state = _describe(run)
    return [] if state is None else list(state["isr"])


def _describe(run: Run) -> dict[str, Any] | None:
    from kafka.admin import KafkaAdminClient

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=run.bootstrap,
            client_id="chaos-probe",
            request_timeout_ms=5000,
        )
    except Exception:  # a node is down or the cluster is electing: ask again later
        return None
    try:
        topic = admin.describe_topics([run.settings.topic_names.enriched])[0]
        partition = next(p for p in topic["partitions"] if p["partition_index"] == 0)
        return {"leader": partition["leader_id"], "isr": partition["isr_nodes"]}
    except Exception:
        return None
    finally:
        admin.close()


FULL: dict[str, tuple[Shape, Inject]] = {
    "worker_sigkill": (Shape(inputs=300, rate=8.0), kill_worker(3)),
    "broker_restart": (Shape(inputs=200, rate=8.0), restart_broker),
    "cluster_broker_kill": (Shape(inputs=200, rate=8.0, nodes=3), kill_cluster_node),
    # the second worker joins while the first one's first batches are in flight (nothing committed)
    "two_workers_kill_one": (
        Shape(inputs=200, rate=8.0, workers=2, join_delay_s=4.0),
        kill_one_of_two_workers,
    ),
    "leader_bounce_x5": (Shape(inputs=2000, rate=5.0, nodes=3), bounce_leader(5)),
}
QUICK: dict[str, tuple[Shape, Inject]] = {
    # one setup for both faults keeps the CI form near two minutes
    "quick_worker_kill_broker_restart": (Shape(inputs=120, rate=8.0), kill_then_restart),
}


def run_scenario(name: str, root: Path) -> dict[str, Any]:
    """Run one scenario end to end and return its figures (always cleans up).

    Args:
        name: a key of FULL or QUICK.
        root: a scratch folder for this scenario.
    """
    shape, inject = {**FULL, **QUICK}[name]
    began = time.monotonic()
    run = start_run(name, shape, root)
    try:
        inject(run)
        figures = finish_run(run)
    finally:
        close_run(run)
    return {**figures, "seconds": round(time.monotonic() - began, 1)}
