"""`wirestream eval clustering FILE` and `wirestream eval dedup`: the clusterer, measured."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("..") / "shared" / "data"


def add_eval_parser(eval_subparsers: Any) -> None:
    """Register `eval clustering FILE [--seed N] [--seeds N]` and `eval dedup [--data DIR]`.

    Args:
        eval_subparsers: the object returned by `add_subparsers()` of the `eval` group.
    """
    clustering = eval_subparsers.add_parser(
        "clustering",
        help="BCubed/pairwise scores of online event clustering on an ECB+-format file",
        description="Extract entities with the production model, compute features, feed the "
        "articles one at a time in a seeded shuffled order through cluster_batch and score "
        "the events against cluster_id. The last line is a JSON object.",
    )
    clustering.add_argument("file", type=Path, help="JSONL: doc_id, title, text, cluster_id, url")
    clustering.add_argument("--seed", type=int, default=0, help="first shuffle seed")
    clustering.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="number of seeds (seed, seed+1, ...); >1 adds mean and spread",
    )
    clustering.set_defaults(func=run_clustering)
    dedup = eval_subparsers.add_parser(
        "dedup",
        help="precision/recall of duplicate_of on syndicated copies generated at run time",
        description="Build originals, syndicated copies (new headline, trimmed text, dateline, "
        "footer, wording, spacing), exact copies and unrelated stories from the shared data, "
        "stream them through cluster_batch and score duplicate_of. Last line is JSON.",
    )
    dedup.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with bbc_news/ and ecbplus/ (default ../shared/data)",
    )
    dedup.add_argument("--seed", type=int, default=0, help="sampling and edit seed")
    dedup.set_defaults(func=run_dedup)


def run_clustering(args: argparse.Namespace) -> int:
    """Evaluate event clustering; print a JSON line last; return the exit code.

    Args:
        args: parsed arguments of `eval clustering`.
    """
    from wirestream.evaluation import clustering

    if not args.file.is_file():
        sys.stderr.write(f"eval clustering: no such file: {args.file}\n")
        return 2
    records = clustering.load_records(args.file)
    started = time.perf_counter()
    articles = clustering.enrich(records, clustering.model_entities())
    seeds = list(range(args.seed, args.seed + max(args.seeds, 1)))
    clustered = time.perf_counter()
    report = clustering.evaluate(records, articles, seeds=seeds)
    report["enrich_seconds"] = round(clustered - started, 1)
    report["cluster_seconds"] = round(time.perf_counter() - clustered, 1)
    sys.stdout.write(json.dumps({"task": "clustering", "file": str(args.file), **report}) + "\n")
    return 0


def run_dedup(args: argparse.Namespace) -> int:
    """Evaluate duplicate detection; print a JSON line last; return the exit code.

    Args:
        args: parsed arguments of `eval dedup`.
    """
    from pipeline.clustering.config import ClusterConfig
    from wirestream.evaluation import dedup

    if not (args.data / "bbc_news" / "articles.jsonl").is_file():
        sys.stderr.write(f"eval dedup: no bbc_news/articles.jsonl under {args.data}\n")
        return 2
    base, negatives = dedup.load_sets(args.data, seed=args.seed)
    items = dedup.build_set(base, negatives, seed=args.seed)
    report = dedup.evaluate(items, config=ClusterConfig())
    sys.stdout.write(json.dumps({"task": "dedup", "seed": args.seed, **report}) + "\n")
    return 0
