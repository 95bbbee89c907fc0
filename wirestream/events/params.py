"""Query parameters of ``GET /api/events``, checked and bounded; a bad one is a ``BadRequest``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_TEXT = 200
MAX_WORDS = 12
EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
# what the FTS5 unicode61 tokenizer keeps as one token: letters and digits
WORD = re.compile(r"[^\W_]+")
KNOWN = ("q", "entity", "topic", "since", "limit")


class BadRequest(ValueError):
    """A request the API refuses with 400; the message says which parameter and why."""


@dataclass(frozen=True)
class EventQuery:
    """A checked ``/api/events`` query.

    Args:
        match: an FTS5 query built from the words of ``q`` (each quoted: all must occur), or None.
        entity: an entity name (case-insensitive), or None.
        topic: a topic label, or None.
        since: epoch seconds; only events whose ``last_seen`` is not earlier, or None.
        limit: how many events at most.
    """

    match: str | None = None
    entity: str | None = None
    topic: str | None = None
    since: float | None = None
    limit: int = DEFAULT_LIMIT


def event_query(params: Mapping[str, str]) -> EventQuery:
    """Check the parameters of ``/api/events``.

    Args:
        params: the query string, one value per name.

    Raises:
        BadRequest: an unknown parameter, a text too long, a bad time or limit.
    """
    unknown = sorted(set(params) - set(KNOWN))
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}; known: {', '.join(KNOWN)}")
    return EventQuery(
        match=_match(params.get("q", "")),
        entity=_text(params, "entity"),
        topic=_text(params, "topic"),
        since=_since(params.get("since", "")),
        limit=_limit(params.get("limit", "")),
    )


def check_event_id(event_id: str) -> str:
    """The id if it has the form of an event id (``event.v1``), else ``BadRequest``."""
    if not EVENT_ID.match(event_id):
        raise BadRequest("event_id must be 1-128 characters of A-Z a-z 0-9 _ . : -")
    return event_id


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    if len(value) > MAX_TEXT:
        raise BadRequest(f"{name} is longer than {MAX_TEXT} characters")
    return value or None


def _match(q: str) -> str | None:
    if len(q) > MAX_TEXT:
        raise BadRequest(f"q is longer than {MAX_TEXT} characters")
    words = WORD.findall(q)
    if len(words) > MAX_WORDS:
        raise BadRequest(f"q has more than {MAX_WORDS} words")
    if q.strip() and not words:
        raise BadRequest("q has no words to search for")
    # Quoted words are plain tokens to FTS5: no operator or column filter gets through.
    # Whole words only (the index folds English endings): a short prefix such as "ta*"
    # would merge the postings of every word it starts, tens of milliseconds at 100k events.
    return " ".join(f'"{word}"' for word in words) or None


def _since(value: str) -> float | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest("since must be an ISO 8601 time, e.g. 2026-10-14T09:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a time without offset is read as UTC
    return moment.timestamp()


def _limit(value: str) -> int:
    if not value:
        return DEFAULT_LIMIT
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 4 else 0
    if not 1 <= number <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return number
