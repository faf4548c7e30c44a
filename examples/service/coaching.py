"""Job coaching: starting it for a resident's paid placement, its commands, and reading it.

Two routers, as in :mod:`examples.service.residents`: ``commands`` and ``reads``.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from participatie import NOT_STATED, JobCoach, Provider

from .auth import ActorDep
from .coaching_models import (
    CompletionIn,
    EvaluationIn,
    ExtensionIn,
    HoursIn,
    JobCoachingIn,
    JobCoachingOut,
)
from .operations import call, command_route
from .parameters import AsOf, Purpose
from .problems import COMMAND_PROBLEMS, READ_PROBLEMS
from .values import Created, hours

__all__ = ["commands", "reads"]

commands = APIRouter()
reads = APIRouter()


@commands.post(
    "/v1/residents/{resident_id}/job-coachings",
    status_code=201,
    response_model=Created,
    responses=COMMAND_PROBLEMS,
    tags=["job coaching"],
    operation_id="startJobCoaching",
)
def start_job_coaching(
    resident_id: UUID,
    body: JobCoachingIn,
    request: Request,
    response: Response,
    actor: ActorDep,
) -> Created:
    """Start job coaching for the resident's current paid placement (coordinators)."""
    cid = call(
        request,
        lambda p: p.start_job_coaching(
            resident_id,
            provider=Provider(body.provider, recognised=body.provider_recognised),
            coach=JobCoach(body.job_coach_id, hbo_degree=body.job_coach_hbo_degree),
            on=body.on,
            by=actor,
        ),
    )
    response.headers["Location"] = f"/v1/job-coachings/{cid}"
    return Created(id=cid)


coaching_command = command_route(commands, "/v1/job-coachings/{coaching_id}", "job coaching")


@coaching_command("hours", "logCoachingHours", "Log coaching hours")
def log_coaching_hours(coaching_id: UUID, body: HoursIn, request: Request, actor: ActorDep) -> None:
    """Hours with the employee, colleagues or manager, within the year's cap."""
    call(
        request,
        lambda p: p.log_coaching_hours(
            coaching_id,
            hours=hours(body.hours),
            counterpart=body.counterpart,
            on=body.on,
            by=actor,
        ),
    )


@coaching_command("evaluations", "evaluateJobCoaching", "Evaluate the job coaching")
def evaluate_job_coaching(
    coaching_id: UUID, body: EvaluationIn, request: Request, actor: ActorDep
) -> None:
    """An evaluation (expected every six months)."""
    call(request, lambda p: p.evaluate_job_coaching(coaching_id, on=body.on, by=actor))


@coaching_command("extension", "extendJobCoaching", "Extend the job coaching")
def extend_job_coaching(
    coaching_id: UUID, body: ExtensionIn, request: Request, actor: ActorDep
) -> None:
    """Extend once, before the planned end (coordinators)."""
    call(
        request,
        lambda p: p.extend_job_coaching(coaching_id, reason=body.reason, on=body.on, by=actor),
    )


@coaching_command("completion", "completeJobCoaching", "Complete the job coaching")
def complete_job_coaching(
    coaching_id: UUID, body: CompletionIn, request: Request, actor: ActorDep
) -> None:
    """Complete with its outcome (coordinators)."""
    call(
        request,
        lambda p: p.complete_job_coaching(coaching_id, outcome=body.outcome, on=body.on, by=actor),
    )


@reads.get(
    "/v1/job-coachings/{coaching_id}",
    response_model=JobCoachingOut,
    responses=READ_PROBLEMS,
    tags=["job coaching"],
    operation_id="getJobCoaching",
)
def get_job_coaching(
    coaching_id: UUID,
    request: Request,
    actor: ActorDep,
    as_of: AsOf = None,
    purpose: Purpose = None,
) -> JobCoachingOut:
    """A job coaching, now or as it stood on a past day (the read is logged)."""
    found = call(
        request,
        lambda p: p.job_coaching(coaching_id, by=actor, as_of=as_of, purpose=purpose or NOT_STATED),
    )
    return JobCoachingOut.of(found)
