"""Which addresses a fetch may reach: public ones, plus the origins a feed's config allows.

Feed documents and the pages they link to are chosen by strangers, so every host is resolved
here, every address it resolves to is checked, and the connection is then made to the
checked address itself (see `wirestream.feeds.http`): a second lookup by the HTTP library
could answer differently (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}

Resolver = Callable[..., list[tuple[Any, ...]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The request failed before an HTTP status was received (DNS, refused, timeout, size)."""


class Refused(FetchError):
    """The URL's scheme or address is not one a fetch may reach."""


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks, with the address to connect to.

    Args:
        scheme: ``http`` or ``https``.
        host: the host name as written in the URL (sent as Host and TLS SNI).
        port: the TCP port.
        address: the checked IP address the connection must use.
    """

    scheme: str
    host: str
    port: int
    address: str


def origin(url: str) -> str:
    """The origin of an http(s) URL, ``scheme://host:port``, port always written.

    Args:
        url: an absolute URL.

    Raises:
        Refused: the scheme is not http(s) or the URL has no host or a bad port.
    """
    scheme, host, port = _parts(url)
    return f"{scheme}://{_bracketed(host)}:{port}"


def vet(
    url: str, *, allowed: Collection[str] = (), resolve: Resolver = socket.getaddrinfo
) -> Target:
    """Resolve a URL's host and check every address it has; return where to connect.

    Args:
        url: the URL about to be fetched.
        allowed: origins (see `origin`) that may resolve to non-public addresses.
        resolve: ``socket.getaddrinfo`` or a stand-in with its signature.

    Raises:
        Refused: a scheme other than http(s), or an address that is not public while the
            URL's origin is not in ``allowed``.
        FetchError: the host does not resolve.
    """
    scheme, host, port = _parts(url)
    try:
        answers = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host!r}: {error}") from error
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    if not addresses:
        raise FetchError(f"cannot resolve {host!r}: no address")
    if f"{scheme}://{_bracketed(host)}:{port}" not in allowed:
        for address in addresses:
            kind = non_public(ipaddress.ip_address(address))
            if kind:
                what = f"{host} is" if host == address else f"{host} resolves to {address},"
                raise Refused(
                    f"{what} a {kind} address; list {scheme}://{_bracketed(host)}:{port} in the "
                    "feed's allow_private_origins to fetch it"
                )
    return Target(scheme, host, port, addresses[0])


def non_public(address: IPAddress) -> str | None:
    """What kind of non-public address this is, or None for a public one.

    IPv4 addresses carried inside IPv6 ones (``::ffff:a.b.c.d``, 6to4 ``2002::/16``) are
    judged by the IPv4 address they carry.

    Args:
        address: an IP address.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return non_public(inner)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-global", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def _parts(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused(f"scheme {scheme or 'none'!r} refused: only http and https are fetched")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise Refused(f"bad port in {url!r}") from error
    if not host:
        raise Refused(f"no host in {url!r}")
    return scheme, host, port or SCHEMES[scheme]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
