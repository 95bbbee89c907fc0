"""Normalize raw messages into articles; everything else becomes a dead letter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson

import schemas
from pipeline.deadletters import make_deadletter
from pipeline.records import (
    Article,
    DateStatus,
    DeadLetter,
    Incoming,
    Limits,
    origin_of,
    utc_iso,
)
from pipeline.text import clean as text
from pipeline.text import dates, language, urls
from pipeline.text.typography import close_gaps

STAGE = "normalize"
RAW_SCHEMA = "raw_article.v1"
_BOM = b"\xef\xbb\xbf"
_RAW_TITLE_FACTOR = 20
MAX_NAME_CHARS = 200


class Rejected(Exception):
    """A message that cannot become an article, with its dead-letter reason."""

    def __init__(self, reason: str, detail: str, article_id: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.article_id = article_id


def normalize_batch(
    messages: Sequence[Incoming],
    *,
    now: datetime,
    limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe as a default
    detect_language: Callable[[str], str | None] = language.detect,
) -> tuple[list[Article], list[DeadLetter]]:
    """Turn raw messages into articles and dead letters; never raises for any input.

    Every message ends in exactly one of the two lists, in input order within each.

    Args:
        messages: raw messages from `news.raw.v1`.
        now: the ingestion time (aware); stamps `ingested_at` and judges dates.
        limits: size and plausibility limits.
        detect_language: text to ISO 639 code or None; py3langid by default.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")  # a caller bug, not bad input
    articles: list[Article] = []
    deadletters: list[DeadLetter] = []
    for message in messages:
        try:
            articles.append(
                normalize_one(message, now=now, limits=limits, detect_language=detect_language)
            )
        except Rejected as rejection:
            deadletters.append(
                _deadletter(
                    message,
                    rejection.reason,
                    rejection.detail,
                    now=now,
                    limits=limits,
                    article_id=rejection.article_id,
                )
            )
        except Exception as error:  # a bug must not block the good messages behind it
            detail = f"{type(error).__name__}: {error}"
            deadletters.append(
                _deadletter(message, "internal_error", detail, now=now, limits=limits)
            )
    return articles, deadletters


def _deadletter(
    message: Incoming,
    reason: str,
    detail: str,
    *,
    now: datetime,
    limits: Limits,
    article_id: str | None = None,
) -> DeadLetter:
    return make_deadletter(
        message,
        stage=STAGE,
        reason=reason,
        detail=detail,
        now=now,
        article_id=article_id,
        max_original_bytes=limits.max_deadletter_original_bytes,
    )


def decode_raw(value: bytes, *, limits: Limits) -> dict[str, Any]:
    """Decode and validate one raw message; raise Rejected when it is unusable.

    Args:
        value: the message bytes.
        limits: size limits.
    """
    if len(value) > limits.max_bytes:
        raise Rejected(
            "too_large", f"message has {len(value)} bytes > max_bytes {limits.max_bytes}"
        )
    value = value.removeprefix(_BOM)
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Rejected("invalid_utf8", str(error)) from error
    if not value.strip():
        raise Rejected("invalid_json", "empty message")
    try:
        raw = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise Rejected("invalid_json", str(error)) from error
    try:
        schemas.validate(RAW_SCHEMA, raw)
    except schemas.SchemaError as error:
        raise Rejected("schema_violation", str(error)) from error
    record: dict[str, Any] = raw
    return record


def normalize_one(
    message: Incoming,
    *,
    now: datetime,
    limits: Limits,
    detect_language: Callable[[str], str | None],
) -> Article:
    """Normalize one message into an article; raise Rejected when it cannot be one.

    Args:
        message: the raw message.
        now: the ingestion time (aware).
        limits: size and plausibility limits.
        detect_language: text to ISO 639 code or None.
    """
    raw = decode_raw(message.value, limits=limits)
    try:
        canonical = urls.canonical_url(raw["url"])
    except urls.InvalidURL as error:
        raise Rejected("invalid_url", str(error)) from error
    article_id = urls.article_id(canonical)
    try:
        return _build(
            raw,
            message,
            canonical,
            article_id,
            now=now,
            limits=limits,
            detect_language=detect_language,
        )
    except text.MarkupTooDeep as error:
        raise Rejected("markup_too_deep", str(error), article_id) from error


