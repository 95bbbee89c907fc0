"""Candidate retrieval through the `CandidateIndex`, and article-to-event scoring."""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import Any

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import event_key


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


def cosine_of_sums(
    left: Mapping[str, float], left_norm: float, right: Mapping[str, float], right_norm: float
) -> float:
    """Cosine between two un-normalized sums of vectors (two events' centroids).

    Args:
        left: one sum.
        left_norm: its norm.
        right: another sum.
        right_norm: its norm.
    """
    if not left_norm or not right_norm:
        return 0.0
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    return sum([w * large[k] for k, w in small.items() if k in large]) / (left_norm * right_norm)


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


def scored_events(
    features: Mapping[str, Any],
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    *,
    when: datetime | None,
    config: ClusterConfig,
) -> list[tuple[str, float]]:
    """The live candidate events within the time window with the article's score, best first
    (ties in candidate order).

    Args:
        features: the article features.
        state: the cluster state.
        index: the state's derived index.
        when: the article's time (None: unknown, every live event is a candidate).
        config: thresholds and bounds.
    """
    scored = []
    for event_id in candidates(features, index, config=config):
        event = state.get(event_key(event_id))
        if event is None or not _in_window(event, when=when, config=config):
            continue
        scored.append((event_id, score(features, event, config=config)))
    # Stable: among equal scores the first candidate wins, as a strict `>` scan would pick.
    return sorted(scored, key=lambda pair: -pair[1])


def _in_window(event: Mapping[str, Any], *, when: datetime | None, config: ClusterConfig) -> bool:
    if when is None or not event.get("dated", True):
        return True
    last = datetime.fromisoformat(event["last_seen"])
    first = datetime.fromisoformat(event["first_seen"])
    return last >= when - config.window and first <= when + config.window
