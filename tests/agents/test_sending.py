"""A batch's outputs are delivered, retried, or the worker ends before the batch is acked."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from agents.sending import EXIT_UNDELIVERED, send_all

pytestmark = pytest.mark.agents


class FlakyTopic:
    """A topic whose first ``failures`` deliveries fail, like a broker refusing a batch."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[bytes] = []

    async def send(self, *, key: Any, value: bytes, headers: Any) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.failures > 0:
            self.failures -= 1
            done.set_exception(RuntimeError("broker said no"))
        else:
            self.delivered.append(value)
            done.set_result(None)
        return done


def test_a_failed_delivery_is_retried() -> None:
    topic, failures = FlakyTopic(failures=1), []
    sends = [(topic, b"k", b"one", None), (topic, b"k", b"two", None)]
    asyncio.run(send_all(sends, pause_s=0.0, on_failure=failures.append))
    assert topic.delivered == [b"two", b"one", b"two"]  # the batch again: idempotent re-sends
    assert failures == []


def test_the_last_failure_is_handed_over_and_raised() -> None:
    topic, failures = FlakyTopic(failures=5), []
    with pytest.raises(RuntimeError, match="broker said no"):
        asyncio.run(send_all([(topic, b"k", b"v", None)], attempts=3, pause_s=0.0,
                             on_failure=failures.append))  # fmt: skip
    assert len(failures) == 1
    assert topic.failures == 2  # three attempts, no more


def test_undelivered_outputs_end_the_process_before_an_ack() -> None:
    # Faust acks a take_events batch when the agent body raises: the process must end first.
    script = textwrap.dedent(
        """
        import asyncio, logging
        from tests.agents.test_sending import FlakyTopic
        from agents.sending import send_all
        logging.basicConfig()
        asyncio.run(send_all([(FlakyTopic(9), b"k", b"v", None)], attempts=2, pause_s=0.0))
        print("not reached")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == EXIT_UNDELIVERED
    assert "not reached" not in done.stdout
    assert "outputs not delivered" in done.stderr
