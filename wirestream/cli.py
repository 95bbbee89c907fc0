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
EVAL_COMMANDS = ("topics", "ner_eval", "cluster_eval", "stream_eval", "disagreement_eval")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand, or with ``command`` alone.

    Args:
        command: register only this subcommand (and import only its module: a command
            starts without loading what the others need, e.g. spaCy for ``bench``).
    """
    parser = argparse.ArgumentParser(
        prog="wirestream", description="Stream-processing news ingestion on Kafka."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        if command not in (None, name):
            continue
        module = importlib.import_module(f"wirestream.commands.{name}")
        if hasattr(module, "add_parser"):
            module.add_parser(subparsers)
    if command not in (None, "eval"):
        return parser
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

    argv = list(sys.argv[1:] if argv is None else argv)
    named = argv[0] if argv and argv[0] in (*COMMANDS, "eval") else None
    args = build_parser(named).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokerAccessError as error:
        print(error, file=sys.stderr)  # one clear line, no traceback
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
