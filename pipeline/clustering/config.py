"""Thresholds and bounds of the clusterer: one frozen value every clustering module reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ClusterConfig:
    """Thresholds and bounds of the clusterer.

    Args:
        window: events idle longer than this are evicted and no longer joined.
        near_threshold: minimal estimated overlap coefficient of two bodies' word 3-shingle
            sets for a near duplicate.
        lsh_bands: LSH bands over the MinHash signature (rows = permutations // bands); 42
            bands of 3 rows make a candidate of any pair whose shingle sets have a Jaccard
            similarity of 0.5 with odds of 0.996.
        join_threshold: minimal event score to join an existing event.
        merge_threshold: minimal similarity of two live events' centroids to merge them.
        merge_article_threshold: minimal score of an article against a second live event for
            that event to be considered for a merge with the one the article joined.
        entity_weight: share of the entity similarity in the event score.
        year_weight: bonus when the article names the event's years, malus when it names others.
        latest_year_weight: the same for the article's latest year against the members' latest
            years (older years are background that two events of one kind may share).
        max_candidates: events scored per article, best by index hits.
        index_terms: top weighted terms of an article used as index keys (besides entities).
        index_cap: most recent live event ids read per index key.
        centroid_terms: terms kept in an event's term centroid.
        member_head: first member snapshots always kept for the event record.
        member_tail: latest member snapshots kept besides them.
    """

    window: timedelta = timedelta(days=7)
    near_threshold: float = 0.55
    lsh_bands: int = 42
    join_threshold: float = 0.27
    merge_threshold: float = 0.65
    merge_article_threshold: float = 0.35
    entity_weight: float = 0.3
    year_weight: float = 0.0
    latest_year_weight: float = 0.1
    member_head: int = 20
    member_tail: int = 4
    max_candidates: int = 10
    index_terms: int = 10
    index_cap: int = 300
    centroid_terms: int = 300


# the defaults, shared as argument defaults (the value is frozen)
DEFAULT_CONFIG = ClusterConfig()
