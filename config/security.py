"""Client security (SASL/SCRAM, TLS) from settings, rendered for kafka-python and aiokafka.

Every Kafka client of the project (worker, producer, feeds, tail, consumers, tests) takes its
security config from here, so one set of ``WIRESTREAM_*`` settings secures them all.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


class SecurityConfigError(ValueError):
    """The security settings contradict each other (e.g. SASL without a user name)."""


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
            settings: a ``config.settings.Settings``.
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
