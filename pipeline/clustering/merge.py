"""Merging two live events that later evidence shows to be one story.

Online clustering decides each article once, in arrival order; when an article leaves two live
events close enough to be the same story, the smaller one is absorbed into the larger: its
members move, and it is published one last time with `merged_into`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.clustering import eviction
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key, event_key
from pipeline.clustering.members import add_vectors, event_job
from pipeline.clustering.similarity import cosine_of_sums, norm
from pipeline.events.jobs import EventJob


@dataclass
class Merged:
    """The outcome of the merges one article set off.

    Args:
        survivor: the event that holds every member now.
        keys: index keys of the absorbed events the survivor is not posted under yet.
        jobs: the absorbed events' last records to build (`merged_into` set).
    """

    survivor: str
    keys: list[str]
    jobs: list[EventJob]


def event_similarity(
    left: Mapping[str, Any], right: Mapping[str, Any], *, config: ClusterConfig
) -> float:
    """How alike two events are: term and entity cosines of their centroids, as `score`.

    Args:
        left: an event state.
        right: another event state.
        config: `entity_weight`.
    """
    value = cosine_of_sums(left["terms"], left["terms_norm"], right["terms"], right["terms_norm"])
    if left["ents"] and right["ents"]:
        entities = cosine_of_sums(
            left["ents"], left["ents_norm"], right["ents"], right["ents_norm"]
        )
        value = (1 - config.entity_weight) * value + config.entity_weight * entities
    return value


def merge_matches(
    event_id: str,
    scored: list[tuple[str, float]],
    *,
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    now: datetime,
    config: ClusterConfig,
) -> Merged:
    """Absorb the article's other candidate events that are the same story as its event.

    Args:
        event_id: the event the article just joined.
        scored: the article's other candidate events with its scores against them.
        state: the cluster state.
        index: the state's derived index.
        now: the clock.
        config: `merge_threshold`, `merge_article_threshold`.
    """
    merged = Merged(event_id, [], [])
    for other, article_score in scored:
        if other == merged.survivor or article_score < config.merge_article_threshold:
            continue
        event, candidate = state.get(event_key(merged.survivor)), state.get(event_key(other))
        if event is None or candidate is None:
            continue
        if event_similarity(event, candidate, config=config) < config.merge_threshold:
            continue
        survivor, absorbed = _roles(merged.survivor, event, other, candidate)
        merged.jobs.append(_final_job(absorbed, survivor, state=state, config=config))
        merged.keys = [k for k in merged.keys if k not in index.events.event_keys.get(survivor, {})]
        merged.keys += _absorb(survivor, absorbed, state=state, index=index, now=now, config=config)
        merged.survivor = survivor
    return merged


def _roles(
    left_id: str, left: Mapping[str, Any], right_id: str, right: Mapping[str, Any]
) -> tuple[str, str]:
    """(survivor, absorbed): the event with more members survives, then the earlier one."""
    rank_left = (-len(left["articles"]), left["first_seen"], left_id)
    rank_right = (-len(right["articles"]), right["first_seen"], right_id)
    return (left_id, right_id) if rank_left <= rank_right else (right_id, left_id)


def _final_job(
    absorbed: str, survivor: str, *, state: MutableMapping[str, Any], config: ClusterConfig
) -> EventJob:
    """The absorbed event's last record: its members as they were, pointing at the survivor."""
    job = event_job(absorbed, state, config=config, bump=True)
    return EventJob(job.event_id, job.version, job.members, job.articles, merged_into=survivor)


def _absorb(
    survivor_id: str,
    absorbed_id: str,
    *,
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    now: datetime,
    config: ClusterConfig,
) -> list[str]:
    """Move the absorbed event's members and centroids into the survivor; the index keys the
    survivor must be posted under (the caller posts them with the current article, so a
    rebuilt index posts them at the same point)."""
    survivor = state[event_key(survivor_id)]
    absorbed = state.pop(event_key(absorbed_id))
    keep = config.centroid_terms
    survivor["terms"] = add_vectors(survivor["terms"], absorbed["terms"], keep=keep)
    survivor["ents"] = add_vectors(survivor["ents"], absorbed["ents"], keep=keep)
    survivor["terms_norm"] = round(norm(survivor["terms"]), 6)
    survivor["ents_norm"] = round(norm(survivor["ents"]), 6)
    survivor["years"] = add_vectors(survivor["years"], absorbed["years"], keep=50)
    survivor["latest"] = add_vectors(
        survivor.get("latest") or {}, absorbed.get("latest") or {}, keep=50
    )
    survivor["n"] += absorbed["n"]
    _join_spans(survivor, absorbed)
    survivor["touched"] = now.isoformat()
    survivor["articles"] = _by_arrival(survivor["articles"] + absorbed["articles"], state)
    for article_id in absorbed["articles"]:
        record = state.get(article_key(article_id))
        if record is not None:
            # Its keys move to the survivor's postings below; a rebuild must not post them twice.
            state[article_key(article_id)] = {**record, "event_id": survivor_id, "ix": []}
    keys = list(index.events.event_keys.get(absorbed_id, {}))
    index.drop_event(absorbed_id)
    index.due.get(int(absorbed.get("bucket", -1)), {}).pop(absorbed_id, None)
    eviction.schedule(survivor_id, survivor, index, when=now)
    state[event_key(survivor_id)] = survivor
    return index.events.new_keys(survivor_id, keys)


def _join_spans(survivor: dict[str, Any], absorbed: Mapping[str, Any]) -> None:
    """Widen the survivor's time span by the absorbed event's (an undated event has none)."""
    if not absorbed.get("dated", True):
        return
    if survivor.get("dated", True):
        survivor["first_seen"] = min(survivor["first_seen"], absorbed["first_seen"])
        survivor["last_seen"] = max(survivor["last_seen"], absorbed["last_seen"])
    else:
        survivor["first_seen"], survivor["last_seen"] = (
            absorbed["first_seen"],
            absorbed["last_seen"],
        )
        survivor["dated"] = True


def _by_arrival(articles: list[str], state: Mapping[str, Any]) -> list[str]:
    """Member ids in arrival order (their records' sequence numbers; unknown ones last)."""

    def seq(article_id: str) -> int:
        record = state.get(article_key(article_id))
        return int(record.get("seq", 1 << 62)) if record is not None else 1 << 62

    return sorted(dict.fromkeys(articles), key=seq)
