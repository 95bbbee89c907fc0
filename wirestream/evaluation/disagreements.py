"""Disagreement evaluation: labelled multi-source events through the production event builder.

Each labelled event's articles go through `prepare_batch` (normalize and enrich, the pool's
work in the worker), `member_snapshot` and `build_event`; the event record's `disagreements`
and `updates` are then scored against the labels (`disagreement_scores`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from pipeline.events.build import build_event, member_snapshot
from pipeline.events.disagreements import source_numbers
from pipeline.records import Incoming
from pipeline.stages import prepare_batch
from wirestream.evaluation.clustering import document_url

LABELS = Path(__file__).with_name("labels") / "disagreements.json"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# The evaluation clock; ECB+ articles carry no publication time, the sample's do.
EVAL_NOW = datetime(2027, 1, 1, tzinfo=UTC)


def load_labels(path: Path = LABELS) -> dict[str, Any]:
    """The labelled set: `read` (events read per data set) and `events` (their labels).

    Args:
        path: the labels file.
    """
    return dict(json.loads(path.read_text(encoding="utf-8")))


def ecbplus_events(data: Path) -> dict[str, list[dict[str, Any]]]:
    """Raw articles of every gold ECB+ cluster, keyed by `cluster_id`, in doc id order.

    Articles without a URL get one of their own (one outlet per document).

    Args:
        data: the folder holding `ecbplus/articles.jsonl`.
    """
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with (data / "ecbplus" / "articles.jsonl").open("rb") as handle:
        records = [orjson.loads(line) for line in handle if line.strip()]
    for record in sorted(records, key=lambda r: _doc_order(r["doc_id"])):
        url = document_url(record)
        events[record["cluster_id"]].append(
            {
                "id": record["doc_id"],
                "url": url,
                "title": record.get("title") or "",
                "body": record.get("text") or "",
                "source": urlsplit(url).hostname,
            }
        )
    return dict(events)


def sample_events(samples: Path = SAMPLES) -> dict[str, list[dict[str, Any]]]:
    """Raw articles of the sample's events (`expected.json`), exact duplicates left out.

    Args:
        samples: the folder holding `articles.jsonl` and `expected.json`.
    """
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    by_id: dict[str, dict[str, Any]] = {}
    with (samples / "articles.jsonl").open("rb") as handle:
        for line in handle:
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(raw, dict) and raw.get("id"):
                by_id[str(raw["id"])] = raw
    copies = set(expected.get("exact_duplicates", {}))
    return {
        key: [by_id[i] for i in ids if i not in copies and i in by_id]
        for key, ids in expected["events"].items()
    }


def build_events(
    raw_events: dict[str, list[dict[str, Any]]], *, nlp: Any, classifier: Any
) -> Iterator[tuple[str, dict[int, list[str]], dict[str, Any]]]:
    """Yield (event key, source number -> doc ids, event record) per event, built as the worker
    builds it.

    Args:
        raw_events: event key -> raw articles (`id`, `url`, `title`, `body`, ...).
        nlp: the spaCy pipeline.
        classifier: the topic classifier.
    """
    for key, raws in raw_events.items():
        messages = [
            Incoming(value=orjson.dumps(raw), topic="eval", partition=0, offset=i)
            for i, raw in enumerate(raws)
        ]
        articles, _ = prepare_batch(messages, nlp=nlp, classifier=classifier, now=EVAL_NOW)
        ids = [str(raws[a["origin"]["offset"]]["id"]) for a in articles]
        members = [member_snapshot(article) for article in articles]
        docs: dict[int, list[str]] = defaultdict(list)
        for number, doc in zip(source_numbers(members), ids, strict=True):
            docs[number].append(doc)
        yield key, dict(docs), build_event(key, members, version=1, now=EVAL_NOW)


def _doc_order(doc_id: str) -> tuple[int, int, str]:
    topic, _, rest = doc_id.partition("_")
    number = "".join(c for c in rest if c.isdigit())
    return int(topic), int(number or 0), rest
