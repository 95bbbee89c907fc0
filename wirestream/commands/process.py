"""``wirestream process FILE --out DIR``: the whole pipeline on a JSONL file, no broker."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.process import Outputs, latest_events
from pipeline.process import run as run_pipeline
from pipeline.records import Incoming, Limits
from wirestream.commands.produce import read_lines
from wirestream.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``process``."""
    parser = subparsers.add_parser("process", help="run the pipeline on a JSONL file, no broker")
    parser.add_argument("file", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--model", default=None, help="spaCy model name (default: see README)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.set_defaults(func=run)


def process_lines(
    lines: list[bytes], *, source: str, resources: Any, settings: Settings, clock: Any
) -> Outputs:
    """Run raw lines through the pipeline in batches, as the worker would.

    Args:
        lines: raw input lines.
        source: the name used as the input "topic" in dead letters.
        resources: loaded ``Resources`` (nlp, classifier).
        settings: batch size and limits.
        clock: returns the time for each batch.
    """
    state: dict[str, Any] = {}
    limits = Limits(max_bytes=settings.max_bytes, max_body_chars=settings.max_body_chars)
    total = Outputs()
    messages = [
        Incoming(value=line, topic=source, partition=0, offset=i) for i, line in enumerate(lines)
    ]
    for start in range(0, len(messages), settings.batch_size):
        outputs = run_pipeline(
            messages[start : start + settings.batch_size],
            nlp=resources.nlp,
            classifier=resources.classifier,
            state=state,
            now=clock(),
            limits=limits,
            batch_size=settings.nlp_batch_size,
        )
        total.articles += outputs.articles
        total.events += outputs.events
        total.deadletters += outputs.deadletters
    return total


def run(args: argparse.Namespace) -> int:
    """Process the file and write one JSONL file per output topic; print a JSON summary."""
    from agents.resources import load_resources

    settings = Settings.from_env(model=args.model, batch_size=args.batch_size)
    lines = read_lines(args.file)
    resources = load_resources(settings.model)
    outputs = process_lines(
        lines,
        source=str(args.file),
        resources=resources,
        settings=settings,
        clock=lambda: datetime.now(UTC),
    )
    events = latest_events(outputs.events)
    args.out.mkdir(parents=True, exist_ok=True)
    names = settings.topics
    for topic, records in (
        (names.articles, outputs.articles),
        (names.events, events),
        (names.deadletter, outputs.deadletters),
    ):
        (args.out / f"{topic}.jsonl").write_bytes(
            b"".join(orjson.dumps(r) + b"\n" for r in records)
        )
    summary = {
        "inputs": len(lines),
        "articles": len(outputs.articles),
        "deadletters": len(outputs.deadletters),
        "duplicates": sum(1 for a in outputs.articles if a.get("duplicate_of")),
        "events": len(events),
    }
    print(json.dumps(summary))
    return 0 if summary["inputs"] == summary["articles"] + summary["deadletters"] else 1
