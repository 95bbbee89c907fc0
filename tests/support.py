"""Test helpers: a small deterministic NLP pipeline and sample-data access."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import spacy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "articles.jsonl"
EXPECTED = ROOT / "samples" / "expected.json"
# The shared development data next to the checkout; WIRESTREAM_SHARED_DATA points elsewhere
# (a git worktree sits one level deeper).
SHARED_DATA = Path(os.environ.get("WIRESTREAM_SHARED_DATA") or ROOT.parent / "shared" / "data")

RULER_PATTERNS = [
    {"label": "PERSON", "pattern": "Vladimir Putin"},
    {"label": "PERSON", "pattern": "Putin"},
    {"label": "PERSON", "pattern": "Xi Jinping"},
    {"label": "PERSON", "pattern": "Donald Trump"},
    {"label": "GPE", "pattern": "Beijing"},
    {"label": "GPE", "pattern": "China"},
    {"label": "GPE", "pattern": "Russia"},
    {"label": "GPE", "pattern": "Ukraine"},
]


def blank_nlp() -> Any:
    """``spacy.blank("en")`` with an EntityRuler: fast, deterministic NER for tests."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(RULER_PATTERNS)
    return nlp


def blank_resources() -> Any:
    """Pool resources for tests: the blank pipeline and the shipped topic classifier."""
    from agents.pool import Resources
    from pipeline.nlp.classifier import TopicClassifier

    return Resources(nlp=blank_nlp(), classifier=TopicClassifier.load())


def enriched_sample(now: Any) -> list[dict[str, Any]]:
    """The sample's good articles, normalized and enriched with the blank model at ``now``.

    Args:
        now: the clock (timezone-aware datetime).
    """
    from pipeline.records import Incoming
    from pipeline.stages import prepare_batch
    from wirestream.commands.produce import read_lines

    resources = blank_resources()
    messages = [
        Incoming(value=line, topic="news.raw.v1", partition=0, offset=n)
        for n, line in enumerate(read_lines(SAMPLE))
    ]
    enriched, _ = prepare_batch(
        messages, nlp=resources.nlp, classifier=resources.classifier, now=now
    )
    return list(enriched)


def expected() -> dict[str, Any]:
    """The sample's ground truth (samples/expected.json)."""
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def event_record(event_id: str, version: int, **changes: Any) -> dict[str, Any]:
    """A valid ``event.v1`` record (the schema's example) with its id, version and changes.

    Args:
        event_id: the event id.
        version: the version.
        changes: fields to set (None removes the field).
    """
    import copy

    import schemas

    record = copy.deepcopy(schemas.load("event.v1")["examples"][0])
    record.update(event_id=event_id, version=version, title=f"Story {event_id} v{version}")
    for name, value in changes.items():
        if value is None:
            record.pop(name, None)
        else:
            record[name] = value
    return record


def hex_id(text: str) -> str:
    """A deterministic 24-hex id (the form of article and merged-into ids) for a short name."""
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:24]
