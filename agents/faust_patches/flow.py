"""Flow control that empties the stream queues once per suspension, not on every resume."""

from __future__ import annotations

from typing import Any

from mode.utils.queues import FlowControlEvent


# Why: after a rebalance Faust resumes the flow from two recovery paths, and every resume clears
# the agents' queues. Records the fetcher delivered after the first resume would be thrown away
# by the second (read offset past them, never acked: a hole at the committed offset that only
# a re-read 3 commit intervals later fills).
class ResumeOnceFlowControl(FlowControlEvent):
    """Clears the managed queues only when the flow was suspended."""

    def resume(self) -> None:
        """Resume production into the queues; a resume of a running flow changes nothing."""
        if not self.is_active():
            super().resume()


def use_resume_once_flow_control(app: Any) -> None:
    """Give ``app`` the flow control above (call before its agents and topics are declared).

    Args:
        app: a Faust app.
    """
    app.flow_control = ResumeOnceFlowControl(loop=app.loop)
