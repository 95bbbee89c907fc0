"""Read every output topic to its end (no consumer group) and check the at-least-once contract."""

from __future__ import annotations

import base64
import binascii
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from config.settings import TopicNames
from pipeline.stages import final_event_ids, live_events
from wirestream.kafka import read_topic

ATTEMPTS = 5
# differ between two processings of one input by design (clock readings, event versions)
VOLATILE = frozenset({"ingested_at", "updated_at", "version", "first_seen", "last_seen"})


@dataclass(frozen=True)
class Record:
    """One output record: its parsed value and the broker's append time (ms)."""

    value: dict[str, Any]
    timestamp_ms: int


@dataclass
class Outputs:
    """Everything on the output topics of one run."""

    articles: list[Record] = field(default_factory=list)
    deadletters: list[Record] = field(default_factory=list)
    events: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """What the audit found."""

    inputs: int
    lost: list[str]
    duplicated_resends: int
    divergent: list[str]
    event_violations: list[str]

    @property
    def ok(self) -> bool:
        """Nothing lost, duplicates identical, every article in exactly one event."""
        return not (self.lost or self.divergent or self.event_violations)


def read_outputs(bootstrap: str, topics: TopicNames, *, timeout_s: float = 3.0) -> Outputs:
    """Every record of articles, dead letters and events, from the beginning.

    Args:
        bootstrap: bootstrap servers.
        topics: the run's topic names.
        timeout_s: stop reading a topic after this long without a record.
    """

    def read(topic: str) -> list[Record]:
        for attempt in range(ATTEMPTS):
            try:
                records = read_topic(bootstrap, topic, timeout_s=timeout_s, deadline_s=40.0)
            except Exception:
                # kafka-python may pick a broker that just died, or hang after a restart: ask again
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(2.0)
                continue
            return [
                Record(orjson.loads(r.value), int(r.timestamp))
                for r in records
                if r.value is not None
            ]
        return []

    return Outputs(read(topics.articles), read(topics.deadletter), read(topics.events))


def input_id_of_deadletter(deadletter: dict[str, Any]) -> str | None:
    """The ``id`` field of the raw input a dead letter carries, when it can be parsed.

    Args:
        deadletter: a dead-letter record.
    """
    original: Any = deadletter.get("original")
    if original is None and deadletter.get("original_b64"):
        try:
            original = base64.b64decode(deadletter["original_b64"])
        except (binascii.Error, ValueError):
            return None
    try:
        raw = orjson.loads(original or b"")
    except orjson.JSONDecodeError:
        return None
    return str(raw["id"]) if isinstance(raw, dict) and "id" in raw else None


def audit(outputs: Outputs, input_ids: Iterable[str]) -> Verdict:
    """Check the run: no input lost, duplicates are identical re-sends, events partition articles.

    Args:
        outputs: what the topics hold.
        input_ids: the ``id`` of every input the broker acknowledged.
    """
    wanted = set(input_ids)
    copies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in outputs.articles:
        copies[str(record.value.get("raw_id"))].append(_stable(record.value))
    dead = {input_id_of_deadletter(r.value) for r in outputs.deadletters}
    lost = sorted(wanted - set(copies) - dead)
    resends = sum(len(group) - 1 for group in copies.values())
    divergent = sorted(rid for rid, group in copies.items() if any(c != group[0] for c in group))
    violations = event_violations([r.value for r in outputs.articles], outputs.events)
    return Verdict(len(wanted), lost, resends, divergent, violations)


def event_violations(articles: Sequence[dict[str, Any]], events: Sequence[Record]) -> list[str]:
    """Article ids in no live event, in several, or not in the event they name (after merges).

    Args:
        articles: article records.
        events: event records in topic order.
    """
    ordered = [r.value for r in sorted(events, key=lambda r: r.timestamp_ms)]
    final, moved = live_events(ordered), final_event_ids(ordered)
    holders: dict[str, set[str]] = defaultdict(set)
    for event in final:
        for article_id in event.get("articles", []):
            holders[article_id].add(event["event_id"])
    versions = {event["event_id"]: event.get("version") for event in final}
    problems = []
    for article in articles:
        found = holders.get(article["article_id"], set())
        # an article names the event it joined; a merge may have moved it since
        named = moved.get(article["event_id"], article["event_id"])
        if found != {named}:
            problems.append(
                f"{article.get('raw_id')} ({article['article_id']}): names event {named} "
                f"(final version {versions.get(named)}), is in {sorted(found)}"
            )
    return sorted(set(problems))


def first_output_after(outputs: Outputs, moment_ms: int) -> int | None:
    """Append time of the first article or dead letter written after moment_ms.

    Args:
        outputs: what the topics hold (append times are the broker's: LogAppendTime).
        moment_ms: epoch milliseconds.
    """
    records = (*outputs.articles, *outputs.deadletters)
    later = [r.timestamp_ms for r in records if r.timestamp_ms > moment_ms]
    return min(later) if later else None


def _stable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in VOLATILE}
