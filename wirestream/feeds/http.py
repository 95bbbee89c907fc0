"""HTTP GET with stdlib urllib: conditional headers, size cap, redirects followed by hand.

Redirects are followed here rather than by urllib so the poller can tell permanent ones
(301, 308), whose target it remembers, from temporary ones, which it does not.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Protocol
from urllib.parse import urljoin

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})


class FetchError(Exception):
    """The request failed before an HTTP status was received (DNS, refused, timeout, size)."""


@dataclass(frozen=True)
class Response:
    """What a fetch returned.

    Args:
        url: the URL finally answered (after redirects).
        status: the HTTP status of the final response.
        headers: response headers, names lower-cased.
        body: the body, decompressed.
        permanent_url: where the leading run of permanent redirects led, if there was one.
    """

    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    permanent_url: str | None = None


class Fetcher(Protocol):
    """Anything that performs a GET like `http_fetch`."""

    def __call__(
        self, url: str, *, headers: Mapping[str, str], timeout: float, max_bytes: int
    ) -> Response: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # surface 3xx as responses: the caller follows them


_OPENER = urllib.request.build_opener(_NoRedirect())


def http_fetch(
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    max_redirects: int = 5,
) -> Response:
    """GET a URL, following up to ``max_redirects`` redirects.

    Args:
        url: absolute http(s) URL.
        headers: request headers (conditional ones included by the caller).
        timeout: socket timeout in seconds, per request.
        max_bytes: largest (decompressed) body accepted; larger raises FetchError.
        max_redirects: redirect hops allowed.
    """
    permanent_url: str | None = None
    only_permanent = True
    for _ in range(max_redirects + 1):
        response = _get_once(url, headers=headers, timeout=timeout, max_bytes=max_bytes)
        location = response.headers.get("location")
        if response.status not in REDIRECTS or not location:
            return Response(
                response.url, response.status, response.headers, response.body, permanent_url
            )
        url = urljoin(url, location)
        only_permanent = only_permanent and response.status in PERMANENT
        if only_permanent:
            permanent_url = url
    raise FetchError(f"more than {max_redirects} redirects")


def _get_once(url: str, *, headers: Mapping[str, str], timeout: float, max_bytes: int) -> Response:
    request = urllib.request.Request(
        url, headers={"Accept-Encoding": "gzip, deflate", **headers}, method="GET"
    )
    try:
        try:
            with _OPENER.open(request, timeout=timeout) as reply:
                return _response(url, reply.status, reply.headers, reply, max_bytes)
        except urllib.error.HTTPError as error:
            with error:
                return _response(url, error.code, error.headers, error, max_bytes)
    except (OSError, ValueError, http.client.HTTPException) as error:  # URLError is an OSError
        reason = getattr(error, "reason", error)
        raise FetchError(f"{type(error).__name__}: {reason}") from error


def _response(url: str, status: int, raw_headers: Message, stream: Any, max_bytes: int) -> Response:
    headers = {name.lower(): value for name, value in raw_headers.items()}
    body = stream.read(max_bytes + 1)
    encoding = headers.get("content-encoding", "").lower()
    if len(body) <= max_bytes and encoding in ("gzip", "deflate"):
        body = _decompress(body, gzip=encoding == "gzip", max_bytes=max_bytes)
    if len(body) > max_bytes:
        raise FetchError(f"response larger than {max_bytes} bytes")
    return Response(url, status, headers, body)


def _decompress(data: bytes, *, gzip: bool, max_bytes: int) -> bytes:
    # Bounded output: a small compressed bomb cannot expand past the cap.
    inflater = zlib.decompressobj(wbits=31 if gzip else 15)
    try:
        return inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise FetchError(f"bad {'gzip' if gzip else 'deflate'} body: {error}") from error
