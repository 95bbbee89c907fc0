"""A Faust consumer that never leaves a hole before a partition's first commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from faust.transport.drivers import aiokafka as driver


# Why: Faust drops records it fetched during a rebalance (flow stopped, or an older generation)
# and relies on "seek to committed" to read them again. aiokafka seeks only to committed offsets
# above 0, so a partition never committed kept the client's position past the dropped records,
# and Faust's next commit (no lower bound before a first commit) went over them: when a second
# worker joined a fresh pipeline, the enriched topic's first batch was committed unclustered
# (16 of 200 inputs lost in 4 of 6 chaos runs). Rewinding such partitions to their start (the
# "earliest" reset the app asks for) makes every drop a re-read: at least once again.
class RewindingConsumer(driver.Consumer):
    """Seeks never-committed stream partitions to their first offset wherever Faust seeks."""

    async def seek_to_committed(self) -> Mapping[Any, int]:
        """Seek to the committed offsets, and partitions with none (or 0) to their beginning."""
        committed = await super().seek_to_committed()
        fresh = [tp for tp, offset in committed.items() if not offset and self._is_stream(tp)]
        if fresh and self.app.conf.consumer_auto_offset_reset == "earliest":
            starts = await self.earliest_offsets(*fresh)
            await self.seek_wait({tp: starts[tp] for tp in fresh})
        return committed

    def _new_offset(self, tp: Any) -> int | None:
        # Faust commits over a hole of exactly one record at the committed offset (its check is
        # "min(acked) - committed > 1"): a record dropped there was lost. Wait for it instead.
        committed = self._committed_offset[tp]
        acked = self._acked[tp]
        gaps = self._gap[tp]
        head = min([*acked, *(interval.begin for interval in gaps)], default=None)
        if committed is not None and head is not None and head > committed:
            return None
        return cast(int | None, super()._new_offset(tp))

    def _is_stream(self, tp: Any) -> bool:
        # Changelog positions belong to table recovery; only the agents' sources are rewound.
        topics = self.app.topics
        return bool(
            topics.acks_enabled_for(tp.topic) and tp.topic not in self.app.tables.changelog_topics
        )


class RewindingTransport(driver.Transport):
    """The aiokafka transport with ``RewindingConsumer``."""

    Consumer = RewindingConsumer


def use_rewinding_consumer(app: Any) -> None:
    """Give ``app`` the rewinding consumer (call before anything creates its transport).

    Args:
        app: a Faust app with a ``kafka://`` broker.
    """
    app.transport = RewindingTransport(app.conf.broker_consumer, app)
