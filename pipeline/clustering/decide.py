"""Online, single-pass dedup and event clustering over a JSON-able state mapping."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from pipeline.clustering import dedup, eviction, members, merge, similarity
from pipeline.clustering.batchstate import BatchState
from pipeline.clustering.config import DEFAULT_CONFIG, ClusterConfig
from pipeline.clustering.features import article_features
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key, event_key
from pipeline.events.build import member_snapshot
from pipeline.events.jobs import EventJob, build_records


def event_id_for(article_id: str) -> str:
    """Deterministic event id derived from the founding article.

    Args:
        article_id: id of the article that opened the event.
    """
    return hashlib.sha256(f"event:{article_id}".encode()).hexdigest()[:24]


def article_time(article: dict[str, Any], *, now: datetime) -> datetime | None:
    """Publication time when known and not in the future, else None (no time window applies).

    Args:
        article: the article (`published_at` ISO 8601 or None).
        now: the clock.
    """
    published = article.get("published_at")
    if published:
        try:
            when = datetime.fromisoformat(str(published))
        except ValueError:
            return None
        if when.tzinfo is not None and when <= now:
            return when
    return None


def cluster_batch(
    articles: list[dict[str, Any]],
    *,
    state: MutableMapping[str, Any],
    now: datetime,
    config: ClusterConfig = DEFAULT_CONFIG,
    index: CandidateIndex | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Assign each article, in order, a duplicate decision and an event.

    Returns the articles (with `event_id`, `duplicate_of`, `duplicate_kind`, `similarity`,
    without `features`) and the full record of every event changed in this batch:
    `decide_batch`, then `build_records` of its jobs.

    Args:
        articles: enriched articles, `features` from `features.article_features`.
        state: the cluster state (a dict, or a Faust table); JSON-able values only.
        now: the clock (timezone-aware).
        config: thresholds and bounds.
        index: the state's derived index, updated in step with it; when None it is rebuilt
            from `state` (costs a pass over the state: keep one per state across batches).
    """
    if index is None:
        index = CandidateIndex.from_state(state, bands=config.lsh_bands)
    decided, jobs = decide_batch(articles, state=state, now=now, config=config, index=index)
    return decided, build_records(jobs, now=now, memo=index.summaries)


def decide_batch(
    articles: list[dict[str, Any]],
    *,
    state: MutableMapping[str, Any],
    now: datetime,
    config: ClusterConfig = DEFAULT_CONFIG,
    index: CandidateIndex | None = None,
) -> tuple[list[dict[str, Any]], list[EventJob]]:
    """Decide a batch and write the state: the decided articles and one record job per
    touched event (see `pipeline.events.jobs`), in the order `cluster_batch` emits them.

    Args:
        articles: enriched articles, `features` from `features.article_features`.
        state: the cluster state (a dict, or a Faust table); JSON-able values only.
        now: the clock (timezone-aware).
        config: thresholds and bounds.
        index: the state's derived index (None: rebuilt from `state`).
    """
    if index is None:
        index = CandidateIndex.from_state(state, bands=config.lsh_bands)
    if index.bands != config.lsh_bands:
        raise ValueError(f"index has {index.bands} LSH bands, config {config.lsh_bands}")
    eviction.evict(state, now=now, config=config, index=index)
    # Each touched key is written once per batch (an event record may change many times).
    batch = BatchState(state)
    try:
        decided: list[dict[str, Any]] = []
        touched: dict[str, bool] = {}  # event id -> changed (True) or only to re-send (False)
        finals: list[EventJob] = []  # last records of events absorbed by a merge
        for article in articles:
            result, change, absorbed = _cluster_one(
                article, state=batch, index=index, now=now, config=config
            )
            decided.append(result)
            if change is not None:
                event_id = result["event_id"]
                touched[event_id] = touched.get(event_id, False) or change
            for job in absorbed:
                touched.pop(job.event_id, None)
                finals.append(job)
        jobs = [
            members.event_job(event_id, batch, config=config, bump=changed)
            for event_id, changed in touched.items()
            if event_key(event_id) in batch
        ]
        # After the survivors: a consumer that follows `merged_into` finds the members there.
        jobs += finals
    finally:
        batch.flush()
    return decided, jobs


