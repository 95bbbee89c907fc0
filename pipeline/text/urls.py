"""Canonical URLs, article ids and sources derived from URLs."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import tldextract

# Query keys that only track the click, never select the content.
TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "s_cid",
        "cmpid",
        "ncid",
        "sr_share",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_custom")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path; everything else is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/:@!$'()*,;-._~"
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
# Not allowed raw in a URL, or invisible: controls, spaces, format and separator characters.
_UNSAFE_IN_URL = re.compile(
    '[\x00-\x20\x7f-\xa0"<>\\\\^`{|}\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e'
    "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


class InvalidURL(ValueError):
    """The URL cannot be canonicalized (not http/https, no host, bad port …)."""


def canonical_url(url: str) -> str:
    """Return the canonical form of an http(s) URL; idempotent.

    Lowercase scheme and host, no userinfo, default port and fragment dropped, dot segments
    resolved, path and query percent-encoded consistently, tracking parameters dropped, query
    sorted.

    Args:
        url: an absolute http or https URL.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"unparseable URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"scheme must be http or https, got {scheme!r}")
    host = _canonical_host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _canonical_path(parts.path)
    query = _canonical_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def received_url(url: str) -> str:
    """The URL as received, safe to show and to link: userinfo dropped, unsafe characters encoded.

    Controls, spaces, format characters (bidi, zero-width) and the characters a URL may not
    hold unencoded (quotes, angle brackets, backslash, ...) are percent-encoded as UTF-8.

    Args:
        url: an absolute http(s) URL that `canonical_url` accepts.
    """
    parts = urlsplit(url.strip())
    netloc = parts.netloc.rpartition("@")[2]  # "user:password@" must not travel further
    whole = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return _UNSAFE_IN_URL.sub(lambda match: quote(match.group(0), safe=""), whole)


def _canonical_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise InvalidURL("URL has no host")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidURL(f"invalid host name: {error}") from error
    if not re.fullmatch(r"[a-z0-9.\-_:]+", host):
        raise InvalidURL(f"invalid host name: {host!r}")
    return host


def _canonical_path(path: str) -> str:
    path = _remove_dot_segments(path or "/")
    path = quote(path, safe=_PATH_SAFE)
    return _PERCENT.sub(lambda match: match.group(0).upper(), path)


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, on whole segments.
    output: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    trailing = path.endswith(("/.", "/..")) and output != []
    return "/" + "/".join(output) + ("/" if trailing else "")


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = sorted((key, value) for key, value in pairs if not is_tracking_key(key))
    return urlencode(kept, safe=_QUERY_SAFE, quote_via=quote)


def is_tracking_key(key: str) -> bool:
    """Tell whether a query parameter only tracks clicks.

    Args:
        key: the parameter name.
    """
    key = key.lower()
    return key in TRACKING_KEYS or key.startswith(TRACKING_PREFIXES)


def article_id(canonical: str) -> str:
    """Return the article id: 24 hex chars of sha256 over the canonical URL.

    Args:
        canonical: a URL already passed through `canonical_url`.
    """
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def source_from_url(canonical: str) -> str:
    """Return the registrable domain of a URL (`bbc.co.uk` for `news.bbc.co.uk`).

    Args:
        canonical: a canonical http(s) URL.
    """
    host = urlsplit(canonical).hostname or ""
    if _is_ip(host):
        return host
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    # Unlisted suffixes (reserved ".example", ".internal", ...): keep the last two labels.
    return ".".join(host.split(".")[-2:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # The public suffix snapshot shipped in the wheel: no network, no cache files.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
