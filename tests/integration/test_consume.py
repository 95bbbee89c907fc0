"""The consumer library on a real broker: re-sends, older versions, merges, poison, restarts."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import orjson
import pytest

from config.settings import Settings
from tests.support import event_record, hex_id
from wirestream.consume import Delivery, Failure, Follower, MemoryVersions, Merge, follow_events
from wirestream.kafka import end_offsets, ensure_topics, producer

pytestmark = pytest.mark.integration

FAST = {"poll_timeout_s": 0.2, "commit_interval_s": 0.2}


@pytest.fixture
def settings(kafka_bootstrap: str) -> Settings:
    """Fresh topics (4 partitions) in their own namespace."""
    fresh = Settings.from_env(
        broker=kafka_bootstrap, topic_namespace=f"consume-{uuid.uuid4().hex[:8]}."
    )
    ensure_topics(kafka_bootstrap, fresh)
    return fresh


@pytest.fixture
def one_partition(kafka_bootstrap: str) -> Settings:
    """Fresh topics with one partition each: a total order to stop in the middle of."""
    fresh = Settings.from_env(
        broker=kafka_bootstrap,
        topic_namespace=f"consume1-{uuid.uuid4().hex[:8]}.",
        raw_partitions=1,
    )
    ensure_topics(kafka_bootstrap, fresh)
    return fresh


def send(settings: Settings, values: list[Any], topic: str | None = None) -> None:
    """Produce records (dicts are encoded, bytes and None sent as they are), keyed by id."""
    with producer(settings.broker) as client:
        for value in values:
            key = value.get("event_id") if isinstance(value, dict) else "poison"
            payload = orjson.dumps(value) if isinstance(value, dict) else value
            client.send(topic or settings.topic_names.events, key=str(key).encode(), value=payload)


def drain(settings: Settings, group: str, **options: Any) -> list[Delivery]:
    """Every delivery of a new follower until it has handled what the topics hold now."""
    topics = options.pop("topics", {settings.topic_names.events: "event"})
    ends = end_offsets(settings.broker, list(topics))
    stop = threading.Event()

    def idle(follower: Follower) -> None:
        if follower.caught_up(ends):
            stop.set()

    follower = Follower(
        topics, group_id=group, settings=settings, stop=stop, on_idle=idle, **FAST, **options
    )
    with follower:
        return list(follower)


def state(deliveries: list[Delivery]) -> dict[str, tuple[int, str | None]]:
    """event_id -> (version, merged into) after applying deliveries in order."""
    latest: dict[str, tuple[int, str | None]] = {}
    for delivery in deliveries:
        value: Any = delivery.value
        if isinstance(value, Merge):
            latest[value.event_id] = (value.version, value.into)
        else:
            latest[value["event_id"]] = (value["version"], None)
    return latest


def test_resends_and_older_versions_are_dropped(settings: Settings) -> None:
    send(settings, [event_record("e1", v) for v in (1, 2, 2, 1, 3, 3)])
    send(settings, [event_record("e2", v) for v in (2, 1, 2)])
    deliveries = drain(settings, f"g-{uuid.uuid4().hex}")
    versions = [(d.value["event_id"], d.value["version"]) for d in deliveries]  # type: ignore[index]
    assert sorted(versions) == [("e1", 1), ("e1", 2), ("e1", 3), ("e2", 2)]
    assert all(d.kind == "event" and d.topic == settings.topic_names.events for d in deliveries)


def test_merges_are_reported_as_merges(settings: Settings) -> None:
    absorbed, survivor = "ev-absorbed", hex_id("survivor")
    send(settings, [event_record(absorbed, 1), event_record(survivor, 1)])
    send(settings, [event_record(absorbed, 2, merged_into=survivor), event_record(survivor, 2)])
    send(settings, [event_record(absorbed, 2, merged_into=survivor)])  # a re-send of the merge
    deliveries = drain(settings, f"g-{uuid.uuid4().hex}")
    merges = [d.value for d in deliveries if d.kind == "merge"]
    assert merges == [Merge(absorbed, survivor, 2, merges[0].event)]  # type: ignore[union-attr]
    assert state(deliveries) == {absorbed: (2, survivor), survivor: (2, None)}


def test_poison_records_go_to_the_error_callback_and_are_not_redelivered(
    settings: Settings,
) -> None:
    no_title = event_record("e-no-title", 1, title=None)
    poison: list[Any] = [b"{not json", orjson.dumps([1, 2]), None, orjson.dumps(no_title)]
    send(settings, [event_record("e-before", 1), *poison, event_record("e-after", 1)])
    failures: list[Failure] = []
    group = f"g-{uuid.uuid4().hex}"
    deliveries = drain(settings, group, on_error=failures.append)
    assert sorted(state(deliveries)) == ["e-after", "e-before"]
    assert sorted(f.reason for f in failures) == [
        "invalid_json", "invalid_record", "no_value", "schema_violation",
    ]  # fmt: skip
    assert sorted((f.value or b"") for f in failures) == sorted(p or b"" for p in poison)
    sent = {(f.partition, f.offset) for f in failures}
    assert len(sent) == 4 and all(f.topic == settings.topic_names.events for f in failures)
    assert all(f.key == b"poison" for f in failures)
    # committed past them: the same group sees nothing again, and no error either
    again: list[Failure] = []
    assert drain(settings, group, on_error=again.append) == [] and again == []


def test_validation_can_be_turned_off(settings: Settings) -> None:
    send(settings, [event_record("e-loose", 1, title=None, extra_field=True)])
    failures: list[Failure] = []
    strict = drain(settings, f"g-{uuid.uuid4().hex}", on_error=failures.append)
    assert strict == [] and [f.reason for f in failures] == ["schema_violation"]
    loose = drain(settings, f"g-{uuid.uuid4().hex}", validate=False)
    assert state(loose) == {"e-loose": (1, None)}


def test_a_restart_resumes_after_the_last_handled_record(one_partition: Settings) -> None:
    settings = one_partition
    send(settings, [event_record(f"e{n}", 1) for n in range(6)])
    group = f"g-{uuid.uuid4().hex}"
    handled: list[str] = []

    class HandlerCrashed(Exception):
        pass

    follower = Follower({settings.topic_names.events: "event"}, group_id=group, settings=settings)
    with pytest.raises(HandlerCrashed), follower:
        for delivery in follower:
            if delivery.value["event_id"] == "e3":  # type: ignore[index]
                raise HandlerCrashed  # e3's handler never returned
            handled.append(delivery.value["event_id"])  # type: ignore[index]
    assert handled == ["e0", "e1", "e2"]
    resumed = [d.value["event_id"] for d in drain(settings, group)]  # type: ignore[index]
    assert resumed == ["e3", "e4", "e5"]


def test_persisted_versions_keep_dropping_stale_records_after_a_restart(
    one_partition: Settings,
) -> None:
    settings = one_partition
    group, versions = f"g-{uuid.uuid4().hex}", MemoryVersions()  # kept across both runs
    send(settings, [event_record("e", 1), event_record("e", 2)])
    assert state(drain(settings, group, versions=versions)) == {"e": (2, None)}
    send(settings, [event_record("e", 1)])  # an older re-send after the restart
    assert drain(settings, group, versions=versions) == []
    # a store that forgot (a fresh one) lets the next one through: persist the store
    send(settings, [event_record("e", 1)])
    assert state(drain(settings, group, versions=MemoryVersions())) == {"e": (1, None)}


def test_a_new_group_rebuilds_the_full_state(settings: Settings) -> None:
    survivor = hex_id("kept")
    records = [event_record(f"e{n}", v) for n in range(20) for v in (1, 2)]
    records += [event_record("e0", 1), event_record("gone", 1), event_record(survivor, 1)]
    records += [event_record("gone", 2, merged_into=survivor), event_record(survivor, 3)]
    send(settings, records)
    first = state(drain(settings, f"g-{uuid.uuid4().hex}"))
    rebuilt = state(drain(settings, f"g-{uuid.uuid4().hex}"))
    assert first == rebuilt
    assert rebuilt["e0"] == (2, None) and rebuilt["gone"] == (2, survivor)
    assert len(rebuilt) == 22
    # from_beginning ignores the group's commits (the event service after its file was deleted)
    group = f"g-{uuid.uuid4().hex}"
    assert state(drain(settings, group)) == rebuilt
    assert state(drain(settings, group, from_beginning=True)) == rebuilt


def test_follow_events_and_articles_yield_plain_records(settings: Settings) -> None:
    import schemas

    article = schemas.load("article.v1")["examples"][0]
    send(settings, [article], topic=settings.topic_names.articles)
    send(settings, [event_record("plain", 1)])
    stop = threading.Event()
    with follow_events(
        group_id=f"g-{uuid.uuid4().hex}", settings=settings, stop=stop, **FAST
    ) as events:
        first = next(events)
        stop.set()
        assert list(events) == []
    assert first["event_id"] == "plain"  # type: ignore[index]
    deliveries = drain(
        settings, f"g-{uuid.uuid4().hex}", topics={settings.topic_names.articles: "article"}
    )
    assert [d.value for d in deliveries] == [article]


def test_a_rebalance_commits_what_was_handled_before_partitions_move(settings: Settings) -> None:
    send(settings, [event_record(f"e{n}", 1) for n in range(40)])
    group = f"g-{uuid.uuid4().hex}"
    topics = {settings.topic_names.events: "event"}
    ends = end_offsets(settings.broker, list(topics))
    # one record per poll and no timed commits: only the revocation commits mid-stream
    first = Follower(
        topics,
        group_id=group,
        settings=settings,
        max_records=1,
        commit_interval_s=3600,
        poll_timeout_s=0.2,
    )
    handled = [next(first).value["event_id"] for _ in range(3)]  # type: ignore[index]
    second_seen: list[str] = []
    errors: list[BaseException] = []

    def follow_second() -> None:
        stop = threading.Event()

        def idle(follower: Follower) -> None:
            if follower.consumer.assignment() and follower.caught_up(ends):
                stop.set()

        try:
            with Follower(
                topics, group_id=group, settings=settings, stop=stop, on_idle=idle, **FAST
            ) as second:
                second_seen.extend(d.value["event_id"] for d in second)  # type: ignore[index]
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=follow_second)
    thread.start()
    with first:
        # a slow handler: the group rebalances while the first follower is mid-stream
        while len(first.consumer.assignment()) == 4 and len(handled) < 40:
            handled.append(next(first).value["event_id"])  # type: ignore[index]
            time.sleep(0.3)
        kept = len(first.consumer.assignment())
    thread.join(timeout=60)
    assert not errors, errors
    assert 0 < kept < 4, "the second follower never got partitions"
    assert not set(handled) & set(second_seen), "handled records were delivered again"


def test_abandon_leaves_the_group_without_committing_what_was_handled(
    one_partition: Settings,
) -> None:
    settings = one_partition
    send(settings, [event_record(f"e{n}", 1) for n in range(4)])
    group = f"g-{uuid.uuid4().hex}"
    topics = {settings.topic_names.events: "event"}
    first = Follower(topics, group_id=group, settings=settings, commit_interval_s=3600)
    handled = [next(first).value["event_id"] for _ in range(3)]  # type: ignore[index]
    assert handled == ["e0", "e1", "e2"]
    first.abandon()  # e0 and e1 were handled, but their writes were lost
    again = [d.value["event_id"] for d in drain(settings, group)]  # type: ignore[index]
    assert again == ["e0", "e1", "e2", "e3"]
