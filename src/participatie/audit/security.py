"""The security log: attempts the library refused because the actor was not allowed (BIO2 8.15).

A refused attempt is a security event, not part of any resident's file: the actor may not even
see the resident. It goes into a log of its own, one stream per day (so that writers seldom
meet), chained and in the ledger like every other stream, so altering or deleting it is found
by ``verify()`` (BIO2 8.15.05). Each entry holds the BIO fields of an audit log line: the action,
the object (a resident's pseudonymous id, when the attempt named one), the result (refused), the
origin given by the calling application, the actor and the time (the event's recorded time).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate

from participatie.audit.log_aggregate import LogAggregate
from participatie.domain.values import Actor, Role

__all__ = ["SecurityEvent", "SecurityLog", "security_log_id"]

_SECURITY_NAMESPACE = UUID("c2a6f0d4-5e1b-4c7a-9f38-0d2b7e61a5c9")


def security_log_id(day: date) -> UUID:
    """The id of the security log stream of one day (by the app's clock, in the Netherlands)."""
    return uuid5(_SECURITY_NAMESPACE, f"security-log/{day.isoformat()}")


@attrs.frozen
class SecurityEvent:
    """One refused attempt: who (``actor``), what (``action``, the action's name), on which
    resident (``resident_id``, None when the attempt named none), why it was refused
    (``reason``), from where (``origin``, as the calling application gave it, or None) and when
    (``at``, the recorded time). ``result`` is always ``refused``."""

    at: datetime
    actor: Actor
    action: str
    resident_id: UUID | None
    reason: str
    origin: str | None
    result: str = "refused"


class SecurityLog(LogAggregate, created_event_name="Opened"):
    """The refused attempts of one day, in the order they happened."""

    class Opened(Aggregate.Created):
        day: date

    class AttemptRefused(Aggregate.Event):
        actor_id: str
        actor_role: Role
        actor_municipality: str | None
        action: str
        resident_id: UUID | None
        reason: str
        origin: str | None

        def apply(self, aggregate: Any) -> None:
            log: SecurityLog = aggregate
            log.count += 1

    def __init__(self, *, day: date) -> None:
        self.day = day
        self.count = 0

    @classmethod
    def open_for(cls, day: date) -> SecurityLog:
        return cls._create(cls.Opened, id=security_log_id(day), day=day)

    def refused(
        self,
        *,
        by: Actor,
        action: str,
        resident_id: UUID | None,
        reason: str,
        origin: str | None,
    ) -> None:
        self.trigger_event(
            self.AttemptRefused,
            actor_id=by.id,
            actor_role=by.role,
            actor_municipality=by.municipality,
            action=action,
            resident_id=resident_id,
            reason=reason,
            origin=origin,
        )


def entry_of(event: SecurityLog.AttemptRefused) -> SecurityEvent:
    """The entry a stored event holds."""
    return SecurityEvent(
        at=event.timestamp,
        actor=Actor(event.actor_id, event.actor_role, municipality=event.actor_municipality),
        action=event.action,
        resident_id=event.resident_id,
        reason=event.reason,
        origin=event.origin,
    )
