"""Errors as ``application/problem+json`` (RFC 9457), as the NL API Design Rules ask.

Each error class of the library has one status, so that a client can act on the status alone:

======================================  ======  ==============================================
error                                   status  meaning for the client
======================================  ======  ==============================================
a body or query the schema refuses      400     fix the request (``invalid-params`` says where)
:class:`~participatie.InvalidInput`     400     a value the library refuses (a BSN failing the
                                                eleven-test, a date after today)
no or an invalid bearer token           401     authenticate
:class:`~participatie.NotAuthorised`    403     this actor may not do this
:class:`~participatie.NotFound`         404     no such resident or job coaching
:class:`~participatie.BsnAlreadyRegis\
tered`                                  409     the resident exists: reopen that trajectory
:class:`~participatie.ConcurrentUpdate` 409     others kept changing it: sending it again is safe
:class:`~participatie.RuleViolation`    422     a rule of the trajectory refuses it (``type``
                                                names the rule, e.g. ``.../intake-required``)
:class:`~participatie.ConfigurationErr\
or`                                     500     the service is set up wrongly (not the caller)
:class:`~participatie.TamperDetected`   500     the store failed verification (not the caller)
======================================  ======  ==============================================

A refused command appends nothing (the library's promise), so every 4xx leaves the store as it
was. ``type`` is a URI naming the error class; ``title`` is the same for every occurrence of the
type, ``detail`` is the library's message, which names what was wrong and how to fix it.
:func:`install_problems` answers every error so, and the operations document theirs with
``COMMAND_PROBLEMS``, ``READ_PROBLEMS`` or ``LIST_PROBLEMS``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from participatie import (
    BsnAlreadyRegistered,
    ConcurrentUpdate,
    ConfigurationError,
    InvalidInput,
    NotAuthorised,
    NotFound,
    ParticipatieError,
    RuleViolation,
    TamperDetected,
)

from .identity import NotAuthenticated

__all__ = [
    "COMMAND_PROBLEMS",
    "LIST_PROBLEMS",
    "PROBLEM_JSON",
    "READ_PROBLEMS",
    "InvalidParam",
    "Problem",
    "install_problems",
    "problem_of",
    "problem_responses",
    "problem_type",
]

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://participatie.example/problems/"

_STATUS: tuple[tuple[type[ParticipatieError], int, str], ...] = (
    # The most specific classes first: BsnAlreadyRegistered is a RuleViolation too.
    (BsnAlreadyRegistered, 409, "The resident is registered already"),
    (ConcurrentUpdate, 409, "Changed by others meanwhile; sending it again is safe"),
    (InvalidInput, 400, "A value was refused"),
    (NotAuthorised, 403, "Not allowed"),
    (NotFound, 404, "Not found"),
    (RuleViolation, 422, "A rule of the trajectory refuses this"),
    (ConfigurationError, 500, "The service is set up wrongly"),
    (TamperDetected, 500, "The store failed verification"),
)


class InvalidParam(BaseModel):
    """One refused part of the request (the NL API Design Rules' ``invalid-params``)."""

    name: str = Field(description="Where: body.field, query.name, ...")
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request's path")
    invalid_params: list[InvalidParam] | None = Field(default=None, alias="invalid-params")


def problem_type(error: type[BaseException]) -> str:
    """The ``type`` URI of an error class: ``.../intake-required`` for IntakeRequired."""
    return TYPE_BASE + re.sub(r"(?<!^)(?=[A-Z])", "-", error.__name__).lower()


def problem_of(error: ParticipatieError, instance: str) -> tuple[int, dict[str, Any]]:
    """The status and the problem body of one of the library's errors."""
    # A ParticipatieError of a kind this table does not know yet is the service's problem.
    status, title = next(
        ((s, t) for kind, s, t in _STATUS if isinstance(error, kind)), (500, "Unexpected error")
    )
    body = {
        "type": problem_type(type(error)),
        "title": title,
        "status": status,
        "detail": str(error),
        "instance": instance,
    }
    return status, body


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of the problems an operation can answer with."""
    descriptions = {
        400: "The request or one of its values is refused",
        401: "No valid bearer token",
        403: "The actor may not do this",
        404: "No such resident or job coaching",
        409: "A conflict: the BSN is registered, or others kept changing the trajectory",
        422: "A rule of the trajectory refuses the command",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


#: The problems a command, a read of one resource and a read of a list can answer with.
COMMAND_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 422)
READ_PROBLEMS = problem_responses(400, 401, 403, 404)
LIST_PROBLEMS = problem_responses(400, 401, 403)


def _problem(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problems(app: FastAPI) -> None:
    """Answer the library's errors, a missing or invalid token, a request the schema refuses and
    Starlette's own errors (an unknown path, a wrong method) as problems."""

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
