"""The service's pages in a real browser: the register form submits and shows the new resident,
and neither it nor the outcome report has a WCAG 2.1 A/AA violation axe-core can find."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from uuid import UUID

import pytest
import uvicorn

from examples.service.app import create_app
from examples.service.identity import Keys, make_token
from examples.service.tests.browser import axe_violations, chromium, screenshot
from participatie import Actor, Participation, Role
from tests.support import TEST_SECRET

pytestmark = pytest.mark.browser

KEYS = Keys.of("HS256", "the browser tests' own secret, 32+ bytes long")
COACH = Actor("coach-anna", Role.COACH, municipality="haaren")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Participation]]:
    """The service on a free loopback port, in a thread of this process."""
    with Participation.open("memory://", secret=TEST_SECRET) as participation:
        config = uvicorn.Config(
            create_app(participation, keys=KEYS), host="127.0.0.1", port=0, log_level="warning"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}", participation
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def bearer(actor_id: str, role: str) -> dict[str, str]:
    token = make_token(KEYS, actor_id=actor_id, role=role, municipality="haaren")
    return {"Authorization": f"Bearer {token}"}


def test_the_register_form_submits_and_shows_the_new_resident(
    served: tuple[str, Participation],
) -> None:
    base, participation = served
    with chromium() as browser:
        page = browser.new_context(extra_http_headers=bearer("coach-anna", "coach")).new_page()
        answer = page.goto(f"{base}/v1/forms/register-resident")
        assert answer is not None
        assert answer.status == 200
        assert axe_violations(page) == []
        screenshot(page, "register-form")
        page.get_by_label("Verwezen door").select_option("care_and_welfare")
        page.get_by_label("Uitkering").select_option("social_assistance")
        page.get_by_label("Naam").fill("A. Jansen")
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_selector("#resident-id")
        assert page.get_by_role("heading", level=1).inner_text() == "Inwoner aangemeld"
        rid = UUID(page.locator("#resident-id").inner_text())
        assert axe_violations(page) == []
        screenshot(page, "registered")
    trajectory = participation.resident(rid, by=COACH)
    assert (trajectory.referral.value, trajectory.municipality) == ("care_and_welfare", "haaren")


def test_a_refused_registration_shows_the_reason_on_the_form(
    served: tuple[str, Participation],
) -> None:
    base, _ = served
    with chromium() as browser:
        page = browser.new_context(extra_http_headers=bearer("coach-anna", "coach")).new_page()
        page.goto(f"{base}/v1/forms/register-resident")
        page.get_by_label("BSN").fill("123456789")  # fails the eleven-test
        page.get_by_role("button", name="Aanmelden").click()
        alert = page.get_by_role("alert")
        assert "eleven-test" in alert.inner_text()
        assert axe_violations(page) == []
        screenshot(page, "register-refused")


def test_the_report_page_loads_and_has_no_aa_violations(
    served: tuple[str, Participation],
) -> None:
    base, _ = served
    with chromium() as browser:
        page = browser.new_context(
            extra_http_headers=bearer("policy-1", "policy_officer")
        ).new_page()
        answer = page.goto(f"{base}/v1/report")
        assert answer is not None
        assert answer.status == 200
        assert page.locator("svg").count() == 5
        violations = axe_violations(page)
        screenshot(page, "report")
        assert violations == []
