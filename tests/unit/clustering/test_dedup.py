"""Exact and near duplicate detection through cluster_batch (pure, no model)."""

from __future__ import annotations

import copy
import hashlib
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch
from pipeline.clustering.dedup import jaccard_estimate, resemblance
from pipeline.clustering.features import article_features, minhash_values
from pipeline.clustering.index import CandidateIndex, band_chunks
from wirestream.evaluation import copyedit

pytestmark = pytest.mark.pure

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
VOCAB = [
    "harbour",
    "council",
    "budget",
    "river",
    "bridge",
    "school",
    "teacher",
    "tram",
    "station",
    "storm",
    "farmer",
    "market",
    "museum",
    "painting",
    "festival",
    "orchestra",
    "vaccine",
    "clinic",
    "nurse",
    "court",
    "judge",
    "lawyer",
    "mayor",
    "vote",
    "airport",
    "runway",
    "pilot",
    "engine",
    "factory",
    "worker",
    "strike",
    "union",
    "wage",
    "island",
    "ferry",
    "coast",
    "mountain",
    "glacier",
    "snow",
    "tunnel",
    "railway",
    "signal",
    "freight",
    "port",
    "crane",
    "container",
    "ship",
    "tanker",
    "oil",
    "price",
    "bank",
    "loan",
    "rate",
    "inflation",
    "bread",
    "harvest",
    "drought",
    "reservoir",
    "pump",
    "pipe",
]


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def make(url: str, title: str, text: str) -> dict[str, Any]:
    """An enriched article as the cluster stage receives it (our own normalizer stand-in)."""
    article = {
        "article_id": _hex(url),
        "canonical_url": url,
        "source": url.split("/")[2],
        "title": title,
        "text": text,
        "published_at": None,
        "ingested_at": NOW.isoformat(),
        "content_hash": _hex(" ".join(text.split()).lower()),
        "entities": [],
        "topics": [],
    }
    article["features"] = article_features(article)
    return article


def story(rng: random.Random, n_sentences: int = 14) -> str:
    """Random but fixed-vocabulary prose: distinct stories share words, rarely 5-word runs."""
    sentences = []
    for _ in range(n_sentences):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(8, 14))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def run(articles: list[dict[str, Any]], state: dict[str, Any] | None = None) -> list[dict]:
    decided, _ = cluster_batch(articles, state={} if state is None else state, now=NOW)
    return decided


def test_content_hash_copy_on_another_site_is_a_content_duplicate() -> None:
    text = story(random.Random(1))
    first = make("https://a.example/1", "Bridge reopens", text)
    second = make("https://b.example/9", "Bridge reopens after repairs", text)
    out = run([first, second])
    assert out[0]["duplicate_of"] is None
    assert out[1]["duplicate_of"] == first["article_id"]
    assert out[1]["duplicate_kind"] == "content"
    assert out[1]["event_id"] == out[0]["event_id"]
    assert "features" not in out[1]


def test_url_duplicate_with_a_new_id_is_a_url_duplicate() -> None:
    text = story(random.Random(2))
    first = make("https://a.example/1", "Storm", text)
    second = make("https://a.example/1", "Storm, updated", text + " Officials said more.")
    second["article_id"] = _hex("another id for the same canonical url")
    out = run([first, second])
    assert (out[1]["duplicate_of"], out[1]["duplicate_kind"]) == (first["article_id"], "url")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    edits=st.sets(
        st.sampled_from(
            ["dateline", "footer", "trim", "headline", "spacing", "words", "clauses", "local"]
        ),
        min_size=1,
    ),
)
def test_syndicated_copy_is_a_near_or_exact_duplicate(seed: int, edits: set[str]) -> None:
    rng = random.Random(seed)
    text = "\n\n".join(story(rng, 5) for _ in range(4))
    title = "Harbour council approves budget"
    copy_text = text
    if "words" in edits:  # one word in ten cut, changed or followed by another
        copy_text = copyedit.edit_words(copy_text, 0.1, rng)
    if "clauses" in edits:
        copy_text = copyedit.reorder_clauses(copy_text, rng)
    if "local" in edits:
        copy_text = copyedit.local_paragraph(title, copy_text, rng)[1]
    if "trim" in edits:
        copy_text = copy_text.rsplit(". ", 2)[0] + "."
    if "dateline" in edits:
        copy_text = "PORTVILLE (Wire Desk) - " + copy_text
    if "footer" in edits:
        copy_text += "\n\nReporting by the staff; editing by the desk. All rights reserved."
    if "spacing" in edits:
        copy_text = "  ".join(copy_text.split(" "))
    copy_title = title.upper() if "headline" in edits else title
    original = make("https://origin.example/x", title, text)
    syndicated = make("https://partner.example/x?utm_source=rss", copy_title, copy_text)
    out = run([original, syndicated])
    assert out[1]["duplicate_of"] == original["article_id"]
    assert out[1]["duplicate_kind"] in {"near", "content"}


