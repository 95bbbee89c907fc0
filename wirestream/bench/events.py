"""``wirestream bench events``: the event service's materialization rate and API latency.

One run starts (or uses) a broker, produces generated event records to a fresh events
topic, and materializes them the way ``wirestream events serve`` does (the consumer library
with validation, then the SQLite store). At each size (10k, then 100k records) it starts the
real service on that file and times searches and event pages over HTTP. Article rows for the
event pages are written straight into the file (not timed): the bench measures event records.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from config.settings import Settings
from wirestream.bench.e2e import _broker, percentile
from wirestream.bench.eventgen import Vocabulary, article_rows, event_stream
from wirestream.consume import Follower, Merge
from wirestream.events.materialize import FLUSH_EVERY
from wirestream.events.store import Store
from wirestream.kafka import end_offsets, ensure_topics, producer

GOAL_PER_S, GOAL_P99_MS = 5000, 50.0


@dataclass(frozen=True)
class Options:
    """What one run measures."""

    sizes: tuple[int, ...] = (10_000, 100_000)
    requests: int = 500
    seed: int = 11
    bootstrap: str = ""


def materialize(store: Store, settings: Settings, group: str, *, chunk: int) -> dict[str, Any]:
    """Follow the events topic into ``store`` until caught up; records/s from first to last."""
    ends = end_offsets(settings.broker, [settings.topic_names.events])
    stop, flushed = threading.Event(), [0.0]

    def flush() -> None:
        store.flush()
        flushed[0] = time.perf_counter()

    def idle(follower: Follower) -> None:
        if follower.caught_up(ends):
            stop.set()

    follower = Follower(
        {settings.topic_names.events: "event"}, group_id=group, settings=settings, versions=store,
        before_commit=flush, on_idle=idle, stop=stop, commit_interval_s=1.0,
    )  # fmt: skip
    first, marks, cpu = 0.0, [], 0.0
    with follower:
        for delivery in follower:
            if not first:
                first, cpu = time.perf_counter(), time.process_time()
            value: Any = delivery.value
            store.apply_event(value.event if isinstance(value, Merge) else value)
            if store.pending >= FLUSH_EVERY:
                flush()
            if (seen := sum(follower.stats.values()) + 1) % chunk == 0:
                marks.append((seen, time.perf_counter()))
    cpu = time.process_time() - cpu  # this process: the consumer and kafka-python's IO thread
    records = sum(follower.stats.values())
    seconds = max(flushed[0], marks[-1][1] if marks else 0.0) - first
    chunks = [
        (b[0] - a[0]) / (b[1] - a[1]) for a, b in zip([(0, first), *marks], marks, strict=False)
    ]
    return {
        "records": records,
        "stale_dropped": follower.stats["stale"],
        "per_s": round(records / seconds),
        "per_cpu_s": round(records / cpu),
        "chunk_per_s": [round(rate) for rate in chunks],
    }


def search_paths(vocab: Vocabulary, rng: random.Random, count: int) -> list[str]:
    """Searches as readers type them: a name (common ones more often), or one or two words."""
    paths = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            terms = vocab.zipf(rng, vocab.names)[0]
        elif roll < 0.8:
            terms = vocab.zipf(rng, vocab.words)
        else:
            terms = f"{vocab.zipf(rng, vocab.words)} {vocab.zipf(rng, vocab.words)}"
        paths.append("/api/events?" + urllib.parse.urlencode({"q": terms}))
    return paths


def timed_gets(port: int, paths: Sequence[str]) -> dict[str, float]:
    """p50 and p99 (ms) of GETs over one keep-alive connection, after 20 untimed ones."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    took = []
    for n, path in enumerate([*paths[:20], *paths]):
        began = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        if n >= 20:
            took.append((time.perf_counter() - began) * 1000)
    connection.close()
    return {f"p{q}_ms": round(percentile(took, q), 2) for q in (50, 99)}


