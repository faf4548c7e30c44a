"""Outcome statistics on a SQLite file and on PostgreSQL: figures, rebuild, concurrent catch-up."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from participatie import OutflowReason, Participation, Ratio
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.projections.views import TRACKING_KEY
from tests.support import TEST_SECRET, race

YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))


def test_the_haaren_figures_on_the_store_and_after_a_rebuild(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        assert live.outflow[OutflowReason.WORK] == Ratio(23, 50)
        assert live.outflow[OutflowReason.VOLUNTEER_WORK] == Ratio(5, 50)
        assert live.outflow[OutflowReason.MOVED_AWAY] == Ratio(2, 50)
        assert live.reach == 50
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live
        app.rebuild()
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live


def test_processes_catching_up_together_count_each_event_once(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        events = app.event_count()
    reports = race(store_url, 3, lambda own: own.outcomes(period=YEAR_2019, municipality="haaren"))
    assert reports[0] == reports[1] == reports[2]
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        view = app._events.facts_view()
        facts = view.select_facts(None)
        assert len(facts) == len({(f.stream_id, f.version) for f in facts})
        assert view.max_tracking_id(TRACKING_KEY) == events


def test_a_page_read_before_a_rebuild_started_is_refused(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        view = app._events.facts_view()
        stale = view.select_facts(None)[:10]
        at = view.max_tracking_id(TRACKING_KEY)
        assert at is not None
        view.reset()  # a rebuild begins in another process
        with pytest.raises(IntegrityError, match="view is at 0"):
            view.record(stale, Tracking(TRACKING_KEY, at + 10), after=at)
        assert view.max_tracking_id(TRACKING_KEY) is None
        assert view.select_facts(None) == []
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live
