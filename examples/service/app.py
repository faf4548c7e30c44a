"""The example service: FastAPI over participatie's public API (docs/building-a-service.md).

``create_app()`` opens one :class:`~participatie.Participation` for the process, on the store
``PARTICIPATIE_STORE`` names (default ``memory://``), and closes it at shutdown; tests pass their
own. Every endpoint is a plain ``def``: FastAPI runs it in its threadpool, and one Participation
serves all of those threads (the library's commands are safe to call from many threads at once;
examples/service/tests/test_threads.py shows it).

Run it with ``make service`` (uvicorn on 127.0.0.1:8000; the API document at /docs).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from participatie import (
    NOT_STATED,
    Actor,
    Goal,
    InvalidInput,
    JobCoach,
    NotAuthorised,
    ParticipatieError,
    Participation,
    Provider,
    TrajectoryStatus,
    html_report,
)
from participatie import __version__ as library_version

from .coaching_models import (
    CompletionIn,
    EvaluationIn,
    ExtensionIn,
    HoursIn,
    JobCoachingIn,
    JobCoachingOut,
)
from .identity import Keys, NotAuthenticated
from .pages import register_form_page, registered_page
from .problems import PROBLEM_JSON, problem_of, problem_responses, problem_type
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
from .values import Created, Day, hours
from .worklist_models import CaseloadEntryOut, CaseloadOut, SignalOut

__all__ = ["API_VERSION", "STORE_ENV", "create_app", "openapi_document"]

STORE_ENV = "PARTICIPATIE_STORE"
#: The longest period of an HTML report (it draws every month): ten years.
MAX_REPORT_DAYS = 3653
API_VERSION = "1.0.0"
T = TypeVar("T")

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="A JWT whose claims give the actor (sub), role and municipality",
)
_COMMAND = problem_responses(400, 401, 403, 404, 409, 422)
_READ = problem_responses(400, 401, 403, 404)
_LIST = problem_responses(400, 401, 403)


def create_app(participation: Participation | None = None, *, keys: Keys | None = None) -> FastAPI:
    """The service; without ``participation`` it opens (and closes) the one the environment names.

    ``keys`` check the bearer tokens (default: from the environment, see
    :mod:`examples.service.identity`).
    """
    owned = participation is None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.participation is None:
            app.state.participation = Participation.open(os.environ.get(STORE_ENV, "memory://"))
        try:
            yield
        finally:
            if owned and app.state.participation is not None:
                app.state.participation.close()
                app.state.participation = None

    app = FastAPI(
        title="Participatie example service",
        version=API_VERSION,
        summary="Record how a municipality coaches residents towards work.",
        description=(
            "An example service over the participatie library "
            f"({library_version.split('.dev')[0]}). Every operation needs a bearer JWT whose "
            "claims name the actor (`sub`), the `role` and the `municipality`. A W3C "
            "`traceparent` header joins the processing log to the caller's trace. Errors are "
            "`application/problem+json` (RFC 9457)."
        ),
        lifespan=lifespan,
        dependencies=[Depends(known_query)],
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        responses={},
    )
    app.state.participation = participation
    app.state.keys = keys or Keys.from_environment()
    app.state.report_lock = threading.Lock()
    _install_problems(app)
    _install_routes(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


# Identity and the trace.


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The actor the request's bearer token names (401 without a valid one)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("send Authorization: Bearer <JWT>")
    keys: Keys = request.app.state.keys
    return keys.actor(credentials.credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]


def _query_names(dependant: Any) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def known_query(request: Request) -> None:
    """Refuse query parameters the operation does not have (a misspelt ``as_of`` would
    otherwise be ignored, and a reader would take the answer for the one asked)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [
                {"loc": ("query", name), "msg": "this operation has no such parameter"}
                for name in unknown
            ]
        )


# Query parameters several operations share.

Purpose = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="Why the file is read (kept in the resident's access log)",
    ),
]
AsOf = Annotated[Day | None, Query(description="As it stood on this business date")]

