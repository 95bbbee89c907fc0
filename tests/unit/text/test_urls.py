"""Canonical URLs, article ids and sources."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.urls import (
    InvalidURL,
    article_id,
    canonical_url,
    is_tracking_key,
    source_from_url,
)

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # lowercase scheme and host, path case kept
        (
            "HTTPS://WWW.HarborTimes.Example/World/Bridge",
            "https://www.harbortimes.example/World/Bridge",
        ),
        # fragment dropped
        ("https://news.example.com/a/b#comments", "https://news.example.com/a/b"),
        # tracking parameters dropped, real ones kept and sorted
        (
            "https://news.example.com/story?utm_source=rss&utm_medium=feed&page=2&fbclid=IwAR0x"
            "&gclid=Cj0K&id=77",
            "https://news.example.com/story?id=77&page=2",
        ),
        ("https://news.example.com/story?UTM_Campaign=x", "https://news.example.com/story"),
        ("https://news.example.com/s?b=2&a=1&a=0", "https://news.example.com/s?a=0&a=1&b=2"),
        # default ports dropped, others kept
        ("http://news.example.com:80/x", "http://news.example.com/x"),
        ("https://news.example.com:443/x", "https://news.example.com/x"),
        ("https://news.example.com:8443/x", "https://news.example.com:8443/x"),
        # credentials never kept
        ("https://editor:secret@news.example.com/x", "https://news.example.com/x"),
        # empty path is "/", dot segments resolved
        ("https://news.example.com", "https://news.example.com/"),
        ("https://news.example.com/a/./b/../c/", "https://news.example.com/a/c/"),
        # trailing dot of a fully qualified host dropped
        ("https://news.example.com./x", "https://news.example.com/x"),
        # spaces and non-ASCII percent-encoded, escapes upper-cased
        ("https://news.example.com/a b/ü?q=a b", "https://news.example.com/a%20b/%C3%BC?q=a%20b"),
        ("https://news.example.com/%7e%2fx", "https://news.example.com/%7E%2Fx"),
        # internationalized host to punycode
        ("https://bücher.example/neu", "https://xn--bcher-kva.example/neu"),
        # blank values kept
        ("https://news.example.com/s?flag=&x=1", "https://news.example.com/s?flag=&x=1"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_tracking_variants_share_one_canonical_url_and_id() -> None:
    variants = [
        "https://www.harbortimes.example/world/2026/10/14/putin-beijing",
        "https://WWW.HARBORTIMES.EXAMPLE/world/2026/10/14/putin-beijing?utm_source=rss&utm_medium=feed",
        "https://www.harbortimes.example/world/2026/10/14/putin-beijing#comments",
        "https://www.harbortimes.example:443/world/2026/10/14/putin-beijing?fbclid=abc",
    ]
    ids = {article_id(canonical_url(url)) for url in variants}
    assert len(ids) == 1


def test_article_id_is_24_hex_of_sha256_of_the_canonical_url() -> None:
    canonical = "https://news.example.com/a"
    assert article_id(canonical) == hashlib.sha256(canonical.encode()).hexdigest()[:24]
    assert article_id(canonical) != article_id("https://news.example.com/b")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.com/report.pdf",
        "javascript:alert(1)",
        "https://",
        "http:///path-only",
        "https://news.example.com:99999/x",
        "https://news.example.com:port/x",
        "https://bad host.example/x",
        "https://[::1/x",
    ],
)
def test_invalid_urls_raise(url: str) -> None:
    with pytest.raises(InvalidURL):
        canonical_url(url)


def test_tracking_keys() -> None:
    for key in ("utm_source", "utm_content", "fbclid", "gclid", "msclkid", "mc_eid", "_hsenc"):
        assert is_tracking_key(key)
    for key in ("id", "page", "q", "article", "utm"):
        assert not is_tracking_key(key)


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://www.harbortimes.example/world/x", "harbortimes.example"),
        ("https://news.bbc.co.uk/2/hi/business/1.stm", "bbc.co.uk"),
        ("https://edition.cnn.com/2026/politics/", "cnn.com"),
        ("https://www.lemonde.fr/international/", "lemonde.fr"),
        ("https://www.abc.net.au/news/", "abc.net.au"),
        ("http://10.0.0.7/feed/item", "10.0.0.7"),
        ("http://localhost:8080/item", "localhost"),
    ],
)
def test_source_from_url_is_registrable_domain(url: str, source: str) -> None:
    assert source_from_url(canonical_url(url)) == source


_host = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}(\.[A-Za-z]{2,6}){1,2}", fullmatch=True)
_segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
    max_size=8,
)
_query_part = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="&=#"), max_size=6
)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
    host=_host,
    port=st.one_of(st.none(), st.integers(1, 65535)),
    segments=st.lists(_segment, max_size=5),
    query=st.lists(st.tuples(_query_part, _query_part), max_size=5),
    fragment=st.text(max_size=5),
)
def test_canonicalization_is_idempotent(
    scheme: str,
    host: str,
    port: int | None,
    segments: list[str],
    query: list[tuple[str, str]],
    fragment: str,
) -> None:
    netloc = host if port is None else f"{host}:{port}"
    url = f"{scheme}://{netloc}/" + "/".join(segments)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query)
    if fragment:
        url += "#" + fragment
    try:
        once = canonical_url(url)
    except InvalidURL:
        return
    assert canonical_url(once) == once
    assert "#" not in once
    assert once == once.strip() and " " not in once
