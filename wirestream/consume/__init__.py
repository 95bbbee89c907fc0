"""Consume wirestream's output topics: typed records, latest state only, at least once.

Importing this package loads kafka-python, orjson and fastjsonschema, never Faust, spaCy,
the agents or the pipeline.
"""

from wirestream.consume.errors import Failure, RecordError, log_failure
from wirestream.consume.follow import Follower
from wirestream.consume.items import Delivery, Merge
from wirestream.consume.parse import parse_article, parse_event
from wirestream.consume.streams import Records, follow_articles, follow_events
from wirestream.consume.types import Article, Event
from wirestream.consume.versions import MemoryVersions, VersionStore

__all__ = [
    "Article",
    "Delivery",
    "Event",
    "Failure",
    "Follower",
    "MemoryVersions",
    "Merge",
    "RecordError",
    "Records",
    "VersionStore",
    "follow_articles",
    "follow_events",
    "log_failure",
    "parse_article",
    "parse_event",
]
