"""TTL eviction of idle events through expiry hours held in the `CandidateIndex`."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import META_KEY, article_key, event_key


def hour_of(when: datetime) -> int:
    """Whole hours since the epoch.

    Args:
        when: a timezone-aware time.
    """
    return int(when.astimezone(UTC).timestamp() // 3600)


def schedule(
    event_id: str, event: dict[str, Any], index: CandidateIndex, *, when: datetime
) -> None:
    """Put an event under the expiry hour of its latest activity (its `bucket` field).

    Args:
        event_id: the event just touched.
        event: its state; its `bucket` field is updated, the caller stores it.
        index: the derived index (`due` hours, `horizon`: the first hour not yet walked).
        when: the time of that activity.
    """
    # Hours already walked past are never read again: late events go to the next one.
    hour = max(hour_of(when), index.horizon)
    old = int(event.get("bucket", -1))
    if old >= hour:
        return
    index.reschedule(event_id, old, hour)
    event["bucket"] = hour


def evict(
    state: MutableMapping[str, Any],
    *,
    now: datetime,
    config: ClusterConfig,
    index: CandidateIndex,
) -> int:
    """Drop events idle for longer than `config.window`; cheap when no hour has passed.

    Returns the number of events dropped.

    Args:
        state: the cluster state.
        now: the clock.
        config: `window`.
        index: the state's derived index, kept in step.
    """
    cutoff = now - config.window
    until = hour_of(cutoff)
    meta = state.get(META_KEY)
    if meta is not None and int(meta["next"]) >= until:
        index.horizon = int(meta["next"])
        return 0
    dropped = 0
    if meta is not None:
        for hour in sorted(h for h in index.due if h < until):
            for event_id in index.due.pop(hour):
                dropped += _drop_if_idle(event_id, state, index, cutoff=cutoff)
    state[META_KEY] = {"next": until}
    index.horizon = until
    return dropped


def _drop_if_idle(
    event_id: str, state: MutableMapping[str, Any], index: CandidateIndex, *, cutoff: datetime
) -> int:
    """Remove an idle event, its articles and their index entries."""
    event = state.get(event_key(event_id))
    # Idleness counts in processing time, so a backfill of old articles is not evicted at once.
    if event is None or datetime.fromisoformat(event.get("touched", event["last_seen"])) >= cutoff:
        return 0
    index.drop_event(event_id)
    for article_id in event["articles"]:
        record = state.pop(article_key(article_id), None)
        if record is not None:
            index.remove_article(article_id, record)
    state.pop(event_key(event_id), None)
    return 1