Municipality = Annotated[
    str | None,
    Query(min_length=1, max_length=200, description="Default: the actor's (or all)"),
]
From = Annotated[Day | None, Query(alias="from", description="First day (inclusive)")]
To = Annotated[Day | None, Query(description="Last day (inclusive)")]
Target = Annotated[int | None, Query(ge=1, le=1_000_000)]
Suppress = Annotated[
    bool, Query(description="Hide counts under 5 and what would reveal one, for publication")
]


@contextlib.contextmanager
def traced(request: Request) -> Iterator[Participation]:
    """The process's Participation, with the request's trace context and origin handed to it.

    A ``traceparent`` that is not a W3C trace context is ignored (a new trace is started), as
    the Trace Context recommendation asks of a receiver; it never fails the request.
    """
    participation: Participation = request.app.state.participation
    origin = request.client.host if request.client else None
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(
                participation.trace(request.headers.get("traceparent"), origin=origin)
            )
        except InvalidInput:
            stack.enter_context(participation.trace(None, origin=origin))
        yield participation


def _call(request: Request, command: Callable[[Participation], T]) -> T:
    with traced(request) as participation:
        return command(participation)


# Errors.


def _problem(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _install_problems(app: FastAPI) -> None:
    @app.exception_handler(ParticipatieError)
    async def library_error(request: Request, error: ParticipatieError) -> Response:
        status, body = problem_of(error, request.url.path)
        return _problem(status, body)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, error: NotAuthenticated) -> Response:
        body = {
            "type": problem_type(NotAuthenticated),
            "title": "Not authenticated",
            "status": 401,
            "detail": str(error),
            "instance": request.url.path,
        }
        return _problem(401, body, {"WWW-Authenticate": 'Bearer realm="participatie"'})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        params = [
            {"name": ".".join(str(part) for part in e["loc"]), "reason": str(e["msg"])}
            for e in error.errors()
        ]
        body = {
            "type": problem_type(InvalidInput),
            "title": "A value was refused",
            "status": 400,
            "detail": "the request does not match the API's schema: see invalid-params",
            "instance": request.url.path,
            "invalid-params": params,
        }
        return _problem(400, body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        body = {
            "type": "about:blank",
            "title": str(error.detail),
            "status": error.status_code,
            "detail": str(error.detail),
            "instance": request.url.path,
        }
        return _problem(error.status_code, body, dict(error.headers or {}))


# The API.


def _install_routes(app: FastAPI) -> None:  # noqa: PLR0915  (one function per operation)
    @app.post(
        "/v1/residents",
        status_code=201,
        response_model=Created,
        responses=_COMMAND,
        tags=["residents"],
        operation_id="registerResident",
    )
    def register_resident(
        body: RegistrationIn, request: Request, response: Response, actor: ActorDep
    ) -> Created:
        """Register a resident: open a trajectory. Returns the new pseudonymous id."""
        rid = _call(request, lambda p: _register(p, body, actor))
        response.headers["Location"] = f"/v1/residents/{rid}"
        return Created(id=rid)

    def command_route(
        prefix: str, tag: str
    ) -> Callable[[str, str, str], Callable[[Callable[..., None]], Callable[..., None]]]:
        """A decorator maker for the commands under ``prefix``: POST, 204 without a body."""

        def route(
            path: str, operation_id: str, summary: str
        ) -> Callable[[Callable[..., None]], Callable[..., None]]:
            return app.post(
                f"{prefix}/{path}",
                status_code=204,
                response_class=Response,
                responses=_COMMAND,
                tags=[tag],
                operation_id=operation_id,
                summary=summary,
            )

        return route

    resident_command = command_route("/v1/residents/{resident_id}", "residents")

    @resident_command("intake", "holdIntake", "Hold the intake")
    def hold_intake(resident_id: UUID, body: IntakeIn, request: Request, actor: ActorDep) -> None:
        """The goal and a first happiness score; once, before the rest."""
        _call(
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
        _call(
            request,
            lambda p: p.record_conversation(
                resident_id, happiness=body.happiness, on=body.on, by=actor
            ),
        )

    @resident_command("workplace-visits", "visitWorkplace", "Record a workplace visit")
    def visit_workplace(
        resident_id: UUID, body: VisitIn, request: Request, actor: ActorDep
    ) -> None:
        """A workplace visit, shadow day, ride-along, coffee at a care home or walk."""
        _call(
            request,
            lambda p: p.visit_workplace(
                resident_id, organisation=body.organisation, kind=body.kind, on=body.on, by=actor
            ),
        )

    @resident_command("placements", "place", "Place the resident")
    def place(resident_id: UUID, body: PlacementIn, request: Request, actor: ActorDep) -> None:
        """Paid or volunteer work at an employer (job brokers and coaches)."""
        _call(
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
        _call(
            request,
            lambda p: p.end_placement(resident_id, reason=body.reason, on=body.on, by=actor),
        )

    @resident_command("wage-value-assessments", "assessWageValue", "Assess the wage value")
    def assess_wage_value(
        resident_id: UUID, body: WageValueIn, request: Request, actor: ActorDep
    ) -> None:
        """A wage value assessment at the current paid placement (wage value assessors)."""
        _call(
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
    def close_trajectory(
        resident_id: UUID, body: ClosureIn, request: Request, actor: ActorDep
    ) -> None:
        """Close the trajectory (outflow) with a reason."""
        _call(
            request,
            lambda p: p.close_trajectory(resident_id, reason=body.reason, on=body.on, by=actor),
        )

    @resident_command("reopening", "reopenTrajectory", "Reopen the trajectory")
    def reopen_trajectory(
        resident_id: UUID, body: ReopeningIn, request: Request, actor: ActorDep
    ) -> None:
        """Reopen a closed trajectory (re-inflow); the intake is kept."""
        _call(request, lambda p: p.reopen_trajectory(resident_id, on=body.on, by=actor))

    @app.post(
        "/v1/residents/{resident_id}/job-coachings",
        status_code=201,
        response_model=Created,
        responses=_COMMAND,
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
        cid = _call(
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

    coaching_command = command_route("/v1/job-coachings/{coaching_id}", "job coaching")

    @coaching_command("hours", "logCoachingHours", "Log coaching hours")
    def log_coaching_hours(
        coaching_id: UUID, body: HoursIn, request: Request, actor: ActorDep
    ) -> None:
        """Hours with the employee, colleagues or manager, within the year's cap."""
        _call(
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
        _call(request, lambda p: p.evaluate_job_coaching(coaching_id, on=body.on, by=actor))

    @coaching_command("extension", "extendJobCoaching", "Extend the job coaching")
    def extend_job_coaching(
        coaching_id: UUID, body: ExtensionIn, request: Request, actor: ActorDep
    ) -> None:
        """Extend once, before the planned end (coordinators)."""
        _call(
            request,
            lambda p: p.extend_job_coaching(coaching_id, reason=body.reason, on=body.on, by=actor),
        )

    @coaching_command("completion", "completeJobCoaching", "Complete the job coaching")
    def complete_job_coaching(
        coaching_id: UUID, body: CompletionIn, request: Request, actor: ActorDep
    ) -> None:
        """Complete with its outcome (coordinators)."""
        _call(
            request,
            lambda p: p.complete_job_coaching(
                coaching_id, outcome=body.outcome, on=body.on, by=actor
            ),
        )

    # Reads.

    @app.get(
        "/v1/residents/{resident_id}",
        response_model=ResidentOut,
        responses=_READ,
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
        found = _call(
            request,
            lambda p: p.resident(resident_id, by=actor, as_of=as_of, purpose=purpose or NOT_STATED),
        )
        return ResidentOut.of(found)

    @app.get(
        "/v1/residents/{resident_id}/history",
        response_model=list[HistoryEntryOut],
        responses=_READ,
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
        entries = _call(
            request,
            lambda p: p.history(
                resident_id, by=actor, as_of=as_of, known_at=known_at, purpose=purpose or NOT_STATED
            ),
        )
        return [HistoryEntryOut.of(e) for e in entries]

    @app.get(
        "/v1/job-coachings/{coaching_id}",
        response_model=JobCoachingOut,
        responses=_READ,
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
        found = _call(
            request,
            lambda p: p.job_coaching(
                coaching_id, by=actor, as_of=as_of, purpose=purpose or NOT_STATED
            ),
        )
        return JobCoachingOut.of(found)

    @app.get(
        "/v1/caseload",
        response_model=CaseloadOut,
        responses=_LIST,
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
        page = _call(
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

    @app.get(
        "/v1/signals",
        response_model=list[SignalOut],
        responses=_LIST,
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
        found = _call(request, lambda p: p.signals(by=actor, municipality=municipality, on=on))
        return [SignalOut.of(s) for s in found]

    @app.get(
        "/v1/statistics",
        responses=_LIST,
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
        report = _call(
            request,
            lambda p: p.outcomes(
                period=(start, to), municipality=where, target=target, as_of=as_of
            ),
        )
        return report.to_dict(suppress_small_cells=suppress_small_cells)

    @app.get(
        "/v1/report",
        response_class=HTMLResponse,
        responses={200: {"content": {"text/html": {}}}, **_LIST},
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
            page = _call(
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

    # The register form: a page for people, not part of the API document.

    @app.get("/v1/forms/register-resident", include_in_schema=False)
    def register_form(request: Request, actor: ActorDep) -> HTMLResponse:
        today = request.app.state.participation.today()
        return HTMLResponse(register_form_page(actor, today=today))

    @app.post("/v1/forms/register-resident", include_in_schema=False)
    async def register_form_post(request: Request, actor: ActorDep) -> HTMLResponse:
        today = request.app.state.participation.today()
        form = parse_qs((await request.body()).decode(errors="replace"))
        fields = {k: v[0] for k, v in form.items()}
        try:
            body = RegistrationIn.model_validate({k: v for k, v in fields.items() if v.strip()})
        except ValidationError as error:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            return HTMLResponse(
                register_form_page(actor, today=today, error=reasons, values=fields),
                status_code=400,
            )

        def register() -> tuple[UUID, ResidentOut]:
            with traced(request) as p:
                rid = _register(p, body, actor)
                return rid, ResidentOut.of(p.resident(rid, by=actor, purpose="registration"))

        try:
            rid, state = await run_in_threadpool(register)
        except ParticipatieError as error:
            status, problem = problem_of(error, request.url.path)
            return HTMLResponse(
                register_form_page(actor, today=today, error=problem["detail"], values=fields),
                status_code=status,
            )
        return HTMLResponse(registered_page(rid, state), status_code=201)


def _register(p: Participation, body: RegistrationIn, actor: Actor) -> UUID:
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


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The API document; a problem is documented as ``application/problem+json`` only."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        for operations in document["paths"].values():
            for operation in operations.values():
                # FastAPI's own 422 for schema errors: this service answers those with 400.
                if operation.get("responses", {}).get("422", {}).get("description") == (
                    "Validation Error"
                ):
                    del operation["responses"]["422"]
                for status, answer in operation.get("responses", {}).items():
                    if status.startswith(("4", "5")) and "content" in answer:
                        answer["content"] = {PROBLEM_JSON: answer["content"][PROBLEM_JSON]}
        _add_links(document)
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        document["servers"] = [{"url": "/"}]
        app.openapi_schema = document
    return app.openapi_schema


def _add_links(document: dict[str, Any]) -> None:
    """OpenAPI links: the id a creation answers with is the path parameter of what follows
    (clients and Schemathesis's stateful tests follow them)."""
    made = {
        ("/v1/residents", "resident_id"): "/v1/residents/{resident_id}",
        ("/v1/residents/{resident_id}/job-coachings", "coaching_id"): "/v1/job-coachings/",
    }
    for (creator, parameter), prefix in made.items():
        links = {}
        for path, operations in document["paths"].items():
            if not path.startswith(prefix.split("{")[0]) or "{" + parameter + "}" not in path:
                continue
            for operation in operations.values():
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {parameter: "$response.body#/id"},
                }
        document["paths"][creator]["post"]["responses"]["201"]["links"] = links


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI document, as examples/service/openapi.json holds it."""
    keys = Keys.of("HS256", "x" * 32)
    with Participation.open("memory://") as participation:
        return create_app(participation, keys=keys).openapi()
