"""The ``wirestream`` command: one entry point, one subcommand per job."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module exposes add_parser(subparsers) and/or add_eval_parser(eval_subparsers).
COMMANDS = (
    "broker",
    "worker",
    "produce",
    "tail",
    "process",
    "demo",
    "topics",
    "bench",
    "feeds",
    "status",
    "hostile",
    "chaos",
    "events",
)
EVAL_COMMANDS = (
    "topics",
    "ner_eval",
    "cluster_eval",
    "stream_eval",
    "disagreement_eval",
    "entity_eval",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="wirestream", description="Stream-processing news ingestion on Kafka."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"wirestream.commands.{name}")
        if hasattr(module, "add_parser"):
            module.add_parser(subparsers)
    evaluate = subparsers.add_parser("eval", help="measure the pipeline against labelled data")
    eval_subparsers = evaluate.add_subparsers(dest="what", metavar="WHAT", required=True)
    for name in EVAL_COMMANDS:
        module = importlib.import_module(f"wirestream.commands.{name}")
        module.add_eval_parser(eval_subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen subcommand; returns the exit code.

    Args:
        argv: arguments (default ``sys.argv[1:]``).
    """
    from wirestream.security import BrokerAccessError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokerAccessError as error:
        print(error, file=sys.stderr)  # one clear line, no traceback
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
