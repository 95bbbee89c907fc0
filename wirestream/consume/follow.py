"""Follow the output topics with a consumer group: latest state only, at least once."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from kafka import AsyncConsumerRebalanceListener, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from config.security import ClientSecurity
from config.settings import Settings
from wirestream.consume.client import make_consumer
from wirestream.consume.errors import Failure, RecordError, failure_of, log_failure
from wirestream.consume.items import Delivery, Merge
from wirestream.consume.parse import parse_article, parse_event
from wirestream.consume.versions import MemoryVersions, VersionStore

log = logging.getLogger(__name__)

TopicKind = Literal["event", "article"]


class Follower:
    """Iterate over deliveries; asking for the next one means the last one was handled.

    An offset is committed only once the caller came back for the next delivery (or left a
    ``with`` block without an exception), so a crash in the handler redelivers that record.
    Event records whose ``version`` is not above the highest handled one are dropped;
    a record that cannot be parsed or validated goes to ``on_error`` and is skipped.
    """

    def __init__(
        self,
        topics: Mapping[str, TopicKind],
        *,
        group_id: str,
        settings: Settings | None = None,
        security: ClientSecurity | None = None,
        versions: VersionStore | None = None,
        validate: bool = True,
        on_error: Callable[[Failure], None] = log_failure,
        from_beginning: bool = False,
        before_commit: Callable[[], None] | None = None,
        on_idle: Callable[[Follower], None] | None = None,
        commit_interval_s: float = 1.0,
        poll_timeout_s: float = 0.5,
        max_records: int = 500,
        stop: threading.Event | None = None,
        consumer_config: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Join ``group_id`` on ``topics``.

        Args:
            topics: topic name -> the kind of record on it (``event`` or ``article``).
            group_id: the consumer group; its commits are where a restart resumes.
            settings: broker and security (default: ``Settings.from_env()``).
            security: SASL/TLS settings (default: those of ``settings``).
            versions: highest handled version per event (default: in memory).
            validate: check records against ``schemas/`` (else only the fields used here).
            on_error: gets every record that cannot be parsed or validated.
            from_beginning: read each partition from its start, whatever the group committed.
            before_commit: called before offsets are committed (make your writes durable).
            on_idle: called when a poll found nothing new (everything fetched is handled).
            commit_interval_s: how often handled offsets are committed.
            poll_timeout_s: how long one poll waits for records.
            max_records: records per poll.
            stop: iteration ends (after a commit) once this is set.
            consumer_config: more kafka-python consumer settings.
            clock: monotonic seconds, for the commit interval.
        """
        self.topics = dict(topics)
        self.versions = versions if versions is not None else MemoryVersions()
        self.validate, self.on_error, self.on_idle = validate, on_error, on_idle
        self.before_commit, self.stop, self.clock = before_commit, stop, clock
        self.commit_interval_s, self.from_beginning = commit_interval_s, from_beginning
        self.poll_timeout_ms, self.max_records = int(poll_timeout_s * 1000), max_records
        self.stats = {"delivered": 0, "stale": 0, "failed": 0}
        self._next: dict[TopicPartition, int] = {}  # offset after the last handled record
        self._committed: dict[TopicPartition, int] = {}
        self._started: set[TopicPartition] = set()
        self._buffer: deque[ConsumerRecord] = deque()
        self._pending: tuple[ConsumerRecord, Delivery] | None = None
        self._last_commit = clock()
        self._closed = False
        self.consumer = make_consumer(
            settings or Settings.from_env(),
            group_id=group_id,
            security=security,
            config=consumer_config,
        )
        for topic in self.topics:
            # partitions known before the first join: no empty first assignment and rejoin
            self.consumer.partitions_for_topic(topic)
        self.consumer.subscribe(list(self.topics), listener=_Rebalance(self))

    def __iter__(self) -> Follower:
        return self

    def __next__(self) -> Delivery:
        self._finish_pending()
        while True:
            while self._buffer:
                record = self._buffer.popleft()
                delivery = self._admit(record)
                if delivery is not None:
                    self._pending = (record, delivery)
                    return delivery
            if self.stop is not None and self.stop.is_set():
                self.close()
                raise StopIteration
            if self.clock() - self._last_commit >= self.commit_interval_s:
                self.commit()
            self._poll()

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close(handled=kind is None)

    def close(self, *, handled: bool = False) -> None:
        """Commit what was handled and leave the group.

        Args:
            handled: the last delivery was handled too (the caller left its loop normally).
        """
        if self._closed:
            return
        if handled:
            self._finish_pending()
        self._pending = None
        self.commit()
        self._closed = True
        self.consumer.close(autocommit=False)

    def abandon(self) -> None:
        """Leave the group without committing (the caller lost writes it had not made durable)."""
        if not self._closed:
            self._pending, self._closed = None, True
            self.consumer.close(autocommit=False)

    def commit(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Commit the offsets after every handled record (of ``partitions``, default all)."""
        chosen = set(self._next) if partitions is None else set(partitions) & set(self._next)
        offsets = {tp: self._next[tp] for tp in chosen if self._next[tp] != self._committed.get(tp)}
        self._last_commit = self.clock()
        if not offsets:
            return
        if self.before_commit is not None:
            self.before_commit()
        try:
            self.consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in offsets.items()})
        except KafkaError as error:  # a rebalance or a broker away: the next commit retries
            log.warning("commit failed, will retry: %s", error)
            return
        self._committed.update(offsets)

    def end_offsets(self) -> dict[TopicPartition, int]:
        """The current end offset of every partition of the followed topics."""
        partitions = [
            TopicPartition(topic, p)
            for topic in self.topics
            for p in sorted(self.consumer.partitions_for_topic(topic) or ())
        ]
        return dict(self.consumer.end_offsets(partitions)) if partitions else {}

    def caught_up(self, ends: Mapping[TopicPartition, int]) -> bool:
        """Whether every record below ``ends`` has been handled (or committed before)."""
        return all(self._next.get(tp, 0) >= end for tp, end in ends.items() if end > 0)

    def _finish_pending(self) -> None:
        if self._pending is None:
            return
        record, delivery = self._pending
        self._pending = None
        if delivery.kind != "article":
            event = delivery.value
            event_id, version = (
                (event.event_id, event.version)
                if isinstance(event, Merge)
                else (event["event_id"], event["version"])  # type: ignore[typeddict-item]
            )
            self.versions.put(event_id, version)
        self.stats["delivered"] += 1
        self._done(record)

    def _admit(self, record: ConsumerRecord) -> Delivery | None:
        kind = self.topics[record.topic]
        try:
            if kind == "article":
                article = parse_article(record.value, validate=self.validate)
                return Delivery("article", article, record.topic, record.partition, record.offset)
            event = parse_event(record.value, validate=self.validate)
        except RecordError as error:
            self.stats["failed"] += 1
            self.on_error(failure_of(record, error))
            self._done(record)
            return None
        known = self.versions.get(event["event_id"])
        if known is not None and event["version"] <= known:
            self.stats["stale"] += 1
            self._done(record)
            return None
        into = event.get("merged_into")
        if into is None:
            return Delivery("event", event, record.topic, record.partition, record.offset)
        merge = Merge(event["event_id"], into, event["version"], event)
        return Delivery("merge", merge, record.topic, record.partition, record.offset)

    def _done(self, record: ConsumerRecord) -> None:
        self._next[TopicPartition(record.topic, record.partition)] = record.offset + 1

    def _poll(self) -> None:
        batch = self.consumer.poll(timeout_ms=self.poll_timeout_ms, max_records=self.max_records)
        for records in batch.values():
            self._buffer.extend(records)
        if batch:
            return
        # Nothing buffered and nothing new: every record fetched so far has been handled.
        for tp in self.consumer.assignment():
            self._next[tp] = max(self._next.get(tp, 0), self.consumer.position(tp))
        self.commit()
        if self.on_idle is not None:
            self.on_idle(self)

    def _hand_over(self, revoked: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        """Drop what is buffered for ``revoked``; return their handled, uncommitted offsets
        (none once closed: `close` committed them, `abandon` must not)."""
        gone = set(revoked)
        offsets = {
            tp: self._next[tp]
            for tp in gone & set(self._next)
            if self._next[tp] != self._committed.get(tp) and not self._closed
        }
        self._buffer = deque(
            r for r in self._buffer if TopicPartition(r.topic, r.partition) not in gone
        )
        for tp in gone:
            self._next.pop(tp, None)
            self._committed.pop(tp, None)
        return offsets

    def _assigned(self, assigned: Iterable[TopicPartition]) -> None:
        fresh = set(assigned) - self._started
        if self.from_beginning and fresh:
            self.consumer.seek_to_beginning(*fresh)
        self._started |= fresh


class _Rebalance(AsyncConsumerRebalanceListener):  # type: ignore[misc]
    """Runs on the consumer's IO thread: blocking consumer calls are refused there."""

    def __init__(self, follower: Follower) -> None:
        self.follower = follower

    async def on_partitions_revoked(self, revoked: Any) -> None:
        offsets = self.follower._hand_over(revoked)
        if not offsets:
            return
        # the caller is parked in poll(), so its writes can be made durable from here
        if self.follower.before_commit is not None:
            self.follower.before_commit()
        commit = {tp: OffsetAndMetadata(o, "", -1) for tp, o in offsets.items()}
        try:
            await self.follower.consumer.commit_async(commit)
        except KafkaError as error:  # the new owner redelivers: at least once still holds
            log.warning("commit of revoked partitions failed: %s", error)

    async def on_partitions_lost(self, lost: Any) -> None:
        self.follower._hand_over(lost)  # the group moved on: a commit would be refused

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.follower._assigned(assigned)
