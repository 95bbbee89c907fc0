"""Monitoring through a real broker and worker: /ready, /metrics, /status.json, logs, status."""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from config.settings import Settings
from tests.integration.worker_proc import WorkerProcess
from tests.support import SAMPLE
from wirestream.commands import status as status_command
from wirestream.commands.produce import read_lines
from wirestream.kafka import ensure_topics, producer

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def get(url: str, *, timeout: float = 5.0) -> tuple[int, bytes]:
    """Status and body of a GET (HTTP errors are answers too)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def scrape(base: str) -> Samples:
    """Every sample of ``<base>/metrics``, keyed by name and sorted labels."""
    _, body = get(base + "/metrics")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls))


def wait_for(check: Callable[[], Any], worker: WorkerProcess, *, timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail with the worker's log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        assert worker.proc and worker.proc.poll() is None, f"worker died\n{worker.tail()}"
        assert time.monotonic() < deadline, f"timed out: {what}\n{worker.tail()}"
        time.sleep(0.25)


def watch_readiness(base: str, worker: WorkerProcess, *, timeout: float = 180.0) -> list[dict]:
    """Every /ready answer from the first one the web server gives until ready."""
    seen: list[dict[str, Any]] = []

    def ready() -> bool:
        status, body = get(base + "/ready", timeout=2.0)
        seen.append({"status": status, **json.loads(body)})
        return status == 200

    wait_for(ready, worker, timeout=timeout, what="/ready 200")
    return seen


def produce(bootstrap: str, topic: str, lines: list[bytes]) -> None:
    """Send ``lines`` to ``topic`` and wait for the broker's acknowledgements."""
    with producer(bootstrap) as client:
        for line in lines:
            client.send(topic, value=line)


def wirestream_status(*argv: str) -> int:
    """Run ``wirestream status ARGV`` in-process and return its exit code."""
    parser = argparse.ArgumentParser(prog="wirestream")
    status_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["status", *argv])
    return int(args.func(args))


def end_offsets(bootstrap: str, topic: str) -> dict[Any, int]:
    """The current end offset of each partition of ``topic``."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return dict(consumer.end_offsets(parts))
    finally:
        consumer.close()


def topic_size(bootstrap: str, topic: str) -> int:
    """Messages currently in ``topic`` (end minus beginning offsets, all partitions)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends, begins = consumer.end_offsets(parts), consumer.beginning_offsets(parts)
        return sum(ends[tp] - begins[tp] for tp in parts)
    finally:
        consumer.close()


def read_after(bootstrap: str, offsets: dict[Any, int], *, timeout_s: float = 2.0) -> list[Any]:
    """Every record written after ``offsets`` (from ``end_offsets``), until quiet."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        consumer_timeout_ms=int(timeout_s * 1000),
    )
    try:
        consumer.assign(list(offsets))
        for tp, offset in offsets.items():
            consumer.seek(tp, offset)
        return list(consumer)
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def run(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One worker (JSON logs) through the sample; what its web port said along the way."""
    settings = Settings.from_env(broker=kafka_bootstrap)
    ensure_topics(kafka_bootstrap, settings)
    worker = WorkerProcess(
        kafka_bootstrap,
        tmp_path_factory.mktemp("monitor"),
        app_id=f"mon-{uuid.uuid4().hex[:8]}",
        extra_env={"WIRESTREAM_LOG_FORMAT": "json"},
    )
    base = f"http://127.0.0.1:{worker.web_port}"
    lines = read_lines(SAMPLE)
    articles_before = end_offsets(kafka_bootstrap, settings.topic_names.articles)
    # The internal topic is not per app: a fresh group re-reads what earlier tests left there.
    enriched_before = topic_size(kafka_bootstrap, settings.topic_names.enriched)
    worker.start()
    try:
        readiness = watch_readiness(base, worker)
        produce(kafka_bootstrap, settings.topic_names.raw, lines)
        # A fresh group reads the raw topic from the start: earlier tests' input counts too.
        raw_total = topic_size(kafka_bootstrap, settings.topic_names.raw)

        def accounted() -> Samples | None:
            samples = scrape(base)
            done = total(
                samples, "wirestream_stage_records_out_total", topic=settings.topic_names.articles
            ) + total(samples, "wirestream_deadletters_total")
            return samples if done >= raw_total + enriched_before else None

        wait_for(accounted, worker, timeout=240, what=f"{raw_total} inputs accounted for")
        accounted_at = datetime.now(UTC)

        def idle() -> Samples | None:
            # Only a lag measured after the last output counts (the timer samples every 5 s).
            # Rates need two samples: a fast run can be accounted for before the second one.
            document = json.loads(get(base + "/status.json")[1])
            lag, rated = document["lag"], bool(document["rates"]["60s"])
            fresh = lag["measured_at"] and datetime.fromisoformat(lag["measured_at"]) > accounted_at
            samples = scrape(base)
            lags = [v for (n, _), v in samples.items() if n == "wirestream_consumer_lag"]
            quiet = fresh and rated and lags and not any(lags) and not lag["total"]
            return samples if quiet else None

        after = wait_for(idle, worker, timeout=60, what="lag back to 0")
        status = json.loads(get(base + "/status.json")[1])
        codes = {
            "lenient": wirestream_status("--url", base, "--max-error-rate", "1", "--json"),
            "strict": wirestream_status("--url", base, "--max-error-rate", "0", "--json"),
        }
    finally:
        worker.stop()
    articles = [orjson.loads(r.value) for r in read_after(kafka_bootstrap, articles_before)]
    return {
        "lines": lines,
        "raw_total": raw_total,
        "articles": articles,
        "enriched_before": enriched_before,
        "readiness": readiness,
        "after": after,
        "status": status,
        "codes": codes,
        "log": worker.log.read_text(errors="replace"),
        "settings": settings,
    }


