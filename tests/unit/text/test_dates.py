"""Published dates: parsing the common feed formats into UTC and judging plausibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.text.dates import judge_published, parse_datetime, raw_date_text

pytestmark = pytest.mark.pure

MOMENT = datetime(2026, 10, 14, 9, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        # ISO 8601
        "2026-10-14T09:12:00Z",
        "2026-10-14T09:12:00+00:00",
        "2026-10-14T11:12:00+02:00",
        "2026-10-14T05:12:00-04:00",
        "2026-10-14T09:12:00.000Z",
        "2026-10-14 09:12:00",
        "20261014T091200Z",
        # RFC 822 as in RSS
        "Wed, 14 Oct 2026 09:12:00 +0000",
        "Wed, 14 Oct 2026 09:12:00 GMT",
        "Wed, 14 Oct 2026 10:12:00 +0100",
        "Wed, 14 Oct 2026 05:12:00 EDT",
        "14 Oct 2026 09:12 UT",
        # other common forms
        "October 14, 2026 2:12 AM PDT",
        "Wednesday, 14-Oct-26 09:12:00 UTC",
        # epoch seconds and milliseconds
        1791969120,
        1791969120.0,
        "1791969120",
        1791969120000,
    ],
)
def test_formats_parse_to_the_same_utc_moment(value: str | int | float) -> None:
    parsed = parse_datetime(value)
    assert parsed == MOMENT
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


def test_date_only_is_midnight_utc() -> None:
    assert parse_datetime("2026-10-14") == datetime(2026, 10, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "yesterday",
        "09:12",
        "Oct 14",
        "n/a",
        "2026-13-45T99:00:00Z",
        "Wed, 32 Oct 2026 09:12:00 GMT",
        "9999-12-31T23:59:59-05:00",
        float("nan"),
        float("inf"),
        1e300,
        True,
        "x" * 500,
    ],
)
def test_garbage_is_none(value: str | int | float) -> None:
    assert parse_datetime(value) is None


def test_parsing_does_not_depend_on_todays_date() -> None:
    # dateutil would fill a missing year or day from the clock; we refuse instead
    assert parse_datetime("14 October") is None
    assert parse_datetime("October 2026") is None


NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
SKEW = timedelta(minutes=15)
OLDEST = datetime(1990, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (datetime(2026, 10, 14, 9, 12, tzinfo=UTC), "ok"),
        (NOW + timedelta(minutes=10), "ok"),
        (NOW + timedelta(hours=5), "future"),
        (datetime(2099, 1, 1, tzinfo=UTC), "future"),
        (datetime(1970, 1, 1, tzinfo=UTC), "too_old"),
        (datetime(1989, 12, 31, tzinfo=UTC), "too_old"),
        (None, "unparseable"),
    ],
)
def test_judge_published(moment: datetime | None, status: str) -> None:
    assert judge_published(moment, now=NOW, future_skew=SKEW, oldest_plausible=OLDEST) == status


def test_epoch_zero_is_absurd() -> None:
    moment = parse_datetime(0)
    assert judge_published(moment, now=NOW, future_skew=SKEW, oldest_plausible=OLDEST) == "too_old"


def test_raw_date_text() -> None:
    assert raw_date_text("Wed, 14 Oct 2026 09:12:00 +0000") == "Wed, 14 Oct 2026 09:12:00 +0000"
    assert raw_date_text(1791969120) == "1791969120"
    assert len(raw_date_text("y" * 1000)) == 100
