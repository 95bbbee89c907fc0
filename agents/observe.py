"""What the worker knows about itself: lag, readiness, memory and rates over the last minutes."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agents.metrics import Metrics

WINDOWS_S = (60, 300)


@dataclass(frozen=True)
class Sample:
    """Counter totals and total lag at one moment (monotonic seconds)."""

    at: float
    totals: Mapping[str, float]
    lag: int


class History:
    """A bounded ring of samples, turned into per-second rates over recent windows."""

    def __init__(self, *, keep: int = 180) -> None:
        """Keep the newest ``keep`` samples.

        Args:
            keep: ring size (e.g. 180 samples every 5 s = 15 minutes).
        """
        self.samples: deque[Sample] = deque(maxlen=keep)

    def record(self, sample: Sample) -> None:
        """Append one sample (the oldest drops out when full)."""
        self.samples.append(sample)

    def rates(self, window_s: float) -> dict[str, float]:
        """Per-second rates and ratios between the newest sample and the one ``window_s`` ago."""
        if len(self.samples) < 2:
            return {}
        newest = self.samples[-1]
        oldest = next(s for s in self.samples if s.at >= newest.at - window_s - 1e-6)
        if oldest is newest:
            oldest = self.samples[-2]
        return _rates(oldest, newest)

    def series(self) -> list[dict[str, float]]:
        """Rates between consecutive samples, oldest first (the status page's charts)."""
        points = list(self.samples)
        return [
            {"age_s": round(points[-1].at - b.at, 1), "lag": b.lag, **_rates(a, b)}
            for a, b in itertools.pairwise(points)
        ]


def _rates(a: Sample, b: Sample) -> dict[str, float]:
    span = max(b.at - a.at, 1e-9)
    delta = {k: max(b.totals.get(k, 0.0) - a.totals.get(k, 0.0), 0.0) for k in b.totals}
    ingested = delta.get("ingested", 0.0)
    articles = delta.get("articles", 0.0)
    return {
        "span_s": round(span, 1),
        "ingested_per_s": delta.get("ingested", 0.0) / span,
        "articles_per_s": articles / span,
        "deadletters_per_s": delta.get("deadletters", 0.0) / span,
        "duplicates_per_s": delta.get("duplicates", 0.0) / span,
        "error_rate": delta.get("deadletters", 0.0) / ingested if ingested else 0.0,
        "duplicate_rate": delta.get("duplicates", 0.0) / articles if articles else 0.0,
    }


def lag_by_partition(
    highwaters: Mapping[Any, int], committed: Mapping[Any, int | None]
) -> dict[tuple[str, int], int]:
    """Messages between each partition's end and its committed (or read) offset.

    Args:
        highwaters: partition (with ``topic``, ``partition``) to its end offset.
        committed: partition to the next offset to process (None: unknown, counted as 0).
    """
    lag = {}
    for tp, end in highwaters.items():
        done = committed.get(tp)
        lag[(tp.topic, tp.partition)] = max(int(end) - int(done or 0), 0)
    return lag


async def measure_lag(
    app: Any, topics: Iterable[str], *, wait_s: float = 5.0
) -> dict[tuple[str, int], int]:
    """Consumer lag of the worker's assigned partitions of ``topics``.

    Args:
        app: the running Faust app.
        topics: source topic names (changelogs are left out).
        wait_s: seconds to wait for the broker's answers.
    """
    wanted = set(topics)
    tps = sorted(tp for tp in app.consumer.assignment() if tp.topic in wanted)
    if not tps:
        return {}
    highwaters = await asyncio.wait_for(app.consumer.highwaters(*tps), wait_s)
    committed: dict[Any, int | None] = dict(app.monitor.tp_committed_offsets)
    for tp in tps:
        if committed.get(tp) is None:
            # Nothing committed by this worker yet: its read position is where work resumes.
            committed[tp] = await asyncio.wait_for(app.consumer.position(tp), wait_s)
    return lag_by_partition({tp: highwaters[tp] for tp in tps if tp in highwaters}, committed)


async def broker_reachable(bootstrap: str, *, wait_s: float = 1.0) -> bool:
    """Whether any bootstrap server accepts a TCP connection within ``wait_s``.

    Args:
        bootstrap: ``host:port[,host:port…]``.
        wait_s: seconds per server.
    """
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), wait_s)
        except (OSError, ValueError, TimeoutError):
            continue
        writer.close()
        return True
    return False


def tables_recovered(app: Any) -> bool:
    """Faust finished recovering its tables and is not rebalancing."""
    recovery = app.tables.recovery
    return bool(recovery.completed.is_set() and not app.rebalancing and not recovery.in_recovery)


def resident_bytes(pid: int) -> int | None:
    """Resident set size of ``pid`` from ``/proc`` (None where there is no ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return None
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") if len(fields) > 1 else None


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (the NLP pool's processes), from ``/proc``."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces: the parent pid is the 2nd field after ")".
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            children.append(int(stat.parent.name))
    return children


def memory(pid: int | None = None) -> dict[str, int]:
    """Resident bytes of the worker and, summed, of its child processes."""
    pid = pid or os.getpid()
    children = [resident_bytes(child) for child in child_pids(pid)]
    return {"worker": resident_bytes(pid) or 0, "pool": sum(c or 0 for c in children)}


def utc_iso(clock: Callable[[], float] = time.time) -> str:
    """Wall-clock time as ISO 8601 UTC (for the status document)."""
    return datetime.fromtimestamp(clock(), UTC).isoformat()


def status_document(
    *,
    app_id: str,
    metrics: Metrics,
    history: History,
    lag: Mapping[tuple[str, int], int],
    lag_measured_at: str | None,
    ready: Mapping[str, bool],
    uptime_s: float,
) -> dict[str, Any]:
    """The JSON the status page polls and ``wirestream status`` reads.

    Args:
        app_id: the Faust app id.
        metrics: counters and the newest events and dead letters.
        history: sampled totals.
        lag: the latest lag per (topic, partition).
        lag_measured_at: when that lag was measured (ISO 8601), None before the first time.
        ready: readiness checks.
        uptime_s: seconds since the observer started.
    """
    return {
        "app_id": app_id,
        "time": utc_iso(),
        "uptime_s": round(uptime_s, 1),
        "ready": {"ok": all(ready.values()) if ready else False, "checks": dict(ready)},
        "totals": metrics.totals(),
        "deadletters_by_reason": metrics.deadletters_by_reason(),
        "duplicates_by_kind": metrics.duplicates_by_kind(),
        "rates": {f"{w}s": history.rates(w) for w in WINDOWS_S},
        "series": history.series(),
        "lag": {
            "total": sum(lag.values()),
            "measured_at": lag_measured_at,
            "partitions": [
                {"topic": t, "partition": p, "lag": n} for (t, p), n in sorted(lag.items())
            ],
        },
        "recent_events": metrics.newest_events(),
        "recent_deadletters": list(metrics.recent_deadletters),
    }
