"""`wirestream eval stream FILE`: event clustering in a production-like stream, several orders."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_DISTRACTORS = Path("..") / "shared" / "data" / "bbc_news" / "articles.jsonl"


def add_eval_parser(eval_subparsers: Any) -> None:
    """Register `eval stream FILE [--orders N] [--broker] ...`.

    Args:
        eval_subparsers: the object returned by `add_subparsers()` of the `eval` group.
    """
    stream = eval_subparsers.add_parser(
        "stream",
        help="BCubed of event clustering on a mixed stream in several arrival orders",
        description="Mix the file's articles with generated syndicated copies and distractor "
        "stories, send them as raw records through the production path (normalize, enrich "
        "with the real model, cluster in batches) in N seeded orders, follow merges, and "
        "report BCubed per order with the mean and minimum. --broker sends each order "
        "through a local Kafka broker and a real worker instead. The last line is JSON.",
    )
    stream.add_argument("file", type=Path, help="JSONL: doc_id, title, text, cluster_id, url")
    stream.add_argument("--orders", type=int, default=5, help="arrival orders (seeds 0..N-1)")
    stream.add_argument("--seed", type=int, default=0, help="first order seed")
    stream.add_argument(
        "--distractors", type=Path, default=DEFAULT_DISTRACTORS, help="JSONL of id, title, text"
    )
    stream.add_argument("--distractor-count", type=int, default=120)
    stream.add_argument("--copies", type=int, default=60, help="syndicated copies to generate")
    stream.add_argument("--batch-size", type=int, default=16, help="articles per cluster batch")
    stream.add_argument(
        "--broker", action="store_true", help="through a local broker and worker (slow)"
    )
    stream.set_defaults(func=run_stream)


def run_stream(args: argparse.Namespace) -> int:
    """Evaluate; print one JSON line per order, then the summary line; return the exit code.

    Args:
        args: parsed arguments of `eval stream`.
    """
    from wirestream.evaluation import clustering, stream

    if not args.file.is_file():
        sys.stderr.write(f"eval stream: no such file: {args.file}\n")
        return 2
    items = stream.file_items(clustering.load_records(args.file))
    items += stream.copy_items(items, args.copies, seed=args.seed)
    if args.distractor_count and args.distractors.is_file():
        items += stream.distractor_items(args.distractors, args.distractor_count, seed=args.seed)
    seeds = list(range(args.seed, args.seed + max(args.orders, 1)))
    started = time.perf_counter()
    runs = _broker_runs(items, seeds) if args.broker else _local_runs(items, seeds, args)
    for seed, run in zip(seeds, runs, strict=True):
        sys.stdout.write(json.dumps({"seed": seed, **run}) + "\n")
    report = {
        "task": "stream",
        "file": str(args.file),
        "path": "broker" if args.broker else "process",
        "items": len(items),
        "copies": sum(item.kind == "copy" for item in items),
        "distractors": sum(item.kind == "distractor" for item in items),
        "orders": seeds,
        **stream.summarize(runs),
        "seconds": round(time.perf_counter() - started, 1),
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


def _local_runs(items: list[Any], seeds: list[int], args: argparse.Namespace) -> list[Any]:
    from agents.resources import load_resources
    from pipeline.clustering.config import ClusterConfig
    from wirestream.evaluation import stream

    resources = load_resources()
    articles = stream.enrich(items, nlp=resources.nlp, classifier=resources.classifier)
    config = ClusterConfig()
    return [
        stream.score(
            items, stream.cluster_order(articles, seed=s, config=config, batch_size=args.batch_size)
        )
        for s in seeds
    ]


def _broker_runs(items: list[Any], seeds: list[int]) -> list[Any]:
    from wirestream.evaluation import stream
    from wirestream.evaluation.stream_broker import broker_order, local_broker

    with tempfile.TemporaryDirectory(prefix="wirestream-eval-") as scratch:
        workdir = Path(scratch)
        with local_broker(workdir) as bootstrap:
            return [
                stream.score(
                    items, broker_order(items, seed=s, bootstrap=bootstrap, workdir=workdir)
                )
                for s in seeds
            ]
