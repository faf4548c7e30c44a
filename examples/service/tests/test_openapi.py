"""The checked-in OpenAPI document is the one the service generates, and the library itself
never imports the web framework."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from examples.service.app import openapi_document

DOCUMENT = Path(__file__).parent.parent / "openapi.json"


def rendered() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def test_the_checked_in_openapi_document_is_the_one_the_service_generates() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == rendered(), (
        "examples/service/openapi.json is stale: run python -m examples.service.tests.test_openapi"
    )


def test_every_operation_is_versioned_and_answers_problems_as_problem_json() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.")
    for path, operations in document["paths"].items():
        assert path.startswith("/v1/"), path
        for operation in operations.values():
            assert operation["operationId"]
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    assert list(answer["content"]) == ["application/problem+json"], (path, status)


def test_importing_the_library_imports_no_web_framework() -> None:
    code = (
        "import sys, participatie, participatie.cli;"
        "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'jwt') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"


if __name__ == "__main__":
    DOCUMENT.write_text(rendered(), encoding="utf-8")
    print(f"wrote {DOCUMENT}")
