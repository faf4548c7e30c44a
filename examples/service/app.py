"""The example service: FastAPI over participatie's public API (docs/building-a-service.md).

``create_app()`` opens one :class:`~participatie.Participation` for the process, on the store
``PARTICIPATIE_STORE`` names (default ``memory://``), and closes it at shutdown; tests pass their
own. Every endpoint is a plain ``def``: FastAPI runs it in its threadpool, and one Participation
serves all of those threads (the library's commands are safe to call from many threads at once;
examples/service/tests/test_threads.py shows it).

Each group of operations is a router of its own module (residents, coaching, worklist, reports,
forms); ``ROUTERS`` holds them in the order the API document lists them. Run it with ``make
service`` (uvicorn on 127.0.0.1:8000; the API document at /v1/docs).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from participatie import Participation
from participatie import __version__ as library_version

from . import coaching, forms, reports, residents, worklist
from .identity import Keys
from .openapi import api_document
from .parameters import known_query
from .problems import install_problems

__all__ = ["API_VERSION", "ROUTERS", "STORE_ENV", "create_app", "openapi_document"]

STORE_ENV = "PARTICIPATIE_STORE"
API_VERSION = "1.0.0"
#: The operations, in the order of the API document: the commands, then the reads.
ROUTERS: tuple[APIRouter, ...] = (
    residents.commands,
    coaching.commands,
    residents.reads,
    coaching.reads,
    worklist.router,
    reports.router,
    forms.router,
)


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
    install_problems(app)
    for router in ROUTERS:
        app.include_router(router)
    app.openapi = lambda: api_document(app)  # type: ignore[method-assign]
    return app


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI document, as examples/service/openapi.json holds it."""
    keys = Keys.of("HS256", "x" * 32)
    with Participation.open("memory://") as participation:
        return create_app(participation, keys=keys).openapi()
