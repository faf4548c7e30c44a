"""The register form: a page for people (:mod:`examples.service.pages` draws it), not part of the
API document."""

from __future__ import annotations

from urllib.parse import parse_qs
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from participatie import ParticipatieError

from . import residents
from .auth import ActorDep
from .operations import traced
from .pages import register_form_page, registered_page
from .problems import problem_of
from .resident_models import RegistrationIn, ResidentOut

__all__ = ["router"]

router = APIRouter()


@router.get("/v1/forms/register-resident", include_in_schema=False)
def register_form(request: Request, actor: ActorDep) -> HTMLResponse:
    today = request.app.state.participation.today()
    return HTMLResponse(register_form_page(actor, today=today))


@router.post("/v1/forms/register-resident", include_in_schema=False)
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
            rid = residents.register(p, body, actor)
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
