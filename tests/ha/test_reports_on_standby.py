"""Reports from the cluster's standby: the facts the primary's worker wrote, replicated, read on
a server that is in recovery (so cannot be written), with the replication delay."""

from __future__ import annotations

import time
from datetime import date

import pytest

from participatie import Participation
from tests.ha.conftest import with_schema
from tests.support import TEST_SECRET, register

pytestmark = pytest.mark.ha


def test_outcomes_are_read_from_the_standby_as_the_primarys_worker_wrote_them(
    ha_url: str, ha_schema: str
) -> None:
    url = with_schema(ha_url, ha_schema)
    standby = url.replace("target_session_attrs=read-write", "target_session_attrs=standby")
    with Participation.open(url, secret=TEST_SECRET, reports_url=standby) as app:
        for _ in range(3):
            register(app)
        app.project()  # the worker, on the primary
        deadline = time.time() + 30
        while app.facts_lag().positions_behind and time.time() < deadline:
            time.sleep(0.2)  # replication
        lag = app.facts_lag()
        assert lag.positions_behind == 0
        assert lag.replay_delay is not None  # the reports' server is in recovery: a standby
        assert "25432" in lag.source or "25431" in lag.source
        assert app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31))).inflow == 3
