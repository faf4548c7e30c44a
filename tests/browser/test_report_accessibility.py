"""The Dutch HTML report of both demos, as a municipality would publish it, passes axe-core's
WCAG 2.1 A and AA rules in headless Chromium; the top of each page is kept as a screenshot
(artefacts/browser/). Run with ``make test-browser``; without Chromium or axe-core these tests
are skipped, and pytest's summary (-ra) says why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest

from participatie import Actor, Participation, Role
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.reporting import html_report
from tests.browser.axe import (
    axe_violations,
    chromium,
    describe,
    open_page,
    screenshot,
    skip_unless_available,
)
from tests.support import TEST_SECRET, Clock

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

#: Each demo's report: its municipality, period and target (Haaren aimed at 30 residents).
DEMOS = {
    "haaren": ((date(2019, 1, 1), date(2019, 12, 31)), 30),
    "noordoostpolder": ((date(2019, 1, 1), date(2022, 12, 31)), None),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module's pages (starting one takes seconds)."""
    skip_unless_available()
    with chromium() as started:
        yield started


@pytest.fixture(scope="module")
def pages() -> Iterator[dict[str, str]]:
    """The published (small cells suppressed) Dutch report of each demo, with its breakdowns
    by referral channel and benefit."""
    skip_unless_available()
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        record_haaren_2019(app)
        record_noordoostpolder(app)
        yield {
            municipality: html_report(
                app,
                period=period,
                municipality=municipality,
                target=target,
                suppress_small_cells=True,
                breakdowns=("referral", "benefit"),
                by=Actor("beleid-1", Role.POLICY_OFFICER),
            )
            for municipality, (period, target) in DEMOS.items()
        }


@pytest.mark.parametrize("municipality", list(DEMOS))
def test_the_dutch_report_of_a_demo_has_no_wcag_21_aa_violations(
    browser: Browser, pages: dict[str, str], municipality: str
) -> None:
    page = open_page(browser, pages[municipality])
    violations = axe_violations(page)
    shot = screenshot(page, f"report-{municipality}-nl")
    # What a reader with a screen reader is given for each chart: its name in Dutch.
    names = page.locator("svg[role=img]").evaluate_all(
        "charts => charts.map(svg => svg.querySelector('title').textContent)"
    )
    language = page.evaluate("document.documentElement.lang")
    headings = page.locator("h2").all_inner_texts()
    page.close()
    assert violations == [], describe(violations)
    assert shot.stat().st_size > 10_000  # a page, not an empty window
    assert language == "nl"
    assert len(names) == 5
    assert "Uitstroom naar reden" in names
    assert "Bereik en uitstroom naar toeleiding" in headings


def test_the_check_finds_a_page_without_a_language_and_a_chart_without_a_name(
    browser: Browser,
) -> None:
    # The check above can fail: these are the faults of the report before it was made accessible.
    unnamed = "<!DOCTYPE html><html><head><title>t</title></head><body><main><h1>t</h1>"
    unnamed += '<svg role="img" width="10" height="10"><rect width="10" height="10"/></svg>'
    unnamed += "</main></body></html>"
    found = {violation["id"] for violation in axe_violations(open_page(browser, unnamed))}
    assert {"html-has-lang", "svg-img-alt"} <= found