def _build(
    raw: dict[str, Any],
    message: Incoming,
    canonical: str,
    article_id: str,
    *,
    now: datetime,
    limits: Limits,
    detect_language: Callable[[str], str | None],
) -> Article:
    title = _clean_title(raw["title"], limits=limits, article_id=article_id)
    body_text = _clean_body(raw["body"], limits=limits, article_id=article_id)
    published_at, published_raw, status = _published(
        raw.get("published_at"), now=now, limits=limits
    )
    return {
        "article_id": article_id,
        "url": urls.received_url(raw["url"]),
        "canonical_url": canonical,
        "source": _source(raw.get("source"), canonical, limits=limits),
        "title": title,
        "text": body_text,
        "published_at": published_at,
        "published_at_raw": published_raw,
        "published_at_status": status,
        "ingested_at": utc_iso(now),
        "language": _language(
            raw.get("language"), title, body_text, limits=limits, detect_language=detect_language
        ),
        "authors": _authors(raw.get("authors"), limits=limits),
        "content_hash": text.content_hash(body_text),
        "origin": origin_of(message),
        "raw_id": _raw_id(raw.get("id")),
    }


def _clean_title(raw_title: str, *, limits: Limits, article_id: str) -> str:
    # Markup may shrink a title a lot, but not by this much; refuse before paying for parsing.
    if len(raw_title) > _RAW_TITLE_FACTOR * limits.max_title_chars:
        raise Rejected("too_large", f"raw title has {len(raw_title)} chars", article_id)
    title = close_gaps(text.clean_line(raw_title, max_depth=limits.max_html_depth))
    if not title:
        raise Rejected("empty_title", "title is empty once cleaned", article_id)
    if len(title) > limits.max_title_chars:
        raise Rejected(
            "too_large",
            f"title has {len(title)} chars > max_title_chars {limits.max_title_chars}",
            article_id,
        )
    return title


def _clean_body(raw_body: str, *, limits: Limits, article_id: str) -> str:
    body_text = close_gaps(text.body_to_text(raw_body, max_depth=limits.max_html_depth))
    if not body_text:
        raise Rejected(
            "empty_body", "no text left once markup and boilerplate are removed", article_id
        )
    if len(body_text) > limits.max_body_chars:
        raise Rejected(
            "too_large",
            f"text has {len(body_text)} chars > max_body_chars {limits.max_body_chars}",
            article_id,
        )
    return body_text


def _published(
    value: str | int | float | None, *, now: datetime, limits: Limits
) -> tuple[str | None, str | None, DateStatus]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, "missing"
    moment = dates.parse_datetime(value)
    status = dates.judge_published(
        moment, now=now, future_skew=limits.future_skew, oldest_plausible=limits.oldest_plausible
    )
    published = utc_iso(moment) if moment is not None and status == "ok" else None
    return published, text.clean_token(dates.raw_date_text(value)) or None, status


def _raw_id(value: str | int | None) -> str | None:
    # Passed through for tracing, but written by strangers like every other field.
    return None if value is None else text.clean_token(str(value)) or None


def _source(raw_source: str | None, canonical: str, *, limits: Limits) -> str:
    source = text.clean_line(raw_source, max_depth=limits.max_html_depth) if raw_source else ""
    if not source or len(source) > MAX_NAME_CHARS:
        return urls.source_from_url(canonical)
    return source


def _language(
    raw_language: str | None,
    title: str,
    body_text: str,
    *,
    limits: Limits,
    detect_language: Callable[[str], str | None],
) -> str | None:
    given = language.normalize_code(raw_language) if raw_language else None
    if given is not None:
        return given
    return detect_language(f"{title}\n{body_text[: limits.language_sample_chars]}")


def _authors(raw_authors: list[str] | None, *, limits: Limits) -> list[str]:
    names: list[str] = []
    for raw_name in raw_authors or []:
        name = text.clean_line(raw_name, max_depth=limits.max_html_depth)
        # An "author" longer than this is scraped page text, not a name.
        if name and len(name) <= MAX_NAME_CHARS and name not in names:
            names.append(name)
    return names[: limits.max_authors]
