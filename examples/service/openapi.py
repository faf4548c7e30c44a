"""The API document FastAPI generates, made to say what the service answers: a problem is
``application/problem+json`` only, a schema error is 400 (not FastAPI's 422), and a creation
links to what can be done with what it made."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .problems import PROBLEM_JSON

__all__ = ["api_document"]


def api_document(app: FastAPI) -> dict[str, Any]:
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
