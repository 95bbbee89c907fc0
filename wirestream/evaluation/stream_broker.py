"""The stream evaluation through a real broker and worker: the production path end to end."""

from __future__ import annotations

import contextlib
import random
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

from config.settings import Settings
from deploy.config import free_port, free_ports
from pipeline.stages import final_event_ids
from wirestream.evaluation.stream import Item
from wirestream.kafka import end_offsets, ensure_topics, producer, read_topic
from wirestream.workers import spawn_worker


@contextlib.contextmanager
def local_broker(workdir: Path) -> Iterator[str]:
    """A single KRaft broker on free loopback ports for the run; yields its bootstrap.

    Args:
        workdir: folder for the broker's data (removed afterwards).
    """
    from deploy import broker

    port, controller = free_ports(2)
    info = broker.start(
        workdir / "broker",
        port=port,
        controller_port=controller,
        jvm_options=broker.FAST_START_JVM_OPTIONS,
    )
    try:
        yield info.bootstrap
    finally:
        broker.remove(workdir / "broker")


def broker_order(
    items: Sequence[Item],
    *,
    seed: int,
    bootstrap: str,
    workdir: Path,
    partitions: int = 4,
    timeout_s: float = 900.0,
) -> dict[str, str]:
    """Raw id -> the live event holding it, after sending the items in one seeded order to
    a fresh topic namespace and letting a real worker process them.

    Args:
        items: the stream's items.
        seed: order seed.
        bootstrap: the broker.
        workdir: folder for the worker's state and log.
        partitions: raw partitions the items are spread over, round robin.
        timeout_s: how long to wait for every item to be accounted for.
    """
    run = uuid.uuid4().hex[:8]
    env = {
        "WIRESTREAM_TOPIC_NAMESPACE": f"eval-{run}.",
        "WIRESTREAM_APP_ID": f"eval-{run}",
        "WIRESTREAM_RAW_PARTITIONS": str(partitions),
    }
    settings = Settings.from_env(env)
    names = settings.topic_names
    ensure_topics(bootstrap, settings)
    order = list(items)
    random.Random(seed).shuffle(order)
    worker = spawn_worker(bootstrap, workdir / run, web_port=free_port(), env=env)
    try:
        with producer(bootstrap) as client:
            for n, item in enumerate(order):
                client.send(names.raw, value=orjson.dumps(item.raw), partition=n % partitions)
        _wait_for(bootstrap, (names.articles, names.deadletter), len(order), timeout_s, worker)
        time.sleep(3.0)  # the last batch's event records follow its articles
        articles = [orjson.loads(r.value) for r in read_topic(bootstrap, names.articles)]
        events = [orjson.loads(r.value) for r in read_topic(bootstrap, names.events)]
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    moved = final_event_ids(events)
    return {a["raw_id"]: moved.get(a["event_id"], a["event_id"]) for a in articles}


def _wait_for(
    bootstrap: str,
    topics: tuple[str, str],
    count: int,
    timeout_s: float,
    worker: subprocess.Popen[bytes],
) -> None:
    deadline = time.monotonic() + timeout_s
    while sum(end_offsets(bootstrap, topics).values()) < count:
        if time.monotonic() > deadline or worker.poll() is not None:
            raise TimeoutError(f"the worker did not account for {count} inputs in time")
        time.sleep(2.0)
