"""Several workers and restarts: copies meet across partitions; state survives a lost disk."""

from __future__ import annotations

import re
import signal
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

PARTITIONS = 4
# a worker is ready ~6 s after it starts and its first batch waits for the NLP pool a few more
JOIN_DELAY_S = 3.0


def _setup(bootstrap: str, partitions: int) -> tuple[str, dict[str, str], Settings]:
    app_id = f"workers-{uuid.uuid4().hex[:8]}"
    env = {
        "WIRESTREAM_TOPIC_NAMESPACE": f"{app_id}.",
        "WIRESTREAM_RAW_PARTITIONS": str(partitions),
        "WIRESTREAM_SESSION_TIMEOUT_S": "6",
    }
    settings = Settings.from_env(env, broker=bootstrap)
    ensure_topics(bootstrap, settings)
    return app_id, env, settings


def _send(bootstrap: str, topic: str, lines: list[bytes], *, partitions: int) -> None:
    with producer(bootstrap) as client:
        for n, line in enumerate(lines):
            client.send(topic, value=line, partition=n % partitions)


def _outputs(bootstrap: str, settings: Settings) -> tuple[list[dict[str, Any]], int]:
    articles = [
        orjson.loads(r.value)
        for r in read_topic(bootstrap, settings.topic_names.articles, timeout_s=1.0)
    ]
    dead = len(read_topic(bootstrap, settings.topic_names.deadletter, timeout_s=1.0))
    return articles, dead


