"""Topic declarations: names are public API, partitions and configs live here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust

from config.settings import Settings


@dataclass(frozen=True)
class Topology:
    """The app's topics, declared once per app."""

    raw: Any
    enriched: Any
    articles: Any
    events: Any
    deadletter: Any

    def outputs(self) -> tuple[Any, ...]:
        """Topics the worker writes to (declared at startup, before the first send)."""
        return (self.enriched, self.articles, self.events, self.deadletter)


def declare_topics(app: faust.App, settings: Settings) -> Topology:
    """Declare every topic on ``app`` with raw bytes in and out (we encode with orjson).

    Args:
        app: the Faust app.
        settings: topic names and partition counts.
    """
    names = settings.topic_names
    parts = settings.raw_partitions

    def topic(name: str, partitions: int, **config: Any) -> Any:
        return app.topic(
            name,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            internal=True,
            config=config or None,
        )

    return Topology(
        raw=topic(names.raw, parts),
        # One partition: every copy of a story meets in one clustering state.
        enriched=topic(names.enriched, 1),
        articles=topic(names.articles, parts),
        events=topic(names.events, parts, **{"cleanup.policy": "compact"}),
        deadletter=topic(names.deadletter, 1),
    )
