"""Server-sent events: the consumer thread publishes changes, each stream gets its own queue."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import orjson

QUEUE_SIZE = 256
# more changes than this in one flush (a catch-up) become one "reset": reload the list
MAX_CHANGES = 50


def sse(kind: str, data: Any, message_id: int) -> bytes:
    """One server-sent event (``data`` as one line of JSON).

    Args:
        kind: the event name (``event``, ``merge`` or ``reset``).
        data: the payload.
        message_id: its sequence number.
    """
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (message_id, kind.encode(), orjson.dumps(data))


class Hub:
    """Fans changes out to the open streams; a stream that falls behind gets a ``reset``."""

    def __init__(self, *, max_streams: int = 100) -> None:
        """Fan out to at most ``max_streams`` streams; ``loop`` is set when the server starts.

        Args:
            max_streams: open streams at most; more are refused.
        """
        self.loop: asyncio.AbstractEventLoop | None = None
        self.max_streams = max_streams
        self.queues: set[asyncio.Queue[bytes | None]] = set()
        self._ids = itertools.count(1)

    def publish_threadsafe(self, changes: list[dict[str, Any]]) -> None:
        """Publish the cards of changed events (from any thread)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.publish, changes)

    def publish(self, changes: list[dict[str, Any]]) -> None:
        """Publish the cards of changed events (on the loop)."""
        if len(changes) > MAX_CHANGES:
            messages = [sse("reset", {"changed": len(changes)}, next(self._ids))]
        else:
            messages = [
                sse("merge" if card.get("merged_into") else "event", card, next(self._ids))
                for card in changes
            ]
        for queue in self.queues:
            for message in messages:
                self._put(queue, message)

    def subscribe(self) -> asyncio.Queue[bytes | None] | None:
        """A queue for a new stream, or None when ``max_streams`` are open."""
        if len(self.queues) >= self.max_streams:
            return None
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(QUEUE_SIZE)
        self.queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[bytes | None]) -> None:
        """Forget a closed stream."""
        self.queues.discard(queue)

    def close(self) -> None:
        """End every stream (None tells its handler to return)."""
        for queue in self.queues:
            _drain(queue)
            queue.put_nowait(None)

    def _put(self, queue: asyncio.Queue[bytes | None], message: bytes) -> None:
        if queue.full():
            _drain(queue)  # the reader is too slow for single changes: it reloads instead
            queue.put_nowait(sse("reset", {"overflow": True}, next(self._ids)))
            return
        queue.put_nowait(message)


def _drain(queue: asyncio.Queue[bytes | None]) -> None:
    while not queue.empty():
        queue.get_nowait()
