"""Keys of the clustering state: one article record, one event record, the eviction meta."""

from __future__ import annotations

ARTICLE_PREFIX = "art:"
EVENT_PREFIX = "ev:"
META_KEY = "meta:evict"


def article_key(article_id: str) -> str:
    """The state key of an article's record.

    Args:
        article_id: the article.
    """
    return ARTICLE_PREFIX + article_id


def event_key(event_id: str) -> str:
    """The state key of an event's record.

    Args:
        event_id: the event.
    """
    return EVENT_PREFIX + event_id


def is_article_key(key: str) -> bool:
    """True for an article record's key.

    Args:
        key: a state key.
    """
    return key.startswith(ARTICLE_PREFIX)


def is_event_key(key: str) -> bool:
    """True for an event record's key.

    Args:
        key: a state key.
    """
    return key.startswith(EVENT_PREFIX)
