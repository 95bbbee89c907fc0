"""``wirestream bench …``: speed figures measured as ratios within one run."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``bench`` and its targets."""
    parser = subparsers.add_parser("bench", help="benchmarks that print ratios measured in one run")
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    enrich = targets.add_parser("enrich", help="enrich stage vs raw nlp.pipe on the same texts")
    enrich.add_argument("--articles", type=int, default=400)
    enrich.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    enrich.add_argument("--model", default="")
    enrich.add_argument("--batch", type=int, default=64)
    enrich.add_argument("--rounds", type=int, default=5)
    enrich.add_argument("--source", type=Path, default=None, help="JSONL articles to use")
    enrich.set_defaults(func=run_enrich)
    from wirestream.bench.cluster import add_bench_parser as add_cluster_bench

    add_cluster_bench(targets)
    from wirestream.bench.e2e import add_bench_parser as add_e2e_bench

    add_e2e_bench(targets)


def run_enrich(args: argparse.Namespace) -> int:
    """Print the enrich benchmark's figures; the JSON line comes last."""
    from wirestream.bench.corpus import raw_lines
    from wirestream.bench.enrich import encode, run_bench

    lines = raw_lines(args.articles, source=args.source)
    result = run_bench(
        lines, workers=args.workers, model=args.model, batch=args.batch, rounds=args.rounds
    )
    print(
        f"enrich {result['enrich_articles_per_s']}/s vs nlp.pipe "
        f"{result['ceiling_articles_per_s']}/s with {args.workers} process(es); "
        f"topic step alone {result['topics_articles_per_s']}/s on one core"
    )
    print(encode(result))
    return 0
