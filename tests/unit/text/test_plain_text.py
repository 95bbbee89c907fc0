"""Every text field an article carries is plain text, however its input was escaped.

A consumer that renders a title, a source name or a summary sentence as HTML must never
get a live tag; a terminal must never get a control or bidi character.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import Incoming
from pipeline.text.clean import body_to_text, clean_line
from pipeline.text.normalize import normalize_batch

pytestmark = pytest.mark.pure

NOW = datetime(2026, 10, 14, 12, 0, 5, tzinfo=UTC)
TAG = re.compile(r"<[A-Za-z/!?]")
BODY = "<p>The ferry crossed the lake at dawn with forty passengers on board.</p>"


def unsafe_chars(text: str, *, newlines: bool = False) -> list[str]:
    """Control (Cc) and format (Cf: bidi, zero-width, tag) characters in ``text``."""
    return [
        char
        for char in text
        if unicodedata.category(char) in ("Cc", "Cf") and not (newlines and char == "\n")
    ]


def normalized(**fields: Any) -> dict[str, Any]:
    raw = {"url": "https://news.example/a", "title": "Ferry resumes", "body": BODY, **fields}
    message = Incoming(value=json.dumps(raw).encode(), topic="news.raw.v1", partition=0, offset=0)
    articles, deadletters = normalize_batch([message], now=NOW)
    assert deadletters == [], deadletters
    return dict(articles[0])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<svg onload=alert(1)>Ferry resumes", "Ferry resumes"),
        ("&lt;img src=x onerror=alert(2)&gt;Ferry resumes", "Ferry resumes"),
        ("&amp;lt;img src=x onerror=alert(3)&amp;gt;Ferry resumes", "Ferry resumes"),
        ("&#60;svg/onload=alert(4)&#62;Ferry resumes", "Ferry resumes"),
        ("<details open ontoggle=alert(5)>Ferry resumes</details>", "Ferry resumes"),
        ("<title><img src=x onerror=alert(6)></title>Ferry resumes", "Ferry resumes"),
        ("Ferry <\u200bscript>alert(7)</script>resumes", "Ferry resumes"),
        ("Ferry &amp;amp;amp; bus resume", "Ferry & bus resume"),
        ("Ferry resumes for <5 days", "Ferry resumes for <5 days"),
    ],
)
def test_titles_lose_every_tag_whatever_the_escaping(raw: str, clean: str) -> None:
    article = normalized(title=raw)
    assert article["title"] == clean


def test_source_and_authors_are_plain_text() -> None:
    article = normalized(
        source="&lt;script&gt;alert(1)&lt;/script&gt;Lakeside &lt;b&gt;Ledger&lt;/b&gt;",
        authors=["&lt;img src=x onerror=alert(2)&gt;Ida Marsh", "<svg onload=x>Tom Vale"],
    )
    assert article["source"] == "Lakeside Ledger"
    assert article["authors"] == ["Ida Marsh", "Tom Vale"]


def test_body_text_keeps_paragraphs_and_loses_unlisted_and_escaped_tags() -> None:
    body = (
        "<p>First paragraph about the ferry.</p>"
        "<details open ontoggle=alert(1)><summary>More</summary>"
        "Second &lt;svg onload=alert(2)&gt;paragraph.</details>"
        "<p>Third &amp;lt;img src=x onerror=alert(3)&amp;gt;paragraph.</p>"
        "<xmp><img src=x onerror=alert(4)></xmp>"
    )
    text = normalized(body=body)["text"]
    assert text == "First paragraph about the ferry.\nMore\nSecond paragraph.\nThird paragraph."


def test_url_ids_and_raw_dates_carry_no_controls_bidi_markup_or_credentials() -> None:
    article = normalized(
        url='https://user:secret@news.example/a\x1b]0;owned\x07\x1b[2J/\u202egpj.exe"><b>',
        id="id-\x07\u202e<script>1",
        published_at="2026-10-13\x07<b>",
    )
    assert article["url"] == (
        "https://news.example/a%1B]0;owned%07%1B[2J/%E2%80%AEgpj.exe%22%3E%3Cb%3E"
    )
    assert "secret" not in json.dumps(article)
    assert article["raw_id"] == "id- script1"
    assert article["published_at_raw"] == "2026-10-13 b"
    for field in ("url", "canonical_url", "raw_id", "published_at_raw"):
        assert not unsafe_chars(article[field]) and not TAG.search(article[field]), field


_FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&amp;",
        "&lt;",
        "&gt;",
        "&#60;",
        "&#x3c;",
        "&#62;",
        "amp;",
        "lt;",
        "script",
        "svg",
        "img",
        "b",
        "p",
        "!--",
        "/",
        "!",
        "?",
        "=",
        '"',
        " ",
        "\n",
        "onload=x",
        "Ferry",
        "\u202e",
        "\u200b",
        "\x1b",
        "\x07",
        "\U000e0041",
        "\u2028",
    ]
)
_MARKUPISH = st.lists(_FRAGMENTS, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_MARKUPISH)
def test_no_escaping_order_leaves_a_tag_in_a_line(raw: str) -> None:
    line = clean_line(raw)
    assert not TAG.search(line) and not unsafe_chars(line)
    assert clean_line(line) == line


@settings(max_examples=400, deadline=None)
@given(_MARKUPISH)
def test_no_escaping_order_leaves_a_tag_in_a_body(raw: str) -> None:
    text = body_to_text(raw)
    assert not TAG.search(text) and not unsafe_chars(text, newlines=True)
