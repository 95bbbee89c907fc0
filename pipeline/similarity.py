"""Event state, candidate retrieval through the `CandidateIndex`, and article-to-event scoring."""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipeline import eviction

if TYPE_CHECKING:
    from pipeline.cluster import ClusterConfig
    from pipeline.index import CandidateIndex


def norm(vector: Mapping[str, float]) -> float:
    """Euclidean norm of a sparse vector.

    Args:
        vector: the vector.
    """
    return math.sqrt(sum(w * w for w in vector.values()))


def cosine_to_sum(
    vector: Mapping[str, float], total: Mapping[str, float], total_norm: float
) -> float:
    """Cosine between a unit vector and an un-normalized sum of vectors.

    Args:
        vector: L2-normalized sparse vector.
        total: sparse sum (a centroid times its size).
        total_norm: the norm of `total`, kept in the event state.
    """
    if not total_norm or not vector:
        return 0.0
    # Probe the event's sum with the article's keys: intersecting the key views would walk the
    # sum's own entries, spread over the heap with the rest of a big state (slower by ~1/3).
    return sum([vector[k] * total[k] for k in vector if k in total]) / total_norm


def year_signal(article_years: list[str], event: Mapping[str, Any]) -> int:
    """+1 when the article names one of the event's usual years, -1 when both name years
    and none is shared, else 0.

    Args:
        article_years: years the article mentions.
        event: the event state (`years`: year -> members mentioning it, `n`).
    """
    usual = {y for y, c in event["years"].items() if c >= max(1.0, 0.25 * event["n"])}
    if not article_years or not usual:
        return 0
    return 1 if usual.intersection(article_years) else -1


def latest_year_signal(article_years: list[str], event: Mapping[str, Any]) -> int:
    """+1 when the article's latest year is a usual latest year of the event's members, -1 when
    it is not, else 0 (older years are background: two events may both recall the same past).

    Args:
        article_years: years the article mentions.
        event: the event state (`latest`: latest year -> members, `n`).
    """
    latest = event.get("latest")
    if not article_years or not latest:
        return 0
    floor = max(1.0, 0.25 * event["n"])
    if latest.get(max(article_years), 0.0) >= floor:
        return 1
    return -1 if any(count >= floor for count in latest.values()) else 0


def score(features: Mapping[str, Any], event: Mapping[str, Any], *, config: ClusterConfig) -> float:
    """Similarity of an article to an event: term and entity cosines plus year agreement.

    Args:
        features: the article features (`terms`, `entities`, `years`).
        event: the event state (`terms`, `ents`, `years`, `n` and the sums' norms).
        config: the weights (`entity_weight`, `year_weight`).
    """
    terms = cosine_to_sum(features["terms"], event["terms"], event["terms_norm"])
    value = terms
    if features["entities"] and event["ents"]:
        entities = cosine_to_sum(features["entities"], event["ents"], event["ents_norm"])
        value = (1 - config.entity_weight) * terms + config.entity_weight * entities
    if config.year_weight:
        value += config.year_weight * year_signal(features["years"], event)
    if config.latest_year_weight:
        value += config.latest_year_weight * latest_year_signal(features["years"], event)
    return value


def index_keys(features: Mapping[str, Any], *, index_terms: int) -> list[str]:
    """Inverted-index keys of an article: its entity keys ("p:name", ...) and its top weighted
    terms ("t:term"; no entity key starts with "t:").

    Args:
        features: the article features.
        index_terms: number of top terms used.
    """
    keys = list(features["entities"])
    keys += [f"t:{term}" for term in list(features["terms"])[:index_terms]]
    return keys


def candidates(
    features: Mapping[str, Any], index: CandidateIndex, *, config: ClusterConfig
) -> list[str]:
    """Events sharing index keys with the article, most weighted hits first.

    Args:
        features: the article features.
        index: the state's derived index (event postings).
        config: bounds (`index_terms`, `max_candidates`, `index_cap`).
    """
    terms, entities = features["terms"], features["entities"]
    weighted = [
        (key, terms[key[2:]] if key.startswith("t:") else entities[key])
        for key in index_keys(features, index_terms=config.index_terms)
    ]
    return index.events.top(weighted, cap=config.index_cap, limit=config.max_candidates)


def best_event(
    features: Mapping[str, Any],
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    *,
    when: datetime | None,
    config: ClusterConfig,
) -> tuple[str, float] | None:
    """The best scoring live candidate event within the time window, or None.

    Args:
        features: the article features.
        state: the cluster state.
        index: the state's derived index.
        when: the article's time (None: unknown, every live event is a candidate).
        config: thresholds and bounds.
    """
    best: tuple[str, float] | None = None
    for event_id in candidates(features, index, config=config):
        event = state.get(f"ev:{event_id}")
        if event is None or not _in_window(event, when=when, config=config):
            continue
        value = score(features, event, config=config)
        if best is None or value > best[1]:
            best = (event_id, value)
    return best


def _in_window(event: Mapping[str, Any], *, when: datetime | None, config: ClusterConfig) -> bool:
    if when is None:
        return True
    last = datetime.fromisoformat(event["last_seen"])
    first = datetime.fromisoformat(event["first_seen"])
    return last >= when - config.window and first <= when + config.window


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
    event = state.get(f"ev:{event_id}") or {
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
    }
    if when is not None:
        event["first_seen"] = min(event["first_seen"], stamp)
        event["last_seen"] = max(event["last_seen"], stamp)
    event["touched"] = now.isoformat()
    event["articles"] = [*event["articles"], article["article_id"]]
    if counts:
        event["n"] += 1
        event["terms"] = _add(event["terms"], features["terms"], keep=config.centroid_terms)
        event["ents"] = _add(event["ents"], features["entities"], keep=config.centroid_terms)
        event["terms_norm"] = round(norm(event["terms"]), 6)
        event["ents_norm"] = round(norm(event["ents"]), 6)
        event["years"] = _add(event["years"], dict.fromkeys(features["years"], 1.0), keep=50)
        if features["years"]:
            latest = {max(features["years"]): 1.0}
            event["latest"] = _add(event.get("latest") or {}, latest, keep=50)
    eviction.schedule(event_id, event, index, when=now)
    state[f"ev:{event_id}"] = event


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


def _add(total: Mapping[str, float], vector: Mapping[str, float], *, keep: int) -> dict[str, float]:
    """Sum of two sparse vectors, keeping the `keep` heaviest entries (bounded state)."""
    summed = dict(total)
    for key, weight in vector.items():
        summed[key] = round(summed.get(key, 0.0) + weight, 4)
    if len(summed) > keep:
        summed = dict(sorted(summed.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])
    return summed
