"""Client security (SASL/SCRAM, TLS) from settings, rendered for kafka-python, aiokafka and Faust.

Every Kafka client of the project (worker, producer, feeds, tail, tests) takes its
security config from here, so one set of ``WIRESTREAM_*`` settings secures them all.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Any

from kafka.errors import KafkaError

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


class SecurityConfigError(ValueError):
    """The security settings contradict each other (e.g. SASL without a user name)."""


class BrokerAccessError(KafkaError):  # type: ignore[misc]
    """The broker refused or could not be reached; one line for the operator (a KafkaError)."""

    def __str__(self) -> str:
        # KafkaError prefixes the class name; the operator gets the sentence alone.
        return str(self.args[0]) if self.args else "wirestream: broker access failed"


@dataclass(frozen=True)
class ClientSecurity:
    """How a client authenticates and encrypts: protocol, SASL user, TLS files.

    Args:
        protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
        mechanism: SASL mechanism (SCRAM-SHA-512 by default).
        username: SASL user.
        password: SASL password.
        cafile: PEM file of the CA that signed the brokers' certificates (empty: system CAs).
        certfile: PEM client certificate for mutual TLS (optional).
        keyfile: PEM key of the client certificate (optional).
    """

    protocol: str = "PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    username: str = ""
    password: str = ""
    cafile: str = ""
    certfile: str = ""
    keyfile: str = ""

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise SecurityConfigError(f"security protocol {self.protocol!r} not in {PROTOCOLS}")
        if self.uses_sasl and self.mechanism not in MECHANISMS:
            raise SecurityConfigError(f"SASL mechanism {self.mechanism!r} not in {MECHANISMS}")
        if self.uses_sasl and not (self.username and self.password):
            raise SecurityConfigError(f"{self.protocol} needs sasl_username and sasl_password")

    def __repr__(self) -> str:
        # never print the password, not even in a traceback
        return (
            f"ClientSecurity(protocol={self.protocol!r}, mechanism={self.mechanism!r}, "
            f"username={self.username!r})"
        )

    @classmethod
    def from_settings(cls, settings: Any) -> ClientSecurity:
        """The security part of a ``Settings``.

        Args:
            settings: a ``wirestream.settings.Settings``.
        """
        return cls(
            protocol=settings.security_protocol.upper(),
            mechanism=settings.sasl_mechanism.upper(),
            username=settings.sasl_username,
            password=settings.sasl_password,
            cafile=settings.ssl_cafile,
            certfile=settings.ssl_certfile,
            keyfile=settings.ssl_keyfile,
        )

    @property
    def uses_sasl(self) -> bool:
        """True for SASL_PLAINTEXT and SASL_SSL."""
        return self.protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        """True for SSL and SASL_SSL."""
        return self.protocol in ("SSL", "SASL_SSL")

    def describe(self) -> str:
        """Who connects how, for messages: ``user 'x' (SCRAM-SHA-512 over SASL_SSL)``."""
        if self.uses_sasl:
            return f"user {self.username!r} ({self.mechanism} over {self.protocol})"
        return self.protocol

    def ssl_context(self) -> ssl.SSLContext | None:
        """A verifying client TLS context, or None without TLS."""
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=self.cafile or None)
        if self.certfile:
            context.load_cert_chain(self.certfile, self.keyfile or None)
        return context

    def kafka_python(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python clients (producer, consumer, admin)."""
        config: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_sasl:
            config |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.uses_tls:
            config |= {"ssl_context": self.ssl_context(), "ssl_check_hostname": True}
        return config

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka clients and connections (the context checks hosts)."""
        config = self.kafka_python()
        config.pop("ssl_check_hostname", None)
        return config

    def faust(self) -> dict[str, Any]:
        """Faust app settings: ``broker_credentials`` for SASL/TLS, nothing for PLAINTEXT."""
        import faust

        if self.uses_sasl:
            credentials: Any = faust.SASLCredentials(
                username=self.username,
                password=self.password,
                mechanism=self.mechanism,
                ssl_context=self.ssl_context(),
            )
            return {"broker_credentials": credentials}
        if self.uses_tls:
            return {"broker_credentials": faust.SSLCredentials(self.ssl_context())}
        return {}


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
