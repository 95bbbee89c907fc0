"""Crash workers and brokers mid-stream; nothing acknowledged may be lost, ever.

The CI form (one worker SIGKILL, one broker restart) is `integration`; every full scenario
is `chaos` (`pytest -m chaos tests/reliability`, or `wirestream chaos`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deploy.jars import JarDownloadError
from deploy.java import JavaNotFoundError
from wirestream.chaos.scenarios import FULL, QUICK, run_scenario

# output must resume this soon after a fault (static membership, 6 s session timeout)
RECOVERY_LIMIT_S = 20.0


def _run(name: str, root: Path) -> dict[str, Any]:
    try:
        return run_scenario(name, root)
    except (JavaNotFoundError, JarDownloadError) as error:
        pytest.skip(f"no local Kafka broker possible: {error}")


def _check(figures: dict[str, Any], *, recovery_limit: float | None) -> None:
    assert figures["inputs"] > 0 and figures["unacked_inputs"] == 0, figures
    assert figures["lost"] == 0, figures
    assert figures["divergent_duplicates"] == 0, figures
    assert figures["event_violations"] == 0, figures
    assert None not in figures["recoveries_s"], figures
    if all("worker" in fault for fault in figures["faults"]):
        # a crashed worker redoes at most what it had not committed (broker outages also
        # make producers retry, so they have no such bound)
        assert figures["duplicated_resends"] <= figures["resend_bound"], figures
    if recovery_limit is not None:
        assert figures["recovery_s"] <= recovery_limit, figures


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(QUICK))
def test_quick_chaos(name: str, tmp_path: Path) -> None:
    figures = _run(name, tmp_path)
    _check(figures, recovery_limit=None)
    assert figures["recoveries_s"][0] <= RECOVERY_LIMIT_S, figures  # the worker SIGKILL


@pytest.mark.chaos
@pytest.mark.integration
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("name", sorted(FULL))
def test_full_chaos(name: str, tmp_path: Path) -> None:
    figures = _run(name, tmp_path)
    # a SIGKILLed worker is back within the limit; broker faults include a JVM restart
    limit = RECOVERY_LIMIT_S if "worker" in name else None
    _check(figures, recovery_limit=limit)
