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
SHARD_CHARS = 2
SHARDS = [f"{i:02x}" for i in range(16**SHARD_CHARS)]


def hour_of(when: datetime) -> int:
    """Whole hours since the epoch.

    Args:
        when: a timezone-aware time.
    """
    return int(when.astimezone(UTC).timestamp() // 3600)


def bucket_key(hour: int, event_id: str) -> str:
    """Expiry bucket of an event: its hour, sharded by id so no list grows with the stream.

    Args:
        hour: hours since the epoch.
        event_id: the event (hex).
    """
    return f"exp:{hour}:{event_id[:SHARD_CHARS]}"


def schedule(
    event_id: str, event: dict[str, Any], state: MutableMapping[str, Any], *, when: datetime
) -> None:
    """Put an event in the expiry bucket of its latest activity (once per bucket).

    Args:
        event_id: the event just touched.
        event: its state; its `bucket` field is updated, the caller stores it.
        state: the cluster state.
        when: the time of that activity.
    """
    meta = state.get(META_KEY) or {}
    # Buckets already walked past are never read again: late events go to the next one.
    hour = max(hour_of(when), int(meta.get("next", 0)))
    if event.get("bucket", -1) >= hour:
        return
    key = bucket_key(hour, event_id)
    state[key] = [*(state.get(key) or []), event_id]
    event["bucket"] = hour


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
        for shard in SHARDS:
            for event_id in state.pop(f"exp:{hour}:{shard}", None) or []:
                dropped += _drop_if_idle(event_id, state, cutoff=cutoff)
    state[META_KEY] = {"next": until}
    return dropped


def _drop_if_idle(event_id: str, state: MutableMapping[str, Any], *, cutoff: datetime) -> int:
    """Remove an idle event, its index postings and its articles' dedup keys."""
    event = state.get(f"ev:{event_id}")
    # Idleness counts in processing time, so a backfill of old articles is not evicted at once.
    if event is None or datetime.fromisoformat(event.get("touched", event["last_seen"])) >= cutoff:
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
