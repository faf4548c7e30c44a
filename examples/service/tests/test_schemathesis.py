"""Schemathesis against the live service (in-process, over ASGI): no request it generates, valid
or not, gets a 500, an answer the OpenAPI document does not describe, or is accepted when the
document forbids it. Bounded by ``max_examples`` so the suite stays fast (about half a minute).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from examples.service.app import create_app
from examples.service.identity import Keys, make_token
from participatie import Participation

KEYS = Keys.of("HS256", "the schemathesis run's own secret, 32+ bytes")
PARTICIPATION = Participation.open("memory://")
APP = create_app(PARTICIPATION, keys=KEYS)
SCHEMA = schemathesis.openapi.from_asgi("/v1/openapi.json", APP)
# A coach of haaren: most operations are theirs; the rest answer 403, which is documented.
TOKEN = make_token(KEYS, actor_id="coach-fuzz", role="coach", municipality="haaren")
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
# Valid requests may still be refused by the trajectory's rules (404, 409, 422 are documented
# answers to a well-formed request), so "valid data is accepted" is not a property of this API.
EXCLUDED: list[schemathesis.CheckFunction] = [positive_data_acceptance]


@pytest.fixture(scope="module", autouse=True)
def _close_store() -> Any:
    yield
    PARTICIPATION.close()


SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True}


def authorise(case: schemathesis.Case[Any]) -> None:
    """Put the coach's token in place of the generated one. A negative case without the header is
    sent without it (and answered 401): adding it on the wire only would have Schemathesis judge a
    request it did not send, and take a valid one answered 200 for accepted negative data."""
    for name in list(case.headers):
        if name.lower() == "authorization":
            case.headers[name] = HEADERS["Authorization"]


@SCHEMA.exclude(operation_id="getReport").parametrize()
@settings(max_examples=20, **SETTINGS)  # type: ignore[arg-type]
def test_no_generated_request_breaks_the_api_or_its_document(case: schemathesis.Case[Any]) -> None:
    authorise(case)
    case.call_and_validate(excluded_checks=EXCLUDED)


# The report draws its charts (a second or so each): fewer examples.
@SCHEMA.include(operation_id="getReport").parametrize()
@settings(max_examples=6, **SETTINGS)  # type: ignore[arg-type]
def test_no_generated_report_request_breaks_the_report(case: schemathesis.Case[Any]) -> None:
    authorise(case)
    case.call_and_validate(excluded_checks=EXCLUDED)


# The workflows leave the report out: the test above covers it, and it is slow.
StateMachine = SCHEMA.exclude(operation_id="getReport").as_state_machine()


class APIWorkflows(StateMachine):  # type: ignore[misc,valid-type]
    """Follows the document's links: register, then act on the resident that was registered."""

    def before_call(self, case: schemathesis.Case[Any]) -> None:
        authorise(case)

    def validate_response(self, response: Any, case: schemathesis.Case[Any], **kwargs: Any) -> None:
        case.validate_response(response, excluded_checks=EXCLUDED)


TestAPIWorkflows = APIWorkflows.TestCase
TestAPIWorkflows.settings = settings(max_examples=8, stateful_step_count=5, **SETTINGS)  # type: ignore[arg-type]
