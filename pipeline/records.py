"""Record types shared by the pipeline stages; records stay plain dicts at runtime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypedDict

# Kafka's default message.max.bytes is ~1 MiB; a raw article above it cannot be produced anyway.
DEFAULT_MAX_BYTES = 1024 * 1024
# Far below spaCy's nlp.max_length (1,000,000 chars) and its memory use per char.
DEFAULT_MAX_BODY_CHARS = 200_000

DateStatus = Literal["ok", "missing", "unparseable", "future", "too_old"]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message as consumed from a topic.

    Args:
        value: the raw message bytes.
        topic: the topic it was read from.
        partition: its partition.
        offset: its offset in the partition.
        key: the raw message key, if any.
    """

    value: bytes
    topic: str
    partition: int
    offset: int
    key: bytes | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """Size and plausibility limits applied by normalize.

    Args:
        max_bytes: largest raw message accepted, in bytes.
        max_body_chars: longest clean text accepted, in characters.
        max_title_chars: longest clean title accepted, in characters.
        max_authors: authors kept per article; the rest are dropped.
        future_skew: how far past `now` a published date may lie before it is not trusted.
        oldest_plausible: published dates before this are not trusted.
        max_deadletter_original_bytes: original bytes kept in a dead letter.
        language_sample_chars: characters of text given to the language detector.
        max_html_depth: deepest HTML element nesting parsed (parsing cost grows with it).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_body_chars: int = DEFAULT_MAX_BODY_CHARS
    max_title_chars: int = 1_000
    max_authors: int = 50
    future_skew: timedelta = timedelta(minutes=15)
    oldest_plausible: datetime = datetime(1990, 1, 1, tzinfo=UTC)
    max_deadletter_original_bytes: int = 64 * 1024
    language_sample_chars: int = 600
    max_html_depth: int = 400


class Origin(TypedDict):
    """Where a record was read from."""

    topic: str
    partition: int
    offset: int


class Article(TypedDict):
    """A normalized article (schema `article.v1`)."""

    article_id: str
    url: str
    canonical_url: str
    source: str
    title: str
    text: str
    published_at: str | None
    published_at_raw: str | None
    published_at_status: DateStatus
    ingested_at: str
    language: str | None
    authors: list[str]
    content_hash: str
    origin: Origin
    raw_id: str | None


class DeadLetter(TypedDict):
    """A rejected message (schema `deadletter.v1`)."""

    stage: str
    reason: str
    message: str
    original: str | None
    original_b64: str | None
    encoding: Literal["utf-8", "base64"]
    original_size: int
    original_truncated: bool
    source: Origin
    failed_at: str
    article_id: str | None


def utc_iso(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC with an explicit `+00:00` offset.

    Args:
        moment: a timezone-aware datetime.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime (UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def origin_of(message: Incoming) -> Origin:
    """Return the `{topic, partition, offset}` of a message.

    Args:
        message: the consumed message.
    """
    return {"topic": message.topic, "partition": message.partition, "offset": message.offset}


JSON = dict[str, Any]
