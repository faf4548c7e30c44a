"""The working day: the caseload of a municipality (or a coach) and the worklist's signals."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from participatie import Goal, TrajectoryStatus

from .auth import ActorDep
from .operations import call
from .parameters import AsOf
from .problems import LIST_PROBLEMS
from .values import Day
from .worklist_models import CaseloadEntryOut, CaseloadOut, SignalOut

__all__ = ["router"]

router = APIRouter()


@router.get(
    "/v1/caseload",
    response_model=CaseloadOut,
    responses=LIST_PROBLEMS,
    tags=["working day"],
    operation_id="getCaseload",
)
def get_caseload(
    request: Request,
    actor: ActorDep,
    municipality: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    coach: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    status: Annotated[
        TrajectoryStatus | None, Query(description="Default: open; any: leave it out")
    ] = TrajectoryStatus.OPEN,
    goal: Goal | None = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: UUID | None = None,
) -> CaseloadOut:
    """A page of the residents of the actor's municipality (or the one named)."""
    page = call(
        request,
        lambda p: p.caseload(
            by=actor,
            municipality=municipality,
            coach=coach,
            status=status,
            goal=goal,
            as_of=as_of,
            limit=limit,
            after=after,
        ),
    )
    return CaseloadOut(
        entries=[CaseloadEntryOut.of(e) for e in page.entries], next_after=page.next_after
    )


@router.get(
    "/v1/signals",
    response_model=list[SignalOut],
    responses=LIST_PROBLEMS,
    tags=["working day"],
    operation_id="getSignals",
)
def get_signals(
    request: Request,
    actor: ActorDep,
    municipality: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    on: Annotated[Day | None, Query(description="Default: today")] = None,
) -> list[SignalOut]:
    """The worklist: what needs attention on a day, oldest first."""
    found = call(request, lambda p: p.signals(by=actor, municipality=municipality, on=on))
    return [SignalOut.of(s) for s in found]
