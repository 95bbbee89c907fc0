"""Reliability tests: the CI form is `integration`; the full scenarios need `-m chaos`."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    """Register the `chaos` marker (the full fault-injection scenarios, minutes each)."""
    config.addinivalue_line("markers", "chaos: full chaos scenarios; run with -m chaos")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `chaos` tests unless the marker expression asks for them (plain `pytest` must not)."""
    wanted = "chaos" in (config.getoption("markexpr") or "")
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        if item.get_closest_marker("chaos") and not wanted:
            item.add_marker(pytest.mark.skip(reason="full chaos scenario: run with -m chaos"))
