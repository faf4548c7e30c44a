"""Query parameters: the ones several operations share, and the refusal of any other."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError

from .values import Day

__all__ = [
    "AsOf",
    "From",
    "Municipality",
    "Purpose",
    "Suppress",
    "Target",
    "To",
    "known_query",
]

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
