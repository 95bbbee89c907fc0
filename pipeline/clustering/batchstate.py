"""A write-back view of a state mapping: each key changed in a batch is written once."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

_GONE = object()


class BatchState(MutableMapping[str, Any]):
    """Reads fall through to the state; writes and deletes wait in order until `flush`.

    Args:
        state: the underlying state (a dict or a Faust table).
    """

    def __init__(self, state: MutableMapping[str, Any]) -> None:
        self.state = state
        self.pending: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self.pending.get(key, self)
        if value is self:
            return self.state[key]
        if value is _GONE:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """The value of `key` as the batch sees it, else `default`.

        Args:
            key: the state key.
            default: returned for a missing key.
        """
        value = self.pending.get(key, self)
        if value is self:
            return self.state.get(key, default)
        return default if value is _GONE else value

    def __contains__(self, key: object) -> bool:
        value = self.pending.get(key, self)  # type: ignore[call-overload]
        return key in self.state if value is self else value is not _GONE

    def __setitem__(self, key: str, value: Any) -> None:
        self.pending[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.pending[key] = _GONE

    def __iter__(self) -> Iterator[str]:
        for key in self.state:
            if self.pending.get(key) is not _GONE:
                yield key
        for key, value in self.pending.items():
            if value is not _GONE and key not in self.state:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def flush(self) -> None:
        """Write what the batch changed to the state, once per key, in first-change order."""
        for key, value in self.pending.items():
            if value is _GONE:
                self.state.pop(key, None)
            else:
                self.state[key] = value
        self.pending.clear()
