"""``wirestream tail TOPIC``: print a topic's records as JSON lines."""

from __future__ import annotations

import argparse
import base64
import sys

import orjson
from kafka import KafkaConsumer, TopicPartition

from config.settings import Settings
from wirestream.kafka import client_security


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``tail``."""
    parser = subparsers.add_parser("tail", help="print a topic's records as JSON lines")
    parser.add_argument("topic")
    parser.add_argument("--broker", default=None, help="bootstrap servers (host:port)")
    parser.add_argument("--from-end", action="store_true", help="only records that arrive now")
    parser.add_argument("--max", type=int, default=0, help="stop after N records")
    parser.add_argument(
        "--timeout", type=float, default=0.0, help="stop after S seconds without a record"
    )
    parser.set_defaults(func=run)


def render(value: bytes | None) -> bytes:
    """A record value as one JSON line (non-JSON values are shown base64-encoded).

    Args:
        value: the raw record value.
    """
    if value is None:
        return b"null"
    try:
        return orjson.dumps(orjson.loads(value))
    except orjson.JSONDecodeError:
        return orjson.dumps({"value_b64": base64.b64encode(value).decode()})


def run(args: argparse.Namespace) -> int:
    """Assign every partition (no consumer group) and print records as they come."""
    settings = Settings.from_env(broker=args.broker)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.broker,
        enable_auto_commit=False,
        **client_security(),
        consumer_timeout_ms=int(args.timeout * 1000) if args.timeout else float("inf"),
    )
    try:
        partitions = consumer.partitions_for_topic(args.topic)
        if not partitions:
            print(f"wirestream tail: topic {args.topic!r} does not exist", file=sys.stderr)
            return 2
        assigned = [TopicPartition(args.topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        (consumer.seek_to_end if args.from_end else consumer.seek_to_beginning)(*assigned)
        for count, record in enumerate(consumer, start=1):
            sys.stdout.buffer.write(render(record.value) + b"\n")
            sys.stdout.flush()
            if args.max and count >= args.max:
                break
    finally:
        consumer.close()
    return 0
