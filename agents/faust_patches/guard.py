"""A start-up check that the Faust internals the patches override still exist."""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver
from mode.utils.queues import FlowControlEvent

# What agents/faust_patches/consumer.py and flow.py read or override, by owner.
CONSUMER_NEEDS = (
    "_committed_offset",
    "_acked",
    "_acked_index",
    "_gap",
    "_read_offset",
    "_unacked_messages",
    "_new_offset",
    "_commit_tps",
    "_add_gap",
    "seek_to_committed",
    "earliest_offsets",
    "seek_wait",
    "seek",
    "assignment",
    "flow_active",
    "log",
)
APP_NEEDS = ("rebalancing", "in_recovery", "flow_control", "tables", "topics")
FLOW_NEEDS = ("resume", "is_active")


class FaustInternalsChanged(RuntimeError):
    """The installed Faust lacks an internal the patches rely on; one line for the operator."""


def missing_internals(app: Any) -> list[str]:
    """The internals the patches need that this Faust lacks, as ``Owner.name``.

    Args:
        app: a Faust app with the patches applied (its consumer is created if need be).
    """
    # Methods are looked up on Faust's classes: the patch classes define their overrides.
    owners = [
        ("App", app, type(app), APP_NEEDS),
        ("FlowControlEvent", app.flow_control, FlowControlEvent, FLOW_NEEDS),
        ("Consumer", app.consumer, driver.Consumer, CONSUMER_NEEDS),
    ]
    return [
        f"{label}.{name}"
        for label, instance, base, names in owners
        for name in names
        if name not in vars(instance) and not hasattr(base, name)
    ]


def require_faust_internals(app: Any) -> None:
    """Raise ``FaustInternalsChanged`` naming the Faust version when an internal is gone.

    Args:
        app: a Faust app with the patches applied.
    """
    missing = missing_internals(app)
    if missing:
        raise FaustInternalsChanged(
            f"wirestream: faust-streaming {faust.__version__} lacks {', '.join(missing)}, "
            "which agents/faust_patches override; install the faust-streaming version of "
            "requirements.lock (0.15.x)"
        )
