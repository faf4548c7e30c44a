"""Breakdowns on a SQLite file and on PostgreSQL equal a brute-force count from the stored events,
for every dimension, several periods, as of a day and known at a moment, and after a rebuild."""

from __future__ import annotations

import contextlib
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from participatie import (
    Actor,
    Benefit,
    Breakdown,
    Dimension,
    Goal,
    OutflowReason,
    Participation,
    Referral,
    Role,
    RuleViolation,
)
from participatie.demo import MUNICIPALITIES
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.domain.resident import ResidentTrajectory as R
from participatie.service import core_of
from tests.support import TEST_SECRET

OFFICER = Actor("beleid-1", Role.POLICY_OFFICER)
#: Reasons that need no placement: closures the random residents can always make.
REASONS = [r for r in OutflowReason if r not in (OutflowReason.WORK, OutflowReason.VOLUNTEER_WORK)]


def record_others(app: Participation, seed: int = 21) -> None:
    """Residents of Urk and Noordoostpolder with coaches who take over, closures, reopenings."""
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    for number in range(30):
        town = rng.choice(["urk", "noordoostpolder"])
        coaches = [Actor(f"coach-{town}-{i}", Role.COACH, municipality=town) for i in range(3)]
        day = date(2018, 6, 1) + timedelta(days=rng.randint(0, 480))
        rid = app.register_resident(
            referral=rng.choice(list(Referral)),
            benefit=rng.choice(list(Benefit)),
            municipality=town,
            on=day,
            by=coaches[0],
        )
        steps = ["intake"] if rng.random() < 0.8 else []
        steps += rng.choices(["conversation", "close", "reopen"], k=rng.randint(0, 6))
        for step in steps:
            day += timedelta(days=rng.randint(1, 60))
            coach = rng.choice(coaches)
            try:
                if step == "intake":
                    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=day, by=coach)
                elif step == "conversation":
                    app.record_conversation(rid, happiness=6, on=day, by=coach)
                elif step == "close":
                    app.close_trajectory(rid, reason=rng.choice(REASONS), on=day, by=coach)
                else:
                    app.reopen_trajectory(rid, on=day, by=coach)
            except RuleViolation:
                pass  # a step the trajectory's rules refuse just now (a closed one, ...)
        if number % 7 == 0:  # a late entry: recorded now, dated before the last step
            with contextlib.suppress(RuleViolation):
                app.record_conversation(rid, happiness=4, on=day - timedelta(days=1), by=coaches[2])


def brute_force(
    app: Participation,
    dimension: Dimension,
    period: tuple[date, date],
    municipality: str | None = None,
    known_at: datetime | None = None,
) -> dict[str | None, tuple[int, Counter[str], int]]:
    """(reach, outflow by reason, still coached) per group, straight from the stored events."""
    store = core_of(app).store
    events: dict[Any, list[Any]] = defaultdict(list)
    position = 0
    while page := store.recorder.select_notifications(position + 1, 500):
        for notification in page:
            if notification.topic.startswith("participatie.domain.resident:"):
                event: Any = store.mapper.to_domain_event(notification)
                if known_at is None or event.timestamp <= known_at:
                    events[event.originator_id].append(event)
        position = page[-1].id
    start, end = period
    result: dict[str | None, tuple[int, Counter[str], int]] = {}
    for stream in events.values():
        happened = [e for e in stream if e.occurred_on <= end]
        registration = next((e for e in happened if isinstance(e, R.Registered)), None)
        if registration is None:
            continue
        town = registration.municipality.strip().casefold()
        if municipality is not None and town != municipality:
            continue
        by_day = sorted(happened, key=lambda e: (e.occurred_on, e.originator_version))

        def open_on(day: date, by_day: list[Any] = by_day) -> bool:
            state = False
            for e in by_day:
                if e.occurred_on > day:
                    break
                if isinstance(e, R.Registered | R.TrajectoryReopened):
                    state = True
                elif isinstance(e, R.TrajectoryClosed):
                    state = False
            return state

        reached = open_on(start - timedelta(days=1)) or any(
            isinstance(e, R.Registered | R.TrajectoryReopened) and e.occurred_on >= start
            for e in happened
        )
        if not reached:
            continue
        group = group_in(dimension, registration, happened)
        reach, outflow, still = result.get(group, (0, Counter(), 0))
        if open_on(end):
            still += 1
        else:
            closures = [e for e in by_day if isinstance(e, R.TrajectoryClosed)]
            outflow[closures[-1].reason.value] += 1
        result[group] = (reach + 1, outflow, still)
    return result


def group_in(dimension: Dimension, registration: Any, happened: list[Any]) -> str | None:
    """The resident's group, from the events in the order they were recorded."""
    if dimension is Dimension.COACH:
        talks = [e for e in happened if isinstance(e, R.ConversationHeld)]
        intakes = [e for e in happened if isinstance(e, R.IntakeHeld)]
        return (talks or intakes)[-1].actor_id if talks or intakes else None
    if dimension is Dimension.MUNICIPALITY:
        return str(registration.municipality).strip().casefold()
    if dimension is Dimension.REFERRAL:
        return str(registration.referral.value)
    return str(registration.benefit.value)


def as_counts(breakdown: Breakdown) -> dict[str | None, tuple[int, Counter[str], int]]:
    return {
        row.group: (
            row.reach,
            Counter({r.value: n for r, n in row.outflow.items() if n}),
            row.still_coached,
        )
        for row in breakdown.rows
        if row.reach
    }


PERIODS = [
    (date(2019, 1, 1), date(2019, 12, 31)),
    (date(2019, 4, 1), date(2019, 6, 30)),
    (date(2018, 6, 1), date(2020, 3, 31)),
]


def check_every_breakdown(app: Participation, known_at: datetime | None = None) -> None:
    for dimension in Dimension:
        for period in PERIODS:
            breakdown = app.breakdown(dimension, by=OFFICER, period=period, known_at=known_at)
            expected = brute_force(app, dimension, period, known_at=known_at)
            assert as_counts(breakdown) == expected, (dimension, period)
        scoped = app.breakdown(dimension, by=OFFICER, period=PERIODS[0], municipality="Urk")
        assert as_counts(scoped) == brute_force(app, dimension, PERIODS[0], municipality="urk")


def test_breakdowns_equal_a_brute_force_count_from_the_events(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET, municipalities=MUNICIPALITIES) as app:
        record_haaren_2019(app)
        known = datetime.now(tz=UTC)
        record_others(app)
        check_every_breakdown(app)
        check_every_breakdown(app, known_at=known)
        as_of = app.breakdown("coach", by=OFFICER, period=PERIODS[0], as_of=date(2019, 8, 31))
        assert as_counts(as_of) == brute_force(
            app, Dimension.COACH, (date(2019, 1, 1), date(2019, 8, 31))
        )
    with Participation.open(store_url, secret=TEST_SECRET, municipalities=MUNICIPALITIES) as app:
        before = app.breakdown("coach", by=OFFICER, period=PERIODS[2])
        app.rebuild()
        assert app.breakdown("coach", by=OFFICER, period=PERIODS[2]) == before
