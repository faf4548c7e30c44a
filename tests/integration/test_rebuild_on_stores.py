"""A rebuild writes both views exactly as catching them up page by page does, in memory, on a
SQLite file and on PostgreSQL: the same facts, monthly counters, worklist rows and positions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from participatie import Participation
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.projections.monthly import ReadPlan
from participatie.projections.runner import catch_up
from participatie.projections.views import TRACKING_KEY, counter_problems
from participatie.projections.worklist_views import WORKLIST_TRACKING_KEY, catch_up_worklist
from participatie.service import core_of
from tests.support import TEST_SECRET

#: Every month whole: the counters of every stream and month, and every fact but the scores and
#: hours they count.
EVERYTHING = ReadPlan.of(date(2000, 1, 1), date(2099, 12, 31))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/participatie.db"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


def _views(app: Participation) -> tuple[object, ...]:
    store = core_of(app).store
    view, worklist = store.facts_view(), store.worklist_view()
    assert counter_problems(view) == []
    return (
        view.select_facts(None),
        sorted(view.summary_rows(None, EVERYTHING), key=repr),
        view.max_tracking_id(TRACKING_KEY),
        worklist.rows(None),
        worklist.max_tracking_id(WORKLIST_TRACKING_KEY),
    )


def test_a_rebuild_writes_what_catching_up_page_by_page_writes(any_store_url: str) -> None:
    with Participation.open(any_store_url, secret=TEST_SECRET) as app:
        record_noordoostpolder(app)  # scores, placements, job coaching and its hours
        store = core_of(app).store
        view, worklist = store.facts_view(), store.worklist_view()
        # Each view on its own, in pages of a few events: the counters of a stream and month
        # are added up over many pages, as when the views follow the commands.
        view.reset()
        worklist.reset()
        catch_up(store, view, page_size=7)
        catch_up_worklist(store, worklist, page_size=5)
        view.create_indexes()
        worklist.create_indexes()
        incremental = _views(app)
        facts, counters, position, rows, worklist_position = incremental
        assert position == worklist_position == app.event_count()
        assert facts
        assert rows
        # Counters (a month in the eighth column) of scores and of hours both.
        counted = {row[1] for row in counters if row[7] is not None}  # type: ignore[attr-defined]
        assert counted == {"happiness", "coaching_hours"}
        assert app.rebuild() == app.event_count()
        assert _views(app) == incremental
