"""Records that cannot be handed out: why, and where they were read."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("wirestream.consume")


class RecordError(ValueError):
    """A record that cannot be handed out.

    Args:
        reason: ``no_value``, ``invalid_json``, ``schema_violation`` or ``invalid_record``.
        message: what was wrong.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Failure:
    """A record that could not be parsed or validated; nothing of it is lost.

    Args:
        topic: where it was read.
        partition: its partition.
        offset: its offset.
        key: its key bytes (None when it had none).
        value: its raw value bytes (None for a tombstone).
        reason: ``no_value``, ``invalid_json``, ``schema_violation`` or ``invalid_record``.
        message: what was wrong, in one line.
    """

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str
    message: str


def log_failure(failure: Failure) -> None:
    """The default error callback: one warning line per record that was skipped."""
    log.warning(
        "skipped %s[%d]@%d: %s: %s",
        failure.topic, failure.partition, failure.offset, failure.reason, failure.message,
    )  # fmt: skip


def failure_of(record: Any, error: RecordError) -> Failure:
    """The ``Failure`` of a kafka-python ``ConsumerRecord`` refused with ``error``."""
    return Failure(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        reason=error.reason,
        message=error.message,
    )
