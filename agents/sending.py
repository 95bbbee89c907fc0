"""Send many records and wait until the broker has acknowledged all of them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import orjson

from pipeline.deadletters import deadletter_headers
from pipeline.records import Incoming

Send = tuple[Any, bytes | None, bytes, list[tuple[str, bytes]] | None]


async def send_all(sends: Sequence[Send]) -> None:
    """Queue every send, then await every delivery (the batch is acked only after this).

    Args:
        sends: ``(topic, key, value, headers)`` tuples.
    """
    pending = [
        await topic.send(key=key, value=value, headers=headers)
        for topic, key, value, headers in sends
    ]
    await asyncio.gather(*pending)


def incoming(message: Any) -> Incoming:
    """The pipeline's view of a consumed Kafka message.

    Args:
        message: a Faust ``Message``.
    """
    return Incoming(
        value=message.value if message.value is not None else b"",
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
    )


def deadletter_send(topic: Any, deadletter: dict[str, Any]) -> Send:
    """A send of one dead letter, keyed by article id when known, with Connect-style headers.

    Args:
        topic: the dead-letter topic.
        deadletter: the record.
    """
    key = (deadletter.get("article_id") or "").encode() or None
    return (topic, key, orjson.dumps(deadletter), deadletter_headers(deadletter))
