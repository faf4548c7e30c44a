"""The copy eventsourcing hands out of its aggregate cache, for aggregates whose state is values.

eventsourcing keeps recently used aggregates in memory and gives each command a ``deepcopy`` of
the cached one, so that a command that fails half-way leaves the cache as it was. For the
trajectories and the logs that copy walked every date and number of the state (a resident's
trajectory of 40 events: about 300 us a load, most of what a command cost in Python). Their state
is immutable values (ids, numbers, dates, enums, tuples, frozen attrs objects) and dictionaries
of such values, which every event replaces rather than changes (``{**old, key: value}``); so a
copy needs only its own dictionaries and its own list of pending events.
"""

from __future__ import annotations

import copy
from typing import Any

from eventsourcing.domain import Aggregate

__all__ = ["ValueStateAggregate"]

#: Containers a state may hold (of immutable values): each copy gets its own.
_CONTAINERS = (dict, list, set)


class ValueStateAggregate(Aggregate):
    """An aggregate whose state is immutable values and containers of them: its deep copy is a
    shallow copy with fresh containers (what :func:`copy.deepcopy` would give, far cheaper)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copied = copy.copy(self)
        state = vars(copied)
        for name, value in state.items():
            if type(value) in _CONTAINERS:
                state[name] = copy.copy(value)
        return copied
