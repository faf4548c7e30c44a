"""The request's actor: the bearer scheme the API document names, and the dependency every
operation takes (:mod:`examples.service.identity` checks the token and names the actor)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from participatie import Actor

from .identity import Keys, NotAuthenticated

__all__ = ["ActorDep", "current_actor"]

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="A JWT whose claims give the actor (sub), role and municipality",
)


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
