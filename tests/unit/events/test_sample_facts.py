"""The sample's claims about disagreements and updates (`samples/expected.json`), checked on
its articles as the pool normalizes them and the event builder builds their events."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest

import schemas
from pipeline.events.build import build_event, member_snapshot
from tests.support import enriched_sample, expected

pytestmark = pytest.mark.pure

NOW = datetime(2026, 12, 1, tzinfo=UTC)  # after every sample date, so all are trusted


@cache
def articles() -> dict[str, dict[str, Any]]:
    """The sample's good articles by sample id, normalized and enriched as the pool does."""
    return {a["raw_id"]: a for a in enriched_sample(NOW)}


@cache
def built() -> dict[str, tuple[dict[str, Any], dict[int, str]]]:
    """Event key -> (event record, source number -> sample id of its first article)."""
    by_id = articles()
    truth = expected()
    events = {}
    for key, ids in truth["events"].items():
        members = [member_snapshot(by_id[i]) for i in ids if i not in truth["exact_duplicates"]]
        record = build_event(key, members, version=1, now=NOW)
        ids_by_article: dict[str, str] = {}
        for i in ids:  # an exact duplicate shares its original's article id
            ids_by_article.setdefault(by_id[i]["article_id"], i)
        docs = {s["n"]: ids_by_article[s["article_id"]] for s in record["sources"]}
        events[key] = (record, docs)
    return events


def test_the_disagreement_event_reports_exactly_the_conflicting_phrases() -> None:
    truth = expected()
    record, docs = built()[truth["disagreement_event"]]
    reported: dict[str, list[str]] = {}
    for disagreement in record["disagreements"]:
        for value in disagreement["values"]:
            for source in value["sources"]:
                reported.setdefault(docs[source], []).append(value["value"])
    assert reported == truth["disagreement_phrases"]
    assert sorted(reported) == sorted(truth["disagreement_ids"])


def test_compatible_phrases_are_in_the_texts_and_never_reported() -> None:
    truth = expected()
    texts = {key: a["text"] for key, a in articles().items()}
    reported = {
        str(value["value"])
        for record, _ in built().values()
        for disagreement in record["disagreements"]
        for value in disagreement["values"]
    }
    for doc, phrases in truth["compatible_phrases"].items():
        for phrase in phrases:
            assert phrase in texts[doc]
            assert not any(phrase in value for value in reported), phrase


def test_no_other_event_reports_a_disagreement() -> None:
    others = {
        key: record["disagreements"]
        for key, (record, _) in built().items()
        if key != expected()["disagreement_event"]
    }
    assert {key: found for key, found in others.items() if found} == {}


def test_rising_tolls_are_updates_in_publication_order() -> None:
    truth = expected()["updates"]
    found = {}
    for key, (record, docs) in built().items():
        if record.get("updates"):
            steps = record["updates"]
            assert {u["field"] for u in steps} == {truth[key]["field"]}
            found[key] = [[docs[u["sources"][0]], u["value"]] for u in steps]
            times = [u["first_reported_at"] for u in steps]
            assert times == sorted(times)
    assert found == {key: entry["values"] for key, entry in truth.items()}


def test_every_sample_event_record_is_valid_against_its_schema() -> None:
    for record, _ in built().values():
        schemas.validate("event.v1", record)
