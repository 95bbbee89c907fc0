"""Broker access checks for the command-line clients: fail in one line, not a 30 s timeout."""

from __future__ import annotations

import asyncio
import ssl

from kafka.errors import KafkaError

from config.security import ClientSecurity


class BrokerAccessError(KafkaError):  # type: ignore[misc]
    """The broker refused or could not be reached; one line for the operator (a KafkaError)."""

    def __str__(self) -> str:
        # KafkaError prefixes the class name; the operator gets the sentence alone.
        return str(self.args[0]) if self.args else "wirestream: broker access failed"


def check_access(bootstrap: str, security: ClientSecurity, *, timeout_s: float = 10.0) -> None:
    """Connect, authenticate and fetch metadata once; raise ``BrokerAccessError`` in one line.

    Clients retry refused logins for their whole timeout; this fails in about a second.

    Args:
        bootstrap: comma-separated host:port list.
        security: how to connect.
        timeout_s: bound on the whole check.
    """
    asyncio.run(_check_access(bootstrap, security, timeout_s))


async def _check_access(bootstrap: str, security: ClientSecurity, timeout_s: float) -> None:
    from aiokafka.client import AIOKafkaClient
    from aiokafka.errors import KafkaError as AioKafkaError

    hosts = [part.strip() for part in bootstrap.split(",") if part.strip()]
    problems = []
    for address in hosts:
        problem = await _probe(address, security, timeout_s)
        if problem is None:
            break
        if problem.startswith("authentication failed"):
            raise BrokerAccessError(f"wirestream: {problem}")
        problems.append(problem)
    else:
        raise BrokerAccessError(f"wirestream: no broker reachable: {'; '.join(problems)}")
    client = AIOKafkaClient(
        bootstrap_servers=hosts, request_timeout_ms=int(timeout_s * 1000), **security.aiokafka()
    )
    try:
        await asyncio.wait_for(client.bootstrap(), timeout_s)
    except (AioKafkaError, OSError, TimeoutError) as error:
        raise BrokerAccessError(
            f"wirestream: no metadata from {bootstrap} as {security.describe()}: "
            f"{_short(error)} (does the listener speak {security.protocol}?)"
        ) from None
    finally:
        await client.close()


async def _probe(address: str, security: ClientSecurity, timeout_s: float) -> str | None:
    from aiokafka.conn import create_conn
    from aiokafka.errors import KafkaError as AioKafkaError
    from aiokafka.errors import SaslAuthenticationFailed

    host, _, port = address.rpartition(":")
    try:
        conn = await asyncio.wait_for(
            create_conn(
                host, int(port), request_timeout_ms=int(timeout_s * 1000), **security.aiokafka()
            ),
            timeout_s,
        )
    except SaslAuthenticationFailed:
        return f"authentication failed for {security.describe()} at {address}"
    except ssl.SSLError as error:
        return f"TLS handshake with {address} failed: {error.reason or error}"
    except (AioKafkaError, OSError, TimeoutError) as error:
        return f"{address}: {_short(error)}"
    conn.close()
    return None


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