@contextlib.contextmanager
def serving(settings: Settings, db: Path, group: str) -> Iterator[int]:
    """``wirestream events serve`` on the file, ready (caught up); yields its port."""
    from deploy.config import free_port

    port = free_port()
    command = [
        sys.executable, "-m", "wirestream", "events", "serve", "--port", str(port),
        "--broker", settings.broker, "--db", str(db), "--group", group,
    ]  # fmt: skip
    env = {"WIRESTREAM_TOPIC_NAMESPACE": settings.topic_namespace}
    proc = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not _ready(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the event service did not become ready")
            time.sleep(0.3)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def run_bench(options: Options) -> dict[str, Any]:
    """Produce, materialize and time the API at each size; the figures as a dict."""
    began, run_id = time.monotonic(), uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix=f"bench-events-{run_id}-"))
    encoded = [orjson.dumps(r) for r in event_stream(max(options.sizes), seed=options.seed)]
    vocab, rng = Vocabulary(random.Random(options.seed)), random.Random(options.seed + 1)
    try:
        with _broker(options.bootstrap, folder) as (bootstrap, _):
            settings = Settings.from_env(broker=bootstrap, topic_namespace=f"bench-{run_id}.")
            ensure_topics(bootstrap, settings)
            store, group = Store(folder / "events.sqlite3"), f"bench-events-{run_id}"
            sizes, done = [], 0
            for size in options.sizes:
                _produce(settings, encoded[done:size])
                figures = materialize(store, settings, group, chunk=10_000)
                stored = _add_articles(store, encoded[done:size])
                done = size
                ids = [row[0] for row in store.db.execute("SELECT event_id FROM events")]
                pages = [f"/api/events/{rng.choice(ids)}" for _ in range(options.requests)]
                with serving(settings, store.path, group) as port:
                    search = timed_gets(port, search_paths(vocab, rng, options.requests))
                    page = timed_gets(port, pages)
                sizes.append(
                    {"records": size, "events": len(ids), "articles": stored,
                     "materialize": figures, "search": search, "event_page": page}
                )  # fmt: skip
            store.close()
            db_mb = sum(p.stat().st_size for p in folder.glob("events.sqlite3*")) / 2**20
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _summary(sizes, db_mb, time.monotonic() - began)


def _summary(sizes: list[dict[str, Any]], db_mb: float, seconds: float) -> dict[str, Any]:
    first, last = sizes[0], sizes[-1]
    rate_first = first["materialize"]["chunk_per_s"][0]
    rate_last = last["materialize"]["chunk_per_s"][-1]
    worst_p99 = max(s[k]["p99_ms"] for s in sizes for k in ("search", "event_page"))
    min_rate = min(s["materialize"]["per_s"] for s in sizes)
    return {
        "task": "bench_events",
        "sizes": sizes,
        "materialize_first_10k_per_s": rate_first,
        "materialize_last_10k_per_s": rate_last,
        "materialize_growth": round(rate_last / rate_first, 2),
        "search_p99_growth": round(last["search"]["p99_ms"] / first["search"]["p99_ms"], 2),
        "event_page_p99_growth": round(
            last["event_page"]["p99_ms"] / first["event_page"]["p99_ms"], 2
        ),
        "goal_materialize_per_s": GOAL_PER_S,
        "goal_p99_ms": GOAL_P99_MS,
        "goals_met": min_rate >= GOAL_PER_S and worst_p99 <= GOAL_P99_MS,
        "db_mb": round(db_mb, 1),
        # wall-clock rates depend on what else runs: per_cpu_s does not
        "load_average_1m": round(os.getloadavg()[0], 2),
        "seconds": round(seconds, 1),
    }


def _produce(settings: Settings, encoded: Sequence[bytes]) -> None:
    with producer(settings.broker, batch_size=512 * 1024) as client:
        for value in encoded:
            key = orjson.loads(value)["event_id"].encode()
            client.send(settings.topic_names.events, key=key, value=value)


def _add_articles(store: Store, encoded: Sequence[bytes]) -> int:
    rows = 0
    for value in encoded:
        for article in article_rows(orjson.loads(value)):
            store.apply_article(article)  # type: ignore[arg-type]
            rows += 1
    store.flush()
    return rows


def _ready(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/ready")
        return connection.getresponse().status == 200
    except OSError:
        return False


def add_bench_parser(bench_subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``bench events`` on the ``bench`` subcommand's targets."""
    parser = bench_subparsers.add_parser(
        "events", help="event service: materialized records/s, API p50/p99 at 10k and 100k"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(Options.sizes))
    parser.add_argument("--requests", type=int, default=Options.requests, help="per kind, size")
    parser.add_argument("--seed", type=int, default=Options.seed)
    parser.add_argument("--bootstrap", default="", help="use this broker instead of starting one")
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Print one line per size, then the figures as one JSON line."""
    options = Options(tuple(args.sizes), args.requests, args.seed, args.bootstrap)
    result = run_bench(options)
    for size in result["sizes"]:
        print(
            f"{size['records']} records ({size['events']} events): "
            f"{size['materialize']['per_s']} records/s materialized "
            f"({size['materialize']['per_cpu_s']} per CPU second); "
            f"search p50 {size['search']['p50_ms']} ms p99 {size['search']['p99_ms']} ms; "
            f"event page p50 {size['event_page']['p50_ms']} ms "
            f"p99 {size['event_page']['p99_ms']} ms"
        )
    print(orjson.dumps(result).decode())
    return 0
