"""The outcome statistics (JSON) and the outcome report with charts (one HTML page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from participatie import Actor, InvalidInput, NotAuthorised, html_report

from .auth import ActorDep
from .operations import call
from .parameters import AsOf, From, Municipality, Suppress, Target, To
from .problems import LIST_PROBLEMS

__all__ = ["MAX_REPORT_DAYS", "router"]

#: The longest period of an HTML report (it draws every month): ten years.
MAX_REPORT_DAYS = 3653

router = APIRouter()


@router.get(
    "/v1/statistics",
    responses=LIST_PROBLEMS,
    tags=["statistics"],
    operation_id="getStatistics",
)
def get_statistics(
    request: Request,
    actor: ActorDep,
    start: From = None,
    to: To = None,
    municipality: Municipality = None,
    target: Target = None,
    as_of: AsOf = None,
    suppress_small_cells: Suppress = False,
) -> dict[str, Any]:
    """The outcome statistics of a period (JSON, as ``participatie stats --format json``)."""
    where = _statistics_scope(actor, municipality)
    report = call(
        request,
        lambda p: p.outcomes(period=(start, to), municipality=where, target=target, as_of=as_of),
    )
    return report.to_dict(suppress_small_cells=suppress_small_cells)


@router.get(
    "/v1/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **LIST_PROBLEMS},
    tags=["statistics"],
    operation_id="getReport",
)
def get_report(
    request: Request,
    actor: ActorDep,
    start: From = None,
    to: To = None,
    municipality: Municipality = None,
    target: Target = None,
    as_of: AsOf = None,
    suppress_small_cells: Suppress = False,
) -> HTMLResponse:
    """The outcome report with charts, as one HTML page (``participatie report --html``).

    It draws a bar for each month, so its period is at most ten years."""
    where = _statistics_scope(actor, municipality)
    if start is not None:
        last = min(to or date.max, as_of or date.max, request.app.state.participation.today())
        if (last - start).days > MAX_REPORT_DAYS:
            raise InvalidInput(
                f"the report's period ({start} to {last}) is longer than ten years: "
                "ask for a shorter one (the statistics have no such limit)"
            )
    # The charts are drawn with matplotlib's pyplot, which keeps global state: one at a time.
    with request.app.state.report_lock:
        page = call(
            request,
            lambda p: html_report(
                p,
                period=(start, to),
                municipality=where,
                target=target,
                as_of=as_of,
                suppress_small_cells=suppress_small_cells,
            ),
        )
    return HTMLResponse(page)


def _statistics_scope(actor: Actor, municipality: str | None) -> str | None:
    """The municipality whose statistics ``actor`` reads.

    The library's statistics take no actor (they hold no resident's data); this service still
    keeps an actor who works for one municipality to that municipality's figures.
    """
    if actor.municipality is None:
        return municipality
    if municipality is not None and municipality.strip().lower() != actor.municipality.lower():
        raise NotAuthorised(
            f"{actor.id} works for {actor.municipality}, not for the statistics of {municipality}"
        )
    return actor.municipality
