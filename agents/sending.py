"""Send many records and wait until the broker has acknowledged all of them."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from pipeline.deadletters import deadletter_headers
from pipeline.records import Incoming

Send = tuple[Any, bytes | None, bytes, list[tuple[str, bytes]] | None]
log = logging.getLogger(__name__)
EXIT_UNDELIVERED = 75  # EX_TEMPFAIL: a restart reads the batch again


def exit_unacknowledged(error: BaseException) -> None:
    """Log why and end the process at once, before Faust can acknowledge the batch.

    Args:
        error: the last send failure.
    """
    log.critical(
        "outputs not delivered (%s: %s); exiting without acknowledging the batch, "
        "which is read again on restart",
        type(error).__name__,
        error,
    )
    logging.shutdown()
    os._exit(EXIT_UNDELIVERED)


# Why: Faust's `take_events` acknowledges a batch in the `finally` around its `yield`, so an
# exception in the agent body acks inputs whose outputs never reached the broker (lost).
async def send_all(
    sends: Sequence[Send],
    *,
    attempts: int = 3,
    pause_s: float = 1.0,
    on_failure: Callable[[BaseException], None] = exit_unacknowledged,
) -> None:
    """Queue every send, then await every delivery (the batch is acked only after this).

    A failed delivery retries the whole batch (re-sends are idempotent) with growing pauses;
    when the last attempt fails, ``on_failure`` runs, which by default ends the process.

    Args:
        sends: ``(topic, key, value, headers)`` tuples.
        attempts: deliveries tried before giving up.
        pause_s: pause after the first failure, doubled after each next one.
        on_failure: called with the last error; the error is raised if it returns.
    """
    for attempt in range(1, attempts + 1):
        try:
            await _deliver(sends)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if attempt == attempts:
                on_failure(error)
                raise
            log.warning("send failed (attempt %d of %d): %r", attempt, attempts, error)
            await asyncio.sleep(pause_s * 2 ** (attempt - 1))


async def _deliver(sends: Sequence[Send]) -> None:
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
