"""A Faust consumer that re-reads the records Faust drops instead of committing over them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from time import monotonic
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
    """Re-reads what Faust drops: fresh partitions from their start, lasting holes from the hole."""

    #: Commit intervals a hole at the committed offset may last before its record is re-fetched.
    hole_patience = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no hole seen (see ``Consumer.__init__`` for the arguments)."""
        super().__init__(*args, **kwargs)
        self._holes: dict[Any, tuple[int, float]] = {}  # tp -> (committed offset, first seen)

    async def seek_to_committed(self) -> Mapping[Any, int]:
        """Seek to the committed offsets, and partitions with none (or 0) to their beginning."""
        self._holes.clear()  # this seek re-reads them all
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
            self._holes.setdefault(tp, (committed, monotonic()))
            return None
        self._holes.pop(tp, None)
        return cast(int | None, super()._new_offset(tp))

    async def _commit_tps(self, tps: Iterable[Any], start_new_transaction: bool) -> bool:
        did_commit = await super()._commit_tps(tps, start_new_transaction)
        await self._refetch_stale_holes()
        return did_commit

    async def _refetch_stale_holes(self) -> None:
        # Why: a record the stream skipped mid-flow (older generation, no seek after it) is never
        # fetched again, so the commit would wait for it until the next rebalance; re-read it.
        patience = self.hole_patience * float(self.app.conf.broker_commit_interval)
        if not self.flow_active:
            return  # mid-rebalance: Faust's own seek to committed comes next
        now, assigned = monotonic(), self.assignment()
        for tp, (committed, since) in list(self._holes.items()):
            if tp not in assigned or self._committed_offset[tp] != committed:
                del self._holes[tp]  # revoked or moved on: the hole is not ours any more
            elif now - since >= patience and not self._in_flight(tp, committed):
                self._holes[tp] = (committed, now)  # retry later if this re-read is dropped too
                self.log.warning("Re-reading %r from %r: that record was skipped", tp, committed)
                await self.seek(tp, committed)

    def _in_flight(self, tp: Any, offset: int) -> bool:
        # A slow record at the committed offset is being processed, not lost: no re-read.
        return any(m.tp == tp and m.offset == offset for m in self._unacked_messages)

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
