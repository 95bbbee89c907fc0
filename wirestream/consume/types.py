"""Typed views of the public records, kept in step with ``schemas/`` (a test compares them).

No ``from __future__ import annotations`` here: on Python 3.11 a string annotation hides
``NotRequired`` from ``TypedDict`` and every key would count as required.
"""

from typing import Literal, NotRequired, TypedDict


class SummarySentence(TypedDict):
    """One summary sentence and the citation numbers of the sources that support it."""

    text: str
    sources: list[int]


class Source(TypedDict):
    """A numbered source of an event (``n`` is the citation number)."""

    n: int
    name: str
    url: str
    article_id: str
    published_at: str | None


class EventEntity(TypedDict):
    """A canonical entity over an event's members, with its count."""

    name: str
    label: str
    count: int


class Topic(TypedDict):
    """A topic with its classifier score."""

    code: str
    label: str
    score: float


class DisagreementValue(TypedDict):
    """One value of a disputed fact and the sources that give it."""

    value: str | float
    sources: list[int]


class Disagreement(TypedDict):
    """A fact on which the sources give different values."""

    field: str
    description: str
    values: list[DisagreementValue]


class Update(TypedDict):
    """A value that a later report replaced (a rising toll, a revised magnitude)."""

    field: str
    value: str | float
    sources: list[int]
    first_reported_at: str | None


class Event(TypedDict):
    """The full latest state of one event (``news.events.v1``, ``event.v1``)."""

    event_id: str
    version: int
    title: str
    summary: list[SummarySentence]
    sources: list[Source]
    articles: list[str]
    entities: list[EventEntity]
    topics: list[Topic]
    first_seen: str
    last_seen: str
    article_count: int
    disagreements: list[Disagreement]
    updates: NotRequired[list[Update]]
    updated_at: str
    merged_into: NotRequired[str]


class Origin(TypedDict):
    """Where the raw message of an article was read from."""

    topic: str
    partition: int
    offset: int


class ArticleEntity(TypedDict):
    """A named entity of an article's text."""

    name: str
    label: str
    count: int
    first_offset: int
    mentions: NotRequired[list[str]]


class Article(TypedDict):
    """One accepted article (``news.articles.v1``, ``article.v1``)."""

    article_id: str
    url: str
    canonical_url: str
    source: str
    title: str
    text: str
    published_at: str | None
    published_at_raw: str | None
    published_at_status: Literal["ok", "missing", "unparseable", "future", "too_old"]
    ingested_at: str
    language: str | None
    authors: list[str]
    content_hash: str
    origin: Origin
    raw_id: str | None
    entities: list[ArticleEntity]
    topics: list[Topic]
    event_id: str
    duplicate_of: str | None
    duplicate_kind: Literal["url", "content", "near"] | None
    similarity: float | None
