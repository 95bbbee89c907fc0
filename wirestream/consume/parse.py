"""Bytes to typed records: decode, validate against ``schemas/``, or say why not."""

from __future__ import annotations

from typing import Any, cast

import orjson

import schemas
from wirestream.consume.errors import RecordError
from wirestream.consume.types import Article, Event

SCHEMAS = {"event": "event.v1", "article": "article.v1"}


def parse_event(value: bytes | None, *, validate: bool = True) -> Event:
    """Decode one ``news.events.v1`` value.

    Args:
        value: the raw value (None for a tombstone).
        validate: check it against ``event.v1`` (off: only the fields a follower needs).

    Raises:
        RecordError: when it is not a usable event record.
    """
    record = _decode(value, "event", validate)
    if not validate:
        _require(record, "event_id", str)
        _require(record, "version", int)
        if "merged_into" in record and not isinstance(record["merged_into"], str):
            raise RecordError("invalid_record", "merged_into must be a string")
    if record.get("merged_into") == record["event_id"]:
        raise RecordError("invalid_record", "event merged into itself")
    return cast(Event, record)


def parse_article(value: bytes | None, *, validate: bool = True) -> Article:
    """Decode one ``news.articles.v1`` value.

    Args:
        value: the raw value (None for a tombstone).
        validate: check it against ``article.v1`` (off: only ``article_id`` is checked).

    Raises:
        RecordError: when it is not a usable article record.
    """
    record = _decode(value, "article", validate)
    if not validate:
        _require(record, "article_id", str)
    return cast(Article, record)


def _decode(value: bytes | None, kind: str, validate: bool) -> dict[str, Any]:
    if value is None:
        raise RecordError("no_value", "a tombstone (null value)")
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise RecordError("invalid_json", str(error)) from None
    if not isinstance(record, dict):
        raise RecordError("invalid_record", f"a JSON {type(record).__name__}, not an object")
    if validate:
        try:
            schemas.validate(SCHEMAS[kind], record)
        except schemas.SchemaError as error:
            raise RecordError("schema_violation", error.message) from None
    return record


def _require(record: dict[str, Any], name: str, kind: type) -> None:
    value = record.get(name)
    # bool is an int to Python, never a version
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RecordError("invalid_record", f"{name} missing or not a {kind.__name__}")
