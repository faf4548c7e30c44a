"""The bodies of the working day's reads: a page of a caseload, and the worklist's signals."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel

from participatie import (
    Activity,
    CaseloadEntry,
    Goal,
    PlacementKind,
    Signal,
    SignalKind,
    TrajectoryStatus,
)

__all__ = ["CaseloadEntryOut", "CaseloadOut", "SignalOut"]


class CaseloadEntryOut(BaseModel):
    """One resident on a caseload."""

    resident_id: UUID
    municipality: str
    status: TrajectoryStatus
    goal: Goal | None
    registered_on: date
    last_conversation_on: date | None
    placement_kind: PlacementKind | None
    activities: list[Activity]
    coach_id: str | None

    @classmethod
    def of(cls, e: CaseloadEntry) -> CaseloadEntryOut:
        """The body of a caseload entry."""
        return cls(
            resident_id=e.resident_id,
            municipality=e.municipality,
            status=e.status,
            goal=e.goal,
            registered_on=e.registered_on,
            last_conversation_on=e.last_conversation_on,
            placement_kind=e.placement_kind,
            activities=list(e.activities),
            coach_id=e.coach_id,
        )


class CaseloadOut(BaseModel):
    """A page of a caseload; ``next_after`` is the ``after`` of the next page (null: last)."""

    entries: list[CaseloadEntryOut]
    next_after: UUID | None


class SignalOut(BaseModel):
    """One item of the worklist."""

    kind: SignalKind
    resident_id: UUID | None
    coaching_id: UUID | None
    since: date
    detail: str

    @classmethod
    def of(cls, s: Signal) -> SignalOut:
        """The body of a signal."""
        return cls(
            kind=s.kind,
            resident_id=s.resident_id,
            coaching_id=s.coaching_id,
            since=s.since,
            detail=s.detail,
        )
