"""The SASL password never reaches a log line, not even with every logger at DEBUG."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.pure

PASSWORD = "pw-sentinel-7Qx"
# ensure_topics against a port nobody listens on, every logger at DEBUG, to stderr.
SCRIPT = f"""
import logging
from wirestream.kafka import ensure_topics
from config.settings import Settings

logging.basicConfig(level=logging.DEBUG)
settings = Settings.from_env({{
    "WIRESTREAM_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "WIRESTREAM_SASL_USERNAME": "worker",
    "WIRESTREAM_SASL_PASSWORD": "{PASSWORD}",
}})
ensure_topics("127.0.0.1:1", settings)
"""


def test_debug_logging_of_the_admin_client_hides_the_password() -> None:
    # The client retries for 30 s; its start-up lines are out within the first seconds.
    try:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=6
        )
        logged = done.stderr
    except subprocess.TimeoutExpired as expired:
        logged = expired.stderr.decode() if isinstance(expired.stderr, bytes) else expired.stderr
    assert "kafka" in (logged or "")  # DEBUG lines of the client were written
    assert PASSWORD not in (logged or "")
