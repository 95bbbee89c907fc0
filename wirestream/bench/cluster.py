"""`wirestream bench cluster`: the clustering stage alone with many live events in its state.

Synthetic stories are written from a generated vocabulary; their features (and member
snapshots) come from the production `article_features` / `member_snapshot`, computed once per
process for a pool of base articles. Articles for the state and for the measurement are drawn
from that pool with fresh names and terms (fixed per story, weighted like tf-idf so that common
words weigh little) and a fresh MinHash, so that every prefilled event is distinct and index
postings fill up the way a real stream fills them (common keys reach the posting cap, rare ones
stay short). The state is built by the clusterer itself and its `CandidateIndex` kept with it.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import random
import statistics
import sys
import time
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from typing import Any

from agents.eventbuilder import build_in_worker, cpu_seconds, records_executor, reset_memo
from agents.heap import HeapKeeper
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import _cluster_one, cluster_batch, decide_batch, event_id_for
from pipeline.clustering.eviction import evict
from pipeline.clustering.features import article_features
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import event_key, is_event_key
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
            result, changed, _ = _cluster_one(
                article, state=state, index=index, now=NOW, config=config
            )
            if changed:
                touched[result["event_id"]] = None
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


def run(
    live_events: int, articles: int, *, batch: int = 100, records: Executor | None = None
) -> dict[str, Any]:
    """Prefill a state with `live_events` events, then time `articles` fresh articles as the
    cluster agent runs them (records built in `records` while the next batch is decided),
    then as many other fresh articles in one process (`serial_*`, the old measure).

    Args:
        live_events: live events in the state before measuring.
        articles: fresh articles clustered per measure.
        batch: articles per batch while measuring (as the agent batches).
        records: a one-process records pool (`agents.eventbuilder.records_executor`); None
            starts one for this run.
    """
    started = time.perf_counter()
    state, index = prefill(live_events)
    filled = time.perf_counter()
    # As the agent does after building its index: the prefilled heap leaves the collector.
    heap = HeapKeeper()
    heap.settle()
    events_in_state = sum(is_event_key(key) for key in state)
    owned = records is None
    executor = records or records_executor()
    try:
        executor.submit(reset_memo).result()  # warm, and a cold memo as in one process
        fresh = fresh_articles(live_events, articles)
        decided, _, piped = pipelined(
            fresh, state=state, index=index, records=executor, batch=batch, heap=heap
        )
    finally:
        if owned:
            executor.shutdown()
    serial = _serial(fresh_articles(live_events, articles, part=1), state, index, batch, heap)
    return {
        "live_events": live_events,
        "articles": articles,
        **_rates(articles, piped),
        "joined": sum(a["event_id"] != event_id_for(a["article_id"]) for a in decided),
        "serial_articles_per_s": round(articles / serial["seconds"], 1),
        "serial_cpu_articles_per_s": round(articles / serial["cpu"], 1),
        "prefill_seconds": round(filled - started, 1),
        "events_in_state": events_in_state,
        "state_keys": len(state),
    }


def pipelined(
    fresh: list[dict[str, Any]],
    *,
    state: dict[str, Any],
    index: CandidateIndex,
    records: Executor,
    batch: int,
    heap: HeapKeeper | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, float]]:
    """Cluster `fresh` the cluster agent's way: decide batch N+1 here while `records` builds
    batch N's event records; the clock stops when the last records are back.

    Returns the decided articles, the event records, and the wall and CPU seconds of both
    processes (`seconds`, `cpu`, `records_cpu`).

    Args:
        fresh: the articles.
        state: the cluster state.
        index: its index.
        records: the records process (`agents.eventbuilder.records_executor`), warmed up.
        batch: articles per batch.
        heap: the collector policy the cluster agent applies per batch (None: none).
    """
    now = NOW + timedelta(seconds=1)
    decided: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    remote = records.submit(cpu_seconds).result()
    clock, cpu = time.perf_counter(), time.process_time()
    pending: Future[list[dict[str, Any]]] | None = None
    for start in range(0, len(fresh), batch):
        done, jobs = decide_batch(fresh[start : start + batch], state=state, now=now, index=index)
        if heap is not None:
            heap.batch_done()
        decided += done
        if pending is not None:
            events += pending.result()  # at most one batch's records in flight
        pending = records.submit(build_in_worker, jobs, now)
    if pending is not None:
        events += pending.result()
    seconds, cpu_used = time.perf_counter() - clock, time.process_time() - cpu
    used = {"seconds": seconds, "cpu": cpu_used}
    used["records_cpu"] = records.submit(cpu_seconds).result() - remote
    return decided, events, used


def _serial(
    fresh: list[dict[str, Any]],
    state: dict[str, Any],
    index: CandidateIndex,
    batch: int,
    heap: HeapKeeper,
) -> dict[str, float]:
    """Wall and CPU seconds of `cluster_batch` over `fresh`, records built in this process."""
    now = NOW + timedelta(seconds=1)
    clock, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(fresh), batch):
        cluster_batch(fresh[start : start + batch], state=state, now=now, index=index)
        heap.batch_done()
    return {"seconds": time.perf_counter() - clock, "cpu": time.process_time() - cpu}


def _rates(articles: int, used: dict[str, float]) -> dict[str, float]:
    # CPU per process: on a shared machine, wall time also counts the neighbours.
    return {
        "articles_per_s": round(articles / used["seconds"], 1),
        "us_per_article": round(used["seconds"] / articles * 1e6, 1),
        "cpu_articles_per_s": round(articles / used["cpu"], 1),
        "records_cpu_articles_per_s": round(articles / max(used["records_cpu"], 1e-9), 1),
    }


def add_bench_parser(bench_subparsers: Any) -> None:
    """Register `bench cluster [--events N ...] [--articles N] [--runs N]`.

    Args:
        bench_subparsers: the object returned by `add_subparsers()` of the `bench` group.
    """
    parser = bench_subparsers.add_parser(
        "cluster",
        help="clustering stage alone: articles/s with 10k and 100k live events",
        description="Prefill a dict state with N live events through cluster_batch, then time "
        "fresh articles (half follow-ups, half new stories) as the cluster agent runs them "
        "(event records built in a second process while the next batch is decided), then "
        "other fresh articles in one process (serial_*). Medians over --runs of wall-clock "
        "and of each process's CPU time; the last line is a JSON object.",
    )
    parser.add_argument(
        "--events",
        type=int,
        nargs="+",
        default=[10000, 100000],
        help="live event counts (the first and last give cost_ratio)",
    )
    parser.add_argument("--articles", type=int, default=2000, help="fresh articles timed")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per event count")
    parser.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    """Run the cluster benchmark; print one JSON line per event count, then the summary.

    Args:
        args: parsed arguments of `bench cluster`.
    """
    summary: dict[str, Any] = {"task": "bench_cluster", "articles": args.articles}
    costs = []
    records = records_executor()  # one records process for every run, its memo reset per run
    try:
        for events in args.events:
            runs = [run(events, args.articles, records=records) for _ in range(max(args.runs, 1))]
            for result in runs:
                sys.stdout.write(json.dumps(result) + "\n")
            label = _label(events)
            for key in _MEDIANS:
                summary[f"{key}_{label}"] = statistics.median(r[key] for r in runs)
            rate, cpu_rate = (
                summary[f"articles_per_s_{label}"],
                summary[f"cpu_articles_per_s_{label}"],
            )
            costs.append((1.0 / rate, 1.0 / cpu_rate))
    finally:
        records.shutdown()
    summary["cost_ratio"] = round(costs[-1][0] / costs[0][0], 3)
    summary["cpu_cost_ratio"] = round(costs[-1][1] / costs[0][1], 3)
    summary["config"] = {
        "max_candidates": ClusterConfig().max_candidates,
        "index_cap": ClusterConfig().index_cap,
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


_MEDIANS = (
    "articles_per_s",
    "cpu_articles_per_s",
    "records_cpu_articles_per_s",
    "serial_articles_per_s",
    "serial_cpu_articles_per_s",
)


def _label(events: int) -> str:
    return f"{events // 1000}k" if events % 1000 == 0 else str(events)
