"""The Kafka side of the poller: items to ``news.raw.v1``, keyed by canonical URL."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from kafka.errors import KafkaTimeoutError

from wirestream.feeds.parse import Item

log = logging.getLogger("wirestream.feeds")


class KafkaPublisher:
    """Send items with a kafka-python producer and report which the broker acknowledged.

    Args:
        client: a `KafkaProducer` (use `wirestream.kafka.producer`: acks=all, idempotent).
        topic: the raw topic.
        timeout_s: how long to wait for acknowledgements of one batch.
    """

    def __init__(self, client: Any, topic: str, *, timeout_s: float = 60.0) -> None:
        self.client = client
        self.topic = topic
        self.timeout_s = timeout_s

    def __call__(self, items: list[Item]) -> list[bool]:
        """Send a batch, wait for the broker, return one acknowledgement flag per item.

        Args:
            items: the items to send.
        """
        futures: list[Any] = []
        for item in items:
            try:
                value = orjson.dumps(item.record)
                futures.append(self.client.send(self.topic, key=item.key.encode(), value=value))
            except Exception as error:  # a send that cannot even be queued is one nack
                log.warning("cannot send %s: %s", item.key, error)
                futures.append(None)
        try:
            self.client.flush(timeout=self.timeout_s)
        except KafkaTimeoutError:
            log.warning("broker did not acknowledge the batch within %.0f s", self.timeout_s)
        return [future is not None and future.is_done and future.succeeded() for future in futures]
