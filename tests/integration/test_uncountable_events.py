"""An event the statistics cannot count (stored by an earlier release, or written into the store
by hand) does not stop every report: the figures leave it out and say so, and verify names it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from participatie import Actor, Participation, Role
from participatie.domain.policy import DEFAULT_POLICY
from participatie.domain.resident import ResidentTrajectory
from participatie.service import core_of
from tests.support import COACH, TEST_SECRET, register

YEAR = (date(2019, 1, 1), date(2019, 12, 31))


def _poisoned(app: Participation, **changes: Any) -> int:
    """Save a registration whose event holds values the commands refuse today, as an earlier
    release stored them; return its position in the log."""
    trajectory = ResidentTrajectory.register(
        referral="walk_in",
        benefit="none",
        municipality="oss",
        on=date(2019, 3, 1),
        by=Actor("coach-old", Role.COACH),
        policy=DEFAULT_POLICY,
    )
    (event,) = trajectory.pending_events
    for name, value in changes.items():
        object.__setattr__(event, name, value)
    core_of(app).store.save(trajectory)
    return app.event_count()


def test_a_registration_with_a_nul_in_its_municipality_is_left_out_and_named(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        counted = register(app)  # a resident of Haaren
        position = _poisoned(app, municipality="oss\x00")
        report = app.outcomes(period=YEAR, municipality="haaren")
        assert report.reach == 1
        assert report.uncounted == (position,)
        assert report.to_dict()["uncounted_events"] == [position]
        assert dict(report.figure_rows(lang="en"))["events not counted"] == "1"
        assert app.outcomes(period=YEAR).uncounted == (position,)
        app.rebuild()
        assert app.outcomes(period=YEAR, municipality="haaren").uncounted == (position,)
        problems = app.verify().problems
        assert any(f"position {position}" in p and "cannot be counted" in p for p in problems)
        assert app.resident(counted, by=COACH).municipality == "haaren"


def test_a_placement_with_hours_of_a_huge_exponent_is_left_out(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app)
        app.hold_intake(rid, goal="work", happiness=5, on=date(2019, 1, 8), by=COACH)
        trajectory = core_of(app).load_resident(rid)
        trajectory.place(
            employer="Bakkerij",
            kind="paid_work",
            hours_per_week=20,
            on=date(2019, 2, 1),
            by=COACH,
            policy=DEFAULT_POLICY,
        )
        (event,) = trajectory.pending_events
        object.__setattr__(event, "hours_per_week", Decimal("1E-20000"))
        core_of(app).store.save(trajectory)
        report = app.outcomes(period=YEAR, municipality="haaren")
        assert report.uncounted == (app.event_count(),)
        assert report.reach == 1