def _cluster_one(
    article: dict[str, Any],
    *,
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    now: datetime,
    config: ClusterConfig,
) -> tuple[dict[str, Any], bool | None, list[EventJob]]:
    """Decide one article: True when its event changed, False to re-send it, None for neither;
    and the last records of the events it merged away."""
    article_id = article["article_id"]
    known = state.get(article_key(article_id))
    if known is not None:
        if known.get("origin") in (None, article.get("origin")):
            # A redelivery: the same answer again, and its event re-sent, since the crash may
            # have come after the state was written but before the event reached the broker.
            return _with_decision(article, known), False, []
        # Another message with the same canonical URL: a republished copy of a known article.
        root = known["duplicate_of"] or article_id
        decision = _decision(known["event_id"], root, "url", 1.0)
        return _with_decision(article, decision), None, []
    features = article.get("features") or article_features(article)
    when = article_time(article, now=now)
    decision, scored = _decide(
        article, features, state=state, index=index, when=when, config=config
    )
    event_id, counts = decision["event_id"], decision["duplicate_of"] is None
    members.add_member(
        event_id,
        article,
        features,
        state=state,
        index=index,
        when=when,
        now=now,
        counts=counts,
        config=config,
    )
    merged = merge.merge_matches(event_id, scored, state=state, index=index, now=now, config=config)
    if merged.survivor != event_id:
        event_id = merged.survivor
        decision = {**decision, "event_id": event_id}
    keys = similarity.index_keys(features, index_terms=config.index_terms) if counts else []
    minhash = None if decision["duplicate_kind"] in ("url", "content") else features["minhash"]
    record = {
        **decision,
        "origin": article.get("origin"),
        "seq": index.next_seq,
        **dedup.owned_keys(article, index),
        "minhash": minhash or [],
        "ix": index.events.new_keys(event_id, keys + merged.keys),
        "member": _snapshot(article, features, decision),
    }
    state[article_key(article_id)] = record
    # Last, after the state writes: the index follows what the state holds.
    index.add_article(article_id, record)
    return _with_decision(article, decision), True, merged.jobs


def _snapshot(
    article: dict[str, Any], features: dict[str, Any], decision: dict[str, Any]
) -> dict[str, Any]:
    """The member snapshot computed in the pool (else now), with the cluster decision."""
    snapshot = features.get("snapshot")
    if snapshot is None:
        snapshot = member_snapshot(article)
    return {**snapshot, "duplicate_of": decision["duplicate_of"]}


def _decide(
    article: dict[str, Any],
    features: dict[str, Any],
    *,
    state: MutableMapping[str, Any],
    index: CandidateIndex,
    when: datetime | None,
    config: ClusterConfig,
) -> tuple[dict[str, Any], list[tuple[str, float]]]:
    """Exact dup, then near dup, then best event, else a new event; with the other live
    events a joining article scored against (the merge candidates)."""
    exact = dedup.exact_duplicate(article, index)
    if exact is not None:
        original = state[article_key(exact[0])]
        root = original["duplicate_of"] or exact[0]
        return _decision(original["event_id"], root, exact[1], 1.0), []
    near = dedup.near_duplicate(features["minhash"], state, index, threshold=config.near_threshold)
    if near is not None:
        original = state[article_key(near[0])]
        root = original["duplicate_of"] or near[0]
        return _decision(original["event_id"], root, "near", near[1]), []
    scored = similarity.scored_events(features, state, index, when=when, config=config)
    if scored and scored[0][1] >= config.join_threshold:
        return _decision(scored[0][0], None, None, scored[0][1]), scored[1:]
    return _decision(event_id_for(article["article_id"]), None, None, 0.0), []


def _decision(
    event_id: str, duplicate_of: str | None, kind: str | None, score: float
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "duplicate_of": duplicate_of,
        "duplicate_kind": kind,
        "similarity": round(float(score), 4),
    }


def _with_decision(article: dict[str, Any], decision: dict[str, Any]) -> dict[str, Any]:
    result = {k: v for k, v in article.items() if k != "features"}
    for key in ("event_id", "duplicate_of", "duplicate_kind", "similarity"):
        result[key] = decision[key]
    return result
