"""The bodies of the job coaching operations: the commands on a job coaching, and the job coaching
(see values.py for what every request body shares)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool

from participatie import CoachingOutcome, Counterpart, ExtensionReason, JobCoachingTrajectory

from .values import Day, Number, StrictBody, Text

__all__ = [
    "CompletionIn",
    "EvaluationIn",
    "ExtensionIn",
    "HoursIn",
    "JobCoachingIn",
    "JobCoachingOut",
]


class JobCoachingIn(StrictBody):
    """Start job coaching for the resident's current paid placement."""

    provider: Text
    provider_recognised: StrictBool
    job_coach_id: Text
    job_coach_hbo_degree: StrictBool
    on: Day


class HoursIn(StrictBody):
    """Coaching hours (more than 0) with the employee, colleagues or manager."""

    hours: Annotated[Number, Field(gt=0, le=1000)]
    counterpart: Counterpart
    on: Day


class EvaluationIn(StrictBody):
    """An evaluation of the job coaching."""

    on: Day


class ExtensionIn(StrictBody):
    """Extend the job coaching once, before its planned end."""

    reason: ExtensionReason
    on: Day


class CompletionIn(StrictBody):
    """Complete the job coaching with its outcome."""

    outcome: CoachingOutcome
    on: Day


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