def test_ready_is_false_until_tables_recovered_and_model_loaded(run: dict[str, Any]) -> None:
    first, last = run["readiness"][0], run["readiness"][-1]
    assert first["status"] == 503 and first["ready"] is False
    assert not first["checks"]["tables_recovered"]
    assert any(not r["checks"]["model_loaded"] for r in run["readiness"])
    assert last["status"] == 200 and all(last["checks"].values())


def test_every_input_counted_out_once(run: dict[str, Any]) -> None:
    samples, topics = run["after"], run["settings"].topic_names
    ingested = total(samples, "wirestream_stage_records_in_total", stage="ingest")
    articles = total(samples, "wirestream_stage_records_out_total", topic=topics.articles)
    deadletters = total(samples, "wirestream_deadletters_total")
    enriched = total(
        samples, "wirestream_stage_records_out_total", stage="ingest", topic=topics.enriched
    )
    assert ingested == run["raw_total"] >= len(run["lines"])
    # Articles in = articles out + dead letters (+ what earlier tests left in the internal topic).
    assert ingested + run["enriched_before"] == articles + deadletters
    assert total(samples, "wirestream_stage_records_in_total", stage="cluster") == (
        enriched + run["enriched_before"]
    )
    assert total(samples, "wirestream_deadletters_total", stage="normalize") >= 5
    # This worker's articles are the ones written to the topic after it started.
    assert len(run["articles"]) == articles
    kinds = Counter(a["duplicate_kind"] for a in run["articles"] if a["duplicate_kind"])
    assert kinds, "the sample has duplicates"
    for kind in ("url", "content", "near"):
        assert total(samples, "wirestream_duplicates_total", kind=kind) == kinds[kind]
    assert total(samples, "wirestream_ingest_to_article_seconds_count") == articles


def test_lag_per_assigned_partition_returns_to_zero(run: dict[str, Any]) -> None:
    topics = run["settings"].topic_names
    lag = {
        dict(labels)["topic"] + "/" + dict(labels)["partition"]: v
        for (name, labels), v in run["after"].items()
        if name == "wirestream_consumer_lag"
    }
    assert set(lag) == {f"{topics.raw}/{p}" for p in range(run["settings"].raw_partitions)} | {
        f"{topics.enriched}/0"
    }
    assert not any(lag.values())
    assert run["status"]["lag"]["total"] == 0


def test_gauges_for_memory_model_and_tables(run: dict[str, Any]) -> None:
    samples = run["after"]
    assert total(samples, "wirestream_process_resident_memory_bytes", process="worker") > 50e6
    assert total(samples, "wirestream_process_resident_memory_bytes", process="pool") > 50e6
    assert total(samples, "wirestream_model_load_seconds") > 0
    assert total(samples, "wirestream_live_events") >= 10  # the sample's ten stories
    assert total(samples, "wirestream_table_keys") > total(samples, "wirestream_live_events")
    assert total(samples, "wirestream_ready") == 3


def test_status_document_and_command(run: dict[str, Any]) -> None:
    status = run["status"]
    assert status["ready"]["ok"]
    events = status["recent_events"]
    assert len(events) >= 10 and any(len(e["sources"]) >= 2 for e in events)
    reasons = Counter(d["reason"] for d in status["recent_deadletters"])
    assert sum(reasons.values()) >= 5 and all(d["stage"] for d in status["recent_deadletters"])
    assert status["totals"]["ingested"] == run["raw_total"]
    assert status["rates"]["60s"]["span_s"] > 0
    assert run["codes"] == {"lenient": 0, "strict": 1}


def test_json_log_lines_name_the_article_and_stage(run: dict[str, Any]) -> None:
    records = []
    for line in run["log"].splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    assert records, "no JSON log lines"
    dead = [r for r in records if r["logger"] == "wirestream.articles"]
    assert len(dead) >= 5
    assert all("article_id" in r and r["stage"] and r["reason"] for r in dead)
