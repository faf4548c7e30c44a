"""Snapshots of trajectories that as-of replay can start from.

A snapshot holds a trajectory's state at one version, like eventsourcing's own, and also how far
its events reach in both times: the latest business date (``occurred_through``) and the latest
recorded time (``recorded_through``) among the events up to that version. Replay "as of" a date,
or "known at" a moment, may start from a snapshot only when every event it covers counts for that
date and moment; it then applies the selected later events, and gives the same state as replaying
the selected events from the start (tests/properties prove it).

The state is stored as JSON: tuples, dictionaries with keys that are not text (enums, years) and
the domain's attrs values are packed into tagged dictionaries, so they come back as they were.
Snapshots are a cache: they are stored outside the tamper-evidence chain, and ``verify()`` checks
each one against the events it claims to summarise.

The topic ``participatie.audit.snapshots:Snapshot`` and the packing below are a persisted API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import attrs
from eventsourcing.domain import Snapshot as _EventsourcingSnapshot
from eventsourcing.utils import get_topic, resolve_topic

__all__ = ["Snapshot", "pack", "unpack"]

_TUPLE = "__tuple__"
_ITEMS = "__items__"
_VALUE = "__attrs__"


def pack(value: Any) -> Any:
    """``value`` with tuples, non-text-keyed dictionaries and attrs values as tagged dicts."""
    if isinstance(value, tuple):
        return {_TUPLE: [pack(v) for v in value]}
    if isinstance(value, list):
        return [pack(v) for v in value]
    if isinstance(value, dict):
        return {_ITEMS: [[pack(k), pack(v)] for k, v in value.items()]}
    if attrs.has(type(value)):
        fields = {f.name: pack(getattr(value, f.name)) for f in attrs.fields(type(value))}
        return {_VALUE: get_topic(type(value)), "fields": fields}
    return value


def unpack(value: Any) -> Any:
    """The inverse of :func:`pack`."""
    if isinstance(value, list):
        return [unpack(v) for v in value]
    if isinstance(value, dict):
        if _TUPLE in value:
            return tuple(unpack(v) for v in value[_TUPLE])
        if _ITEMS in value:
            return {unpack(k): unpack(v) for k, v in value[_ITEMS]}
        cls = resolve_topic(value[_VALUE])
        return cls(**{name: unpack(v) for name, v in value["fields"].items()})
    return value


@dataclass(frozen=True)
class Snapshot(_EventsourcingSnapshot):
    """A trajectory's state at ``originator_version``, and how far its events reach."""

    occurred_through: date
    recorded_through: datetime

    @classmethod
    def of(cls, aggregate: Any, events: list[Any], *, previous: Snapshot | None) -> Snapshot:
        """The snapshot of ``aggregate``, built from ``previous`` (or nothing) and ``events``."""
        occurred = [e.occurred_on for e in events]
        recorded = [e.timestamp for e in events]
        if previous is not None:
            occurred.append(previous.occurred_through)
            recorded.append(previous.recorded_through)
        state = dict(vars(aggregate))
        for private in ("_id", "_version", "_pending_events"):
            state.pop(private)
        # As eventsourcing's own snapshots do: a later release's upcasters start from here.
        class_version = getattr(type(aggregate), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=cls.create_timestamp(),
            topic=get_topic(type(aggregate)),
            state=pack(state),
            occurred_through=max(occurred),
            recorded_through=max(recorded),
        )

    @classmethod
    def take(cls, aggregate: Any) -> Snapshot:  # noqa: ARG003 (eventsourcing's signature)
        """Not available: a snapshot needs the events it covers (see :meth:`of`)."""
        msg = "participatie snapshots are made with Snapshot.of(aggregate, events, previous=...)"
        raise TypeError(msg)

    def covers(self, *, as_of: date | None, known_at: datetime | None) -> bool:
        """Whether every event up to this version happened by ``as_of`` and was known at
        ``known_at``, so that as-of replay may start here."""
        return (as_of is None or self.occurred_through <= as_of) and (
            known_at is None or self.recorded_through <= known_at
        )

    def mutate(self, _: None) -> Any:
        """The trajectory as it stood at this snapshot's version."""
        unpacked = _EventsourcingSnapshot(
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            timestamp=self.timestamp,
            topic=self.topic,
            state=unpack(self.state),
        )
        return unpacked.mutate(None)
