"""The example service's API: commands and reads over the library, identity from bearer tokens,
the caller's trace handed on, and every library error as a problem+json with its status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from examples.service.identity import Keys, make_token
from examples.service.tests.conftest import Token
from participatie import Actor, Participation, Role
from tests.support import assert_appended_only_refusals, log_position

AUDITOR = Actor("auditor-1", Role.AUDITOR)
PROBLEM = "application/problem+json"


def register(client: TestClient, headers: Token, on: str = "2026-01-05", **body: Any) -> str:
    answer = client.post(
        "/v1/residents",
        json={"referral": "walk_in", "benefit": "none", "on": on, **body},
        headers=headers("coach-anna", "coach"),
    )
    assert answer.status_code == 201, answer.text
    rid: str = answer.json()["id"]
    assert answer.headers["location"] == f"/v1/residents/{rid}"
    return rid


def with_intake(client: TestClient, headers: Token) -> str:
    rid = register(client, headers)
    answer = client.post(
        f"/v1/residents/{rid}/intake",
        json={"goal": "work", "happiness": 5, "on": "2026-01-06"},
        headers=headers("coach-anna", "coach"),
    )
    assert answer.status_code == 204, answer.text
    return rid


def refused(
    client: TestClient,
    app: Participation,
    status: int,
    method: str,
    path: str,
    refusals: int = 0,
    **kwargs: Any,
) -> dict[str, Any]:
    """The request is answered with ``status`` as a problem, and nothing but ``refusals``
    security log entries is appended."""
    position = log_position(app)
    answer = client.request(method, path, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status
    assert problem["instance"] == path.split("?", maxsplit=1)[0]
    assert_appended_only_refusals(app, position, refusals)
    return problem


def test_a_coach_registers_a_resident_and_records_a_conversation_that_the_state_shows(
    client: TestClient, headers: Token
) -> None:
    rid = with_intake(client, headers)
    coach = headers("coach-bas", "coach")
    answer = client.post(
        f"/v1/residents/{rid}/conversations",
        json={"happiness": 7, "on": "2026-02-03"},
        headers=coach,
    )
    assert answer.status_code == 204
    state = client.get(f"/v1/residents/{rid}", headers=coach).json()
    assert (state["municipality"], state["status"], state["goal"]) == ("haaren", "open", "work")
    assert state["happiness"] == [
        {"on": "2026-01-06", "score": 5},
        {"on": "2026-02-03", "score": 7},
    ]
    assert (state["conversation_count"], state["version"]) == (1, 3)


def test_the_state_and_the_history_answer_as_of_a_past_day(
    client: TestClient, headers: Token
) -> None:
    rid = with_intake(client, headers)
    coach, auditor = headers("coach-anna", "coach"), headers("auditor-1", "auditor", None)
    client.post(
        f"/v1/residents/{rid}/conversations",
        json={"happiness": 8, "on": "2026-03-02"},
        headers=coach,
    )
    before = client.get(f"/v1/residents/{rid}?as_of=2026-02-01", headers=coach).json()
    assert before["conversation_count"] == 0
    history = client.get(f"/v1/residents/{rid}/history", headers=auditor).json()
    assert [e["event"] for e in history] == ["Registered", "IntakeHeld", "ConversationHeld"]
    early = client.get(
        f"/v1/residents/{rid}/history?as_of=2026-01-05&purpose=audit 2026", headers=auditor
    ).json()
    assert [(e["event"], e["actor"]) for e in early] == [
        ("Registered", {"id": "coach-anna", "role": "coach"})
    ]


def test_placement_wage_value_and_job_coaching_run_through_the_api(
    client: TestClient, headers: Token
) -> None:
    rid = with_intake(client, headers)
    broker = headers("broker-1", "job_broker")
    answer = client.post(
        f"/v1/residents/{rid}/placements",
        json={
            "employer": "Bakkerij Haaren",
            "kind": "paid_work",
            "hours_per_week": 24,
            "contract_months": 12,
            "on": "2026-02-02",
        },
        headers=broker,
    )
    assert answer.status_code == 204, answer.text
    answer = client.post(
        f"/v1/residents/{rid}/wage-value-assessments",
        json={"percent": 60, "needs_job_coaching": True, "on": "2026-02-09"},
        headers=headers("assessor-1", "wage_value_assessor"),
    )
    assert answer.status_code == 204, answer.text
    answer = client.post(
        f"/v1/residents/{rid}/job-coachings",
        json={
            "provider": "USG Restart",
            "provider_recognised": True,
            "job_coach_id": "jc-3",
            "job_coach_hbo_degree": True,
            "on": "2026-02-16",
        },
        headers=headers("coord-1", "coordinator"),
    )
    assert answer.status_code == 201, answer.text
    cid = answer.json()["id"]
    job_coach = headers("jc-3", "job_coach")
    answer = client.post(
        f"/v1/job-coachings/{cid}/hours",
        json={"hours": 2.5, "counterpart": "employee", "on": "2026-02-17"},
        headers=job_coach,
    )
    assert answer.status_code == 204, answer.text
    coaching = client.get(f"/v1/job-coachings/{cid}", headers=job_coach).json()
    assert (coaching["hours_logged"], coaching["resident_id"]) == (2.5, rid)
    # Another job coach may not log hours on it: the library refuses, the service says 403.
    other = client.post(
        f"/v1/job-coachings/{cid}/hours",
        json={"hours": 1, "counterpart": "manager", "on": "2026-02-18"},
        headers=headers("jc-9", "job_coach"),
    )
    assert other.status_code == 403
    answer = client.post(
        f"/v1/residents/{rid}/closure",
        json={"reason": "work", "on": "2026-03-01"},
        headers=headers("coach-anna", "coach"),
    )
    assert answer.status_code == 204, answer.text


def test_the_caseload_and_the_signals_are_those_of_the_actors_municipality(
    client: TestClient, headers: Token
) -> None:
    first = with_intake(client, headers)
    second = register(client, headers, on="2026-11-01")
    coach = headers("coach-anna", "coach")
    page = client.get("/v1/caseload", headers=coach).json()
    assert sorted(e["resident_id"] for e in page["entries"]) == sorted([first, second])
    assert page["next_after"] is None
    signals = client.get("/v1/signals?on=2026-11-24", headers=coach).json()
    assert {(s["kind"], s["resident_id"]) for s in signals} >= {("intake_pending", second)}
    elsewhere = client.get("/v1/caseload", headers=headers("coach-9", "coach", "oss")).json()
    assert elsewhere["entries"] == []


def test_statistics_are_json_and_the_report_is_a_page(client: TestClient, headers: Token) -> None:
    with_intake(client, headers)
    officer = headers("policy-1", "policy_officer")
    stats = client.get("/v1/statistics?from=2026-01-01&to=2026-06-30", headers=officer)
    assert stats.status_code == 200, stats.text
    assert (stats.json()["reach"], stats.json()["municipality"]) == (1, "haaren")
    report = client.get("/v1/report?from=2026-01-01&to=2026-06-30", headers=officer)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert "<svg" in report.text
    assert "haaren" in report.text


def test_an_actor_of_one_municipality_may_not_read_anothers_statistics(
    client: TestClient, app: Participation, headers: Token
) -> None:
    with_intake(client, headers)
    problem = refused(
        client,
        app,
        403,
        "GET",
        "/v1/statistics?municipality=oss",
        headers=headers("policy-1", "policy_officer"),
    )
    assert "haaren" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"happiness": 7, "on": "2026-02-03", "role": "coordinator"}, "body.role"),
        ({"happiness": 7, "on": "2026-02-03", "by": "coach-anna"}, "body.by"),
        ({"happiness": "7", "on": "2026-02-03"}, "body.happiness"),
        ({"happiness": 11, "on": "2026-02-03"}, "body.happiness"),
        ({"happiness": 7, "on": 20260203}, "body.on"),
        ({"happiness": 7}, "body.on"),
    ],
)
def test_a_body_the_schema_forbids_is_refused_with_400_naming_the_field_and_appends_nothing(
    client: TestClient, app: Participation, headers: Token, body: dict[str, Any], where: str
) -> None:
    rid = with_intake(client, headers)
    problem = refused(
        client,
        app,
        400,
        "POST",
        f"/v1/residents/{rid}/conversations",
        json=body,
        headers=headers("coach-anna", "coach"),
    )
    assert where in [p["name"] for p in problem["invalid-params"]]


def test_each_library_error_has_its_status(
    client: TestClient, app: Participation, headers: Token
) -> None:
    coach = headers("coach-anna", "coach")
    rid = register(client, headers)
    # A rule of the trajectory: 422, and the type names the rule.
    problem = refused(
        client,
        app,
        422,
        "POST",
        f"/v1/residents/{rid}/conversations",
        json={"happiness": 6, "on": "2026-02-03"},
        headers=coach,
    )
    assert problem["type"].endswith("/intake-required")
    # A business date after today breaks a rule too (BusinessDateRefused).
    problem = refused(
        client,
        app,
        422,
        "POST",
        f"/v1/residents/{rid}/intake",
        json={"goal": "work", "happiness": 6, "on": "2026-12-01"},
        headers=coach,
    )
    assert problem["type"].endswith("/business-date-refused")
    # A value the library refuses (a BSN failing the eleven-test): 400.
    problem = refused(
        client,
        app,
        400,
        "POST",
        "/v1/residents",
        json={"referral": "walk_in", "benefit": "none", "on": "2026-01-05", "bsn": "123456789"},
        headers=coach,
    )
    assert problem["type"].endswith("/invalid-input")
    # A role that may not: 403, and one refusal in the security log.
    refused(
        client,
        app,
        403,
        "POST",
        f"/v1/residents/{rid}/intake",
        refusals=1,
        json={"goal": "work", "happiness": 6, "on": "2026-02-03"},
        headers=headers("broker-1", "job_broker"),
    )
    # No such resident: 404.
    refused(
        client,
        app,
        404,
        "POST",
        f"/v1/residents/{UUID(int=7)}/intake",
        json={"goal": "work", "happiness": 6, "on": "2026-02-03"},
        headers=coach,
    )
    # A BSN with a trajectory already: 409.
    register(client, headers, bsn="123456782")
    problem = refused(
        client,
        app,
        409,
        "POST",
        "/v1/residents",
        json={"referral": "walk_in", "benefit": "none", "on": "2026-01-05", "bsn": "123456782"},
        headers=coach,
    )
    assert problem["type"].endswith("/bsn-already-registered")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic Y29hY2g6c2VjcmV0",
        "Bearer not-a-jwt",
    ],
)
def test_a_request_without_a_valid_bearer_token_is_refused_with_401(
    client: TestClient, app: Participation, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    position = log_position(app)
    answer = client.get("/v1/caseload", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert log_position(app) == position


def test_a_token_signed_with_another_key_or_expired_is_refused(
    client: TestClient, keys: Keys
) -> None:
    other = Keys.of("HS256", "another secret that is also 32+ bytes long")
    forged = make_token(other, actor_id="admin-1", role="coach")
    expired = make_token(keys, actor_id="coach-anna", role="coach", valid_for=-timedelta(minutes=1))
    for token in (forged, expired):
        answer = client.get("/v1/caseload", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token


def test_a_token_naming_no_known_role_is_refused(client: TestClient, keys: Keys) -> None:
    token = make_token(keys, actor_id="x", role="superuser")
    answer = client.get("/v1/caseload", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert "superuser" in answer.json()["detail"]


def test_eddsa_tokens_are_checked_with_the_public_key_only(app: Participation) -> None:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: PLC0415

    from examples.service.app import create_app  # noqa: PLC0415

    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    token = make_token(Keys.of("EdDSA", private_pem), actor_id="coach-anna", role="coach")
    with TestClient(create_app(app, keys=Keys.of("EdDSA", public_pem))) as client:
        answer = client.get(
            "/v1/caseload?municipality=haaren", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text


def test_the_callers_traceparent_is_the_parent_of_the_processing_record(
    client: TestClient, app: Participation, headers: Token
) -> None:
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    answer = client.post(
        "/v1/residents",
        json={"referral": "walk_in", "benefit": "none", "on": "2026-01-05"},
        headers={**headers("coach-anna", "coach"), "traceparent": trace},
    )
    rid = answer.json()["id"]
    (record,) = app.processing_log(UUID(rid), by=AUDITOR)
    assert (record.trace_id, record.parent_span_id) == (
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
    )
    assert record.name == "register"


def test_a_malformed_traceparent_starts_a_trace_of_its_own_instead_of_failing(
    client: TestClient, app: Participation, headers: Token
) -> None:
    answer = client.post(
        "/v1/residents",
        json={"referral": "walk_in", "benefit": "none", "on": "2026-01-05"},
        headers={**headers("coach-anna", "coach"), "traceparent": "00-nonsense"},
    )
    assert answer.status_code == 201
    (record,) = app.processing_log(UUID(answer.json()["id"]), by=AUDITOR)
    assert record.parent_span_id is None
    assert len(record.trace_id) == 32


def test_an_actor_of_every_municipality_must_name_the_residents(
    client: TestClient, app: Participation, headers: Token
) -> None:
    problem = refused(
        client,
        app,
        400,
        "POST",
        "/v1/residents",
        json={"referral": "walk_in", "benefit": "none", "on": "2026-01-05"},
        headers=headers("coach-all", "coach", None),
    )
    assert "name the resident's municipality" in problem["detail"]


def test_an_unknown_path_and_a_bad_id_are_problems_too(client: TestClient, headers: Token) -> None:
    coach = headers("coach-anna", "coach")
    missing = client.get("/v1/nothing", headers=coach)
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    bad = client.get("/v1/residents/not-a-uuid", headers=coach)
    assert (bad.status_code, bad.headers["content-type"]) == (400, PROBLEM)


def test_a_report_longer_than_ten_years_is_refused_before_any_month_is_drawn(
    client: TestClient, app: Participation, headers: Token
) -> None:
    problem = refused(
        client,
        app,
        400,
        "GET",
        "/v1/report?from=1990-01-01",
        headers=headers("policy-1", "policy_officer"),
    )
    assert "longer than ten years" in problem["detail"]


@pytest.mark.parametrize("day", ["1899-12-31", "2100-01-01", "0001-01-01", "2020-02-30"])
def test_a_date_outside_1900_to_2099_or_not_in_the_calendar_is_refused(
    client: TestClient, app: Participation, headers: Token, day: str
) -> None:
    refused(
        client,
        app,
        400,
        "GET",
        f"/v1/statistics?from={day}",
        headers=headers("policy-1", "policy_officer"),
    )
