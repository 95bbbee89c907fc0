"""`wirestream eval entities`: event entity lists against the ECB+ gold entities."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("..") / "shared" / "data"


def add_eval_parser(eval_subparsers: Any) -> None:
    """Register `eval entities [--data DIR] [--model NAME] [--show]`.

    Args:
        eval_subparsers: the object returned by `add_subparsers()` of the `eval` group.
    """
    parser = eval_subparsers.add_parser(
        "entities",
        help="duplicates and labels in the entity lists that events publish",
        description="Build every gold ECB+ event cluster with the production normalize, "
        "enrich and event builder, then match each listed entity to the ECB+ cross-document "
        "chain its name belongs to: a duplicate names a chain an entity above it already "
        "names; a label is right when it is the chain type's. The last line is a JSON object.",
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with ecbplus/ (../shared/data)"
    )
    parser.add_argument("--model", default="", help="spaCy model name (default: see README)")
    parser.add_argument("--show", action="store_true", help="print each duplicate")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate; print a JSON line last; return the exit code.

    Args:
        args: parsed arguments of `eval entities`.
    """
    from agents.resources import load_resources
    from wirestream.evaluation import disagreements, event_entities
    from wirestream.evaluation.ner_ecbplus import read_records

    path = args.data / "ecbplus" / "articles.jsonl"
    if not path.is_file():
        sys.stderr.write(f"eval entities: no ecbplus/articles.jsonl under {args.data}\n")
        return 2
    started = time.perf_counter()
    resources = load_resources(args.model)
    chains = event_entities.gold_chains(read_records(path))
    built = {
        key: record
        for key, _, record in disagreements.build_events(
            disagreements.ecbplus_events(args.data),
            nlp=resources.nlp,
            classifier=resources.classifier,
        )
    }
    report, lines = event_entities.score(built, chains)
    if args.show:
        sys.stdout.write("".join(line + "\n" for line in lines))
    report = {"task": "entities", **report, "seconds": round(time.perf_counter() - started, 1)}
    sys.stdout.write(json.dumps(report) + "\n")
    return 0
