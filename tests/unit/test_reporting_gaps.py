"""In the charts a zero is a value and a month without data is a gap, each shown as such.

The charts' texts are SVG text (not glyph paths), so the texts a chart shows can be read from the
page. The report is asked for in English here; the Dutch one says the same in Dutch.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from participatie import OutflowReason, Participation
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.reporting import html_report, monthly_reports
from tests.support import COACH, TEST_SECRET, Clock, register_with_intake

JANUARY_TO_MAY = (date(2019, 1, 1), date(2019, 5, 31))


def chart_texts(page: str, chart: str) -> list[str]:
    """The texts drawn in one chart of the page, in drawing order."""
    section = page.split(f"<h2>{chart}</h2>")[1].split("</section>", maxsplit=1)[0]
    drawing = section.split("</desc>", maxsplit=1)[1].split("</svg>", maxsplit=1)[0]
    return [html.unescape(text) for text in re.findall(r"<text\b[^>]*>(.*?)</text>", drawing)]


@pytest.fixture
def app() -> Iterator[Participation]:
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as application:
        yield application


@pytest.fixture
def one_quiet_february(app: Participation) -> Participation:
    """A resident open for all of February 2019 without a conversation, closed mid-March."""
    rid = register_with_intake(app, on=date(2019, 1, 8))
    app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 3, 15), by=COACH)
    return app


def test_a_month_of_zero_compliance_is_a_bar_of_zero(one_quiet_february: Participation) -> None:
    page = html_report(one_quiet_february, period=JANUARY_TO_MAY, lang="en")
    texts = chart_texts(page, "Contact compliance per month")
    assert "No whole months of open trajectories." not in texts
    assert "0%" in texts


def test_a_month_without_whole_months_open_is_marked_as_a_gap(
    one_quiet_february: Participation,
) -> None:
    page = html_report(one_quiet_february, period=JANUARY_TO_MAY, lang="en")
    texts = chart_texts(page, "Contact compliance per month")
    # January (registered on the 8th), March (closed on the 15th), April and May have no share.
    assert texts.count("no data") == 4
    assert texts.count("0%") == 1


def test_a_suppressed_month_is_labelled_as_suppressed_not_as_zero(
    one_quiet_february: Participation,
) -> None:
    page = html_report(
        one_quiet_february, period=JANUARY_TO_MAY, suppress_small_cells=True, lang="en"
    )
    texts = chart_texts(page, "Contact compliance per month")
    assert "x" in texts
    assert "0%" not in texts
    assert "No whole months of open trajectories." not in texts


def test_a_chart_without_any_value_says_so(app: Participation) -> None:
    register_with_intake(app, on=date(2019, 5, 20))
    page = html_report(app, period=JANUARY_TO_MAY, lang="en")
    assert chart_texts(page, "Contact compliance per month") == [
        "No whole months of open trajectories."
    ]


def test_reached_residents_without_outflow_show_every_reason_at_zero(app: Participation) -> None:
    register_with_intake(app, on=date(2019, 1, 8))
    page = html_report(app, period=JANUARY_TO_MAY, lang="en")
    texts = chart_texts(page, "Outflow by reason")
    assert "No outflow in this period" not in " ".join(texts)
    assert "work" in texts
    assert "withdrew" in texts
    assert texts.count("0") >= len(OutflowReason)


def test_months_without_job_coaching_are_gaps_in_the_hours_chart(app: Participation) -> None:
    record_noordoostpolder(app)
    period = (date(2019, 1, 1), date(2019, 12, 31))
    months = monthly_reports(app, period=period)
    without = [m for m, r in months if r.job_coaching.mean_hours_per_week is None]
    assert 0 < len(without) < len(months)
    texts = chart_texts(
        html_report(app, period=period, lang="en"), "Coaching hours per week, per month"
    )
    assert texts.count("no data") == len(without)
