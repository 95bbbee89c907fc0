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
        help="near-duplicate recall per copy-edit kind and precision on real same-event pairs",
        description="Stream distinct BBC stories and one copy-edited copy of each (words "
        "edited at 5 %% and 10 %%, clauses turned round, a local paragraph, a new headline and "
        "lead, all of these together, an exact copy) through normalize and the clusterer, and "
        "score duplicate_of by edit kind; then run every same-event pair of ECB+ through the "
        "clusterer in both orders and score it against pairs labelled by reading (copies, "
        "and independent articles as hard negatives). The last line is a JSON object.",
    )
    dedup.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with bbc_news/ and ecbplus/ (default ../shared/data)",
    )
    dedup.add_argument("--seed", type=int, default=0, help="sampling and edit seed")
    dedup.add_argument(
        "--originals", type=int, default=None, help="at most this many BBC stories (default all)"
    )
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
    from wirestream.evaluation import dedup, dedup_pairs

    bbc, ecb = args.data / "bbc_news" / "articles.jsonl", args.data / "ecbplus" / "articles.jsonl"
    for path in (bbc, ecb):
        if not path.is_file():
            sys.stderr.write(f"eval dedup: no {path}\n")
            return 2
    config = ClusterConfig()
    started = time.perf_counter()
    stream = dedup.build_stream(
        dedup.load_originals(bbc, seed=args.seed, limit=args.originals), seed=args.seed
    )
    generated = dedup.score_stream(
        stream, dedup.decide(dedup.prepare([item.raw for item in stream]), config=config)
    )
    records = dedup_pairs.load_records(ecb)
    pairs = dedup_pairs.same_event_pairs(records, dedup_pairs.read_labels())
    real = dedup_pairs.evaluate(records, pairs, config=config)
    hits = generated["true_positives"] + real["true_positives"]
    wrong = generated["false_positives"] + real["hard_negative_false_positives"]
    report = {
        "task": "dedup",
        "seed": args.seed,
        "near_dup_precision": round(hits / (hits + wrong), 4) if hits + wrong else 0.0,
        "recall_by_kind": generated["recall_by_kind"],
        "real_copy_recall": real["copy_recall"],
        "hard_negative_false_positives": real["hard_negative_false_positives"],
        "exact_recall": generated["exact_recall"],
        "generated": generated,
        "real_pairs": real,
        "seconds": round(time.perf_counter() - started, 1),
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0
