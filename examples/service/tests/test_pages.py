"""The register form without a browser: what it posts, what it answers, and what it refuses
(the browser tests check the same pages in Chromium with axe-core)."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from examples.service.tests.conftest import Token
from participatie import Actor, Participation, Role
from tests.support import log_position

COACH = Actor("coach-anna", Role.COACH, municipality="haaren")
FORM = "/v1/forms/register-resident"
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def test_the_form_registers_the_resident_and_shows_the_new_id(
    client: TestClient, app: Participation, headers: Token
) -> None:
    page = client.get(FORM, headers=headers("coach-anna", "coach"))
    assert page.status_code == 200
    assert 'value="haaren"' in page.text
    answer = client.post(
        FORM,
        content="referral=walk_in&benefit=unemployment&on=2026-11-02&municipality=haaren&name=&bsn=",
        headers={**headers("coach-anna", "coach"), **URLENCODED},
    )
    assert answer.status_code == 201
    rid = UUID(answer.text.split('<dd id="resident-id">')[1].split("<")[0])
    assert app.resident(rid, by=COACH).benefit.value == "unemployment"


def test_a_form_missing_a_field_is_shown_again_with_the_reason_and_appends_nothing(
    client: TestClient, app: Participation, headers: Token
) -> None:
    position = log_position(app)
    answer = client.post(
        FORM,
        content="benefit=none&on=2026-11-02",
        headers={**headers("coach-anna", "coach"), **URLENCODED},
    )
    assert answer.status_code == 400
    assert 'role="alert"' in answer.text
    assert "referral" in answer.text
    assert log_position(app) == position


def test_a_role_that_may_not_register_gets_the_form_back_with_403(
    client: TestClient, app: Participation, headers: Token
) -> None:
    answer = client.post(
        FORM,
        content="referral=walk_in&benefit=none&on=2026-11-02",
        headers={**headers("broker-1", "job_broker"), **URLENCODED},
    )
    assert answer.status_code == 403
    assert "may not register residents" in answer.text
