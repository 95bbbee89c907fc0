"""Property tests: normalize_batch never raises and accounts for every message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemas
from pipeline.records import Incoming, Limits
from pipeline.text.normalize import normalize_batch

pytestmark = pytest.mark.pure

NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
SMALL = Limits(
    max_bytes=4_000, max_body_chars=1_500, max_title_chars=200, max_deadletter_original_bytes=256
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)
_markup = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='share'>",
        "</div>",
        "<script>",
        "</script>",
        "<br>",
        "&amp;",
        "&#x200b;",
        "&#0;",
        "&lt;p&gt;",
        "[1, 2]",
        "[3]",
        "\u200b",
        "\x00",
        "\r\n",
        "\u2029",
        "<nav>",
        "<!--",
        "-->",
        "<![CDATA[",
        "<article>",
        "<sup>[1]</sup>",
        "e\u0301",
        " ",
    ]
)
hostile_text = st.lists(st.one_of(_markup, st.text(max_size=12)), max_size=25).map("".join)
raw_like = st.fixed_dictionaries(
    {
        "url": st.one_of(
            st.sampled_from(
                [
                    "https://x.example/a?utm_source=y#z",
                    "http://[::1]:99999/",
                    "https://%zz/",
                    "http://a..b/",
                    "https://xn--/",
                    "https://ü.example/",
                ]
            ),
            st.text(max_size=30).map(lambda s: "https://" + s),
        ),
        "title": hostile_text,
        "body": hostile_text,
    },
    optional={
        "published_at": st.one_of(
            json_values,
            hostile_text,
            st.sampled_from(
                ["2026-10-14T09:12:00+14:00", "-1e308", "Wed, 14 Oct 2026 99:99:99 +9999"]
            ),
        ),
        "authors": st.one_of(json_values, st.lists(hostile_text, max_size=4)),
        "language": st.one_of(json_values, hostile_text),
        "source": st.one_of(json_values, hostile_text),
        "id": json_values,
        "extra": json_values,
    },
)


def _check_accounted(values: list[bytes], limits: Limits = SMALL) -> None:
    messages = [Incoming(value, "news.raw.v1", 1, offset) for offset, value in enumerate(values)]
    articles, deadletters = normalize_batch(messages, now=NOW, limits=limits)
    assert len(articles) + len(deadletters) == len(messages)
    offsets = [a["origin"]["offset"] for a in articles] + [
        d["source"]["offset"] for d in deadletters
    ]
    assert sorted(offsets) == list(range(len(messages)))
    for article in articles:
        schemas.validate("normalized_article.v1", article)
        orjson.dumps(article)
    for letter in deadletters:
        schemas.validate("deadletter.v1", letter)
        assert letter["reason"] != "internal_error", letter["message"]
        orjson.dumps(letter)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=5))
def test_arbitrary_bytes(values: list[bytes]) -> None:
    _check_accounted(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=5))
def test_arbitrary_json_shapes(values: list[Any]) -> None:
    _check_accounted([orjson.dumps(value) for value in values])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_like, min_size=1, max_size=4))
def test_hostile_raw_articles(records: list[dict[str, Any]]) -> None:
    _check_accounted([orjson.dumps(record) for record in records])


@settings(max_examples=100, deadline=None)
@given(raw_like, st.binary(max_size=20))
def test_truncated_and_corrupted_json(record: dict[str, Any], noise: bytes) -> None:
    encoded = orjson.dumps(record)
    _check_accounted([encoded[: len(encoded) // 2], encoded + noise, noise + encoded])


def test_limits_at_the_edges() -> None:
    body = "Storm warnings were issued for the coast. " * 40
    record = {"url": "https://x.example/a", "title": "Storm", "body": body}
    encoded = orjson.dumps(record)
    exact = Limits(max_bytes=len(encoded), max_body_chars=len(body.strip()))
    articles, _ = normalize_batch([Incoming(encoded, "t", 0, 0)], now=NOW, limits=exact)
    assert len(articles) == 1
    tighter = Limits(max_bytes=len(encoded) - 1)
    _, deadletters = normalize_batch([Incoming(encoded, "t", 0, 0)], now=NOW, limits=tighter)
    assert deadletters[0]["reason"] == "too_large"