# Our own texts: one event written up twice independently, sharing a 25-word quote.
QUOTE = (
    '"We will rebuild the bridge stone by stone, and we will do it before the winter '
    'floods return to the valley," the mayor said.'
)
FIRST_REPORT = (
    "Engineers began clearing the collapsed Alder Street bridge on Monday, three days after "
    "flood water undermined its central pier. Traffic between the two halves of Marlow is "
    "being sent over the railway crossing, which adds about twenty minutes to most trips. "
    + QUOTE
    + " The regional transport office has promised a temporary footbridge within a fortnight "
    "and an assessment of the other river crossings by the end of the month."
)
SECOND_REPORT = (
    "Marlow residents face long detours after the Alder Street bridge gave way last Friday. "
    "Shop owners on the north bank say customers have stopped coming since the collapse, "
    "and the school bus now leaves half an hour earlier. "
    + QUOTE
    + " Council staff said divers would inspect the remaining piers this week before any "
    "decision about rebuilding is taken."
)


def test_independent_reports_sharing_a_quote_are_not_duplicates() -> None:
    first = make("https://a.example/bridge", "Bridge clearing begins", FIRST_REPORT)
    second = make("https://b.example/marlow", "Detours in Marlow", SECOND_REPORT)
    assert run([first, second])[1]["duplicate_of"] is None
    edited = copyedit.edit_words(FIRST_REPORT, 0.1, random.Random(7))
    copy = make("https://c.example/bridge", "Bridge clearing begins", edited)
    out = run([first, second, copy])
    assert (out[1]["duplicate_of"], out[2]["duplicate_of"]) == (None, first["article_id"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), order=st.randoms(use_true_random=False))
def test_unrelated_stories_are_never_duplicates_in_any_order(seed: int, order: Any) -> None:
    rng = random.Random(seed)
    articles = [make(f"https://s{i}.example/{seed}", f"Story {i}", story(rng)) for i in range(8)]
    order.shuffle(articles)
    assert all(a["duplicate_of"] is None for a in run(articles))


def test_redelivery_re_emits_the_same_decision_and_event_and_changes_nothing() -> None:
    rng = random.Random(3)
    text = story(rng)
    batch = [
        make("https://a.example/1", "Ferry strike", text),
        make("https://b.example/2", "Ferry strike", "PORTVILLE (Desk) - " + text),
        make("https://c.example/3", "Glacier melt", story(rng)),
    ]
    state: dict[str, Any] = {}
    first, events = cluster_batch(copy.deepcopy(batch), state=state, now=NOW)
    assert events
    before = copy.deepcopy(state)
    again, events_again = cluster_batch(copy.deepcopy(batch), state=state, now=NOW)
    assert again == first
    assert state == before
    # The events are re-sent as they were (same version): the first send may have been lost.
    assert events_again == events


def test_duplicates_of_duplicates_point_to_the_original() -> None:
    text = story(random.Random(4), 20)
    original = make("https://a.example/1", "Tram", text)
    copy1 = make("https://b.example/1", "Tram", "CITY (Desk) - " + text)
    copy2 = make("https://c.example/1", "Tram", "CITY (Desk) - " + text + " More to follow.")
    out = run([original, copy1, copy2])
    assert out[1]["duplicate_of"] == original["article_id"]
    assert out[2]["duplicate_of"] == original["article_id"]


def test_resemblance_sees_a_trimmed_copy_that_jaccard_misses() -> None:
    long_text = story(random.Random(5), 30)
    half = long_text[: len(long_text) // 2]
    full, part = minhash_values(long_text), minhash_values(half)
    assert jaccard_estimate(full, part) < 0.7
    assert resemblance(full, part) > 0.8
    assert resemblance(full, minhash_values(story(random.Random(6), 30))) < 0.2


def test_band_chunks_are_stable_and_per_band() -> None:
    values = minhash_values("one two three four five six seven eight")
    bands = ClusterConfig().lsh_bands
    chunks = band_chunks(values, bands=bands)
    assert len(set(chunks)) == bands
    assert chunks == band_chunks(tuple(values), bands=bands)
    # a signature differing in one row shares every band but that row's
    changed = [*values[:5], values[5] ^ 1, *values[6:]]
    assert sum(a != b for a, b in zip(chunks, band_chunks(changed, bands=bands), strict=True)) == 1


def test_index_keeps_articles_sharing_bands_in_order_and_forgets_them() -> None:
    values = minhash_values("one two three four five six seven eight nine ten")
    bands = ClusterConfig().lsh_bands
    index = CandidateIndex(bands=bands)
    for n, article_id in enumerate(("a", "b", "c")):
        index.add_article(article_id, {"event_id": "e", "seq": n, "minhash": values})
    assert index.near_candidates(values) == ["a", "b", "c"]
    index.remove_article("a", {"minhash": values})
    index.remove_article("c", {"minhash": values})
    assert index.near_candidates(values) == ["b"]
    assert all(
        band == {key: "b"}
        for band, key in zip(index.lsh, band_chunks(values, bands=bands), strict=True)
    )
    index.remove_article("b", {"minhash": values})
    assert index.near_candidates(values) == [] and not any(index.lsh)
