"""JSON Schema files for the public records, and validation against them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources
from typing import Any

import fastjsonschema
import orjson

__all__ = ["SchemaError", "load", "names", "validate"]


class SchemaError(ValueError):
    """A record does not match its schema.

    Args:
        schema: the schema name, e.g. "article.v1".
        message: the validator's message, e.g. "data.title must be string".
        path: the location of the offending value, e.g. "data.origin.offset".
    """

    def __init__(self, schema: str, message: str, path: str = "") -> None:
        super().__init__(f"{schema}: {message}")
        self.schema = schema
        self.message = message
        self.path = path


def names() -> list[str]:
    """Return the names of all schema files shipped, e.g. ["article.v1", ...]."""
    files = resources.files(__name__).iterdir()
    return sorted(item.name.removesuffix(".json") for item in files if item.name.endswith(".json"))


@functools.cache
def _load_bytes(name: str) -> bytes:
    if name not in names():
        raise KeyError(f"no schema named {name!r}; known: {', '.join(names())}")
    return resources.files(__name__).joinpath(f"{name}.json").read_bytes()


def load(name: str) -> dict[str, Any]:
    """Return a fresh copy of a schema document.

    Args:
        name: the schema name, e.g. "raw_article.v1".
    """
    document: dict[str, Any] = orjson.loads(_load_bytes(name))
    return document


@functools.cache
def _validator(name: str) -> Callable[[Any], Any]:
    compiled: Callable[[Any], Any] = fastjsonschema.compile(load(name))
    return compiled


def validate(name: str, record: Any) -> None:
    """Check a record against a schema; raise SchemaError naming the first problem.

    Args:
        name: the schema name, e.g. "article.v1".
        record: the decoded JSON value.
    """
    try:
        _validator(name)(record)
    except fastjsonschema.JsonSchemaValueException as error:
        raise SchemaError(name, error.message, error.name or "") from error
