"""Job coaching at a placement in the Noordoostpolder, told with the JobCoachingTrajectory
aggregate alone (no application, no store).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from participatie import (
    DEFAULT_POLICY,
    Actor,
    CoachingIsCompleted,
    CoachingOutcome,
    Counterpart,
    ExtensionNotAllowed,
    ExtensionReason,
    HoursCapExceeded,
    InvalidInput,
    JobCoach,
    JobCoachingTrajectory,
    JobCoachNotQualified,
    Placement,
    PlacementKind,
    Provider,
    Role,
)

COORDINATOR = Actor("coordinator-1", Role.COORDINATOR)
JOB_COACH = Actor("jc-3", Role.JOB_COACH)
POLICY = DEFAULT_POLICY
RECOGNISED = Provider("USG Restart", recognised=True)
QUALIFIED = JobCoach("jc-3", hbo_degree=True)
#: A paid placement of 20 hours a week, started on 2 March 2020 (the resident's Placed event was
#: version 4 of their trajectory).
PLACEMENT = Placement(
    employer="Bakkerij Van Gils",
    kind=PlacementKind.PAID_WORK,
    hours_per_week=Decimal(20),
    contract_months=12,
    trial=False,
    started_on=date(2020, 3, 2),
    placed_version=4,
)


def replayed(events: Sequence[Any]) -> JobCoachingTrajectory:
    coaching = None
    for event in events:
        coaching = event.mutate(coaching)
    assert isinstance(coaching, JobCoachingTrajectory)
    return coaching


def start(coach: JobCoach = QUALIFIED) -> JobCoachingTrajectory:
    return JobCoachingTrajectory.start(
        resident_id=uuid4(),
        placement=PLACEMENT,
        provider=RECOGNISED,
        coach=coach,
        on=date(2020, 3, 16),
        by=COORDINATOR,
        policy=POLICY,
    )


def test_job_coaching_runs_its_two_years_with_one_extension_and_ends_independent() -> None:
    # Only a job coach with a higher professional degree may coach.
    with pytest.raises(JobCoachNotQualified):
        start(JobCoach("jc-9", hbo_degree=False))

    coaching = start()
    assert coaching.planned_end == date(2022, 3, 16)  # two years

    # About an hour a week, with the employee, the colleagues and the manager.
    coaching.log_hours(
        hours=4, counterpart=Counterpart.EMPLOYEE, on=date(2020, 4, 1), by=JOB_COACH, policy=POLICY
    )
    coaching.log_hours(
        hours=Decimal("1.5"),
        counterpart=Counterpart.MANAGER,
        on=date(2020, 4, 2),
        by=JOB_COACH,
        policy=POLICY,
    )
    assert coaching.hours_by_year == {1: Decimal("5.5")}

    # Year 1 allows 15% of 20 hours x 52 weeks = 156 hours; more is refused, and changes nothing.
    assert coaching.cap(coaching_year=1, policy=POLICY) == 156
    with pytest.raises(HoursCapExceeded):
        coaching.log_hours(
            hours=151,
            counterpart=Counterpart.EMPLOYEE,
            on=date(2020, 5, 1),
            by=JOB_COACH,
            policy=POLICY,
        )
    # So is a number of hours with more than two decimals: an input, checked before the rules.
    with pytest.raises(InvalidInput):
        coaching.log_hours(
            hours=Decimal("0.125"),
            counterpart=Counterpart.EMPLOYEE,
            on=date(2020, 5, 1),
            by=JOB_COACH,
            policy=POLICY,
        )
    assert coaching.version == 3

    # Evaluations every six months.
    coaching.evaluate(on=date(2020, 9, 15), by=JOB_COACH, policy=POLICY)
    coaching.evaluate(on=date(2021, 3, 15), by=JOB_COACH, policy=POLICY)

    # One extension of a year, before the planned end; a second is refused.
    coaching.extend(
        reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE,
        on=date(2022, 1, 10),
        by=COORDINATOR,
        policy=POLICY,
    )
    assert coaching.planned_end == date(2023, 3, 16)
    with pytest.raises(ExtensionNotAllowed):
        coaching.extend(
            reason=ExtensionReason.OTHER, on=date(2022, 6, 1), by=COORDINATOR, policy=POLICY
        )

    # She works independently now; after completion nothing but reading.
    coaching.complete(
        outcome=CoachingOutcome.INDEPENDENT, on=date(2022, 9, 1), by=COORDINATOR, policy=POLICY
    )
    with pytest.raises(CoachingIsCompleted):
        coaching.evaluate(on=date(2022, 9, 2), by=JOB_COACH, policy=POLICY)

    events = coaching.collect_events()
    assert [type(e).__name__ for e in events] == [
        "JobCoachingStarted",
        "CoachingHoursLogged",
        "CoachingHoursLogged",
        "EvaluationHeld",
        "EvaluationHeld",
        "TrajectoryExtended",
        "JobCoachingCompleted",
    ]
    assert replayed(events).__dict__ == coaching.__dict__
