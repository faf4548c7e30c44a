"""The access log: every read of a resident's personal data, history or file is recorded.

One append-only stream per resident, apart from the trajectories, chained like every other stream
so that verification covers it. An entry says who looked (actor and role), at what, why (a short
purpose without personal data) and when (its recorded time).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate

from participatie.audit.log_aggregate import LogAggregate
from participatie.domain.values import Actor, Role

__all__ = ["AccessEntry", "AccessKind", "AccessLog", "access_log_id"]

_ACCESS_NAMESPACE = UUID("7b6f0a4e-9d6c-4f3e-8a21-3c5d2e1f0b9a")


def access_log_id(resident_id: UUID) -> UUID:
    """The id of a resident's access log stream."""
    return uuid5(_ACCESS_NAMESPACE, f"{resident_id}/access-log")


class AccessKind(enum.Enum):
    """What was read."""

    PERSONAL_DATA = "personal_data"
    HISTORY = "history"
    EXPORT = "export"
    BSN_LOOKUP = "bsn_lookup"
    TRAJECTORY = "trajectory"
    CORRECTION = "correction"  # personal data were read to be corrected (AVG art. 16)
    NOTES = "notes"
    SUBJECT_ACCESS = "subject_access"  # the resident's whole file (AVG art. 15)


@attrs.frozen
class AccessEntry:
    """One read of a resident's data."""

    at: datetime
    actor: Actor
    kind: AccessKind
    purpose: str
    #: Where the read came from, as the calling application gave it (BIO2 8.15.01), or None.
    origin: str | None = None
    #: The read was allowed (refused attempts are in the security log).
    result: str = "allowed"


class AccessLog(LogAggregate, created_event_name="Opened"):
    """The reads of one resident's data, in the order they happened."""

    class Opened(Aggregate.Created):
        resident_id: UUID

    class Accessed(Aggregate.Event):
        """One read. Version 2 added ``origin`` (a version 1 entry reads as None)."""

        class_version = 2

        actor_id: str
        actor_role: Role
        kind: AccessKind
        purpose: str
        origin: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["origin"] = None

        def apply(self, aggregate: Any) -> None:
            log: AccessLog = aggregate
            log.entries += (
                AccessEntry(
                    at=self.timestamp,
                    actor=Actor(self.actor_id, self.actor_role),
                    kind=self.kind,
                    purpose=self.purpose,
                    origin=self.origin,
                ),
            )

    def __init__(self, *, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.entries: tuple[AccessEntry, ...] = ()

    @classmethod
    def open_for(cls, resident_id: UUID) -> AccessLog:
        return cls._create(cls.Opened, id=access_log_id(resident_id), resident_id=resident_id)

    def record(self, *, by: Actor, kind: AccessKind, purpose: str, origin: str | None) -> None:
        self.trigger_event(
            self.Accessed,
            actor_id=by.id,
            actor_role=by.role,
            kind=kind,
            purpose=purpose,
            origin=origin,
        )