def _wait(
    bootstrap: str,
    settings: Settings,
    want: int,
    workers: list[WorkerProcess],
    timeout: float = 240.0,
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        articles, dead = _outputs(bootstrap, settings)
        if len({a["raw_id"] for a in articles}) + dead >= want:
            time.sleep(2.0)  # the last event versions follow their articles
            return _outputs(bootstrap, settings)[0]
        logs = "\n".join(w.tail() for w in workers)
        assert time.monotonic() < deadline, f"{len(articles)}+{dead}/{want}\n{logs}"
        assert any(w.proc and w.proc.poll() is None for w in workers), logs
        time.sleep(1.0)


def _membership(
    articles: list[dict[str, Any]], moved: dict[str, str] | None = None
) -> list[list[str]]:
    members = defaultdict(set)
    for article in articles:
        members[(moved or {}).get(article["event_id"], article["event_id"])].add(article["raw_id"])
    return sorted(sorted(group) for group in members.values())


def _final_events(bootstrap: str, settings: Settings) -> list[dict[str, Any]]:
    records = read_topic(bootstrap, settings.topic_names.events, timeout_s=2.0)
    return [orjson.loads(r.value) for r in records]


def _check_events(articles: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    holders = defaultdict(set)
    for event in live_events(records):
        for article_id in event["articles"]:
            holders[article_id].add(event["event_id"])
    moved = final_event_ids(records)
    for article in articles:
        named = moved.get(article["event_id"], article["event_id"])
        assert holders[article["article_id"]] == {named}, article["raw_id"]


def _reference(
    lines: list[bytes], order: list[str], tmp_path: Path
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    position = {raw_id: n for n, raw_id in enumerate(order)}
    good = [line for line in lines if _raw_id(line) in position]
    replay = tmp_path / "replay.jsonl"
    replay.write_bytes(b"\n".join(sorted(good, key=lambda line: position[_raw_id(line)])) + b"\n")
    assert main(["process", str(replay), "--out", str(tmp_path / "reference")]) == 0
    out = (tmp_path / "reference" / "news.articles.v1.jsonl").read_bytes()
    events = (tmp_path / "reference" / "news.events.v1.jsonl").read_bytes()
    moved = final_event_ids([orjson.loads(line) for line in events.splitlines()])
    return [orjson.loads(line) for line in out.splitlines()], moved


def _raw_id(line: bytes) -> str | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return record.get("id") if isinstance(record, dict) else None


def test_two_workers_copies_meet_across_partitions(kafka_bootstrap: str, tmp_path: Path) -> None:
    app_id, env, settings = _setup(kafka_bootstrap, PARTITIONS)
    workers = [
        WorkerProcess(
            kafka_bootstrap,
            tmp_path / f"w{n}",
            app_id=app_id,
            extra_env={**env, "WIRESTREAM_INSTANCE_ID": f"{app_id}-{n}"},
        ).start()
        for n in range(2)
    ]
    lines = read_lines(SAMPLE)
    try:
        _send(kafka_bootstrap, settings.topic_names.raw, lines, partitions=PARTITIONS)
        articles = _wait(kafka_bootstrap, settings, len(lines), workers)
        events = _final_events(kafka_bootstrap, settings)
    finally:
        for worker in workers:
            worker.stop()
    truth = expected()
    assert len({a["raw_id"] for a in articles}) == truth["good_lines"]
    _check_events(articles, events)
    # same events as the reference pipeline given the order the one clustering partition saw
    # (clustering is order-sensitive, so compare like with like, not with the file order)
    seen = [
        orjson.loads(r.value)["raw_id"]
        for r in read_topic(kafka_bootstrap, settings.topic_names.enriched, timeout_s=1.0)
    ]
    reference, moved = _reference(lines, seen, tmp_path)
    assert _membership(articles, final_event_ids(events)) == _membership(reference, moved)
    # most stories really came in on several partitions and still met in one event
    by_event = defaultdict(set)
    for article in articles:
        by_event[article["event_id"]].add(article["origin"]["partition"])
    assert sum(len(parts) >= 2 for parts in by_event.values()) >= len(by_event) // 2
    # each republished URL: two copies, whichever came first is the original, one is flagged
    by_raw = {a["raw_id"]: a for a in articles}
    crossed = 0
    for raw_id in truth["exact_duplicates"]:
        copies = [a for a in articles if a["article_id"] == by_raw[raw_id]["article_id"]]
        assert len(copies) == 2 and sum(a["duplicate_of"] is None for a in copies) == 1
        crossed += copies[0]["origin"]["partition"] != copies[1]["origin"]["partition"]
    assert crossed >= 1


def test_a_worker_joining_mid_batch_loses_nothing(kafka_bootstrap: str, tmp_path: Path) -> None:
    # The join rebalances the group while the first worker's first batch is in its pool and no
    # offset is committed yet; Faust dropped the enriched records fetched meanwhile and committed
    # over them (agents/offsets.py), so the clustering stage never saw them.
    app_id, env, settings = _setup(kafka_bootstrap, PARTITIONS)
    lines = read_lines(SAMPLE)
    workers = [_member(kafka_bootstrap, tmp_path, app_id, env, 0)]
    try:
        _send(kafka_bootstrap, settings.topic_names.raw, lines, partitions=PARTITIONS)
        time.sleep(JOIN_DELAY_S)
        workers.append(_member(kafka_bootstrap, tmp_path, app_id, env, 1))
        articles = _wait(kafka_bootstrap, settings, len(lines), workers, timeout=120.0)
    finally:
        for worker in workers:
            worker.stop()
    assert len({a["raw_id"] for a in articles}) == expected()["good_lines"]


def _member(
    bootstrap: str, tmp_path: Path, app_id: str, env: dict[str, str], n: int
) -> WorkerProcess:
    extra_env = {**env, "WIRESTREAM_INSTANCE_ID": f"{app_id}-{n}"}
    return WorkerProcess(bootstrap, tmp_path / f"w{n}", app_id=app_id, extra_env=extra_env).start()


def test_restart_with_a_fresh_disk_recovers_state_from_the_changelog(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    app_id, env, settings = _setup(kafka_bootstrap, 1)
    lines = read_lines(SAMPLE)
    first, second = lines[:15], lines[15:]
    truth = expected()
    raw_ids = [_raw_id(line) for line in first]
    # precondition: some events have members on both sides of the restart
    assert any(
        set(ids) & set(raw_ids) and set(ids) - set(raw_ids) for ids in truth["events"].values()
    )
    worker = WorkerProcess(kafka_bootstrap, tmp_path / "before", app_id=app_id, extra_env=env)
    worker.start()
    try:
        _send(kafka_bootstrap, settings.topic_names.raw, first, partitions=1)
        _wait(kafka_bootstrap, settings, len(first), [worker])
    finally:
        worker.stop(sig=signal.SIGKILL)
    # a new data dir: no local RocksDB, so the table must come back from its changelog
    worker = WorkerProcess(kafka_bootstrap, tmp_path / "after", app_id=app_id, extra_env=env)
    worker.start()
    try:
        _send(kafka_bootstrap, settings.topic_names.raw, second, partitions=1)
        articles = _wait(kafka_bootstrap, settings, len(lines), [worker])
        events = _final_events(kafka_bootstrap, settings)
    finally:
        worker.stop()
    latest = {a["raw_id"]: a for a in articles}  # a re-sent copy must be identical anyway
    assert len(latest) == truth["good_lines"]
    moved = final_event_ids(events)
    assert _membership(list(latest.values()), moved) == sorted(
        map(sorted, truth["events"].values())
    )
    _check_events(list(latest.values()), events)
    # one live event per event the articles name: none split, none duplicated
    named = {moved.get(a["event_id"], a["event_id"]) for a in latest.values()}
    assert {e["event_id"] for e in live_events(events)} == named
    # the candidate index is not in the changelog: it was rebuilt from the recovered table
    log = worker.log.read_text()
    rebuilt = re.findall(r"cluster index rebuilt from the table: (\d+) events", log)
    assert rebuilt and int(rebuilt[0]) > 0, worker.tail()
