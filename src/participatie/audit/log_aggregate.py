"""The base of the logs that are aggregates (access log, processing log, security log)."""

from __future__ import annotations

import copy
from typing import Any

from eventsourcing.domain import Aggregate

__all__ = ["LogAggregate"]


class LogAggregate(Aggregate):
    """An append-only log whose state is immutable values (ids, numbers, times, frozen entries).

    eventsourcing hands out a copy of every aggregate it keeps in its cache; for such a log a
    shallow copy with its own list of pending events is a deep one, at a fraction of
    ``copy.deepcopy``'s cost (which was most of what the processing log added to a command).
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copied = copy.copy(self)
        copied._pending_events = list(self._pending_events)
        return copied
