"""The bodies of the residents' operations: the commands on a trajectory, the trajectory, and
its history (see values.py for what every request body shares)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from participatie import (
    Activity,
    Benefit,
    Goal,
    HistoryEntry,
    OutflowReason,
    PlacementEndReason,
    PlacementKind,
    Referral,
    ResidentTrajectory,
    TrajectoryStatus,
    VisitKind,
)

from .values import Day, Number, StrictBody, Text

__all__ = [
    "ActorOut",
    "ClosureIn",
    "ConversationIn",
    "HappinessOut",
    "HistoryEntryOut",
    "IntakeIn",
    "PlacementEndIn",
    "PlacementIn",
    "PlacementOut",
    "RegistrationIn",
    "ReopeningIn",
    "ResidentOut",
    "VisitIn",
    "WageValueIn",
    "WageValueOut",
]


class RegistrationIn(StrictBody):
    """Register a resident: opens a trajectory. ``bsn`` and ``name`` go to the vault only."""

    referral: Referral
    benefit: Benefit
    on: Day
    municipality: Text | None = Field(
        default=None, description="Default: the municipality the actor works for"
    )
    bsn: Annotated[StrictStr, Field(pattern=r"^\d{9}$")] | None = None
    name: Text | None = None


class IntakeIn(StrictBody):
    """Hold the intake: the goal and a first happiness score."""

    goal: Goal
    happiness: Annotated[StrictInt, Field(ge=1, le=10)]
    on: Day


class ConversationIn(StrictBody):
    """A conversation with the resident and their happiness score (1..10)."""

    happiness: Annotated[StrictInt, Field(ge=1, le=10)]
    on: Day


class VisitIn(StrictBody):
    """A workplace visit, shadow day, ride-along, coffee at a care home or walk."""

    organisation: Text
    kind: VisitKind
    on: Day


class PlacementIn(StrictBody):
    """A placement at an employer: paid or volunteer work, more than 0 and at most 40 hours."""

    employer: Text
    kind: PlacementKind
    hours_per_week: Annotated[Number, Field(gt=0, le=40)]
    contract_months: Annotated[StrictInt, Field(ge=1, le=600)] | None = None
    trial: StrictBool = False
    on: Day


class PlacementEndIn(StrictBody):
    """End the current placement."""

    reason: PlacementEndReason
    on: Day


class WageValueIn(StrictBody):
    """A wage value assessment at the current paid placement."""

    percent: Annotated[StrictInt, Field(ge=0, le=100)]
    needs_job_coaching: StrictBool
    on: Day


class ClosureIn(StrictBody):
    """Close the trajectory (outflow) with a reason."""

    reason: OutflowReason
    on: Day


class ReopeningIn(StrictBody):
    """Reopen a closed trajectory."""

    on: Day


class HappinessOut(BaseModel):
    """One happiness score and the day it was given."""

    on: date
    score: int


class PlacementOut(BaseModel):
    """The current placement."""

    employer: str
    kind: PlacementKind
    hours_per_week: float
    contract_months: int | None
    trial: bool
    started_on: date


class WageValueOut(BaseModel):
    """The last wage value assessment."""

    percent: int
    needs_job_coaching: bool
    assessed_on: date


class ResidentOut(BaseModel):
    """A resident's trajectory (pseudonymous: no name, no BSN)."""

    id: UUID
    version: int = Field(description="The number of events on the trajectory")
    municipality: str
    status: TrajectoryStatus
    referral: Referral
    benefit: Benefit
    registered_on: date
    intake_on: date | None
    goal: Goal | None
    happiness: list[HappinessOut]
    conversation_count: int
    visit_count: int
    activities: dict[Activity, date]
    job_broker_requested_on: date | None
    placement: PlacementOut | None
    wage_value: WageValueOut | None
    outflow_reason: OutflowReason | None
    closed_on: date | None
    reopen_count: int
    personal_data_erased: bool

    @classmethod
    def of(cls, t: ResidentTrajectory) -> ResidentOut:
        """The body of a trajectory."""
        placement = t.placement
        wage = t.wage_value
        return cls(
            id=t.id,
            version=t.version,
            municipality=t.municipality,
            status=t.status,
            referral=t.referral,
            benefit=t.benefit,
            registered_on=t.registered_on,
            intake_on=t.intake_on,
            goal=t.goal,
            happiness=[HappinessOut(on=on, score=score) for on, score in t.happiness],
            conversation_count=t.conversation_count,
            visit_count=t.visit_count,
            activities=dict(t.activities),
            job_broker_requested_on=t.job_broker_requested_on,
            placement=None
            if placement is None
            else PlacementOut(
                employer=placement.employer,
                kind=placement.kind,
                hours_per_week=float(placement.hours_per_week),
                contract_months=placement.contract_months,
                trial=placement.trial,
                started_on=placement.started_on,
            ),
            wage_value=None
            if wage is None
            else WageValueOut(
                percent=wage.percent,
                needs_job_coaching=wage.needs_job_coaching,
                assessed_on=wage.assessed_on,
            ),
            outflow_reason=t.outflow_reason,
            closed_on=t.closed_on,
            reopen_count=t.reopen_count,
            personal_data_erased=t.personal_data_erased,
        )


class ActorOut(BaseModel):
    """Who recorded an event."""

    id: str
    role: str


class HistoryEntryOut(BaseModel):
    """One event of a resident's history (no personal data)."""

    recorded_at: str
    occurred_on: date
    event: str
    aggregate: str
    aggregate_id: UUID
    version: int
    actor: ActorOut
    data: dict[str, Any]

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryOut:
        """The body of a history entry."""
        return cls.model_validate(entry.to_dict())
