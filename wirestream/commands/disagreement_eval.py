"""`wirestream eval disagreements`: reported conflicts and updates against the labelled set."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("..") / "shared" / "data"


def add_eval_parser(eval_subparsers: Any) -> None:
    """Register `eval disagreements [--data DIR] [--labels FILE] [--samples DIR] [--show]`.

    Args:
        eval_subparsers: the object returned by `add_subparsers()` of the `eval` group.
    """
    from wirestream.evaluation.disagreements import LABELS, SAMPLES

    parser = eval_subparsers.add_parser(
        "disagreements",
        help="precision/recall of the conflicts and updates that events report",
        description="Build every labelled multi-source event (gold ECB+ clusters and the "
        "sample's events) with the production normalize, enrich and event builder, then score "
        "its disagreements and updates against the labels. The last line is a JSON object.",
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with ecbplus/ (../shared/data)"
    )
    parser.add_argument("--labels", type=Path, default=LABELS, help="labelled set (JSON)")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="folder of the sample")
    parser.add_argument("--model", default="", help="spaCy model name (default: see README)")
    parser.add_argument(
        "--show", action="store_true", help="print each reported item, right or wrong, and misses"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate; print a JSON line last; return the exit code.

    Args:
        args: parsed arguments of `eval disagreements`.
    """
    from agents.resources import load_resources
    from wirestream.evaluation import disagreement_scores, disagreements

    if not (args.data / "ecbplus" / "articles.jsonl").is_file():
        sys.stderr.write(f"eval disagreements: no ecbplus/articles.jsonl under {args.data}\n")
        return 2
    labels = disagreements.load_labels(args.labels)
    started = time.perf_counter()
    resources = load_resources(args.model)
    raw = {
        "ecbplus": disagreements.ecbplus_events(args.data),
        "sample": disagreements.sample_events(args.samples),
    }
    built = {}
    for dataset, events in raw.items():
        wanted = {key: events[key] for key in labels["read"][dataset] if key in events}
        for key, _, record in disagreements.build_events(
            wanted, nlp=resources.nlp, classifier=resources.classifier
        ):
            built[(dataset, key)] = record
    report, lines = disagreement_scores.score(labels, built)
    if args.show:
        sys.stdout.write("".join(line + "\n" for line in lines))
    report = {
        "task": "disagreements",
        "events": len(built),
        "labelled_events": len(labels["events"]),
        **report,
        "seconds": round(time.perf_counter() - started, 1),
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0
