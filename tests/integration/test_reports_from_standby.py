"""Reports read from a second URL (a standby) on read-only connections: the facts as the
primary's projection worker wrote them, never caught up there, with how far behind they are;
reads of personal data go to the primary, which keeps their access log.

On the single test server the second URL names the same database: what is checked is that the
reports path writes nothing (its connections refuse writes) and reads what the worker wrote.
The same on a real standby is in tests/ha/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from participatie import ConfigurationError, FactsLag, Participation
from participatie.persistence.postgres_reports import PostgresReportsSource
from participatie.service import core_of
from tests.actors import AUDITOR, COACH
from tests.support import TEST_SECRET, register


@pytest.fixture
def split_app(postgres_schema_url: str) -> Iterator[Participation]:
    with Participation.open(
        postgres_schema_url, secret=TEST_SECRET, reports_url=postgres_schema_url
    ) as app:
        yield app


@pytest.mark.postgres
def test_reports_read_the_facts_the_worker_wrote_and_say_how_far_behind_they_are(
    split_app: Participation,
) -> None:
    for _ in range(3):
        register(split_app, on=date(2019, 1, 8))
    period = (date(2019, 1, 1), date(2019, 12, 31))
    before = split_app.outcomes(period=period)
    lag = split_app.facts_lag()
    assert before.inflow == 0  # not caught up on the reports' server
    assert lag.positions_behind >= 3
    assert lag.replay_delay is None  # the test server is no standby
    split_app.project()  # the projection worker, on the primary
    assert split_app.outcomes(period=period).inflow == 3
    assert split_app.facts_lag().positions_behind == 0


@pytest.mark.postgres
def test_the_reports_connections_refuse_every_write(split_app: Participation) -> None:
    register(split_app)
    split_app.project()
    reports = core_of(split_app).reports
    assert isinstance(reports, PostgresReportsSource)
    with pytest.raises(Exception, match="read-only transaction"):
        reports.view.reset()  # what a catch-up or a rebuild would start with
    assert split_app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31))).inflow == 1


@pytest.mark.postgres
def test_reads_of_personal_data_go_to_the_primary_and_are_logged_there(
    split_app: Participation,
) -> None:
    rid = register(split_app, name="A. Jansen")
    assert split_app.personal_data(rid, by=COACH, purpose="check").name == "A. Jansen"
    assert [entry.purpose for entry in split_app.access_log(rid, by=AUDITOR)] == ["check"]


def test_without_a_reports_url_the_lag_is_the_projection_workers(app: Participation) -> None:
    register(app)
    lag = app.facts_lag()
    assert isinstance(lag, FactsLag)
    assert lag.positions_behind == lag.log_position > 0
    app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31)))  # catches up first
    assert app.facts_lag().positions_behind == 0


def test_a_reports_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="reports_url"):
        Participation.open("memory://", secret=TEST_SECRET, reports_url="sqlite:///r.db")
