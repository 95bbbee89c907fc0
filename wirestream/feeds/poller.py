"""The feed poller: conditional GET, parse, publish new entries, remember, back off.

Delivery is at-least-once: an entry enters the seen set only after the publisher reports
it acknowledged, and a feed's ETag / Last-Modified are stored only when every new entry of
the document was acknowledged (otherwise the next poll would get a 304 and never retry).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from wirestream.feeds.config import FeedConfig, PollerConfig
from wirestream.feeds.fulltext import fill_full_text
from wirestream.feeds.http import Fetcher, FetchError, Response, http_fetch
from wirestream.feeds.metrics import FeedMetrics
from wirestream.feeds.parse import Item, MalformedFeed, parse_document
from wirestream.feeds.state import FeedState, StateStore, is_http_url

log = logging.getLogger("wirestream.feeds")

# Returns, for each item, whether the broker acknowledged it.
Publisher = Callable[[list[Item]], list[bool]]
THROTTLED = frozenset({429, 503})


@dataclass
class PollResult:
    """The outcome of one poll of one feed.

    Args:
        feed: the feed name.
        outcome: ``ok``, ``not-modified``, ``error``, ``retired`` or ``skipped``.
        http_status: the final HTTP status, when one was received.
        items: entries in the document.
        new: entries not seen before.
        published: new entries the broker acknowledged.
        problems: what went wrong or was skipped.
        next_poll: when the feed is next due (epoch seconds).
    """

    feed: str
    outcome: str
    http_status: int | None = None
    items: int = 0
    new: int = 0
    published: int = 0
    problems: list[str] = field(default_factory=list)
    next_poll: float = 0.0


class Poller:
    """Polls configured feeds and publishes their new entries.

    Args:
        config: the poller configuration.
        store: the state store.
        publish: sends items to the broker; returns one acknowledgement flag per item.
        fetch: the HTTP fetcher.
        clock: current time, epoch seconds.
        sleep: waits a number of seconds (``threading.Event.wait`` makes it interruptible).
        metrics: where to report (default: a fresh registry).
        rng: randomness for the backoff jitter.
    """

    def __init__(
        self,
        config: PollerConfig,
        *,
        store: StateStore,
        publish: Publisher,
        fetch: Fetcher = http_fetch,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
        metrics: FeedMetrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.publish = publish
        self.fetch = fetch
        self.clock = clock
        self.sleep = sleep
        self.metrics = metrics or FeedMetrics(feed.name for feed in config.feeds)
        self.rng = rng or random.Random()

    def run(self, *, stop: threading.Event | None = None, once: bool = False) -> list[PollResult]:
        """Poll due feeds until ``stop`` is set; with ``once``, one round of every feed.

        Args:
            stop: set it to end the loop (checked between polls).
            once: poll every feed not retired or backing off, once, and return the results.
        """
        stop = stop or threading.Event()
        self._report_stored_state()
        if once:
            return self.poll_due(force=True)
        while not stop.is_set():
            self.poll_due()
            self.store.prune(older_than=self.clock() - self.config.retention_days * 86400)
            due = [s.next_poll for s in self._states() if not s.retired]
            if not due:
                log.warning("every feed is retired; the poller stops")
                break
            self.sleep(min(max(0.0, min(due) - self.clock()), 60.0))
        return []

    def poll_due(self, *, force: bool = False) -> list[PollResult]:
        """Poll every feed that is due now.

        Args:
            force: also poll feeds whose regular interval has not elapsed (never those
                retired or backing off after an error).
        """
        now = self.clock()
        results = []
        for feed, state in zip(self.config.feeds, self._states(), strict=True):
            due = state.next_poll <= now or (force and state.failures == 0)
            if due and not state.retired:
                results.append(self._poll_guarded(feed))
        return results

    def _poll_guarded(self, feed: FeedConfig) -> PollResult:
        # One feed's unforeseen failure (a parser or client bug) must not stop the others.
        try:
            return self.poll(feed)
        except Exception as error:
            log.exception("feed %s: unexpected failure", feed.name)
            state = self.store.feed(feed.name, feed.url)
            problem = f"unexpected {type(error).__name__}: {error}"
            return self._failed(feed, state, PollResult(feed.name, "error"), problem)

    def poll(self, feed: FeedConfig) -> PollResult:
        """Fetch one feed now, publish its new entries and update its state.

        Args:
            feed: the feed.
        """
        state = self.store.feed(feed.name, feed.url)
        if state.retired:
            return PollResult(feed.name, "retired", next_poll=state.next_poll)
        # One slow feed must not stall the others for longer than this.
        deadline = time.monotonic() + self.config.poll_budget_s
        try:
            response = self.fetch(
                state.fetch_url,
                headers=self._headers(state),
                timeout=min(self.config.timeout_s, self.config.poll_budget_s),
                max_bytes=self.config.max_feed_bytes,
                allow=feed.allow_private_origins,
            )
        except FetchError as error:
            return self._failed(feed, state, PollResult(feed.name, "error"), str(error))
        moved = response.permanent_url
        if moved and moved != state.location and is_http_url(moved):
            log.info("feed %s moved permanently to %s", feed.name, moved)
            state.location = moved
        return self._handle(feed, state, response, deadline=deadline)

    def _handle(
        self, feed: FeedConfig, state: FeedState, response: Response, *, deadline: float
    ) -> PollResult:
        result = PollResult(feed.name, "ok", http_status=response.status)
        if response.status == 304:
            result.outcome = "not-modified"
            return self._succeeded(feed, state, result)
        if response.status == 410:
            log.warning("feed %s is gone (410) at %s: retired", feed.name, state.fetch_url)
            state.retired, state.last_error = True, "410 Gone: retired"
            self.store.save_feed(state)
            return PollResult(feed.name, "retired", 410, problems=[state.last_error])
        if response.status != 200:
            wait = _retry_after(response, self.clock()) if response.status in THROTTLED else None
            return self._failed(feed, state, result, f"HTTP {response.status}", retry_after=wait)
        try:
            parsed = parse_document(response.body, feed=feed, base_url=response.url)
        except MalformedFeed as error:
            return self._failed(feed, state, result, str(error))
        result.items, result.problems = len(parsed.items), parsed.problems
        if not self._publish_new(feed, parsed.items, result, deadline=deadline):
            unacked = f"{result.new - result.published} of {result.new} entries not acknowledged"
            return self._failed(feed, state, result, unacked)
        state.etag = response.headers.get("etag")
        state.last_modified = response.headers.get("last-modified")
        return self._succeeded(feed, state, result)

    def _publish_new(
        self, feed: FeedConfig, items: list[Item], result: PollResult, *, deadline: float
    ) -> bool:
        seen = self.store.seen(feed.name, (k for item in items for k in item.seen_keys))
        old = [item for item in items if seen.intersection(item.seen_keys)]
        new = [item for item in items if not seen.intersection(item.seen_keys)]
        result.problems += fill_full_text(
            new,
            fetch=self.fetch,
            headers=self._headers(None),
            timeout=self.config.fulltext_timeout_s,
            max_bytes=self.config.fulltext_max_bytes,
            concurrency=self.config.fulltext_concurrency,
            allow=feed.allow_private_origins,
            deadline=deadline,
        )
        acks = self.publish(new) if new else []
        acked = [item for item, ok in zip(new, acks, strict=True) if ok]
        # Only acknowledged entries become "seen"; old ones are refreshed to stay retained.
        keys = [key for item in old + acked for key in item.seen_keys]
        self.store.mark_seen(feed.name, keys, now=self.clock())
        result.new, result.published = len(new), len(acked)
        self.metrics.items_published.labels(feed=feed.name).inc(len(acked))
        return len(acked) == len(new)

    def _succeeded(self, feed: FeedConfig, state: FeedState, result: PollResult) -> PollResult:
        now = self.clock()
        state.failures, state.last_success, state.last_error = 0, now, None
        state.next_poll = now + feed.interval_s
        self.store.save_feed(state)
        self.metrics.last_success.labels(feed=feed.name).set(now)
        self.metrics.next_poll.labels(feed=feed.name).set(state.next_poll)
        result.next_poll = state.next_poll
        if result.published:
            log.info("feed %s: published %d new entries", feed.name, result.published)
        for problem in result.problems:
            log.warning("feed %s: %s", feed.name, problem)
        return result

    def _failed(
        self,
        feed: FeedConfig,
        state: FeedState,
        result: PollResult,
        problem: str,
        *,
        retry_after: float | None = None,
    ) -> PollResult:
        state.failures += 1
        delay = retry_after if retry_after is not None else self._backoff(feed, state.failures)
        state.next_poll = self.clock() + min(delay, self.config.backoff_max_s)
        state.last_error = problem
        self.store.save_feed(state)
        self.metrics.errors.labels(feed=feed.name).inc()
        self.metrics.next_poll.labels(feed=feed.name).set(state.next_poll)
        log.warning(
            "feed %s: %s (failure %d, retry in %.0f s)",
            feed.name,
            problem,
            state.failures,
            state.next_poll - self.clock(),
        )
        result.outcome, result.next_poll = "error", state.next_poll
        result.problems = [problem, *result.problems]
        return result

    def _backoff(self, feed: FeedConfig, failures: int) -> float:
        # Exponential from the larger of the feed interval and the base, "equal jitter".
        base = max(feed.interval_s, self.config.backoff_base_s)
        delay = min(self.config.backoff_max_s, base * 2.0 ** min(failures - 1, 30))
        return delay * (0.5 + 0.5 * self.rng.random())

    def _headers(self, state: FeedState | None) -> dict[str, str]:
        headers = {"User-Agent": self.config.user_agent}
        if state is not None and state.etag:
            headers["If-None-Match"] = state.etag
        if state is not None and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        return headers

    def _report_stored_state(self) -> None:
        # After a restart the gauges start from what the store remembers, not from zero.
        for state in self._states():
            if state.last_success is not None:
                self.metrics.last_success.labels(feed=state.name).set(state.last_success)
            self.metrics.next_poll.labels(feed=state.name).set(state.next_poll)

    def _states(self) -> list[FeedState]:
        return [self.store.feed(feed.name, feed.url) for feed in self.config.feeds]


def _retry_after(response: Response, now: float) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    delay: float = moment.timestamp() - now
    return max(0.0, delay)
