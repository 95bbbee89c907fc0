"""The consumer library without a broker: types against the schemas, parsing, what it imports."""

from __future__ import annotations

import subprocess
import sys
import types
import typing
from typing import Any, Literal, get_args, get_origin, get_type_hints, is_typeddict

import orjson
import pytest

import schemas
from tests.support import ROOT, event_record, hex_id
from wirestream.consume import (
    Article,
    Event,
    MemoryVersions,
    RecordError,
    parse_article,
    parse_event,
)

pytestmark = pytest.mark.pure

SCALARS = {"string": str, "integer": int, "number": float, "null": type(None), "boolean": bool}


def _members(hint: Any) -> set[Any]:
    """The types a hint allows: ``str | None`` -> {str, NoneType}; Literal -> its values."""
    if get_origin(hint) in (typing.Union, types.UnionType):
        return set().union(*(_members(arg) for arg in get_args(hint)))
    if get_origin(hint) is Literal:
        return set(get_args(hint))
    return {hint}


def _compare(typed: Any, node: dict[str, Any], path: str) -> None:
    """Fail on any difference between a TypedDict and a schema object node, recursively."""
    properties, required = node["properties"], set(node.get("required", ()))
    assert typed.__required_keys__ == required, path
    assert typed.__optional_keys__ == set(properties) - required, path
    hints = get_type_hints(typed)
    for name, definition in properties.items():
        _compare_value(hints[name], definition, f"{path}.{name}")


def _compare_value(hint: Any, definition: dict[str, Any], path: str) -> None:
    if "enum" in definition:
        allowed = {type(None) if value is None else value for value in definition["enum"]}
        assert _members(hint) == allowed, path
        return
    kinds = definition["type"] if isinstance(definition["type"], list) else [definition["type"]]
    if "array" in kinds:
        assert get_origin(hint) is list, path
        _compare_value(get_args(hint)[0], definition["items"], f"{path}[]")
    elif "object" in kinds:
        assert is_typeddict(hint), path
        _compare(hint, definition, path)
    else:
        assert _members(hint) == {SCALARS[kind] for kind in kinds}, path


@pytest.mark.parametrize(("typed", "name"), [(Event, "event.v1"), (Article, "article.v1")])
def test_typed_records_match_the_schema_files(typed: Any, name: str) -> None:
    _compare(typed, schemas.load(name), name)


def test_the_comparison_notices_a_missing_optional_field() -> None:
    class Shrunk(typing.TypedDict):
        text: str

    node = schemas.load("event.v1")["properties"]["summary"]["items"]
    with pytest.raises(AssertionError):
        _compare(Shrunk, node, "summary")


def test_importing_the_library_loads_no_framework_model_or_pipeline() -> None:
    script = "import sys, wirestream.consume; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    roots = {name.split(".")[0] for name in loaded}
    assert "kafka" in roots and "schemas" in roots
    assert not roots & {"faust", "mode", "aiokafka", "spacy", "agents", "pipeline", "aiohttp"}


def test_parse_event_accepts_the_optional_updates_and_merged_into() -> None:
    update = {
        "field": "number:killed",
        "value": 12,
        "sources": [2],
        "first_reported_at": "2026-10-14T10:00:00+00:00",
    }
    record = event_record("e1", 3, updates=[update], merged_into=hex_id("b"))
    assert parse_event(orjson.dumps(record)) == record


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "no_value"),
        (b"\xff\xfe", "invalid_json"),
        (b"[]", "invalid_record"),
        (orjson.dumps(event_record("e1", 0)), "schema_violation"),
        (orjson.dumps(event_record("e1", 1, merged_into="not-hex")), "schema_violation"),
        (
            orjson.dumps(event_record(hex_id("self"), 1, merged_into=hex_id("self"))),
            "invalid_record",
        ),
    ],
)
def test_parse_event_says_why_a_record_is_refused(value: bytes | None, reason: str) -> None:
    with pytest.raises(RecordError) as refused:
        parse_event(value)
    assert refused.value.reason == reason and refused.value.message


def test_without_validation_only_the_fields_a_follower_needs_are_checked() -> None:
    loose = {"event_id": "e1", "version": 2, "anything": "goes"}
    assert parse_event(orjson.dumps(loose), validate=False) == loose
    for broken in ({"event_id": "e1"}, {"event_id": "e1", "version": True}, {"version": 1}):
        with pytest.raises(RecordError, match="invalid_record"):
            parse_event(orjson.dumps(broken), validate=False)
    with pytest.raises(RecordError, match="invalid_record"):
        parse_article(orjson.dumps({"title": "no id"}), validate=False)


def test_parse_article_validates_against_article_v1() -> None:
    article = schemas.load("article.v1")["examples"][0]
    assert parse_article(orjson.dumps(article)) == article
    with pytest.raises(RecordError, match="schema_violation"):
        parse_article(orjson.dumps({**article, "event_id": None}))


def test_memory_versions_keep_the_highest() -> None:
    versions = MemoryVersions()
    versions.put("e", 3)
    versions.put("e", 2)
    assert versions.get("e") == 3 and versions.get("other") is None
