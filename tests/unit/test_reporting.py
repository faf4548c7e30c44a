"""The HTML report: the figures, five charts, small cells suppressed when asked, in English when
asked (Dutch is tested in test_reporting_dutch.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from participatie import Actor, ConfigurationError, Participation, Role
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.reporting import html_report, monthly_reports
from tests.support import TEST_SECRET, Clock
from tests.unit.test_reporting_gaps import chart_texts

YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))


@pytest.fixture(scope="module")
def demo() -> Iterator[Participation]:
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        record_haaren_2019(app)
        record_noordoostpolder(app)
        yield app


def test_the_report_shows_the_pilots_figures_and_five_charts(demo: Participation) -> None:
    page = html_report(demo, period=YEAR_2019, municipality="haaren", target=30, lang="en")
    assert page.count("<svg") == 5
    assert "<td>50 of target 30 (167%)</td>" in page
    assert "<td>23/50 (46%)</td>" in page
    assert "<td>5/50 (10%)</td>" in page
    assert "<td>2/50 (4%)</td>" in page
    for chart in (
        "Outflow by reason",
        "Reach against the target",
        "Contact compliance per month",
        "Change in happiness",
        "Coaching hours per week, per month",
    ):
        assert f"<h2>{chart}</h2>" in page


def test_the_same_report_gives_the_same_page(demo: Participation) -> None:
    first = html_report(demo, period=YEAR_2019, municipality="haaren")
    assert html_report(demo, period=YEAR_2019, municipality="haaren") == first
    english = html_report(demo, period=YEAR_2019, municipality="haaren", lang="en")
    assert html_report(demo, period=YEAR_2019, municipality="haaren", lang="en") == english


def test_small_cells_are_blanked_in_the_figures_and_the_charts(demo: Participation) -> None:
    page = html_report(
        demo, period=YEAR_2019, municipality="haaren", suppress_small_cells=True, lang="en"
    )
    assert "2/50" not in page
    assert "<td>x/50 (x)</td>" in page
    # The legend of the signs explains the x (CBS StatLine's "geheim").
    assert "<dt>x</dt><dd>secret: not shown so that no resident can be singled out (counts " in page
    # The outflow chart labels the hidden bars (moved away and the zeros beside it) instead of
    # drawing them, and so does its table.
    outflow = chart_texts(page, "Outflow by reason")
    assert outflow.count("x") == 5
    table = page.split("<caption>Outflow by reason</caption>")[1].split("</table>")[0]
    assert table.count("<td>x</td>") == 5


def test_job_coaching_hours_are_charted_per_month(demo: Participation) -> None:
    months = monthly_reports(demo, period=(date(2020, 1, 15), date(2020, 6, 30)))
    assert [first for first, _ in months] == [date(2020, 1, 15)] + [
        date(2020, m, 1) for m in range(2, 7)
    ]
    assert any(report.job_coaching.mean_hours_per_week for _, report in months)
    page = html_report(demo, period=(date(2020, 1, 1), date(2020, 6, 30)), lang="en")
    hours = chart_texts(page, "Coaching hours per week, per month")
    assert "No job coaching in this period." not in hours
    assert "2020-03" in hours


def test_text_from_the_store_is_escaped(clock: Clock) -> None:
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        app.register_resident(
            referral="walk_in",
            benefit="none",
            municipality="<script>alert(1)</script>",
            on=date(2019, 1, 8),
            by=Actor("coach-1", Role.COACH),
        )
        page = html_report(app, period=YEAR_2019, municipality="<script>alert(1)</script>")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_rows_read_as_the_stats_table(demo: Participation) -> None:
    report = demo.outcomes(period=YEAR_2019, municipality="haaren", target=30)
    rows = dict(report.figure_rows(lang="en"))
    assert rows["reach"] == "50 of target 30 (167%)"
    assert rows["  outflow: moved away"] == "2/50 (4%)"
    published = dict(report.figure_rows(lang="en", suppress_small_cells=True))
    assert published["  outflow: moved away"] == "x/50 (x)"
    assert published["  outflow: care"] == "x/50 (x)"  # a zero beside it is hidden too
    assert published["  outflow: work"] == "23/50 (46%)"


def test_without_matplotlib_the_report_says_which_extra_to_install(
    demo: Participation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    with pytest.raises(ConfigurationError, match=r"participatie\[report\]"):
        html_report(demo, period=YEAR_2019)
