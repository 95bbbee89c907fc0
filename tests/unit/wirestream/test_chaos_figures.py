"""Figures the chaos harness derives from the output topics."""

from __future__ import annotations

import pytest

from wirestream.chaos.audit import Outputs, Record
from wirestream.chaos.run import steady_latency

pytestmark = pytest.mark.pure


def _article(raw_id: str, at_s: float) -> Record:
    return Record({"raw_id": raw_id}, int(at_s * 1000))


def test_steady_latency_is_the_median_before_the_first_fault() -> None:
    outputs = Outputs(
        articles=[
            _article("a", 101.0),  # first output: the warm-up ends here
            _article("b", 102.5),
            _article("c", 104.0),
            _article("c", 105.0),  # a re-send does not count
            _article("d", 130.0),  # after the fault: the outage is not time in flight
        ]
    )
    sent_at = {"a": 100.0, "b": 101.5, "c": 101.0, "d": 110.0}
    assert steady_latency(outputs, sent_at, before=120.0) == pytest.approx(3.0)
    assert steady_latency(outputs, sent_at, before=None) == pytest.approx(3.0)
    assert steady_latency(Outputs(), sent_at, before=None) is None


def test_a_fault_before_output_flowed_takes_the_calm_after_the_last_one() -> None:
    outputs = Outputs(
        articles=[_article(i, at) for i, at in (("a", 101.0), ("b", 130.0), ("c", 152.0))]
        + [_article("d", 156.0)]
    )
    sent_at = {"a": 100.0, "b": 101.0, "c": 150.0, "d": 153.0}
    # the fault came at 100.5, before anything went through; output resumed at 130
    assert steady_latency(outputs, sent_at, before=100.5, after=130.0) == pytest.approx(3.0)
    assert steady_latency(outputs, sent_at, before=100.5) is None
