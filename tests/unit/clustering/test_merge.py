"""Merging live events: the survivor takes every member, the absorbed event points at it."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

import schemas
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch, event_id_for
from pipeline.clustering.features import article_features
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key, event_key
from pipeline.clustering.merge import event_similarity
from pipeline.events.build import member_snapshot

pytestmark = pytest.mark.pure

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
# Joins need 0.3; a bridging article scoring >= 0.3 on a second event merges the two when
# their centroids reach 0.35.
CONFIG = dataclasses.replace(
    ClusterConfig(), join_threshold=0.3, merge_threshold=0.35, merge_article_threshold=0.3
)


def _article(name: str, terms: dict[str, float], n: int = 0) -> dict[str, Any]:
    """An article whose term vector is set by hand (the rest from its own text)."""
    article = {
        "article_id": f"{name:0>24}"[-24:],
        "url": f"https://news.example/{name}",
        "canonical_url": f"https://news.example/{name}",
        "source": "News Example",
        "title": f"Report {name}",
        "text": f"Report {name} number {n} with its own words {name} {name}.",
        "published_at": None,
        "ingested_at": NOW.isoformat(),
        "content_hash": f"{name:0>24}"[-24:],
        "entities": [],
        "topics": [],
        "origin": {"topic": "news.raw.v1", "partition": 0, "offset": n},
    }
    features = article_features(article)
    features["terms"] = terms
    features["entities"] = {}
    features["snapshot"] = member_snapshot(article)
    article["features"] = features
    return article


def _stream(
    articles: list[dict[str, Any]], state: dict[str, Any], index: CandidateIndex
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    decided, events = [], []
    for article in articles:
        out, records = cluster_batch(
            [dict(article)], state=state, now=NOW, config=CONFIG, index=index
        )
        decided += out
        events += records
    return decided, events


def _bridge() -> list[dict[str, Any]]:
    left = _article("a", {"budget": 1.0}, 1)
    right = _article("b", {"harbour": 1.0}, 2)
    both = _article("c", {"budget": 0.7071, "harbour": 0.7071}, 3)
    return [left, right, both]


def test_a_bridging_article_merges_two_live_events() -> None:
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=CONFIG.lsh_bands)
    left, right, both = _bridge()
    decided, events = _stream([left, right, both], state, index)
    founded = {event_id_for(left["article_id"]), event_id_for(right["article_id"])}
    # the bridge ties; it joins one event (then the larger), which absorbs the other
    survivor = decided[2]["event_id"]
    (absorbed,) = founded - {survivor}
    assert {a["event_id"] for a in decided[:2]} == founded
    last = {e["event_id"]: e for e in events}
    assert "merged_into" not in last[survivor]
    assert last[survivor]["articles"] == [a["article_id"] for a in (left, right, both)]
    assert last[survivor]["version"] == 2
    assert last[absorbed]["merged_into"] == survivor
    assert last[absorbed]["version"] == 2
    assert len(last[absorbed]["articles"]) == 1
    # the survivor's record comes first, so a consumer following the pointer finds the members
    assert [e["event_id"] for e in events[-2:]] == [survivor, absorbed]
    for record in events:
        schemas.validate("event.v1", record)
    assert event_key(absorbed) not in state
    assert {state[article_key(a["article_id"])]["event_id"] for a in (left, right)} == {survivor}


def test_the_index_rebuilt_after_a_merge_is_the_live_one() -> None:
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=CONFIG.lsh_bands)
    _stream(_bridge(), state, index)
    rebuilt = CandidateIndex.from_state(state, bands=CONFIG.lsh_bands)
    assert rebuilt.events.event_keys == index.events.event_keys
    for key in index.events.postings:
        assert rebuilt.events.posted(key) == index.events.posted(key)
    assert {h: set(ids) for h, ids in rebuilt.due.items() if ids} == {
        h: set(ids) for h, ids in index.due.items() if ids
    }


def test_after_a_merge_articles_of_either_story_join_the_survivor() -> None:
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=CONFIG.lsh_bands)
    left, right, both = _bridge()
    first, _ = _stream([left, right, both], state, index)
    survivor = first[2]["event_id"]
    for terms in ({"harbour": 1.0}, {"budget": 1.0}):
        decided, _ = _stream([_article("d" + "".join(terms), terms, 4)], state, index)
        assert decided[0]["event_id"] == survivor
    # a redelivered member of the absorbed event gets the survivor's id
    for member in (left, right):
        again, _ = _stream([member], state, index)
        assert again[0]["event_id"] == survivor


def test_unlike_events_are_not_merged() -> None:
    strict = dataclasses.replace(CONFIG, merge_threshold=0.9)
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=strict.lsh_bands)
    decided = []
    for article in _bridge():
        out, _ = cluster_batch([article], state=state, now=NOW, config=strict, index=index)
        decided += out
    assert len({a["event_id"] for a in decided}) == 2


def test_event_similarity_is_symmetric_and_one_for_the_same_centroid() -> None:
    event = {"terms": {"x": 2.0, "y": 1.0}, "terms_norm": 5**0.5, "ents": {}, "ents_norm": 0.0}
    other = {"terms": {"y": 3.0}, "terms_norm": 3.0, "ents": {}, "ents_norm": 0.0}
    assert event_similarity(event, event, config=CONFIG) == pytest.approx(1.0)
    assert event_similarity(event, other, config=CONFIG) == pytest.approx(
        event_similarity(other, event, config=CONFIG)
    )


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_three_article_story_groups_the_same_in_every_order(order: tuple[int, ...]) -> None:
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=CONFIG.lsh_bands)
    story = _bridge()
    other = _article("z", {"orchestra": 1.0}, 9)
    arriving = [story[i] for i in order]
    decided, events = _stream([arriving[0], other, *arriving[1:]], state, index)
    merged = {e["event_id"]: e["merged_into"] for e in events if "merged_into" in e}

    def final(event_id: str) -> str:
        while event_id in merged:
            event_id = merged[event_id]
        return event_id

    groups = {a["article_id"]: final(a["event_id"]) for a in decided}
    assert len({groups[a["article_id"]] for a in story}) == 1
    assert groups[other["article_id"]] != groups[story[0]["article_id"]]
