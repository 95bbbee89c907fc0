"""The hostile corpus through a real broker and one worker: every offset ends exactly once."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from config.settings import Settings
from tests.integration.worker_proc import WorkerProcess
from wirestream import hostile
from wirestream.commands.hostile import tally
from wirestream.kafka import end_offsets, ensure_topics, producer, read_topic

pytestmark = pytest.mark.integration

# The raw topic must take the 10 MB records; the producer must be allowed to send them.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# One worker process plus one NLP pool process, each holding the spaCy model (~250 MiB) and a
# batch of at most 64 raw messages of which three may be 10 MB: see docs/hostile.md.
WORKER_RSS_BOUND_MIB = 1_536
# Between the first fifth of the run and the end, RSS may grow by caches filling, not with N.
WORKER_RSS_GROWTH_MIB = 200


def _group_pids(leader: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == leader:  # process group id: the worker and its pool children
            pids.append(int(stat.parent.name))
    return pids


def _memory_kib(pids: list[int], field: str) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith(field + ":"):
                total += int(line.split()[1])
    return total


def _create_raw_topic(bootstrap: str, settings: Settings) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hostile-test")
    try:
        config = {"max.message.bytes": str(MAX_MESSAGE_BYTES)}
        raw = NewTopic(settings.topic_names.raw, settings.raw_partitions, 1, topic_configs=config)
        admin.create_topics([raw])
    finally:
        admin.close()


def _produce(bootstrap: str, topic: str, corpus: Path) -> dict[tuple[int, int], str]:
    from wirestream.commands.produce import read_lines

    families = hostile.read_families(corpus)
    with producer(bootstrap, max_request_size=MAX_MESSAGE_BYTES) as client:
        futures = [client.send(topic, value=line) for line in read_lines(corpus)]
        client.flush()
        metadata = [future.get(timeout=60) for future in futures]
    assert len(metadata) == len(families)
    return {(m.partition, m.offset): f for m, f in zip(metadata, families, strict=True)}


def _early_peak(samples: list[tuple[int, int]], count: int) -> int:
    # Peak RSS while the first fifth of the inputs was processed (the model is loaded by then).
    early = [kib for done, kib in samples if done <= count // 5]
    return max(early or [kib for _, kib in samples[:1]] or [0])


def _peaks_by_fifth(samples: list[tuple[int, int]], count: int) -> list[int]:
    # The RSS curve in five steps of progress: flat means memory does not grow with N.
    fifths: list[list[int]] = [[] for _ in range(5)]
    for done, kib in samples:
        fifths[min(4, done * 5 // count)].append(kib)
    return [max(kibs, default=0) // 1024 for kibs in fifths]


def _accounted(bootstrap: str, settings: Settings) -> int:
    ends = end_offsets(bootstrap, [settings.topic_names.articles, settings.topic_names.deadletter])
    return sum(ends.values())


def run_hostile(
    bootstrap: str, tmp_path: Path, count: int, *, timeout: float, backlog: bool = False
) -> dict[str, Any]:
    """Produce a corpus of `count` inputs, run one worker until all are accounted; measure.

    Args:
        bootstrap: the broker.
        tmp_path: where the corpus and the worker's files go.
        count: number of inputs.
        timeout: seconds allowed for the run.
        backlog: produce everything before the worker starts (as after an outage).
    """
    corpus = tmp_path / "hostile.jsonl"
    hostile.write_corpus(corpus, count, seed=11)
    app_id = f"hostile-{uuid.uuid4().hex[:8]}"
    env = {"WIRESTREAM_TOPIC_NAMESPACE": f"{app_id}."}
    settings = Settings.from_env(env, broker=bootstrap)
    _create_raw_topic(bootstrap, settings)
    ensure_topics(bootstrap, settings)
    worker = WorkerProcess(bootstrap, tmp_path / "worker", app_id=app_id, extra_env=env)
    if backlog:
        families = _produce(bootstrap, settings.topic_names.raw, corpus)
    worker.start()
    assert worker.proc is not None
    try:
        began = time.monotonic()
        if not backlog:
            families = _produce(bootstrap, settings.topic_names.raw, corpus)
        produced = time.monotonic() - began
        samples: list[tuple[int, int]] = []  # (inputs accounted, RSS KiB of the group)
        while (done := _accounted(bootstrap, settings)) < count:
            assert worker.proc.poll() is None, f"worker died\n{worker.tail()}"
            assert time.monotonic() - began < timeout, f"not done in {timeout}s\n{worker.tail()}"
            samples.append((done, _memory_kib(_group_pids(worker.proc.pid), "VmRSS")))
            time.sleep(1.0)
        elapsed = time.monotonic() - began
        time.sleep(3.0)  # anything sent twice (a redelivery) would land now
        hwm_kib = {pid: _memory_kib([pid], "VmHWM") for pid in _group_pids(worker.proc.pid)}
        alive = worker.proc.poll() is None
        articles = read_topic(bootstrap, settings.topic_names.articles, timeout_s=3.0)
        deadletters = read_topic(bootstrap, settings.topic_names.deadletter, timeout_s=3.0)
    finally:
        worker.stop()
    report = tally(
        families,
        [orjson.loads(r.value) for r in articles],
        [orjson.loads(r.value) for r in deadletters],
    )
    return {
        "report": report,
        "topic": settings.topic_names.raw,
        "alive": alive,
        "log": worker.log.read_text(errors="replace"),
        "processes": len(hwm_kib),
        "elapsed_s": round(elapsed, 1),
        "produce_s": round(produced, 1),
        "corpus_bytes": corpus.stat().st_size,
        "early_rss_mib": _early_peak(samples, count) // 1024,
        "rss_mib_by_fifth": _peaks_by_fifth(samples, count),
        "hwm_mib_by_process": sorted(kib // 1024 for kib in hwm_kib.values()),
        "rss_mib": max((kib for _, kib in samples), default=0) // 1024,
        "peak_hwm_mib": sum(hwm_kib.values()) // 1024,
        "outputs": [orjson.loads(r.value) for r in articles + deadletters],
    }


@pytest.mark.parametrize(
    ("count", "timeout"),
    [
        pytest.param(2_000, 300.0, marks=pytest.mark.timeout(420)),
        pytest.param(10_000, 900.0, marks=[pytest.mark.soak, pytest.mark.timeout(1_080)]),
    ],
)
def test_hostile_corpus_through_the_broker(
    kafka_bootstrap: str, tmp_path: Path, count: int, timeout: float
) -> None:
    run = run_hostile(kafka_bootstrap, tmp_path, count, timeout=timeout)
    report = run.pop("report")
    outputs = run.pop("outputs")
    log = run.pop("log")
    figures = {k: report[k] for k in ("inputs", "articles", "deadletters")}
    print("hostile broker run:", json.dumps({**figures, **run}))
    print("dead letters by reason:", json.dumps(report["deadletters_by_reason"]))
    assert report["inputs"] == count
    assert not report["missing"], report["missing"]
    assert not report["repeated"], report["repeated"]
    assert not report["unknown"], report["unknown"]
    assert report["invalid_records"] == 0, report["invalid_examples"]
    assert not report["unexpected"], report["unexpected"]
    assert report["articles"] + report["deadletters"] == count
    assert all((o.get("origin") or o.get("source"))["topic"] == run["topic"] for o in outputs)
    assert report["by_family"][hostile.HUGE] == {"too_large": 3}
    huge = [o for o in outputs if o.get("original_size", 0) >= hostile.HUGE_BYTES]
    assert len(huge) == 3 and all(o["original_truncated"] for o in huge)
    assert run["alive"], log[-4000:]
    assert "Traceback" not in log, log[-4000:]
    assert run["peak_hwm_mib"] < WORKER_RSS_BOUND_MIB, run
    assert run["rss_mib"] - run["early_rss_mib"] < WORKER_RSS_GROWTH_MIB, run
