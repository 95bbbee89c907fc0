"""The generated event stream of ``bench events``: valid records, shaped like the topic."""

from __future__ import annotations

from collections import Counter

import pytest

import schemas
from wirestream.bench.eventgen import article_rows, event_stream

pytestmark = pytest.mark.pure


def test_generated_records_are_valid_events_with_updates_and_resends() -> None:
    records = list(event_stream(3000, seed=3))
    for record in records:
        schemas.validate("event.v1", record)
    highest: dict[str, int] = {}
    stale = 0
    for record in records:
        if record["version"] <= highest.get(record["event_id"], 0):
            stale += 1
        highest[record["event_id"]] = max(record["version"], highest.get(record["event_id"], 0))
    assert 0.6 < len(highest) / len(records) < 0.85  # most records are new events
    assert 0 < stale < len(records) * 0.1  # some re-sends of older versions
    assert records == list(event_stream(3000, seed=3))  # one seed, one stream


def test_names_repeat_across_events_without_one_name_everywhere() -> None:
    records = list(event_stream(3000, seed=3))
    names = Counter(e["name"] for record in records for e in record["entities"])
    top = names.most_common(1)[0][1]
    assert 20 < top < len(records) * 0.2


def test_article_rows_follow_the_event() -> None:
    record = next(iter(event_stream(1)))
    rows = list(article_rows(record))
    assert [row["article_id"] for row in rows] == record["articles"]
    assert {row["event_id"] for row in rows} == {record["event_id"]}
