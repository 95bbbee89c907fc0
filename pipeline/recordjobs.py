"""Event record jobs: what building a touched event's record needs, detached from the state.

The clusterer decides a batch and leaves one job per touched event; `build_records` turns
jobs into the public event records, in this process or another one (the cluster agent builds
a batch's records while it decides the next batch). A job shares only data that is never
changed once stored (member snapshots) and copies the rest, so later batches cannot alter it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipeline.events import build_event

if TYPE_CHECKING:
    from pipeline.cluster import ClusterConfig


@dataclass(frozen=True)
class RecordJob:
    """One event record to build.

    Args:
        event_id: the event.
        version: the record's version (after this batch's bump).
        members: the kept members' snapshots in arrival order (shared: never mutated).
        articles: every member id in arrival order (a copy of the event's list).
    """

    event_id: str
    version: int
    members: list[dict[str, Any]]
    articles: list[str]


def record_job(
    event_id: str, state: MutableMapping[str, Any], *, config: ClusterConfig, bump: bool
) -> RecordJob:
    """Bump an event's version when it changed and take what its record needs.

    Args:
        event_id: the event.
        state: the cluster state.
        config: `member_head`, `member_tail`.
        bump: False to re-send the current version (a redelivery changed nothing).
    """
    from pipeline.similarity import kept_members

    event = state[f"ev:{event_id}"]
    if bump:
        event["version"] += 1
        state[f"ev:{event_id}"] = event
    records = [state.get(f"art:{a}") for a in kept_members(event["articles"], config=config)]
    members = [r["member"] for r in records if r is not None and "member" in r]
    return RecordJob(event_id, event["version"], members, list(event["articles"]))


def build_records(
    jobs: list[RecordJob], *, now: datetime, memo: MutableMapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The full public record of each job's event, in job order.

    Args:
        jobs: the record jobs of one batch.
        now: the batch's clock (`updated_at`).
        memo: big events' summaries, a cache derived from the snapshots and checked by its
            key (`pipeline.summary.summarize`): a cold memo only costs time. A holder that
            does not see evictions (another process) is safe too: an evicted event's id
            comes back only with a new event, whose first record (version 1) drops it.
    """
    return [build_record(job, now=now, memo=memo) for job in jobs]


def build_record(
    job: RecordJob, *, now: datetime, memo: MutableMapping[str, Any] | None
) -> dict[str, Any]:
    """The full public record of one job's event.

    Args:
        job: the record job.
        now: the clock.
        memo: big events' summaries, see `build_records`.
    """
    if memo is not None and job.version == 1:
        # A founding build: an entry under this id is an evicted namesake's (same founder).
        memo.pop(job.event_id, None)
    record = build_event(job.event_id, job.members, version=job.version, now=now, memo=memo)
    # Snapshots are capped; the event keeps every member's id.
    record["articles"] = list(job.articles)
    record["article_count"] = len(job.articles)
    return record
