"""The consumer thread: follow the events and articles topics into the SQLite file."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kafka import TopicPartition

from config.settings import Settings
from wirestream.consume import Delivery, Failure, Follower, Merge
from wirestream.events.store import Store

log = logging.getLogger(__name__)

# a transaction is committed at least this often (records), besides every offset commit
FLUSH_EVERY = 2000
MAX_BACKOFF_S = 30.0

Notify = Callable[[list[dict[str, Any]]], None]


class Materializer:
    """Keeps a ``Store`` up to date with the topics; runs in its own thread until ``stop``."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        group_id: str,
        notify: Notify = lambda changes: None,
        commit_interval_s: float = 0.5,
        poll_timeout_s: float = 0.5,
    ) -> None:
        """Follow ``settings``' events and articles topics in consumer group ``group_id``.

        Args:
            store: the writer (used from the consumer thread only, once started).
            settings: broker, topic names and security.
            group_id: this copy's consumer group (a fresh file starts from the beginning).
            notify: gets the cards of the events each flush changed (in the consumer thread).
            commit_interval_s: how often offsets (and the SQLite transaction) are committed.
            poll_timeout_s: how long a poll waits; bounds how late ``stop`` is seen.
        """
        self.store, self.settings, self.group_id, self.notify = store, settings, group_id, notify
        self.commit_interval_s, self.poll_timeout_s = commit_interval_s, poll_timeout_s
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.problem: str | None = None
        self.failures = 0
        self.targets: dict[TopicPartition, int] | None = None
        self._follower: Follower | None = None
        self._thread = threading.Thread(target=self.run, name="materializer", daemon=True)

    def start(self) -> Materializer:
        """Start the consumer thread."""
        self._thread.start()
        return self

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread (it commits what it handled) and close the store."""
        self.stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if not self._thread.is_alive():
            self.store.close()

    @property
    def alive(self) -> bool:
        """Whether the consumer thread runs."""
        return self._thread.is_alive()

    def run(self) -> None:
        """Follow until ``stop``; on a failure, log it, wait (1 s, doubling to 30 s) and retry."""
        backoff = 1.0
        from_beginning = self.store.created  # a new file is rebuilt from the whole topics
        while not self.stop.is_set():
            try:
                self._follow(from_beginning)
                from_beginning = False
                backoff = 1.0
            except Exception as error:
                self.problem = f"{type(error).__name__}: {error}"
                log.exception("consumer failed; retrying in %.0f s", backoff)
                self.stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _follow(self, from_beginning: bool) -> None:
        names = self.settings.topic_names
        follower = Follower(
            {names.events: "event", names.articles: "article"},
            group_id=self.group_id,
            settings=self.settings,
            versions=self.store,
            on_error=self._failed,
            from_beginning=from_beginning,
            before_commit=self.flush,
            on_idle=self._idle,
            commit_interval_s=self.commit_interval_s,
            poll_timeout_s=self.poll_timeout_s,
            stop=self.stop,
        )
        self._follower = follower
        try:
            if self.targets is None:
                self.targets = follower.end_offsets()
            self.problem = None
            for delivery in follower:  # ends (closed, committed) once stop is set
                self.apply(delivery)
                if self.store.pending >= FLUSH_EVERY:
                    self.flush()
        except BaseException:
            # What the last flush did not commit is lost: commit no offset past it.
            self.store.rollback()
            follower.abandon()
            raise

    def apply(self, delivery: Delivery) -> None:
        """Write one delivery into the open transaction."""
        value: Any = delivery.value
        if delivery.kind == "article":
            self.store.apply_article(value)
        else:
            self.store.apply_event(value.event if isinstance(value, Merge) else value)

    def flush(self) -> None:
        """Commit the SQLite transaction, then tell ``notify`` what changed."""
        changes = self.store.flush()
        self._check_ready()
        if changes:
            self.notify(changes)

    def _idle(self, follower: Follower) -> None:
        self.flush()

    def _check_ready(self) -> None:
        follower = self._follower
        if self.ready.is_set() or follower is None or self.targets is None:
            return
        if follower.caught_up(self.targets):
            self.ready.set()
            log.info("caught up with the end offsets seen at start")

    def _failed(self, failure: Failure) -> None:
        self.failures += 1
        log.warning(
            "skipped %s[%d]@%d: %s: %s",
            failure.topic, failure.partition, failure.offset, failure.reason, failure.message,
        )  # fmt: skip
