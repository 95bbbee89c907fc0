"""Published dates: parse the common feed formats into UTC and judge whether to trust them."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

from pipeline.records import DateStatus

# Epoch values above this are taken as milliseconds (1e11 s is the year 5138).
_EPOCH_MS_FROM = 1e11
_NUMERIC = re.compile(r"[+-]?\d+(?:\.\d+)?")
_MAX_RAW_CHARS = 100
_DEFAULT_A = datetime(2000, 1, 1)  # noqa: DTZ001 - dateutil defaults are naive on purpose
_DEFAULT_B = datetime(2001, 2, 2)  # noqa: DTZ001
# North American zone names as in RFC 822, so dateutil reads them as email.utils does.
_ZONES = {
    name: offset * 3600
    for name, offset in {
        "UT": 0,
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
    }.items()
}


def parse_datetime(value: str | int | float) -> datetime | None:
    """Parse ISO 8601, RFC 822 (RSS) or epoch seconds into an aware UTC datetime.

    Naive values are taken as UTC. Returns None when the value is not a date.

    Args:
        value: the raw `published_at` from the feed.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = value.strip()
    if not text or len(text) > _MAX_RAW_CHARS:
        return None
    if _NUMERIC.fullmatch(text):
        return _from_epoch(float(text))
    for parse in (_parse_iso, _parse_rfc822, _parse_loose):
        moment = parse(text)
        if moment is not None:
            return moment
    return None


def judge_published(
    moment: datetime | None,
    *,
    now: datetime,
    future_skew: timedelta,
    oldest_plausible: datetime,
) -> DateStatus:
    """Classify a parsed date: `ok`, `unparseable` (None), `future` or `too_old`.

    Args:
        moment: the parsed date, or None when parsing failed.
        now: the current time.
        future_skew: tolerated clock skew past `now`.
        oldest_plausible: earliest date trusted.
    """
    if moment is None:
        return "unparseable"
    if moment > now + future_skew:
        return "future"
    if moment < oldest_plausible:
        return "too_old"
    return "ok"


def raw_date_text(value: str | int | float) -> str:
    """Return the raw date as a short string for the `published_at_raw` field.

    Args:
        value: the raw `published_at` from the feed.
    """
    text = value if isinstance(value, str) else repr(value)
    return text[:_MAX_RAW_CHARS]


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds):
        return None
    if abs(seconds) >= _EPOCH_MS_FROM:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _as_utc(moment: datetime) -> datetime | None:
    try:
        if moment.tzinfo is None or moment.utcoffset() is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _parse_iso(text: str) -> datetime | None:
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _parse_rfc822(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # A naive result means the zone was not understood ("10:30 AM PST"): let dateutil try.
    return _as_utc(moment) if moment.tzinfo is not None else None


def _parse_loose(text: str) -> datetime | None:
    # Last resort for forms such as "March 14, 2025 10:30 AM EST". Two different defaults
    # expose missing date parts, which dateutil would otherwise fill from today's date.
    try:
        first = dateutil_parser.parse(text, default=_DEFAULT_A, tzinfos=_ZONES)
        second = dateutil_parser.parse(text, default=_DEFAULT_B, tzinfos=_ZONES)
    except Exception:  # dateutil raises assorted error types on hostile text
        return None
    if first != second:
        return None
    return _as_utc(first)
