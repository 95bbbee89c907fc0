"""normalize_batch end to end: each normalization rule and each dead-letter reason."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

import schemas
from pipeline.deadletters import REASONS, deadletter_headers, make_deadletter
from pipeline.records import Incoming, Limits
from pipeline.text.normalize import normalize_batch
from pipeline.text.urls import article_id, canonical_url

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "samples" / "articles.jsonl"
EXPECTED = ROOT / "samples" / "expected.json"

NOW = datetime(2026, 10, 14, 12, 0, 5, tzinfo=UTC)
TOPIC = "news.raw.v1"

BODY = (
    "<p>The regional water authority lifted its hosepipe ban on Tuesday after three weeks of "
    "steady rain refilled the Ashby reservoir to 91% of capacity.[1]</p>"
    "<p>Officials said the ban, in force since early July, had cut household demand by roughly "
    "a fifth [2, 3].</p>"
)
GOOD = {
    "id": "w-101",
    "url": "https://www.riverpost.example/local/2026/10/13/hosepipe-ban-lifted?utm_source=rss#top",
    "title": "Hosepipe ban lifted as reservoir refills",
    "body": BODY,
    "published_at": "Tue, 13 Oct 2026 16:45:00 +0100",
    "authors": ["Dana Whitfield", " Dana  Whitfield ", "Omar Haddad"],
}


def message(value: Any, offset: int = 0, partition: int = 0) -> Incoming:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return Incoming(value=data, topic=TOPIC, partition=partition, offset=offset)


def one_article(raw: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    articles, deadletters = normalize_batch([message(raw)], now=NOW, **kwargs)
    assert deadletters == []
    return dict(articles[0])


def one_deadletter(value: Any, **kwargs: Any) -> dict[str, Any]:
    articles, deadletters = normalize_batch([message(value, offset=17)], now=NOW, **kwargs)
    assert articles == []
    schemas.validate("deadletter.v1", deadletters[0])
    return dict(deadletters[0])


def test_good_article_has_every_field() -> None:
    article = one_article(GOOD)
    canonical = "https://www.riverpost.example/local/2026/10/13/hosepipe-ban-lifted"
    assert article == {
        "article_id": article_id(canonical),
        "url": GOOD["url"],
        "canonical_url": canonical,
        "source": "riverpost.example",
        "title": "Hosepipe ban lifted as reservoir refills",
        "text": (
            "The regional water authority lifted its hosepipe ban on Tuesday after three weeks "
            "of steady rain refilled the Ashby reservoir to 91% of capacity.\n"
            "Officials said the ban, in force since early July, had cut household demand by "
            "roughly a fifth."
        ),
        "published_at": "2026-10-13T15:45:00+00:00",
        "published_at_raw": "Tue, 13 Oct 2026 16:45:00 +0100",
        "published_at_status": "ok",
        "ingested_at": "2026-10-14T12:00:05+00:00",
        "language": "en",
        "authors": ["Dana Whitfield", "Omar Haddad"],
        "content_hash": article["content_hash"],
        "origin": {"topic": TOPIC, "partition": 0, "offset": 0},
        "raw_id": "w-101",
    }
    schemas.validate("normalized_article.v1", article)


def test_given_source_wins_over_domain() -> None:
    assert one_article({**GOOD, "source": "  River &amp; Post "})["source"] == "River & Post"


def test_numeric_id_becomes_text() -> None:
    assert one_article({**GOOD, "id": 9001})["raw_id"] == "9001"


def test_same_text_gives_same_content_hash_across_outlets() -> None:
    first = one_article(GOOD)
    copy = one_article({**GOOD, "url": "https://wire.example/x", "body": BODY.upper()})
    assert first["content_hash"] == copy["content_hash"]
    assert first["article_id"] != copy["article_id"]


@pytest.mark.parametrize(
    ("published", "expected", "status"),
    [
        ("2026-10-13T15:45:00Z", "2026-10-13T15:45:00+00:00", "ok"),
        (1791906300, "2026-10-13T15:45:00+00:00", "ok"),
        ("2026-10-13T15:45:00", "2026-10-13T15:45:00+00:00", "ok"),
        ("2027-03-01T00:00:00Z", None, "future"),
        (0, None, "too_old"),
        ("sometime last week", None, "unparseable"),
        (None, None, "missing"),
        ("", None, "missing"),
    ],
)
def test_published_at_parsed_or_flagged(published: Any, expected: str | None, status: str) -> None:
    raw = {**GOOD, "published_at": published}
    article = one_article(raw)
    assert article["published_at"] == expected
    assert article["published_at_status"] == status
    if status not in ("ok", "missing"):
        assert article["published_at_raw"] is not None


def test_future_skew_is_a_setting() -> None:
    raw = {**GOOD, "published_at": (NOW + timedelta(hours=2)).isoformat()}
    assert one_article(raw)["published_at_status"] == "future"
    relaxed = Limits(future_skew=timedelta(hours=3))
    assert one_article(raw, limits=relaxed)["published_at_status"] == "ok"


def test_given_language_is_kept_and_normalized() -> None:
    assert one_article({**GOOD, "language": "EN-gb"})["language"] == "en"


def test_non_english_article_passes_through_with_its_language() -> None:
    raw = {
        **GOOD,
        "url": "https://www.tageblatt.example/lokales/wasser",
        "title": "Wasserverbot aufgehoben",
        "body": (
            "<p>Die regionale Wasserbehörde hat das Bewässerungsverbot am Dienstag aufgehoben, "
            "nachdem drei Wochen Regen den Stausee wieder auf 91 Prozent gefüllt hatten.</p>"
        ),
    }
    article = one_article(raw)
    assert article["language"] == "de"
    assert article["text"].startswith("Die regionale Wasserbehörde")


def test_language_detector_is_injected() -> None:
    seen: list[str] = []

    def detect(text: str) -> str | None:
        seen.append(text)
        return "xx"

    assert one_article(GOOD, detect_language=detect)["language"] == "xx"
    assert seen[0].startswith("Hosepipe ban lifted")


def test_unsure_detection_gives_null_language() -> None:
    raw = {**GOOD, "title": "Q3", "body": "<p>12.4 / 13.1 / 9.8 — 2026</p>"}
    assert one_article(raw)["language"] is None


def test_reprocessing_is_deterministic() -> None:
    batch = [message(GOOD, offset=3), message(b"nope", offset=4)]
    assert normalize_batch(batch, now=NOW) == normalize_batch(batch, now=NOW)


# --- dead letters -----------------------------------------------------------------------


def test_invalid_utf8_keeps_bytes_as_base64() -> None:
    value = b'{"url": "https://x.example/a", "title": "Caf\xe9", "body": "x"}'
    letter = one_deadletter(value)
    assert letter["reason"] == "invalid_utf8"
    assert letter["encoding"] == "base64" and letter["original"] is None
    assert base64.b64decode(letter["original_b64"]) == value
    assert letter["source"] == {"topic": TOPIC, "partition": 0, "offset": 17}
    assert letter["failed_at"] == "2026-10-14T12:00:05+00:00"
    assert letter["stage"] == "normalize"


@pytest.mark.parametrize(
    ("value", "reason", "needle"),
    [
        (b"<rss><item>not json</item></rss>", "invalid_json", "char 0"),
        (b"", "invalid_json", "empty"),
        (b'{"url": "https://x.example/a", "title": "T", "body": "x"', "invalid_json", ""),
        (b'["https://x.example/a", "T", "body"]', "schema_violation", "must be object"),
        ({"url": "https://x.example/a", "title": "T"}, "schema_violation", "body"),
        ({"url": "https://x.example/a", "title": 42, "body": "x"}, "schema_violation", "title"),
        ({"url": "mailto:desk@x.example", "title": "T", "body": "x"}, "schema_violation", "url"),
        (
            {"url": "https://x.example/a", "title": "T", "body": "x", "authors": "Ann"},
            "schema_violation",
            "authors",
        ),
        ({"url": "https://x.example/a", "title": "", "body": "x"}, "schema_violation", "title"),
        ({"url": "https://x.example:99999/a", "title": "T", "body": "x"}, "invalid_url", "port"),
        ({"url": "https://x.example/a", "title": "<b> </b>&nbsp;", "body": "x"}, "empty_title", ""),
        ({"url": "https://x.example/a", "title": "T", "body": ""}, "empty_body", ""),
        (
            {"url": "https://x.example/a", "title": "T", "body": "<div>" * 5_000 + "deep"},
            "markup_too_deep",
            "deeper than 400",
        ),
        (
            {"url": "https://x.example/a", "title": "<span>" * 500 + "T", "body": "x"},
            "markup_too_deep",
            "",
        ),
        (
            {
                "url": "https://x.example/a",
                "title": "T",
                "body": "<nav>Home</nav><script>x()</script>",
            },
            "empty_body",
            "",
        ),
    ],
)
def test_rejections_carry_reason_and_message(value: Any, reason: str, needle: str) -> None:
    letter = one_deadletter(value)
    assert letter["reason"] == reason
    assert needle.lower() in letter["message"].lower()
    assert letter["encoding"] == "utf-8"
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    assert letter["original"] == raw.decode()


def test_known_article_id_travels_with_late_rejections() -> None:
    letter = one_deadletter({"url": "https://x.example/a", "title": "T", "body": " "})
    assert letter["article_id"] == article_id(canonical_url("https://x.example/a"))


def test_size_limits_are_settings() -> None:
    too_many_bytes = {**GOOD, "body": "word " * 200}
    letter = one_deadletter(too_many_bytes, limits=Limits(max_bytes=500))
    assert (letter["reason"], "max_bytes" in letter["message"]) == ("too_large", True)
    long_text = {**GOOD, "body": "Rain. " * 30}
    letter = one_deadletter(long_text, limits=Limits(max_body_chars=100))
    assert (letter["reason"], "max_body_chars" in letter["message"]) == ("too_large", True)
    long_title = {**GOOD, "body": "Rain fell.", "title": "A very long headline indeed"}
    letter = one_deadletter(long_title, limits=Limits(max_title_chars=20))
    assert (letter["reason"], "max_title_chars" in letter["message"]) == ("too_large", True)


def test_default_body_limit_is_below_spacy_max_length() -> None:
    assert Limits().max_body_chars < 1_000_000
    assert Limits().max_bytes <= 1024 * 1024


def test_huge_message_keeps_only_a_prefix_in_the_deadletter() -> None:
    value = b'{"url": "https://x.example/a", "title": "T", "body": "' + "é".encode() * 700_000
    letter = one_deadletter(value)
    assert letter["reason"] == "too_large"
    assert letter["original_truncated"] is True
    assert letter["original_size"] == len(value)
    assert len(letter["original"].encode()) <= Limits().max_deadletter_original_bytes
    assert letter["original"].endswith("é")  # cut on a character boundary, still UTF-8
    assert len(orjson.dumps(letter)) < 1024 * 1024


def test_unexpected_exception_becomes_internal_error_and_does_not_block() -> None:
    def broken_detector(text: str) -> str | None:
        raise RuntimeError("detector exploded")

    batch = [message(GOOD, offset=1), message({**GOOD, "language": "en"}, offset=2)]
    articles, deadletters = normalize_batch(batch, now=NOW, detect_language=broken_detector)
    assert [article["origin"]["offset"] for article in articles] == [2]
    assert deadletters[0]["reason"] == "internal_error"
    assert "RuntimeError: detector exploded" in deadletters[0]["message"]
    assert deadletters[0]["source"]["offset"] == 1


def test_bad_records_do_not_block_good_ones_behind_them() -> None:
    values: list[Any] = [
        b"\xff",
        GOOD,
        b"{",
        {**GOOD, "url": "https://www.riverpost.example/2"},
        [1, 2],
        {**GOOD, "url": "https://www.riverpost.example/3"},
    ]
    batch = [message(value, offset=offset) for offset, value in enumerate(values)]
    articles, deadletters = normalize_batch(batch, now=NOW)
    assert [a["origin"]["offset"] for a in articles] == [1, 3, 5]
    assert [d["source"]["offset"] for d in deadletters] == [0, 2, 4]


def test_utf8_bom_is_tolerated() -> None:
    articles, _ = normalize_batch([message(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())], now=NOW)
    assert len(articles) == 1


def test_deadletter_headers_are_kafka_connect_style() -> None:
    letter = one_deadletter(b"not json")
    headers = dict(deadletter_headers(letter))  # type: ignore[arg-type]
    assert headers["__connect.errors.topic"] == TOPIC.encode()
    assert headers["__connect.errors.partition"] == b"0"
    assert headers["__connect.errors.offset"] == b"17"
    assert headers["__connect.errors.exception.message"] == letter["message"].encode()
    assert headers["wirestream.reason"] == b"invalid_json"
    assert headers["wirestream.stage"] == b"normalize"
    assert all(isinstance(value, bytes) for value in headers.values())


def test_make_deadletter_serves_other_stages() -> None:
    incoming = message(GOOD, offset=5, partition=3)
    letter = make_deadletter(
        incoming,
        stage="enrich",
        reason="internal_error",
        detail="spaCy ran out of memory",
        now=NOW,
        article_id="a" * 24,
    )
    schemas.validate("deadletter.v1", letter)
    assert letter["article_id"] == "a" * 24
    with pytest.raises(ValueError, match="unknown dead-letter reason"):
        make_deadletter(incoming, stage="enrich", reason="oops", detail="", now=NOW)
    assert "internal_error" in REASONS


def test_sample_file_every_line_accounted() -> None:
    if not SAMPLE.exists():
        pytest.skip("samples/articles.jsonl not present")
    lines = SAMPLE.read_bytes().splitlines()
    batch = [message(line, offset=number) for number, line in enumerate(lines, start=1)]
    articles, deadletters = normalize_batch(batch, now=datetime(2026, 12, 1, tzinfo=UTC))
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(d["source"]["offset"] for d in deadletters) == sorted(expected["malformed_lines"])
    assert len(articles) == len(lines) - len(expected["malformed_lines"])
    for article in articles:
        schemas.validate("normalized_article.v1", article)
        assert "[1]" not in article["text"] and "&amp;" not in article["text"]
        assert article["published_at_status"] in ("ok", "missing")
    for letter in deadletters:
        schemas.validate("deadletter.v1", letter)


def test_naive_clock_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        normalize_batch([message(GOOD)], now=datetime(2026, 10, 14))  # noqa: DTZ001


def test_typographic_gaps_are_closed_in_title_and_text() -> None:
    article = one_article(
        {**GOOD, "title": "Mayor ’ s “ plan ” delayed", "body": "<p>Starts at 9 a. m. today.</p>"}
    )
    assert article["title"] == "Mayor’s “plan” delayed"
    assert article["text"] == "Starts at 9 a.m. today."
