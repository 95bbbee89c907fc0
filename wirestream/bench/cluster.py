"""`wirestream bench cluster`: the clustering stage alone with many live events in its state,
on real features.

The articles are development texts (ECB+ events, BBC stories) with the entities the production
NER finds in them (cached on disk), the production MinHash, terms and member snapshots, each
story renamed so that 100k events stay distinct (`wirestream.bench.realcorpus`); event sizes
are long-tailed and new stories join nothing (`wirestream.bench.clusterstream`). The state is
built by the clusterer itself and its `CandidateIndex` kept with it.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from collections import Counter, deque
from concurrent.futures import Executor, Future
from datetime import timedelta
from pathlib import Path
from typing import Any

from agents.clusterflow import IN_FLIGHT
from agents.eventbuilder import build_in_worker, cpu_seconds, records_executor, reset_memo
from agents.heap import HeapKeeper
from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch, decide_batch, event_id_for
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key, is_event_key
from wirestream.bench import clusterstream
from wirestream.bench.clusterstream import NOW
from wirestream.bench.corpus import ROOT
from wirestream.bench.realcorpus import Corpus, load_corpus

DEFAULT_DATA = ROOT.parent / "shared" / "data"


@functools.cache
def real_corpus(data: Path) -> Corpus:
    """The pool of real articles under `data`, built once per process.

    Args:
        data: the shared data folder.
    """
    return load_corpus(data)


def run(
    live_events: int,
    articles: int,
    *,
    corpus: Corpus,
    batch: int = 100,
    records: Executor | None = None,
) -> dict[str, Any]:
    """Prefill a state with `live_events` planned events, then time `articles` fresh articles
    as the cluster agent runs them (records built in `records` while the next batch is
    decided), then as many other fresh articles in one process (`serial_*`).

    Args:
        live_events: events planned in the state before measuring.
        articles: fresh articles clustered per measure.
        corpus: the pool of real articles.
        batch: articles per batch while measuring (as the agent batches).
        records: a one-process records pool (`agents.eventbuilder.records_executor`); None
            starts one for this run.
    """
    started = time.perf_counter()
    planned = clusterstream.plan(live_events, corpus)
    filled = clusterstream.prefill(corpus, planned)
    state, index = filled.state, filled.index
    prefilled = time.perf_counter()
    # As the agent does after building its index: the prefilled heap leaves the collector.
    heap = HeapKeeper()
    heap.settle()
    shape = _state_shape(state)
    owned = records is None
    executor = records or records_executor()
    try:
        executor.submit(reset_memo).result()  # warm, and a cold memo as in one process
        fresh = clusterstream.fresh_articles(corpus, planned, articles)
        decided, _, piped = pipelined(
            [a for a, _ in fresh],
            state=state,
            index=index,
            records=executor,
            batch=batch,
            heap=heap,
        )
    finally:
        if owned:
            executor.shutdown()
    other = [a for a, _ in clusterstream.fresh_articles(corpus, planned, articles, part=1)]
    serial = _serial(other, state, index, batch, heap)
    return {
        "live_events": live_events,
        "articles": articles,
        **_rates(articles, piped),
        **_outcomes(fresh, decided, filled),
        "serial_articles_per_s": round(articles / serial["seconds"], 1),
        "serial_cpu_articles_per_s": round(articles / serial["cpu"], 1),
        "prefill_seconds": round(prefilled - started, 1),
        "prefill_articles": filled.articles,
        **shape,
        "state_keys": len(state),
    }


def _state_shape(state: dict[str, Any]) -> dict[str, Any]:
    """Events in the state, and how many members the big ones hold."""
    sizes = sorted((len(v["articles"]) for k, v in state.items() if is_event_key(k)), reverse=True)
    return {
        "events_in_state": len(sizes),
        "events_50_plus": sum(size >= 50 for size in sizes),
        "largest_events": sizes[:5],
    }


def _outcomes(
    fresh: list[tuple[dict[str, Any], int | None]],
    decided: list[dict[str, Any]],
    filled: clusterstream.Filled,
) -> dict[str, Any]:
    """What the clusterer made of the fresh articles, read from the state after the run (merges
    move articles): follow-ups in their story's event, new stories in an event they did not
    open, near duplicates."""
    counts: Counter[str] = Counter()
    for (_, story), result in zip(fresh, decided, strict=True):
        event_now = filled.state[article_key(result["article_id"])]["event_id"]
        if story is None:
            counts["new_stories"] += 1
            counts["new_joined"] += event_now != event_id_for(result["article_id"])
        else:
            counts["follow_ups"] += 1
            counts["follow_ups_joined"] += event_now in filled.story_events(story)
        counts["near_duplicates"] += result["duplicate_kind"] == "near"
    return dict(counts)


def pipelined(
    fresh: list[dict[str, Any]],
    *,
    state: dict[str, Any],
    index: CandidateIndex,
    records: Executor,
    batch: int,
    heap: HeapKeeper | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, float]]:
    """Cluster `fresh` the cluster agent's way: decide the next batch here while `records`
    builds the event records of up to `IN_FLIGHT` earlier batches; the clock stops when the
    last records are back.

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
    pending: deque[Future[list[dict[str, Any]]]] = deque()
    for start in range(0, len(fresh), batch):
        done, jobs = decide_batch(fresh[start : start + batch], state=state, now=now, index=index)
        if heap is not None:
            heap.batch_done()
        decided += done
        pending.append(records.submit(build_in_worker, jobs, now))
        if len(pending) > IN_FLIGHT:  # as many batches' records in flight as the agent allows
            events += pending.popleft().result()
    while pending:
        events += pending.popleft().result()
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
        description="Prefill a dict state with N live events of real articles (ECB+ and BBC "
        "texts, production NER cached under ~/.cache/wirestream/bench, renamed per story; "
        "long-tailed event sizes) through the clusterer, then time fresh articles (half "
        "follow-ups of live events, half new stories) as the cluster agent runs them (event "
        "records built in a second process while the next batch is decided), then other fresh "
        "articles in one process (serial_*). Medians over --runs of wall-clock and of each "
        "process's CPU time; the last line is a JSON object.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with ecbplus/ and bbc_news/ (default: ../shared/data next to the repo)",
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
    for name in ("ecbplus", "bbc_news"):
        if not (args.data / name / "articles.jsonl").is_file():
            sys.stderr.write(f"bench cluster: no {name}/articles.jsonl under {args.data}\n")
            return 2
    corpus = real_corpus(args.data)
    summary: dict[str, Any] = {"task": "bench_cluster", "articles": args.articles}
    costs = []
    records = records_executor()  # one records process for every run, its memo reset per run
    try:
        for events in args.events:
            runs = [
                run(events, args.articles, corpus=corpus, records=records)
                for _ in range(max(args.runs, 1))
            ]
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
