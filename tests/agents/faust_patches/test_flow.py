"""A second resume of a running flow keeps the records already queued for the agents."""

from __future__ import annotations

import pytest

from agents.app import build_app
from agents.faust_patches.flow import ResumeOnceFlowControl
from agents.pool import NlpPool
from config.settings import Settings
from tests.support import blank_resources

pytestmark = pytest.mark.agents


def test_a_resume_clears_the_queues_once_per_suspension() -> None:
    settings = Settings(store="memory://", web_enabled=False, broker="127.0.0.1:1")
    app = build_app(settings, pool=NlpPool(blank_resources)).app
    assert isinstance(app.flow_control, ResumeOnceFlowControl)
    queue = app.FlowControlQueue(maxsize=10, clear_on_resume=True)  # as an agent's stream has
    app.flow_control.suspend()
    queue.force_put_nowait("fetched before the rebalance")
    app.flow_control.resume()  # the first recovery path: stale records go
    assert queue.empty()
    queue.force_put_nowait("fetched after the seek")
    app.flow_control.resume()  # the second path: plain Faust clears this live record too
    assert queue.qsize() == 1
