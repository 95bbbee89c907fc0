"""A generated stream for tests that pin the clusterer's output (the digest test, the records
tests): stories written from a generated vocabulary, features and member snapshots from the
production `article_features` / `member_snapshot` of a small pool of base articles, then fresh
names, terms and a random MinHash per derived article (so near duplicates never occur, and
events stay at one or two members). `bench cluster` runs on real features instead
(`wirestream.bench.realcorpus`).
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from datetime import UTC, datetime
from typing import Any

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import _cluster_one
from pipeline.clustering.eviction import evict
from pipeline.clustering.features import article_features
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import event_key
from pipeline.events.build import member_snapshot

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
BASE_STORIES = 400
ARTICLES_PER_STORY = 2
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ran",
    "tel",
    "vos",
    "dur",
    "en",
    "par",
    "sil",
    "gor",
    "na",
    "bre",
    "ti",
    "mun",
    "hal",
    "ced",
    "ro",
    "fin",
    "ast",
    "ul",
    "zer",
    "bo",
    "qui",
]
_LABELS = ["PERSON", "PERSON", "GPE", "ORG", "ORG", "GPE", "PERSON"]
_PREFIX = {"PERSON": "p", "GPE": "g", "ORG": "o"}


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables))


@functools.cache
def vocabulary(size: int = 20000, seed: int = 7) -> tuple[str, ...]:
    """Distinct pseudo-words, most common first (drawn with a Zipf-like law).

    Args:
        size: number of words.
        seed: generator seed.
    """
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        words[_word(rng, rng.choice((2, 3, 3, 4)))] = None
    return tuple(words)


def _zipf(rng: random.Random, size: int) -> int:
    # Rank r has weight ~ 1/r: inverse-CDF of the continuous approximation.
    return min(size - 1, int(size ** rng.random()) - 1)


@functools.cache
def _ranks() -> dict[str, int]:
    return {word: rank for rank, word in enumerate(vocabulary())}


def _reweighted(vector: dict[str, float], *, prefix: int) -> dict[str, float]:
    """A swapped vector weighted like tf-idf: a common word weighs little, as it would in a real
    article (without this, stories that drew common words joined into events of thousands)."""
    ranks, size = _ranks(), len(vocabulary())
    weights = {
        key: w * math.log(2 + ranks.get(key[prefix:], size)) / math.log(2 + size)
        for key, w in vector.items()
    }
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return {key: round(w / norm, 4) for key, w in ranked}


def _pick(story: int, token: str) -> str:
    """A vocabulary word chosen by (story, token): stable across the story's articles."""
    digest = hashlib.blake2b(f"{story}:{token}".encode(), digest_size=8).digest()
    share = int.from_bytes(digest) / 2**64
    vocab = vocabulary()
    return vocab[min(len(vocab) - 1, int(len(vocab) ** share) - 1)]


def _story_article(
    rng: random.Random, story: list[str], names: list[tuple[str, str]], n: int
) -> dict[str, Any]:
    """One synthetic article: sentences mixing story words, common words and names."""
    vocab = vocabulary()
    sentences = []
    for _ in range(14):
        picked = [
            rng.choice(story) if rng.random() < 0.5 else vocab[_zipf(rng, len(vocab))]
            for _ in range(rng.randint(12, 22))
        ]
        picked.insert(rng.randrange(len(picked)), rng.choice(names)[0])
        sentences.append(" ".join(picked).capitalize() + ".")
    text = " ".join(sentences)
    entities = [
        {
            "name": name,
            "label": label,
            "count": max(1, text.count(name)),
            "first_offset": max(0, text.find(name)),
        }
        for name, label in names
    ]
    url = f"https://bench{n % 50}.example/story/{n}"
    return {
        "article_id": hashlib.sha256(url.encode()).hexdigest()[:24],
        "url": url,
        "canonical_url": url,
        "source": f"bench{n % 50}",
        "title": " ".join(story[:6]).title(),
        "text": text,
        "published_at": None,
        "ingested_at": NOW.isoformat(),
        "language": "en",
        "content_hash": hashlib.sha256(text.encode()).hexdigest()[:24],
        "entities": entities,
        "topics": [],
        "origin": {"topic": "bench", "partition": 0, "offset": n},
    }


