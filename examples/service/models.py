"""The service's request and response bodies, and how the library's objects become them.

Request bodies are strict: an unknown field is refused (so no client can slip in a ``role`` or an
``actor``), numbers must be JSON numbers, flags JSON booleans and dates ``YYYY-MM-DD`` strings,
so that whatever the OpenAPI document forbids is refused with 400 before the library is asked.
The library's enums are used as they are, so their values are the API's.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from participatie import (
    Activity,
    Benefit,
    CaseloadEntry,
    CoachingOutcome,
    Counterpart,
    ExtensionReason,
    Goal,
    HistoryEntry,
    JobCoachingTrajectory,
    OutflowReason,
    PlacementEndReason,
    PlacementKind,
    Referral,
    ResidentTrajectory,
    Signal,
    SignalKind,
    TrajectoryStatus,
    VisitKind,
)

__all__ = [
    "CaseloadEntryOut",
    "CaseloadOut",
    "ClosureIn",
    "CompletionIn",
    "ConversationIn",
    "Created",
    "Day",
    "EvaluationIn",
    "ExtensionIn",
    "HistoryEntryOut",
    "HoursIn",
    "IntakeIn",
    "JobCoachingIn",
    "JobCoachingOut",
    "PlacementEndIn",
    "PlacementIn",
    "RegistrationIn",
    "ReopeningIn",
    "ResidentOut",
    "SignalOut",
    "VisitIn",
    "WageValueIn",
    "day",
    "hours",
]

# Years 1900 to 2099: a date outside them is a typing error, and near the ends of the calendar
# date arithmetic overflows.
_DAY_PATTERN = r"^(19|20)\d{2}-\d{2}-\d{2}$"
_DAY = re.compile(_DAY_PATTERN)


def day(value: object) -> date:
    """A business date from its ISO text only (pydantic alone would take numbers as times)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD, from 1900 to 2099")
    return date.fromisoformat(value)


#: A business date (``YYYY-MM-DD``, 1900 to 2099): the day something happened, not when it was
#: recorded.
Day = Annotated[
    date,
    BeforeValidator(day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DAY_PATTERN}),
]
Text = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Number = StrictInt | StrictFloat


def hours(value: float) -> Decimal:
    """A JSON number as the Decimal the library counts in (through its shortest text)."""
    return Decimal(str(value))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegistrationIn(_In):
    """Register a resident: opens a trajectory. ``bsn`` and ``name`` go to the vault only."""

    referral: Referral
    benefit: Benefit
    on: Day
    municipality: Text | None = Field(
        default=None, description="Default: the municipality the actor works for"
    )
    bsn: Annotated[StrictStr, Field(pattern=r"^\d{9}$")] | None = None
    name: Text | None = None


class IntakeIn(_In):
    """Hold the intake: the goal and a first happiness score."""

    goal: Goal
    happiness: Annotated[StrictInt, Field(ge=1, le=10)]
    on: Day


class ConversationIn(_In):
    """A conversation with the resident and their happiness score (1..10)."""

    happiness: Annotated[StrictInt, Field(ge=1, le=10)]
    on: Day


class VisitIn(_In):
    """A workplace visit, shadow day, ride-along, coffee at a care home or walk."""

    organisation: Text
    kind: VisitKind
    on: Day


class PlacementIn(_In):
    """A placement at an employer: paid or volunteer work, more than 0 and at most 40 hours."""

    employer: Text
    kind: PlacementKind
    hours_per_week: Annotated[Number, Field(gt=0, le=40)]
    contract_months: Annotated[StrictInt, Field(ge=1, le=600)] | None = None
    trial: StrictBool = False
    on: Day


class PlacementEndIn(_In):
    """End the current placement."""

    reason: PlacementEndReason
    on: Day


class WageValueIn(_In):
    """A wage value assessment at the current paid placement."""

    percent: Annotated[StrictInt, Field(ge=0, le=100)]
    needs_job_coaching: StrictBool
    on: Day


class ClosureIn(_In):
    """Close the trajectory (outflow) with a reason."""

    reason: OutflowReason
    on: Day


class ReopeningIn(_In):
    """Reopen a closed trajectory."""

    on: Day


class JobCoachingIn(_In):
    """Start job coaching for the resident's current paid placement."""

    provider: Text
    provider_recognised: StrictBool
    job_coach_id: Text
    job_coach_hbo_degree: StrictBool
    on: Day


class HoursIn(_In):
    """Coaching hours (more than 0) with the employee, colleagues or manager."""

    hours: Annotated[Number, Field(gt=0, le=1000)]
    counterpart: Counterpart
    on: Day


class EvaluationIn(_In):
    """An evaluation of the job coaching."""

    on: Day


class ExtensionIn(_In):
    """Extend the job coaching once, before its planned end."""

    reason: ExtensionReason
    on: Day


class CompletionIn(_In):
    """Complete the job coaching with its outcome."""

    outcome: CoachingOutcome
    on: Day


class Created(BaseModel):
    """The id of what was made; the ``Location`` header names its resource."""

    id: UUID


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


class JobCoachingOut(BaseModel):
    """A job coaching trajectory."""

    id: UUID
    version: int
    resident_id: UUID
    provider: str
    job_coach_id: str
    started_on: date
    planned_end: date
    extended: bool
    hours_logged: float
    evaluations: list[date]
    outcome: CoachingOutcome | None
    completed_on: date | None

    @classmethod
    def of(cls, c: JobCoachingTrajectory) -> JobCoachingOut:
        """The body of a job coaching."""
        return cls(
            id=c.id,
            version=c.version,
            resident_id=c.resident_id,
            provider=c.provider,
            job_coach_id=c.job_coach_id,
            started_on=c.started_on,
            planned_end=c.planned_end,
            extended=c.extended,
            hours_logged=float(c.hours_logged),
            evaluations=list(c.evaluations),
            outcome=c.completed_outcome,
            completed_on=c.completed_on,
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
