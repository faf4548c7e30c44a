"""A resident's own file (subject access, AVG art. 15) as a page for the resident: in Dutch and
passing axe-core's WCAG 2.1 A and AA rules in headless Chromium, as the published report does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest

from participatie import Goal, Participation
from participatie.audit.subject_access import subject_access_html
from tests.browser.axe import (
    axe_violations,
    chromium,
    describe,
    open_page,
    screenshot,
    skip_unless_available,
)
from tests.support import COACH, TEST_SECRET, Clock, register

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    skip_unless_available()
    with chromium() as started:
        yield started


def test_the_page_of_a_residents_own_file_has_no_wcag_21_aa_violations(browser: Browser) -> None:
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        rid = register(app, bsn="123456782", name="A. Jansen")
        app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
        app.record_conversation(rid, happiness=7, on=date(2019, 1, 20), by=COACH)
        app.add_note(rid, text="Wil graag in de zorg werken.", on=date(2019, 1, 20), by=COACH)
        html = subject_access_html(app.subject_access(rid, by=COACH))
    page = open_page(browser, html)
    violations = axe_violations(page)
    screenshot(page, "subject-access-nl")
    language = page.evaluate("document.documentElement.lang")
    page.close()
    assert violations == [], describe(violations)
    assert language == "nl"
