"""The sample through a real broker and a real worker: every input accounted for, events right."""

from __future__ import annotations

import base64
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest

from config.settings import Settings
from pipeline.stages import final_event_ids, live_events
from tests.integration.worker_proc import WorkerProcess
from tests.support import SAMPLE, expected
from wirestream.cli import main
from wirestream.commands.produce import read_lines
from wirestream.kafka import ensure_topics, producer, read_topic

pytestmark = pytest.mark.integration


def _wait_accounted(
    bootstrap: str, settings: Settings, want: int, worker: WorkerProcess, timeout: float = 180.0
) -> tuple[list[Any], list[Any]]:
    deadline = time.monotonic() + timeout
    while True:
        articles = read_topic(bootstrap, settings.topic_names.articles, timeout_s=1.0)
        deadletters = read_topic(bootstrap, settings.topic_names.deadletter, timeout_s=1.0)
        if len(articles) + len(deadletters) >= want:
            return articles, deadletters
        assert time.monotonic() < deadline, (
            f"only {len(articles)}+{len(deadletters)}/{want} after {timeout}s\n{worker.tail()}"
        )
        assert worker.proc and worker.proc.poll() is None, f"worker died\n{worker.tail()}"
        time.sleep(1.0)


@pytest.fixture(scope="module")
def sample_run(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the sample once through the broker; share the outputs between the tests."""
    app_id = f"e2e-{uuid.uuid4().hex[:8]}"
    # One raw partition keeps the file's order, so `process` must give identical records.
    env = {"WIRESTREAM_TOPIC_NAMESPACE": f"{app_id}.", "WIRESTREAM_RAW_PARTITIONS": "1"}
    settings = Settings.from_env(env, broker=kafka_bootstrap)
    ensure_topics(kafka_bootstrap, settings)
    worker = WorkerProcess(
        kafka_bootstrap, tmp_path_factory.mktemp("worker"), app_id=app_id, extra_env=env
    )
    worker.start()
    lines = read_lines(SAMPLE)
    try:
        with producer(kafka_bootstrap) as client:
            for line in lines:
                client.send(settings.topic_names.raw, value=line)
        articles, deadletters = _wait_accounted(kafka_bootstrap, settings, len(lines), worker)
        time.sleep(2.0)  # let the last event versions land
        events = read_topic(kafka_bootstrap, settings.topic_names.events, timeout_s=2.0)
    finally:
        worker.stop()
    return {
        "lines": lines,
        "articles": [orjson.loads(r.value) for r in articles],
        "deadletters": [(orjson.loads(r.value), dict(r.headers or [])) for r in deadletters],
        "events": live_events([orjson.loads(r.value) for r in events]),
        "moved": final_event_ids([orjson.loads(r.value) for r in events]),
        "worker_log": worker.tail(200),
    }


def test_every_good_input_exactly_once(sample_run: dict[str, Any]) -> None:
    truth = expected()
    ids = [a["raw_id"] for a in sample_run["articles"]]
    assert len(ids) == len(set(ids)) == truth["good_lines"]


def test_malformed_lines_dead_lettered_with_original_bytes(sample_run: dict[str, Any]) -> None:
    truth = expected()
    lines = sample_run["lines"]
    originals = {_original(d) for d, _ in sample_run["deadletters"]}
    bad = {lines[n - 1] for n in truth["malformed_lines"]}
    assert originals == bad
    for deadletter, headers in sample_run["deadletters"]:
        assert deadletter["reason"] and deadletter["stage"] == "normalize"
        assert headers  # Kafka Connect style headers travel with the record


def _original(deadletter: dict[str, Any]) -> bytes:
    if deadletter.get("original_b64") is not None:
        return base64.b64decode(deadletter["original_b64"])
    return str(deadletter["original"]).encode()


def test_events_have_expected_membership(sample_run: dict[str, Any]) -> None:
    truth = expected()
    moved = sample_run["moved"]
    event_of = {
        a["raw_id"]: moved.get(a["event_id"], a["event_id"]) for a in sample_run["articles"]
    }
    predicted = defaultdict(set)
    for raw_id, event_id in event_of.items():
        predicted[event_id].add(raw_id)
    assert sorted(map(sorted, predicted.values())) == sorted(map(sorted, truth["events"].values()))
    multi = [e for e in sample_run["events"] if len(e["sources"]) >= 2]
    assert multi, "at least one event must have two or more sources"
    assert {e["event_id"] for e in sample_run["events"]} == set(predicted)


# Clock readings and offsets differ between two runs; an undated article's event span is
# taken from its ingestion time, so first/last seen are clock readings too.
VOLATILE = {"ingested_at", "origin", "updated_at", "version", "first_seen", "last_seen"}


def _stable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in VOLATILE}


def test_process_command_matches_the_broker_path(
    sample_run: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert main(["process", str(SAMPLE), "--out", str(out)]) == 0
    articles = [
        orjson.loads(line) for line in (out / "news.articles.v1.jsonl").read_bytes().splitlines()
    ]
    events = [
        orjson.loads(line) for line in (out / "news.events.v1.jsonl").read_bytes().splitlines()
    ]
    by_raw = lambda records: {r["raw_id"]: _stable(r) for r in records}  # noqa: E731
    assert by_raw(articles) == by_raw(sample_run["articles"])
    by_id = lambda records: {r["event_id"]: _stable(r) for r in records}  # noqa: E731
    assert by_id(events) == by_id(sample_run["events"])
