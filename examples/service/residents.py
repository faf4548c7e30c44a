"""The residents: registering one, the commands on a trajectory, and reading it and its history.

Two routers, so that the API document keeps its order (the commands of residents and of job
coaching first, then the reads): ``commands`` and ``reads``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from participatie import NOT_STATED, Actor, InvalidInput, Participation

from .auth import ActorDep
from .operations import call, command_route
from .parameters import AsOf, Purpose
from .problems import COMMAND_PROBLEMS, READ_PROBLEMS
from .resident_models import (
    ClosureIn,
    ConversationIn,
    HistoryEntryOut,
    IntakeIn,
    PlacementEndIn,
    PlacementIn,
    RegistrationIn,
    ReopeningIn,
    ResidentOut,
    VisitIn,
    WageValueIn,
)
from .values import Created, hours

__all__ = ["commands", "reads", "register"]

commands = APIRouter()
reads = APIRouter()


@commands.post(
    "/v1/residents",
    status_code=201,
    response_model=Created,
    responses=COMMAND_PROBLEMS,
    tags=["residents"],
    operation_id="registerResident",
)
def register_resident(
    body: RegistrationIn, request: Request, response: Response, actor: ActorDep
) -> Created:
    """Register a resident: open a trajectory. Returns the new pseudonymous id."""
    rid = call(request, lambda p: register(p, body, actor))
    response.headers["Location"] = f"/v1/residents/{rid}"
    return Created(id=rid)


resident_command = command_route(commands, "/v1/residents/{resident_id}", "residents")


@resident_command("intake", "holdIntake", "Hold the intake")
def hold_intake(resident_id: UUID, body: IntakeIn, request: Request, actor: ActorDep) -> None:
    """The goal and a first happiness score; once, before the rest."""
    call(
        request,
        lambda p: p.hold_intake(
            resident_id, goal=body.goal, happiness=body.happiness, on=body.on, by=actor
        ),
    )


@resident_command("conversations", "recordConversation", "Record a conversation")
def record_conversation(
    resident_id: UUID, body: ConversationIn, request: Request, actor: ActorDep
) -> None:
    """A conversation with the resident and their happiness score."""
    call(
        request,
        lambda p: p.record_conversation(
            resident_id, happiness=body.happiness, on=body.on, by=actor
        ),
    )


@resident_command("workplace-visits", "visitWorkplace", "Record a workplace visit")
def visit_workplace(resident_id: UUID, body: VisitIn, request: Request, actor: ActorDep) -> None:
    """A workplace visit, shadow day, ride-along, coffee at a care home or walk."""
    call(
        request,
        lambda p: p.visit_workplace(
            resident_id, organisation=body.organisation, kind=body.kind, on=body.on, by=actor
        ),
    )


@resident_command("placements", "place", "Place the resident")
def place(resident_id: UUID, body: PlacementIn, request: Request, actor: ActorDep) -> None:
    """Paid or volunteer work at an employer (job brokers and coaches)."""
    call(
        request,
        lambda p: p.place(
            resident_id,
            employer=body.employer,
            kind=body.kind,
            hours_per_week=hours(body.hours_per_week),
            contract_months=body.contract_months,
            trial=body.trial,
            on=body.on,
            by=actor,
        ),
    )


@resident_command("placement-endings", "endPlacement", "End the current placement")
def end_placement(
    resident_id: UUID, body: PlacementEndIn, request: Request, actor: ActorDep
) -> None:
    """End the current placement, with its reason."""
    call(
        request,
        lambda p: p.end_placement(resident_id, reason=body.reason, on=body.on, by=actor),
    )


@resident_command("wage-value-assessments", "assessWageValue", "Assess the wage value")
def assess_wage_value(
    resident_id: UUID, body: WageValueIn, request: Request, actor: ActorDep
) -> None:
    """A wage value assessment at the current paid placement (wage value assessors)."""
    call(
        request,
        lambda p: p.assess_wage_value(
            resident_id,
            percent=body.percent,
            needs_job_coaching=body.needs_job_coaching,
            on=body.on,
            by=actor,
        ),
    )


@resident_command("closure", "closeTrajectory", "Close the trajectory")
def close_trajectory(resident_id: UUID, body: ClosureIn, request: Request, actor: ActorDep) -> None:
    """Close the trajectory (outflow) with a reason."""
    call(
        request,
        lambda p: p.close_trajectory(resident_id, reason=body.reason, on=body.on, by=actor),
    )


@resident_command("reopening", "reopenTrajectory", "Reopen the trajectory")
def reopen_trajectory(
    resident_id: UUID, body: ReopeningIn, request: Request, actor: ActorDep
) -> None:
    """Reopen a closed trajectory (re-inflow); the intake is kept."""
    call(request, lambda p: p.reopen_trajectory(resident_id, on=body.on, by=actor))


@reads.get(
    "/v1/residents/{resident_id}",
    response_model=ResidentOut,
    responses=READ_PROBLEMS,
    tags=["residents"],
    operation_id="getResident",
)
def get_resident(
    resident_id: UUID,
    request: Request,
    actor: ActorDep,
    as_of: AsOf = None,
    purpose: Purpose = None,
) -> ResidentOut:
    """A resident's trajectory, now or as it stood on a past day (the read is logged)."""
    found = call(
        request,
        lambda p: p.resident(resident_id, by=actor, as_of=as_of, purpose=purpose or NOT_STATED),
    )
    return ResidentOut.of(found)


@reads.get(
    "/v1/residents/{resident_id}/history",
    response_model=list[HistoryEntryOut],
    responses=READ_PROBLEMS,
    tags=["residents"],
    operation_id="getHistory",
)
def get_history(
    resident_id: UUID,
    request: Request,
    actor: ActorDep,
    as_of: AsOf = None,
    known_at: Annotated[
        datetime | None,
        Query(description="Only what had been recorded by then (with a time zone)"),
    ] = None,
    purpose: Purpose = None,
) -> list[HistoryEntryOut]:
    """Everything recorded about a resident, in recorded order (auditors)."""
    entries = call(
        request,
        lambda p: p.history(
            resident_id, by=actor, as_of=as_of, known_at=known_at, purpose=purpose or NOT_STATED
        ),
    )
    return [HistoryEntryOut.of(e) for e in entries]


def register(p: Participation, body: RegistrationIn, actor: Actor) -> UUID:
    """Register the resident ``body`` describes (the API's operation and the form's page)."""
    municipality = body.municipality or actor.municipality
    if municipality is None:
        raise InvalidInput(
            f"{actor.id} works for every municipality: name the resident's municipality"
        )
    return p.register_resident(
        referral=body.referral,
        benefit=body.benefit,
        municipality=municipality,
        on=body.on,
        by=actor,
        bsn=body.bsn,
        name=body.name,
    )
