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
from typing import Any

from pipeline.events.build import build_event


@dataclass(frozen=True)
class EventJob:
    """One event record to build.

    Args:
        event_id: the event.
        version: the record's version (after this batch's bump).
        members: the kept members' snapshots in arrival order (shared: never mutated).
        articles: every member id in arrival order (a copy of the event's list).
        merged_into: the event that absorbed this one (its last record), else None.
    """

    event_id: str
    version: int
    members: list[dict[str, Any]]
    articles: list[str]
    merged_into: str | None = None


def build_records(
    jobs: list[EventJob], *, now: datetime, memo: MutableMapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The full public record of each job's event, in job order.

    Args:
        jobs: the record jobs of one batch.
        now: the batch's clock (`updated_at`).
        memo: big events' summaries, a cache derived from the snapshots and checked by its
            key (`pipeline.events.summary.summarize`): a cold memo only costs time. A holder that
            does not see evictions (another process) is safe too: an evicted event's id
            comes back only with a new event, whose first record (version 1) drops it.
    """
    return [build_record(job, now=now, memo=memo) for job in jobs]


def build_record(
    job: EventJob, *, now: datetime, memo: MutableMapping[str, Any] | None
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
    if job.merged_into is not None:
        record["merged_into"] = job.merged_into
    return record