@functools.cache
def base_pool(
    stories: int = BASE_STORIES, seed: int = 11
) -> tuple[tuple[dict[str, Any], ...], ...]:
    """Base stories, each a tuple of articles with production features and snapshots.

    Args:
        stories: number of stories.
        seed: generator seed.
    """
    rng = random.Random(seed)
    vocab = vocabulary()
    pool = []
    for s in range(stories):
        story = [vocab[_zipf(rng, len(vocab))] for _ in range(25)]
        names = [
            (_word(rng, 3).title() + " " + _word(rng, 3).title(), label)
            for label in _LABELS[: rng.randint(3, len(_LABELS))]
        ]
        articles = []
        for a in range(ARTICLES_PER_STORY):
            article = _story_article(rng, story, names, s * ARTICLES_PER_STORY + a)
            features = article_features(article)
            features["snapshot"] = member_snapshot(article)
            article["features"] = features
            articles.append(article)
        pool.append(tuple(articles))
    return tuple(pool)


def variant(base: dict[str, Any], *, story: int, serial: int) -> dict[str, Any]:
    """A distinct article derived from a base one: the story's own names and terms
    (same for every article of `story`), a unique id, URL, content hash and MinHash.

    Args:
        base: a base article with features.
        story: the derived story number (names and term swaps are seeded by it).
        serial: the derived article number (ids and MinHash are seeded by it).
    """
    features = dict(base["features"])
    swap = {t: _pick(story, t) for t in features["terms"]}
    terms = {swap.get(t, t): w for t, w in features["terms"].items()}
    features["terms"] = _reweighted(terms, prefix=0)
    entities = {f"{k[:2]}{_pick(story, k)}": w for k, w in features["entities"].items()}
    features["entities"] = _reweighted(entities, prefix=2)
    noise = random.Random(serial * 7919 + 1)
    features["minhash"] = [*(noise.getrandbits(32) for _ in range(128)), 400]
    url = f"https://bench{serial % 50}.example/v/{story}/{serial}"
    article_id = hashlib.sha256(url.encode()).hexdigest()[:24]
    features["snapshot"] = {**base["features"]["snapshot"], "article_id": article_id, "url": url}
    return {
        **base,
        "article_id": article_id,
        "url": url,
        "canonical_url": url,
        "content_hash": hashlib.sha256(url.encode()).hexdigest()[:24],
        "features": features,
        "origin": {"topic": "bench", "partition": 0, "offset": serial},
    }


def prefill(live_events: int, *, batch: int = 500) -> tuple[dict[str, Any], CandidateIndex]:
    """A state holding `live_events` live events (one or two members each), and its index.

    Built by `cluster_batch`'s own per-article step plus the version bump of its event records:
    the same state, without building records nobody reads.

    Args:
        live_events: number of events.
        batch: articles per `cluster_batch` call.
    """
    pool = base_pool(BASE_STORIES)
    state: dict[str, Any] = {}
    config = ClusterConfig()
    index = CandidateIndex(bands=config.lsh_bands)
    # Stories in chunks, so the generated articles never all sit in memory at once.
    for first in range(0, live_events, batch):
        articles = []
        for story in range(first, min(first + batch, live_events)):
            members = pool[story % len(pool)]
            count = 2 if story % 3 == 0 else 1
            articles += [
                variant(members[i], story=story, serial=story * 4 + i) for i in range(count)
            ]
        evict(state, now=NOW, config=config, index=index)
        touched: dict[str, None] = {}
        for article in articles:
            result, changed, absorbed = _cluster_one(
                article, state=state, index=index, now=NOW, config=config
            )
            if changed:
                touched[result["event_id"]] = None
            for job in absorbed:  # merged away: its state record is gone
                touched.pop(job.event_id, None)
        for event_id in touched:
            state[event_key(event_id)]["version"] += 1
    return state, index


def fresh_articles(
    live_events: int, count: int, *, seed: int = 5, part: int = 0
) -> list[dict[str, Any]]:
    """Articles to measure: half follow-ups of live events, half new stories.

    Args:
        live_events: number of live events in the state (follow-ups pick among them).
        count: number of articles.
        seed: generator seed.
        part: another part's articles (ids, URLs, new stories) never meet this part's.
    """
    pool = base_pool(BASE_STORIES)
    rng = random.Random(seed)
    out = []
    for i in range(part * count, (part + 1) * count):
        story = rng.randrange(live_events) if i % 2 == 0 else live_events + i
        members = pool[story % len(pool)]
        out.append(variant(members[-1], story=story, serial=10 * live_events + 4 * i + 3))
    return out
