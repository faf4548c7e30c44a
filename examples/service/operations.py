"""What the operations share: the library called with the request's trace context, and the
shape of a command on a resident or a job coaching (POST, 204 without a body)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from fastapi import APIRouter, Request, Response

from participatie import InvalidInput, Participation

from .problems import COMMAND_PROBLEMS

__all__ = ["call", "command_route", "traced"]

T = TypeVar("T")


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


def call(request: Request, command: Callable[[Participation], T]) -> T:
    """``command``'s answer, asked of the Participation with the request's trace."""
    with traced(request) as participation:
        return command(participation)


def command_route(
    router: APIRouter, prefix: str, tag: str
) -> Callable[[str, str, str], Callable[[Callable[..., None]], Callable[..., None]]]:
    """A decorator maker for ``router``'s commands under ``prefix``: POST, 204 without a body."""

    def route(
        path: str, operation_id: str, summary: str
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        return router.post(
            f"{prefix}/{path}",
            status_code=204,
            response_class=Response,
            responses=COMMAND_PROBLEMS,
            tags=[tag],
            operation_id=operation_id,
            summary=summary,
        )

    return route
