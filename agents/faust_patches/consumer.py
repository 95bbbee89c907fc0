"""A Faust consumer that re-reads the records Faust drops instead of committing over them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from time import monotonic
from typing import Any

from faust.transport.drivers import aiokafka as driver


@dataclass
class Hole:
    """A record missing at a partition's committed offset, holding its commit back."""

    committed: int
    since: float
    blocked: str = ""  # why the last re-read was put off (logged once per reason)


# Why: Faust drops records it fetched during a rebalance (flow stopped, or an older generation)
# and relies on "seek to committed" to read them again. aiokafka seeks only to committed offsets
# above 0, so a partition never committed keeps the client's position past the dropped records,
# and Faust's next commit (no lower bound before a first commit) goes over them: when a second
# worker joins a fresh pipeline, the enriched topic's first batch would be committed
# unclustered. Rewinding such partitions to their start (the "earliest" reset the app asks
# for) makes every drop a re-read: at least once again.
class RewindingConsumer(driver.Consumer):
    """Never commits past a record no agent processed, and re-reads the records Faust skips."""

    #: Commit intervals a hole at the committed offset may last before its record is re-fetched.
    hole_patience = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no hole seen (see ``Consumer.__init__`` for the arguments)."""
        super().__init__(*args, **kwargs)
        self._holes: dict[Any, Hole] = {}
        self._held_logged: dict[Any, int] = {}  # tp -> committed offset last reported held

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
            if tp not in self._holes:
                self._holes[tp] = Hole(committed, monotonic())
            # Once per hole: a rebalance's seeks clear `_holes` every second while it lasts.
            if self._held_logged.get(tp) != committed:
                self._held_logged[tp] = committed
                self._warn(
                    "Holding the commit of %r at %r: that record is not acknowledged "
                    "(acked head %r, %d acked, gaps %r, read offset %r)",
                    tp, committed, head, len(acked), sorted((i.begin, i.end) for i in gaps),
                    self._read_offset.get(tp), tp=tp,
                )  # fmt: skip
            return None
        self._holes.pop(tp, None)
        return super()._new_offset(tp)

    async def _commit_tps(self, tps: Iterable[Any], start_new_transaction: bool) -> bool:
        did_commit = await super()._commit_tps(tps, start_new_transaction)
        await self._refetch_stale_holes()
        return did_commit

    async def _add_gap(self, tp: Any, offset_from: int, offset_to: int) -> None:
        # Why: Faust counts offsets missing between two fetched records as processed (meant for
        # compaction and transaction markers). Our sources are neither, so a jump is records
        # the fetcher skipped, which a commit would go over unread. Leave them
        # unacknowledged; the commit stops at the first, and the hole re-read fetches them.
        if not self._is_stream(tp):
            await super()._add_gap(tp, offset_from, offset_to)
            return
        acked = self._acked_index.get(tp, ())
        if all(offset in acked for offset in range(offset_from, offset_to)):
            return  # all acknowledged already: nothing to wait for
        self._warn(
            "Records %r..%r of %r were skipped (read offset %r): the commit waits for them",
            offset_from, offset_to - 1, tp, self._read_offset.get(tp), tp=tp,
        )  # fmt: skip

    async def _refetch_stale_holes(self) -> None:
        # Why: a record the stream skipped mid-flow (older generation, no seek after it) is never
        # fetched again, so the commit would wait for it until the next rebalance; re-read it.
        patience = self.hole_patience * float(self.app.conf.broker_commit_interval)
        now, assigned = monotonic(), self.assignment()
        for tp, hole in list(self._holes.items()):
            if tp not in assigned or self._committed_offset[tp] != hole.committed:
                del self._holes[tp]  # revoked or moved on: the hole is not ours any more
            elif now - hole.since >= patience:
                await self._reread(tp, hole, now)

    async def _reread(self, tp: Any, hole: Hole, now: float) -> None:
        blocked = self._reread_blocked(tp, hole.committed)
        if blocked:
            if blocked != hole.blocked:
                hole.blocked = blocked
                self._warn("Re-read of %r at %r put off: %s", tp, hole.committed, blocked, tp=tp)
        elif await self._expired(tp, hole.committed):
            del self._holes[tp]
        else:
            hole.since, hole.blocked = now, ""  # retry later if this re-read is dropped too
            self._warn("Re-reading %r from %r: that record was skipped", tp, hole.committed, tp=tp)
            await self.seek(tp, hole.committed)

    def _reread_blocked(self, tp: Any, offset: int) -> str:
        # Why not to seek now: after a rebalance and its recovery Faust seeks to committed anyway
        # (a seek during recovery coincided with recoveries that never ended), and a slow record
        # at the committed offset is being processed, not lost.
        if not self.flow_active or self.app.rebalancing or self.app.in_recovery:
            return "rebalance or table recovery in progress"
        if any(m.tp == tp and m.offset == offset for m in self._unacked_messages):
            return "the record is in flight (delivered, not acknowledged)"
        return ""

    async def _expired(self, tp: Any, offset: int) -> bool:
        # Records the broker deleted (retention) never come back: count them as done, or the
        # commit would wait at them forever.
        earliest = (await self.earliest_offsets(tp)).get(tp, 0)
        if offset >= earliest:
            return False
        self._warn("Records %r..%r of %r are deleted: skipped", offset, earliest - 1, tp, tp=tp)
        gone = [n for n in range(offset, earliest) if n not in self._acked_index[tp]]
        self._acked[tp].extend(gone)
        self._acked_index[tp].update(gone)
        return True

    def _warn(self, message: str, *args: Any, tp: Any) -> None:
        # The topic and partition become fields of a JSON log line.
        self.log.warning(message, *args, extra={"topic": tp.topic, "partition": tp.partition})

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
