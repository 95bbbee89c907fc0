"""``follow_events`` and ``follow_articles``: the records alone, for a plain ``for`` loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from config.security import ClientSecurity
from config.settings import Settings
from wirestream.consume.errors import Failure, log_failure
from wirestream.consume.follow import Follower
from wirestream.consume.items import Merge
from wirestream.consume.types import Article, Event
from wirestream.consume.versions import VersionStore

T = TypeVar("T")


class Records(Generic[T]):
    """A follower's records without their positions; the same commit rules apply."""

    def __init__(self, follower: Follower) -> None:
        self.follower = follower

    def __iter__(self) -> Records[T]:
        return self

    def __next__(self) -> T:
        return cast(T, next(self.follower).value)

    def __enter__(self) -> Records[T]:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.follower.close(handled=kind is None)

    def close(self) -> None:
        """Commit what was handled (not the last record handed out) and leave the group."""
        self.follower.close()


def follow_events(
    *,
    group_id: str,
    settings: Settings | None = None,
    security: ClientSecurity | None = None,
    versions: VersionStore | None = None,
    validate: bool = True,
    on_error: Callable[[Failure], None] = log_failure,
    **options: Any,
) -> Records[Event | Merge]:
    """The latest state of every event on ``news.events.v1``, and merges as ``Merge`` items.

    Args:
        group_id: your consumer group; a new one rebuilds the full state from the topic.
        settings: broker, topic namespace and security (default: ``WIRESTREAM_*``).
        security: SASL/TLS settings (default: those of ``settings``).
        versions: where the highest handled version per event is kept (default: memory).
        validate: check each record against ``schemas/event.v1.json``.
        on_error: gets each record that cannot be parsed or validated (default: a warning).
        options: more ``Follower`` options (``stop``, ``commit_interval_s``, …).
    """
    settings = settings or Settings.from_env()
    follower = Follower(
        {settings.topic_names.events: "event"},
        group_id=group_id,
        settings=settings,
        security=security,
        versions=versions,
        validate=validate,
        on_error=on_error,
        **options,
    )
    return Records(follower)


def follow_articles(
    *,
    group_id: str,
    settings: Settings | None = None,
    security: ClientSecurity | None = None,
    validate: bool = True,
    on_error: Callable[[Failure], None] = log_failure,
    **options: Any,
) -> Records[Article]:
    """Every article record on ``news.articles.v1`` (no versions: upsert by ``article_id``).

    Args:
        group_id: your consumer group.
        settings: broker, topic namespace and security (default: ``WIRESTREAM_*``).
        security: SASL/TLS settings (default: those of ``settings``).
        validate: check each record against ``schemas/article.v1.json``.
        on_error: gets each record that cannot be parsed or validated (default: a warning).
        options: more ``Follower`` options (``stop``, ``commit_interval_s``, …).
    """
    settings = settings or Settings.from_env()
    follower = Follower(
        {settings.topic_names.articles: "article"},
        group_id=group_id,
        settings=settings,
        security=security,
        validate=validate,
        on_error=on_error,
        **options,
    )
    return Records(follower)
