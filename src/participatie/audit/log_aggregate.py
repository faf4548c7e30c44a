"""The base of the logs that are aggregates (access log, processing log, security log)."""

from __future__ import annotations

from participatie.domain.copying import ValueStateAggregate

__all__ = ["LogAggregate"]


class LogAggregate(ValueStateAggregate):
    """An append-only log whose state is immutable values (ids, numbers, times, frozen entries).

    eventsourcing hands out a copy of every aggregate it keeps in its cache; for such a log a
    shallow copy with its own list of pending events is a deep one, at a fraction of
    ``copy.deepcopy``'s cost (which was most of what the processing log added to a command).
    """
