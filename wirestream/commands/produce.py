"""``wirestream produce FILE.jsonl``: replay raw lines into ``news.raw.v1`` as they are."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from config.settings import Settings
from wirestream.kafka import producer


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``produce``."""
    parser = subparsers.add_parser("produce", help="send a JSONL file, line by line, to a topic")
    parser.add_argument("file", type=Path, help="JSONL file; '-' for standard input")
    parser.add_argument("--topic", default=None, help="default: news.raw.v1")
    parser.add_argument("--broker", default=None, help="bootstrap servers (host:port)")
    parser.set_defaults(func=run)


def read_lines(path: Path) -> list[bytes]:
    """Raw lines of a file, without line endings; blank lines dropped, bytes untouched.

    Args:
        path: the file, or '-' for standard input.
    """
    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    return [line.rstrip(b"\r") for line in data.split(b"\n") if line.strip()]


def run(args: argparse.Namespace) -> int:
    """Send every line; report how many the broker acknowledged."""
    settings = Settings.from_env(broker=args.broker)
    topic = args.topic or settings.topic_names.raw
    lines = read_lines(args.file)
    with producer(settings.broker) as client:
        futures = [client.send(topic, value=line) for line in lines]
        client.flush()
        acked = sum(1 for f in futures if f.succeeded())
    print(json.dumps({"topic": topic, "sent": len(lines), "acked": acked}))
    return 0 if acked == len(lines) else 1
