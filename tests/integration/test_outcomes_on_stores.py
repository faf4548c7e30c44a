"""Outcome statistics on a SQLite file and on PostgreSQL: figures, rebuild, concurrent catch-up,
the stored facts, and the upgrade from an earlier facts table."""

from __future__ import annotations

import time
from datetime import date
from typing import Any, cast

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from participatie import OutflowReason, Participation, Ratio
from participatie.audit.chain import ChainMapper
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.projections import runner
from participatie.projections.facts import fact_of
from participatie.projections.outcomes import OutcomesProjection
from participatie.projections.views import FACTS_TABLE, TRACKING_KEY
from participatie.service import core_of
from participatie.stores import parse_store_url
from tests.support import COACH, TEST_SECRET, race, register_with_intake

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
        view = core_of(app).store.facts_view()
        facts = view.select_facts(None)
        assert len(facts) == len({(f.stream_id, f.version) for f in facts})
        assert view.max_tracking_id(TRACKING_KEY) == events


def test_a_page_read_before_a_rebuild_started_is_refused(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        view = core_of(app).store.facts_view()
        stale = view.select_facts(None)[:10]
        at = view.max_tracking_id(TRACKING_KEY)
        assert at is not None
        view.reset()  # a rebuild begins in another process
        with pytest.raises(IntegrityError, match="view is at 0"):
            view.record(stale, Tracking(TRACKING_KEY, at + 10), after=at)
        assert view.max_tracking_id(TRACKING_KEY) is None
        assert view.select_facts(None) == []
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live


def _tables_and_indexes(view: Any) -> set[str]:
    """The names of the tables and indexes in the view's database (or schema)."""
    with view.datastore.transaction(commit=False) as c:
        if hasattr(view.datastore, "schema"):
            c.execute(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = %s "
                "UNION SELECT indexname FROM pg_indexes WHERE schemaname = %s",
                (view.datastore.schema, view.datastore.schema),
            )
        else:
            c.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        return {row["name"] for row in c.fetchall()}


def _execute(view: Any, statement: str) -> None:
    """Run a statement in the view's database (names qualified by the schema on PostgreSQL)."""
    schema = getattr(view.datastore, "schema", None)
    with view.datastore.transaction(commit=True) as c:
        c.execute(statement.format(schema=f'"{schema}".' if schema else ""))


def test_the_facts_read_back_as_they_were_made(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        app.project()
        municipality_of: dict[str, str] = {}
        decode = cast("ChainMapper", core_of(app).store.mapper).decode_only
        made = [
            fact
            for notification in core_of(app).store.recorder.select_notifications(
                1, app.event_count()
            )
            if (fact := fact_of(decode(notification), municipality_of, notification.id))
        ]
        stored = core_of(app).store.facts_view().select_facts(None)
    assert len(stored) > 500
    assert stored == made  # ids, dates, recorded times to the microsecond, amounts
    assert {len(f.stream_id) for f in stored} == {32}


def test_a_rebuild_builds_the_index_after_the_facts(store_url: str) -> None:
    index = f"{FACTS_TABLE}_municipality"
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        view = core_of(app).store.facts_view()
        assert index in _tables_and_indexes(view)
        indexed_while_loading: list[bool] = []
        app.rebuild(
            progress=lambda _: indexed_while_loading.append(index in _tables_and_indexes(view))
        )
        assert indexed_while_loading
        assert not any(indexed_while_loading)
        assert index in _tables_and_indexes(view)
        view.reset()  # a rebuild killed before its end leaves no index ...
        assert index not in _tables_and_indexes(view)
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        # ... until the store is opened again.
        assert index in _tables_and_indexes(core_of(app).store.facts_view())
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live


def test_an_earlier_facts_table_is_dropped_and_the_view_built_from_the_events(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        view: Any = core_of(app).store.facts_view()
        # The store as the previous release left it: version 2 of the facts, no version 3.
        _execute(view, f"DROP TABLE {{schema}}{FACTS_TABLE}")
        _execute(view, "CREATE TABLE {schema}participatie_outcome_facts_v2 (position bigint)")
        _execute(
            view,
            f"DELETE FROM {{schema}}{getattr(view, 'tracking_table_name', 'tracking')} "
            f"WHERE application_name = '{TRACKING_KEY}'",
        )
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        view = core_of(app).store.facts_view()
        names = _tables_and_indexes(view)
        assert "participatie_outcome_facts_v2" not in names
        assert FACTS_TABLE in names
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live


def test_catch_ups_writing_behind_together_count_each_event_once(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        events = app.event_count()
    done = race(
        store_url,
        3,
        lambda own: runner.catch_up(
            core_of(own).store, core_of(own).store.facts_view(), page_size=50, write_behind=True
        ),
    )
    assert sum(cast("list[int]", done)) == events  # each page written by one of them
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        view = core_of(app).store.facts_view()
        facts = view.select_facts(None)
        assert view.max_tracking_id(TRACKING_KEY) == events
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        app.rebuild()
        assert view.select_facts(None) == facts
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live


@pytest.mark.postgres
def test_eventsourcings_projection_runner_keeps_the_view_with_the_paged_catch_up(
    postgres_schema_url: str,
) -> None:
    from eventsourcing.projection import ProjectionRunner  # noqa: PLC0415

    from participatie.projections.views_postgres import PostgresFactsView  # noqa: PLC0415
    from participatie.service.store import StoreApplication  # noqa: PLC0415

    url = postgres_schema_url
    with Participation.open(url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        halfway = app.event_count()
        app.project()  # the paged catch-up records the first part
        with ProjectionRunner(
            application_class=StoreApplication,
            projection_class=OutcomesProjection,
            view_class=PostgresFactsView,
            env=parse_store_url(url).settings,
        ) as projection_runner:
            for _ in range(5):
                rid = register_with_intake(app, on=date(2019, 12, 2))
                app.close_trajectory(
                    rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 12, 20), by=COACH
                )
            events = app.event_count()
            view = core_of(app).store.facts_view()
            deadline = time.monotonic() + 20
            while view.max_tracking_id(TRACKING_KEY) != events:
                assert time.monotonic() < deadline, view.max_tracking_id(TRACKING_KEY)
                projection_runner.run_forever(timeout=0.05)
        assert events > halfway
        facts = view.select_facts(None)
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        assert live.reach == 55
        assert live.outflow[OutflowReason.MOVED_AWAY] == Ratio(7, 55)
        app.rebuild()
        assert view.select_facts(None) == facts


def test_the_view_selects_facts_through_a_date_and_known_at_a_moment(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        app.project()
        view = core_of(app).store.facts_view()
        every = view.select_facts(None)
        day = every[len(every) // 2].occurred_on  # both bounds are values facts have: inclusive
        moment = every[len(every) // 3].recorded_at
        both = [f for f in every if f.occurred_on <= day and f.recorded_at <= moment]
        assert 0 < len(both) < len(every)
        assert view.select_facts("haaren", through=day, known_at=moment) == both
        assert view.select_facts("elsewhere", through=day, known_at=moment) == []
        assert view.select_facts(None, through=day) == [f for f in every if f.occurred_on <= day]
        assert view.select_facts(None, known_at=moment) == [
            f for f in every if f.recorded_at <= moment
        ]


def test_another_projection_of_the_application_keeps_its_own_position(store_url: str) -> None:
    # eventsourcing keys tracking records by the upstream application's name, in one tracking
    # table per store (on SQLite always "tracking"); the outcomes view keeps its position under a
    # key of its own, so another projection of the application, tracked the usual way, is
    # neither moved nor moves it.
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        events = app.event_count()
        name = core_of(app).store.name
        other = core_of(
            app
        ).store.factory.tracking_recorder()  # the store's plain tracking recorder
        other.insert_tracking(Tracking(name, 5))
        live = app.outcomes(period=YEAR_2019, municipality="haaren", target=30)
        view = core_of(app).store.facts_view()
        assert view.max_tracking_id(TRACKING_KEY) == events
        assert other.max_tracking_id(name) == 5
        app.rebuild()
        assert other.max_tracking_id(name) == 5
        other.insert_tracking(Tracking(name, events))
        assert view.max_tracking_id(TRACKING_KEY) == events
        assert app.outcomes(period=YEAR_2019, municipality="haaren", target=30) == live
