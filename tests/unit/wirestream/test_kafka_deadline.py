"""The hard deadline around blocking Kafka client calls."""

from __future__ import annotations

import threading

import pytest

from wirestream.kafka import run_with_deadline

pytestmark = pytest.mark.pure


def test_a_call_that_returns_gives_its_value() -> None:
    assert run_with_deadline(lambda: 42, deadline_s=5, what="answering") == 42


def test_a_call_that_raises_raises_in_the_caller() -> None:
    def fail() -> None:
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        run_with_deadline(fail, deadline_s=5, what="failing")


def test_a_call_that_hangs_times_out_with_what_it_did() -> None:
    release = threading.Event()
    try:
        with pytest.raises(TimeoutError, match=r"reading news\.articles\.v1"):
            run_with_deadline(release.wait, deadline_s=0.2, what="reading news.articles.v1")
    finally:
        release.set()
