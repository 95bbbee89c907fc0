"""The stream of `bench cluster`: live events planned over the real pool with long-tailed
sizes, a state filled by the clusterer itself, and fresh articles to time.

One live event in five is told by several outlets (an ECB+ template, its size drawn with
P(k) ~ 1/k^2 up to 64 articles, so a few hundred events in 100k pass 50 members); the others
are single BBC stories. Half of the fresh articles follow up a live event, chosen in
proportion to its size (popular stories get the follow-ups); the other half are new stories
under a fresh story number, which should join nothing.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import _cluster_one
from pipeline.clustering.eviction import evict
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key, event_key
from wirestream.bench.realcorpus import Corpus, story_features

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
EVENT_SHARE = 0.2  # live events told by several outlets
NEW_FROM_EVENTS = 0.3  # new stories taken from an ECB+ template (the rest: a BBC story)


@dataclass(frozen=True)
class Plan:
    """Per live event: its template (an ECB+ template index, or -1 - k for BBC story k) and
    its planned size."""

    templates: list[int]
    sizes: list[int]


@dataclass
class Filled:
    """A state filled through the clusterer, its index, and each story's articles."""

    state: dict[str, Any]
    index: CandidateIndex
    story_articles: dict[int, list[str]] = field(default_factory=dict)
    articles: int = 0

    def story_events(self, story: int) -> set[str]:
        """The events a story's prefilled articles are in now (merges move them).

        Args:
            story: the story number.
        """
        records = (self.state.get(article_key(a)) for a in self.story_articles.get(story, ()))
        return {r["event_id"] for r in records if r is not None}


def plan(live_events: int, corpus: Corpus, *, seed: int = 3) -> Plan:
    """Templates and long-tailed sizes of `live_events` events.

    Args:
        live_events: number of events.
        corpus: the pool.
        seed: random seed.
    """
    rng = random.Random(seed)
    members = len(corpus.events[0]) if corpus.events else 1
    weights = [k**-2.0 for k in range(1, members + 1)]
    templates, sizes = [], []
    for _ in range(live_events):
        if corpus.events and rng.random() < EVENT_SHARE:
            templates.append(rng.randrange(len(corpus.events)))
            sizes.append(rng.choices(range(1, members + 1), weights=weights)[0])
        else:
            templates.append(-1 - rng.randrange(len(corpus.singles)))
            sizes.append(1)
    return Plan(templates, sizes)


def make_article(
    corpus: Corpus, template: int, member: int, *, story: int, serial: int
) -> dict[str, Any]:
    """Article `member` of a template as story `story` tells it, with ids from `serial`.

    Args:
        corpus: the pool.
        template: an ECB+ template index, or -1 - k for BBC story k.
        member: which of the template's articles (wraps round: a repeat is a near duplicate).
        story: the story number (its rare words are renamed by it).
        serial: a unique article number.
    """
    if template >= 0:
        members = corpus.events[template]
        pooled = members[member % len(members)]
    else:
        pooled = corpus.singles[-1 - template]
    features = story_features(pooled, story=story)
    url = f"https://bench{serial % 50}.example/{story}/{serial}"
    article_id = hashlib.sha256(url.encode()).hexdigest()[:24]
    features["snapshot"] = {**features["snapshot"], "article_id": article_id, "url": url}
    return {
        **pooled.article,
        "article_id": article_id,
        "url": url,
        "canonical_url": url,
        "source": f"bench{serial % 50}",
        "ingested_at": NOW.isoformat(),
        "content_hash": hashlib.sha256(url.encode()).hexdigest()[:24],
        "features": features,
        "origin": {"topic": "bench", "partition": 0, "offset": serial},
    }


def prefill(corpus: Corpus, planned: Plan, *, batch: int = 500, seed: int = 4) -> Filled:
    """A state holding the planned events' articles, decided by the clusterer's own
    per-article step (without building records nobody reads), events in chunks of `batch`
    whose articles arrive interleaved.

    Args:
        corpus: the pool.
        planned: `plan(...)`.
        batch: events per chunk.
        seed: interleaving seed.
    """
    config = ClusterConfig()
    filled = Filled({}, CandidateIndex(bands=config.lsh_bands))
    rng = random.Random(seed)
    for first in range(0, len(planned.sizes), batch):
        chunk = [
            (story, member)
            for story in range(first, min(first + batch, len(planned.sizes)))
            for member in range(planned.sizes[story])
        ]
        rng.shuffle(chunk)
        evict(filled.state, now=NOW, config=config, index=filled.index)
        touched: dict[str, None] = {}
        for story, member in chunk:
            article = make_article(
                corpus, planned.templates[story], member, story=story, serial=filled.articles
            )
            filled.articles += 1
            result, changed, absorbed = _cluster_one(
                article, state=filled.state, index=filled.index, now=NOW, config=config
            )
            filled.story_articles.setdefault(story, []).append(article["article_id"])
            if changed:
                touched[result["event_id"]] = None
            for job in absorbed:  # merged away: its state record is gone
                touched.pop(job.event_id, None)
        for event_id in touched:
            filled.state[event_key(event_id)]["version"] += 1
    return filled


def fresh_articles(
    corpus: Corpus, planned: Plan, count: int, *, seed: int = 5, part: int = 0
) -> list[tuple[dict[str, Any], int | None]]:
    """Articles to time, each with the live story it follows up (None for a new story).

    Args:
        corpus: the pool.
        planned: the plan the state was filled from.
        count: number of articles.
        seed: random seed.
        part: another part's articles (ids, new stories) never meet this part's.
    """
    rng = random.Random(seed + 1000 * part)
    told = [s for s, t in enumerate(planned.templates) if t >= 0]
    weights = [planned.sizes[s] for s in told]
    later: dict[int, int] = {}
    live = len(planned.sizes)
    out: list[tuple[dict[str, Any], int | None]] = []
    for i in range(part * count, (part + 1) * count):
        serial = 10 * live + i
        if i % 2 == 0 and told:
            story = rng.choices(told, weights=weights)[0]
            member = planned.sizes[story] + later.get(story, 0)
            later[story] = later.get(story, 0) + 1
            template = planned.templates[story]
            out.append((make_article(corpus, template, member, story=story, serial=serial), story))
            continue
        story = live + i
        if corpus.events and rng.random() < NEW_FROM_EVENTS:
            template = rng.randrange(len(corpus.events))
            member = rng.randrange(len(corpus.events[template]))
        else:
            template, member = -1 - rng.randrange(len(corpus.singles)), 0
        out.append((make_article(corpus, template, member, story=story, serial=serial), None))
    return out
