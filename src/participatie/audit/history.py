"""A resident's history for audit, and trajectories as they stood on a date (bitemporal replay).

Two times meet here. The business date (``occurred_on``) is when something happened in the
resident's life; the recorded time (the event's ``timestamp``, set when the command was saved) is
when the system learnt of it. ``as_of`` selects by business date, ``known_at`` by recorded time, and
both are inclusive. A conversation entered on 10 March for 3 March shows up ``as_of`` 3 March only
when ``known_at`` is 10 March or later.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import attrs
from eventsourcing.domain import CanSnapshotAggregate

from participatie.domain.values import Actor
from participatie.errors import InvalidInput

__all__ = ["HistoryEntry", "json_safe", "replay", "selected"]

#: Fields every event carries; a history entry shows them as its own attributes.
_ENTRY_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "occurred_on",
        "actor_id",
        "actor_role",
    }
)


def json_safe(value: Any) -> Any:
    """``value`` with dates, datetimes, Decimals, UUIDs and enums as text, recursively."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


@attrs.frozen
class HistoryEntry:
    """One event in a resident's history, without personal data.

    ``event`` is the event's class name (``"IntakeHeld"``), ``aggregate`` its aggregate's
    (``"ResidentTrajectory"`` or ``"JobCoachingTrajectory"``), ``data`` the event's own fields
    (JSON-safe: dates, Decimals and enums as text) including ``policy_version``.
    """

    recorded_at: datetime
    occurred_on: date
    event: str
    aggregate: str
    aggregate_id: UUID
    version: int
    actor: Actor
    data: dict[str, Any]

    @classmethod
    def of(cls, event: Any, aggregate: str) -> HistoryEntry:
        fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
        return cls(
            recorded_at=event.timestamp,
            occurred_on=event.occurred_on,
            event=type(event).__name__,
            aggregate=aggregate,
            aggregate_id=event.originator_id,
            version=event.originator_version,
            actor=Actor(event.actor_id, event.actor_role),
            data=json_safe({k: v for k, v in fields.items() if k not in _ENTRY_FIELDS}),
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-safe data."""
        return {
            "recorded_at": self.recorded_at.isoformat(),
            "occurred_on": self.occurred_on.isoformat(),
            "event": self.event,
            "aggregate": self.aggregate,
            "aggregate_id": str(self.aggregate_id),
            "version": self.version,
            "actor": {"id": self.actor.id, "role": self.actor.role.value},
            "data": self.data,
        }


def check_moments(as_of: object, known_at: object) -> None:
    """``as_of`` is a date (or None) and ``known_at`` a timezone-aware datetime (or None)."""
    if as_of is not None and (isinstance(as_of, datetime) or not isinstance(as_of, date)):
        raise InvalidInput(f"as_of must be a date (a business day), not {as_of!r}")
    if known_at is not None:
        if not isinstance(known_at, datetime):
            raise InvalidInput(f"known_at must be a datetime, not {known_at!r}")
        if known_at.tzinfo is None:
            raise InvalidInput(
                "known_at must be timezone-aware (e.g. datetime(..., tzinfo=UTC)): recorded "
                "times are compared across time zones"
            )


E = TypeVar("E")


def selected(events: Iterable[E], *, as_of: date | None, known_at: datetime | None) -> list[E]:
    """The events that had happened by ``as_of`` and had been recorded by ``known_at``."""
    return [
        e
        for e in events
        if (as_of is None or e.occurred_on <= as_of)  # type: ignore[attr-defined]
        and (known_at is None or e.timestamp <= known_at)  # type: ignore[attr-defined]
    ]


A = TypeVar("A")


def replay(events: Iterable[Any]) -> Any | None:
    """Build an aggregate from a selection of its events, in recorded order.

    Unlike eventsourcing's own projection this accepts gaps in the versions (left by events that
    are not selected); the aggregate's ``version`` is that of the last event applied. The first
    may be a snapshot (see :mod:`participatie.audit.snapshots`). Returns None when neither the
    creation event nor a snapshot is among them.
    """
    aggregate: Any = None
    for event in events:
        if aggregate is None:
            if isinstance(event, CanSnapshotAggregate):
                aggregate = event.mutate(None)
                continue
            if event.originator_version != 1:
                return None
            aggregate = event.mutate(None)
            continue
        event.apply(aggregate)
        aggregate.version = event.originator_version
        aggregate.modified_on = event.timestamp
    return aggregate
