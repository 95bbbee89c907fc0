"""HTTP GET for URLs strangers chose: checked addresses, http(s) only, one deadline, size cap.

Every hop of a redirect chain is resolved and checked by `wirestream.feeds.guard` and the
connection goes to the checked address (Host header and TLS name stay the URL's host). The
opener has only these pinned HTTP and HTTPS handlers: no file, ftp or data URLs, no proxy.
Redirects are followed here rather than by urllib so the poller can tell permanent ones
(301, 308), whose target it remembers, from temporary ones, which it does not.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.request
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

from wirestream.feeds.guard import FetchError, Refused, Resolver, Target, vet

__all__ = ["FetchError", "Fetcher", "Refused", "Response", "http_fetch"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
_CHUNK = 64 * 1024


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
        self,
        url: str,
        *,
        headers: Mapping[str, str],
        timeout: float,
        max_bytes: int,
        allow: Collection[str] = (),
    ) -> Response: ...


def http_fetch(
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    allow: Collection[str] = (),
    max_redirects: int = 5,
    resolve: Resolver = socket.getaddrinfo,
) -> Response:
    """GET a URL, following up to ``max_redirects`` redirects, each hop checked.

    Args:
        url: absolute http(s) URL.
        headers: request headers (conditional ones included by the caller).
        timeout: seconds the whole fetch may take, redirects and body included.
        max_bytes: largest (decompressed) body accepted; larger raises FetchError.
        allow: origins that may resolve to non-public addresses (see `guard.origin`).
        max_redirects: redirect hops allowed.
        resolve: ``socket.getaddrinfo`` or a stand-in.

    Raises:
        Refused: a hop's scheme or address is not allowed.
        FetchError: DNS, connection, deadline, size or protocol failure.
    """
    deadline = time.monotonic() + timeout
    permanent_url: str | None = None
    only_permanent = True
    for _ in range(max_redirects + 1):
        target = vet(url, allowed=allow, resolve=resolve)
        response = _get_once(url, target, headers=headers, deadline=deadline, max_bytes=max_bytes)
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


class _Pin:
    """The checked address of one request, and the socket connected to it."""

    def __init__(self, target: Target) -> None:
        self.address = target.address
        self.sock: socket.socket | None = None
        self.expired = False

    def shutdown(self) -> None:
        # The deadline passed mid-read: wake the blocked reader.
        self.expired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    pin: _Pin

    def connect(self) -> None:
        self.sock = socket.create_connection(
            (self.pin.address, self.port), self.timeout, self.source_address
        )
        self.pin.sock = self.sock


class _PinnedHTTPSConnection(http.client.HTTPSConnection, _PinnedHTTPConnection):
    # HTTPSConnection.connect calls the pinned TCP connect, then wraps with SNI on self.host.
    def connect(self) -> None:
        super().connect()
        self.pin.sock = self.sock


def _pinned(connection: type[http.client.HTTPConnection], pin: _Pin) -> Any:
    def make(host: str, **options: Any) -> http.client.HTTPConnection:
        made = connection(host, **options)
        made.pin = pin  # type: ignore[attr-defined]
        return made

    return make


class _Request(urllib.request.Request):
    def __init__(self, url: str, *, headers: dict[str, str], pin: _Pin) -> None:
        super().__init__(url, headers=headers, method="GET")
        self.pin = pin


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: _Request) -> Any:  # type: ignore[override]
        return self.do_open(_pinned(_PinnedHTTPConnection, req.pin), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: _Request) -> Any:  # type: ignore[override]
        return self.do_open(_pinned(_PinnedHTTPSConnection, req.pin), req)


def _opener() -> urllib.request.OpenerDirector:
    # No build_opener: it would add file, ftp, data, proxy and redirect handlers.
    opener = urllib.request.OpenerDirector()
    opener.add_handler(_HTTPHandler())
    opener.add_handler(_HTTPSHandler())
    return opener


_OPENER = _opener()


def _get_once(
    url: str, target: Target, *, headers: Mapping[str, str], deadline: float, max_bytes: int
) -> Response:
    pin = _Pin(target)
    request = _Request(url, headers={"Accept-Encoding": "gzip, deflate", **headers}, pin=pin)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("deadline passed before the request")
    # Bounds what no read loop can: the TLS handshake and a trickled status line or headers.
    watchdog = threading.Timer(remaining, pin.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        with _OPENER.open(request, timeout=remaining) as reply:
            status = reply.status
            raw_headers = {name.lower(): value for name, value in reply.headers.items()}
            body = _read(reply, pin, deadline=deadline, max_bytes=max_bytes)
    except (OSError, ValueError, http.client.HTTPException) as error:  # URLError is an OSError
        if pin.expired or time.monotonic() >= deadline:
            raise FetchError("no complete response before the deadline") from error
        reason = getattr(error, "reason", error)
        raise FetchError(f"{type(error).__name__}: {reason}") from error
    finally:
        watchdog.cancel()
    encoding = raw_headers.get("content-encoding", "").lower()
    if encoding in ("gzip", "deflate"):
        body = _decompress(body, gzip=encoding == "gzip", max_bytes=max_bytes)
    if len(body) > max_bytes:
        raise FetchError(f"response larger than {max_bytes} bytes")
    return Response(url, status, raw_headers, body)


def _read(reply: Any, pin: _Pin, *, deadline: float, max_bytes: int) -> bytes:
    # A socket timeout bounds one read only: check the request's deadline between reads.
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("no complete response before the deadline")
        if pin.sock is not None:
            pin.sock.settimeout(remaining)
        chunk = reply.read1(_CHUNK)
        if pin.expired:
            raise FetchError("no complete response before the deadline")
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response larger than {max_bytes} bytes")
        chunks.append(chunk)


def _decompress(data: bytes, *, gzip: bool, max_bytes: int) -> bytes:
    # Bounded output: a small compressed bomb cannot expand past the cap.
    inflater = zlib.decompressobj(wbits=31 if gzip else 15)
    try:
        return inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise FetchError(f"bad {'gzip' if gzip else 'deflate'} body: {error}") from error
