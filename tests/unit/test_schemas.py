"""The record contracts: schema files, validation, round trips, and what the pipeline emits."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from pipeline.deadletters import REASONS, STAGES, make_deadletter
from pipeline.records import Incoming
from pipeline.text.normalize import normalize_batch

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ["raw_article.v1", "article.v1", "event.v1", "deadletter.v1"]
NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)


def test_every_public_schema_is_shipped() -> None:
    assert set(PUBLIC) <= set(schemas.names())
    assert "normalized_article.v1" in schemas.names()


@pytest.mark.parametrize("name", [*PUBLIC, "normalized_article.v1"])
def test_schema_documents_itself_and_its_examples_validate(name: str) -> None:
    document = schemas.load(name)
    assert document["title"] == name
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert document["description"]
    assert document["examples"]
    for field, definition in document["properties"].items():
        assert "description" in definition or "type" in definition, field
    for example in document["examples"]:
        schemas.validate(name, example)
        encoded = orjson.dumps(example)
        assert orjson.loads(encoded) == example
        schemas.validate(name, orjson.loads(encoded))


@pytest.mark.parametrize(
    "name", ["article.v1", "event.v1", "deadletter.v1", "normalized_article.v1"]
)
def test_outputs_forbid_unknown_fields(name: str) -> None:
    record = copy.deepcopy(schemas.load(name)["examples"][0])
    record["kafka_offset"] = 3
    with pytest.raises(schemas.SchemaError, match="must not contain"):
        schemas.validate(name, record)


def test_raw_input_allows_unknown_fields() -> None:
    record = {**schemas.load("raw_article.v1")["examples"][0], "crawler": {"run": 7}}
    schemas.validate("raw_article.v1", record)


@pytest.mark.parametrize(
    ("name", "change", "needle"),
    [
        ("article.v1", {"published_at": "2026-10-14T09:12:00Z"}, "published_at"),
        ("article.v1", {"ingested_at": "2026-10-14T11:12:00+02:00"}, "ingested_at"),
        ("article.v1", {"ingested_at": "14 Oct 2026"}, "ingested_at"),
        ("article.v1", {"article_id": "XYZ"}, "article_id"),
        ("article.v1", {"duplicate_kind": "fuzzy"}, "duplicate_kind"),
        (
            "article.v1",
            {"entities": [{"name": "Oslo", "label": "GPE", "count": 0, "first_offset": 0}]},
            "count",
        ),
        ("article.v1", {"canonical_url": "https://x.example/a#frag"}, "canonical_url"),
        ("event.v1", {"version": 0}, "version"),
        ("event.v1", {"summary": [{"text": "A.", "sources": [0]}]}, "sources"),
        ("deadletter.v1", {"reason": "bad_vibes"}, "reason"),
        ("deadletter.v1", {"original": None}, "original"),
        ("raw_article.v1", {"url": "ftp://files.example/x"}, "url"),
        ("raw_article.v1", {"title": 42}, "title"),
        ("raw_article.v1", {"authors": ["Ann", 7]}, "authors"),
    ],
)
def test_violations_name_the_schema_and_the_field(
    name: str, change: dict[str, Any], needle: str
) -> None:
    record = {**copy.deepcopy(schemas.load(name)["examples"][0]), **change}
    with pytest.raises(schemas.SchemaError) as raised:
        schemas.validate(name, record)
    assert str(raised.value).startswith(f"{name}: ")
    assert needle in str(raised.value)


@pytest.mark.parametrize("name", PUBLIC)
def test_missing_required_field_is_rejected(name: str) -> None:
    document = schemas.load(name)
    for field in document["required"]:
        record = copy.deepcopy(document["examples"][0])
        del record[field]
        with pytest.raises(schemas.SchemaError, match=field):
            schemas.validate(name, record)


def test_unknown_schema_name() -> None:
    with pytest.raises(KeyError, match="no schema named"):
        schemas.validate("article.v9", {})


def test_load_returns_a_fresh_copy() -> None:
    schemas.load("article.v1")["required"].clear()
    assert schemas.load("article.v1")["required"]


def test_reason_codes_match_schema_and_readme() -> None:
    document = schemas.load("deadletter.v1")
    assert tuple(document["properties"]["reason"]["enum"]) == REASONS
    assert tuple(document["properties"]["stage"]["enum"]) == STAGES
    readme = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8")
    for reason in REASONS:
        assert f"| `{reason}` |" in readme
    for name in PUBLIC:
        assert f"`{name}.json`" in readme


def test_normalized_article_is_a_subset_of_article() -> None:
    normalized = schemas.load("normalized_article.v1")
    article = schemas.load("article.v1")
    for field, definition in normalized["properties"].items():
        assert article["properties"][field] == definition, field
    assert set(normalized["required"]) <= set(article["required"])


# --- generated records round-trip ---------------------------------------------------------

_text = st.text(max_size=40)
_raw = st.fixed_dictionaries(
    {
        "url": st.sampled_from(["https://", "http://", "HTTPS://"]).map(
            lambda s: s + "x.example/a"
        ),
        "title": st.text(min_size=1, max_size=40),
        "body": st.text(max_size=200),
    },
    optional={
        "id": st.one_of(st.none(), _text, st.integers(-(2**53), 2**53)),
        "source": st.one_of(st.none(), _text),
        "published_at": st.one_of(
            st.none(),
            _text,
            st.integers(0, 2**40),
            st.floats(allow_nan=False, allow_infinity=False),
        ),
        "language": st.one_of(st.none(), _text),
        "authors": st.one_of(st.none(), st.lists(_text, max_size=4)),
    },
)


@settings(max_examples=150, deadline=None)
@given(raw=_raw)
def test_generated_raw_articles_validate_round_trip_and_normalize_to_valid_records(
    raw: dict[str, Any],
) -> None:
    schemas.validate("raw_article.v1", raw)
    encoded = orjson.dumps(raw)
    assert orjson.loads(encoded) == raw
    articles, deadletters = normalize_batch(
        [Incoming(encoded, "news.raw.v1", 0, 0)], now=NOW, detect_language=lambda text: "en"
    )
    assert len(articles) + len(deadletters) == 1
    for article in articles:
        schemas.validate("normalized_article.v1", article)
        assert orjson.loads(orjson.dumps(article)) == article
    for letter in deadletters:
        assert letter["reason"] in ("empty_title", "empty_body", "too_large")


@settings(max_examples=150, deadline=None)
@given(
    value=st.binary(max_size=300),
    stage=st.sampled_from(STAGES),
    reason=st.sampled_from(REASONS),
    detail=st.text(max_size=3000),
    partition=st.integers(0, 1000),
    offset=st.integers(0, 2**62),
    limit=st.integers(1, 400),
)
def test_generated_deadletters_validate_and_round_trip(
    value: bytes, stage: str, reason: str, detail: str, partition: int, offset: int, limit: int
) -> None:
    letter = make_deadletter(
        Incoming(value, "news.raw.v1", partition, offset),
        stage=stage,
        reason=reason,
        detail=detail,
        now=NOW,
        max_original_bytes=limit,
    )
    schemas.validate("deadletter.v1", letter)
    assert orjson.loads(orjson.dumps(letter)) == letter
    kept = (
        letter["original"].encode()
        if letter["encoding"] == "utf-8"
        else base64.b64decode(letter["original_b64"])
    )
    assert value.startswith(kept)
    assert letter["original_truncated"] == (len(kept) < len(value))


@pytest.mark.parametrize(
    "change",
    [
        {"disagreements": [], "summary": [], "topics": [], "entities": []},
        {
            "sources": [
                {
                    "n": 1,
                    "name": "Harbor Times",
                    "url": "https://h.example/a",
                    "article_id": "0" * 24,
                    "published_at": None,
                }
            ]
        },
        {
            "disagreements": [
                {
                    "field": "number:killed",
                    "description": "sources differ",
                    "values": [{"value": 12, "sources": [1]}, {"value": "14", "sources": [2]}],
                }
            ]
        },
    ],
)
def test_event_variants_validate_and_round_trip(change: dict[str, Any]) -> None:
    event = {**copy.deepcopy(schemas.load("event.v1")["examples"][0]), **change}
    schemas.validate("event.v1", event)
    assert orjson.loads(orjson.dumps(event)) == event


# --- the whole pipeline emits valid records ----------------------------------------------


def test_every_record_the_pipeline_emits_validates() -> None:
    sample = ROOT / "samples" / "articles.jsonl"
    if not sample.exists():
        pytest.skip("samples/articles.jsonl not present")
    topics = pytest.importorskip("pipeline.nlp.classifier", reason="topic classifier not built yet")
    from pipeline.stages import run
    from tests.support import blank_nlp

    lines = sample.read_bytes().splitlines()
    messages = [Incoming(line, "news.raw.v1", 0, offset) for offset, line in enumerate(lines)]
    outputs = run(
        messages,
        nlp=blank_nlp(),
        classifier=topics.TopicClassifier.load(),
        state={},
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert len(outputs.articles) + len(outputs.deadletters) == len(lines)
    assert outputs.events
    for name, records in (
        ("article.v1", outputs.articles),
        ("event.v1", outputs.events),
        ("deadletter.v1", outputs.deadletters),
    ):
        for record in records:
            schemas.validate(name, record)
            assert orjson.loads(orjson.dumps(record)) == record
