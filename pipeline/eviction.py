"""TTL eviction of idle events through hourly expiry buckets (no scan over all events)."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pipeline import dedup

if TYPE_CHECKING:
    from pipeline.cluster import ClusterConfig

META_KEY = "meta:evict"
# A clock jump larger than this is walked in one step, not hour by hour.
MAX_HOURS_PER_CALL = 24 * 400


def hour_of(when: datetime) -> int:
    """Whole hours since the epoch.

    Args:
        when: a timezone-aware time.
    """
    return int(when.astimezone(UTC).timestamp() // 3600)


def schedule(
    event_id: str, state: MutableMapping[str, Any], *, when: datetime, config: ClusterConfig
) -> None:
    """Put an event in the expiry bucket of its latest activity.

    Args:
        event_id: the event just touched.
        state: the cluster state.
        when: the time of that activity.
        config: unused today; kept for symmetry with `evict`.
    """
    meta = state.get(META_KEY) or {}
    # Buckets already walked past are never read again: late events go to the next one.
    hour = max(hour_of(when), int(meta.get("next", 0)))
    key = f"exp:{hour}"
    bucket = state.get(key) or []
    if event_id not in bucket:
        state[key] = [*bucket, event_id]


def evict(state: MutableMapping[str, Any], *, now: datetime, config: ClusterConfig) -> int:
    """Drop events idle for longer than `config.window`; cheap when no hour has passed.

    Returns the number of events dropped.

    Args:
        state: the cluster state.
        now: the clock.
        config: `window`.
    """
    cutoff = now - config.window
    until = hour_of(cutoff)
    meta = state.get(META_KEY)
    if meta is None:
        state[META_KEY] = {"next": until}
        return 0
    start = max(int(meta["next"]), until - MAX_HOURS_PER_CALL)
    if start >= until:
        return 0
    dropped = 0
    for hour in range(start, until):
        for event_id in state.pop(f"exp:{hour}", None) or []:
            dropped += _drop_if_idle(event_id, state, cutoff=cutoff)
    state[META_KEY] = {"next": until}
    return dropped


def _drop_if_idle(event_id: str, state: MutableMapping[str, Any], *, cutoff: datetime) -> int:
    """Remove an idle event, its index postings and its articles' dedup keys."""
    event = state.get(f"ev:{event_id}")
    if event is None or datetime.fromisoformat(event["last_seen"]) >= cutoff:
        return 0
    for key in event["keys"]:
        posting = [e for e in state.get(key) or [] if e != event_id]
        if posting:
            state[key] = posting
        else:
            state.pop(key, None)
    for article_id in event["articles"]:
        record = state.pop(f"art:{article_id}", None)
        if record is not None:
            dedup.unregister(article_id, record.get("keys") or [], state)
    state.pop(f"ev:{event_id}", None)
    state.pop(f"evm:{event_id}", None)
    return 1
