"""The whole pipeline as plain batch functions: what the agents and ``wirestream process`` call."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pipeline.clustering.decide import cluster_batch
from pipeline.deadletters import make_deadletter
from pipeline.nlp.enrich import Classifier, enrich_batch
from pipeline.records import Incoming, Limits
from pipeline.text.normalize import normalize_batch


@dataclass
class Outputs:
    """Records bound for the output topics, in the order they were produced."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    deadletters: list[dict[str, Any]] = field(default_factory=list)


def prepare_batch(
    messages: Sequence[Incoming],
    *,
    nlp: Any,
    classifier: Classifier,
    now: datetime,
    limits: Limits | None = None,
    batch_size: int = 32,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Normalize and enrich raw messages: the CPU-heavy half, run in the process pool.

    Args:
        messages: raw messages with their topic, partition and offset.
        nlp: the spaCy pipeline.
        classifier: the topic classifier.
        now: ingestion time for every article of the batch.
        limits: size limits (defaults when None).
        batch_size: ``nlp.pipe`` batch size.

    Returns:
        Enriched articles (with ``features``) and dead letters.
    """
    normalized, rejected = normalize_batch(messages, now=now, limits=limits or Limits())
    # TypedDicts at the normalize boundary, plain dicts from here on.
    articles = cast(list[dict[str, Any]], normalized)
    deadletters = cast(list[dict[str, Any]], rejected)
    enriched, failures = enrich_batch(
        articles, nlp=nlp, classifier=classifier, batch_size=batch_size
    )
    by_origin = {(m.topic, m.partition, m.offset): m for m in messages}
    for article, reason, detail in failures:
        origin = article["origin"]
        message = by_origin[(origin["topic"], origin["partition"], origin["offset"])]
        deadletters.append(
            make_deadletter(  # type: ignore[arg-type]
                message,
                stage="enrich",
                reason=reason,
                detail=detail,
                now=now,
                article_id=article["article_id"],
            )
        )
    return enriched, deadletters


def run(
    messages: Sequence[Incoming],
    *,
    nlp: Any,
    classifier: Classifier,
    state: MutableMapping[str, Any],
    now: datetime,
    limits: Limits | None = None,
    batch_size: int = 32,
) -> Outputs:
    """Run one batch through normalize, enrich and cluster.

    Args:
        messages: raw messages.
        nlp: the spaCy pipeline.
        classifier: the topic classifier.
        state: clustering state (a dict here, a Faust table in the worker).
        now: the batch's clock reading.
        limits: size limits.
        batch_size: ``nlp.pipe`` batch size.
    """
    enriched, deadletters = prepare_batch(
        messages, nlp=nlp, classifier=classifier, now=now, limits=limits, batch_size=batch_size
    )
    articles, events = cluster_batch(enriched, state=state, now=now)
    return Outputs(articles=articles, events=events, deadletters=deadletters)


def latest_events(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the highest version of each event, as a compacted topic would.

    Args:
        events: event records in production order.
    """
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        current = latest.get(event["event_id"])
        if current is None or event["version"] >= current["version"]:
            latest[event["event_id"]] = event
    return list(latest.values())


def live_events(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest state of each event that no merge absorbed.

    Args:
        events: event records in production order.
    """
    return [event for event in latest_events(events) if not event.get("merged_into")]


def final_event_ids(events: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Each event id -> the live event that holds its members now (itself unless merged).

    Args:
        events: event records in production order.
    """
    into = {e["event_id"]: e.get("merged_into") or e["event_id"] for e in latest_events(events)}
    final = {}
    for event_id in into:
        seen, current = {event_id}, into[event_id]
        while into.get(current, current) != current and current not in seen:
            seen.add(current)
            current = into[current]
        final[event_id] = current
    return final
