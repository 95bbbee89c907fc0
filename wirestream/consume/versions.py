"""Where a follower remembers the highest version it handed out per event."""

from __future__ import annotations

from typing import Protocol


class VersionStore(Protocol):
    """The highest version handled per event id. Persist it with your own state.

    A store that forgets on restart lets an older re-send through after the restart; keep
    it next to what the handler writes (the event service keeps it in its SQLite file).
    """

    def get(self, event_id: str) -> int | None:
        """The highest version handled for ``event_id``, None if none yet."""
        ...

    def put(self, event_id: str, version: int) -> None:
        """Record that ``version`` of ``event_id`` was handled (called after the handler)."""
        ...


class MemoryVersions:
    """A ``VersionStore`` in a dict: right for one process whose state is also in memory."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}

    def get(self, event_id: str) -> int | None:
        """The highest version handled for ``event_id``."""
        return self.versions.get(event_id)

    def put(self, event_id: str, version: int) -> None:
        """Remember ``version`` unless a higher one is known."""
        if version > self.versions.get(event_id, 0):
            self.versions[event_id] = version
