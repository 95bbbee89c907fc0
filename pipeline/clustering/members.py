"""Event membership: adding an article to an event's centroids, the members an event record
keeps, and the job that builds a touched event's record."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import Any

from pipeline.clustering import eviction
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key, event_key
from pipeline.clustering.similarity import norm
from pipeline.events.jobs import EventJob


def add_member(
    event_id: str,
    article: dict[str, Any],
    features: Mapping[str, Any],
    *,
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    when: datetime | None,
    now: datetime,
    counts: bool,
    config: ClusterConfig,
) -> None:
    """Add an article to an event (creating it), updating its centroids and expiry hour.

    The article's own `art:` record (written by the caller) holds its member snapshot and the
    index keys it adds, so the event record does not grow with postings.

    Args:
        event_id: the event.
        article: the article.
        features: its features.
        state: the cluster state.
        index: the state's derived index (expiry hours).
        when: the article's time (None when unknown: the event's span is left as it is).
        now: the clock; eviction counts idleness from the last time an event was touched.
        counts: False for duplicates: they join the member list, not the centroids.
        config: bounds.
    """
    stamp = (when or now).isoformat()
    event = state.get(event_key(event_id)) or {
        "terms": {},
        "ents": {},
        "years": {},
        "n": 0,
        "terms_norm": 0.0,
        "ents_norm": 0.0,
        "first_seen": stamp,
        "last_seen": stamp,
        "version": 0,
        "articles": [],
        # An event of undated articles has no time span yet: any article may join it.
        "dated": when is not None,
    }
    if when is not None and not event.get("dated", True):
        event["first_seen"] = event["last_seen"] = stamp
        event["dated"] = True
    elif when is not None:
        event["first_seen"] = min(event["first_seen"], stamp)
        event["last_seen"] = max(event["last_seen"], stamp)
    event["touched"] = now.isoformat()
    event["articles"] = [*event["articles"], article["article_id"]]
    if counts:
        event["n"] += 1
        event["terms"] = add_vectors(event["terms"], features["terms"], keep=config.centroid_terms)
        event["ents"] = add_vectors(event["ents"], features["entities"], keep=config.centroid_terms)
        event["terms_norm"] = round(norm(event["terms"]), 6)
        event["ents_norm"] = round(norm(event["ents"]), 6)
        event["years"] = add_vectors(event["years"], dict.fromkeys(features["years"], 1.0), keep=50)
        if features["years"]:
            latest = {max(features["years"]): 1.0}
            event["latest"] = add_vectors(event.get("latest") or {}, latest, keep=50)
    eviction.schedule(event_id, event, index, when=now)
    state[event_key(event_id)] = event


def kept_members(articles: list[str], *, config: ClusterConfig) -> list[str]:
    """The members whose snapshots make the event record: the first `member_head` and the
    latest `member_tail`, so a big event costs no more than a mid-sized one.

    Args:
        articles: the event's member ids in arrival order.
        config: `member_head`, `member_tail`.
    """
    if len(articles) <= config.member_head + config.member_tail:
        return articles
    return [*articles[: config.member_head], *articles[-config.member_tail :]]


def event_job(
    event_id: str, state: MutableMapping[str, Any], *, config: ClusterConfig, bump: bool
) -> EventJob:
    """Bump an event's version when it changed and take what its record needs.

    Args:
        event_id: the event.
        state: the cluster state.
        config: `member_head`, `member_tail`.
        bump: False to re-send the current version (a redelivery changed nothing).
    """
    event = state[event_key(event_id)]
    if bump:
        event["version"] += 1
        state[event_key(event_id)] = event
    records = [state.get(article_key(a)) for a in kept_members(event["articles"], config=config)]
    members = [r["member"] for r in records if r is not None and "member" in r]
    return EventJob(event_id, event["version"], members, list(event["articles"]))


def add_vectors(
    total: Mapping[str, float], vector: Mapping[str, float], *, keep: int
) -> dict[str, float]:
    """Sum of two sparse vectors, keeping the `keep` heaviest entries (bounded state).

    Args:
        total: a sum.
        vector: what is added to it.
        keep: most entries kept.
    """
    summed = dict(total)
    for key, weight in vector.items():
        summed[key] = round(summed.get(key, 0.0) + weight, 4)
    if len(summed) > keep:
        summed = dict(sorted(summed.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])
    return summed
