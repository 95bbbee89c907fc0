"""What a follower hands out besides plain records: merges, and deliveries with positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wirestream.consume.types import Article, Event

Kind = Literal["event", "merge", "article"]


@dataclass(frozen=True, slots=True)
class Merge:
    """An event absorbed by another: its last record names the surviving event.

    Args:
        event_id: the absorbed event (drop it, or point it at ``into``).
        into: the surviving event, which carries every member from now on.
        version: the version of the absorbed event's last record.
        event: that record as received.
    """

    event_id: str
    into: str
    version: int
    event: Event


@dataclass(frozen=True, slots=True)
class Delivery:
    """One record for the caller, with where it came from.

    Args:
        kind: ``event``, ``merge`` or ``article``.
        value: the typed record (an ``Event``, a ``Merge`` or an ``Article``).
        topic: its topic.
        partition: its partition.
        offset: its offset.
    """

    kind: Kind
    value: Event | Merge | Article
    topic: str
    partition: int
    offset: int
