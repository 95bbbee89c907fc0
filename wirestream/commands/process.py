"""``wirestream process FILE --out DIR``: the whole pipeline on a JSONL file, no broker."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from config.settings import Settings
from pipeline.records import Incoming, Limits
from pipeline.stages import Outputs
from pipeline.stages import run as run_pipeline


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``process``."""
    parser = subparsers.add_parser("process", help="run the pipeline on a JSONL file, no broker")
    parser.add_argument("file", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--model", default=None, help="spaCy model name (default: see README)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.set_defaults(func=run)


def iter_lines(path: Path) -> Iterator[bytes]:
    """Raw lines of a file, streamed, without line endings; blank lines dropped.

    Args:
        path: the file.
    """
    with path.open("rb") as handle:
        for line in handle:
            line = line.rstrip(b"\n").rstrip(b"\r")
            if line.strip():
                yield line


def process_lines(
    lines: Iterable[bytes],
    *,
    source: str,
    resources: Any,
    settings: Settings,
    clock: Callable[[], datetime],
) -> Iterator[Outputs]:
    """Run raw lines through the pipeline batch by batch, as the worker would; yield each batch.

    Args:
        lines: raw input lines.
        source: the name used as the input "topic" in dead letters.
        resources: loaded ``Resources`` (nlp, classifier).
        settings: batch size and limits.
        clock: returns the time for each batch.
    """
    state: dict[str, Any] = {}
    limits = Limits(max_bytes=settings.max_bytes, max_body_chars=settings.max_body_chars)
    messages = (
        Incoming(value=line, topic=source, partition=0, offset=i) for i, line in enumerate(lines)
    )
    while batch := list(islice(messages, settings.batch_size)):
        yield run_pipeline(
            batch,
            nlp=resources.nlp,
            classifier=resources.classifier,
            state=state,
            now=clock(),
            limits=limits,
            batch_size=settings.nlp_batch_size,
        )


def run(args: argparse.Namespace) -> int:
    """Process the file and write one JSONL file per output topic; print a JSON summary."""
    from agents.resources import load_resources

    settings = Settings.from_env(model=args.model, batch_size=args.batch_size)
    resources = load_resources(settings.model)
    args.out.mkdir(parents=True, exist_ok=True)
    names = settings.topic_names
    counts = {"articles": 0, "deadletters": 0, "duplicates": 0}
    events: dict[str, dict[str, Any]] = {}  # a compacted topic keeps the latest of each
    with (
        (args.out / f"{names.articles}.jsonl").open("wb") as articles_file,
        (args.out / f"{names.deadletter}.jsonl").open("wb") as deadletters_file,
    ):
        for outputs in process_lines(
            iter_lines(args.file),
            source=str(args.file),
            resources=resources,
            settings=settings,
            clock=lambda: datetime.now(UTC),
        ):
            articles_file.writelines(orjson.dumps(a) + b"\n" for a in outputs.articles)
            deadletters_file.writelines(orjson.dumps(d) + b"\n" for d in outputs.deadletters)
            counts["articles"] += len(outputs.articles)
            counts["deadletters"] += len(outputs.deadletters)
            counts["duplicates"] += sum(1 for a in outputs.articles if a.get("duplicate_of"))
            events.update((e["event_id"], e) for e in outputs.events)
    (args.out / f"{names.events}.jsonl").write_bytes(
        b"".join(orjson.dumps(e) + b"\n" for e in events.values())
    )
    # Inputs are counted apart from the outputs, so the check below can fail.
    live = sum(1 for e in events.values() if not e.get("merged_into"))
    summary = {"inputs": sum(1 for _ in iter_lines(args.file)), **counts, "events": live}
    print(json.dumps(summary))
    return 0 if summary["inputs"] == summary["articles"] + summary["deadletters"] else 1
