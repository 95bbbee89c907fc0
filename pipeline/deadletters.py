"""Dead letters: one record per rejected message, with its bytes, stage, reason and origin."""

from __future__ import annotations

import base64
from datetime import datetime

from pipeline.records import DeadLetter, Incoming, origin_of, utc_iso

# The documented reason codes (schemas/README.md); `deadletter.v1.json` enumerates the same.
REASONS = (
    "too_large",  # raw message, clean text or title over a configured limit
    "invalid_utf8",  # message bytes are not UTF-8
    "invalid_json",  # not JSON, or empty
    "schema_violation",  # JSON that does not match raw_article.v1
    "invalid_url",  # url passed the schema but has no usable host, port or scheme
    "empty_title",  # title is empty once cleaned
    "empty_body",  # no text left once markup and boilerplate are removed
    "markup_too_deep",  # HTML nests deeper than Limits.max_html_depth (hostile or broken)
    "internal_error",  # a bug: an unexpected exception while handling this message
    "enrich_failed",  # NER, topics or features raised on this article (the batch went on)
    "cluster_failed",  # clustering raised on this article (the batch went on)
)
STAGES = ("normalize", "enrich", "cluster")
MAX_MESSAGE_CHARS = 2_000
DEFAULT_MAX_ORIGINAL_BYTES = 64 * 1024


def make_deadletter(
    message: Incoming,
    *,
    stage: str,
    reason: str,
    detail: str,
    now: datetime,
    article_id: str | None = None,
    max_original_bytes: int = DEFAULT_MAX_ORIGINAL_BYTES,
) -> DeadLetter:
    """Build the dead-letter record for a message that a stage rejected.

    Args:
        message: the consumed message, whose bytes are kept (up to `max_original_bytes`).
        stage: the stage that rejected it (one of `STAGES`).
        reason: a code from `REASONS`.
        detail: the human-readable explanation.
        now: the time of the rejection.
        article_id: the article id when it was already known.
        max_original_bytes: bytes of the original kept, so the dead letter fits the broker.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown dead-letter reason {reason!r}; add it to REASONS first")
    original = message.value[:max_original_bytes]
    text = _utf8_or_none(message.value)
    if text is not None and len(original) < len(message.value):
        # Valid UTF-8 cut at a byte limit: drop only the partial character at the cut.
        text = original.decode("utf-8", errors="ignore")
    return {
        "stage": stage,
        "reason": reason,
        "message": _safe_text(detail[:MAX_MESSAGE_CHARS]) or reason,
        "original": text,
        "original_b64": None if text is not None else base64.b64encode(original).decode("ascii"),
        "encoding": "utf-8" if text is not None else "base64",
        "original_size": len(message.value),
        "original_truncated": len(original) < len(message.value),
        "source": origin_of(message),
        "failed_at": utc_iso(now),
        "article_id": article_id,
    }


def _safe_text(text: str) -> str:
    # Lone surrogates (from exception texts) would make the record unencodable.
    return text.encode("utf-8", errors="replace").decode("utf-8")


def _utf8_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def deadletter_headers(deadletter: DeadLetter) -> list[tuple[str, bytes]]:
    """Return Kafka record headers for a dead letter, in Kafka Connect's naming.

    Args:
        deadletter: a record made by `make_deadletter`.
    """
    source = deadletter["source"]
    pairs = [
        ("__connect.errors.topic", source["topic"]),
        ("__connect.errors.partition", str(source["partition"])),
        ("__connect.errors.offset", str(source["offset"])),
        ("__connect.errors.stage", deadletter["stage"]),
        ("__connect.errors.exception.class.name", deadletter["reason"]),
        ("__connect.errors.exception.message", deadletter["message"]),
        ("wirestream.reason", deadletter["reason"]),
        ("wirestream.stage", deadletter["stage"]),
        ("wirestream.failed_at", deadletter["failed_at"]),
    ]
    return [(name, value.encode("utf-8")) for name, value in pairs]
