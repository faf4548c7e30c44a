"""A resident's year in Haaren, told with the ResidentTrajectory aggregate alone (no application,
no store): each command checks its rules, then records an event whose effect is the new state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from participatie import (
    DEFAULT_POLICY,
    Activity,
    Actor,
    Benefit,
    Goal,
    IntakeRequired,
    InvalidInput,
    OutflowNeedsPlacement,
    OutflowReason,
    PlacementKind,
    Referral,
    ResidentTrajectory,
    Role,
    TrajectoryIsClosed,
    TrajectoryStatus,
    VisitKind,
)

COACH = Actor("coach-17", Role.COACH)
BROKER = Actor("broker-2", Role.JOB_BROKER)
ASSESSOR = Actor("assessor-5", Role.WAGE_VALUE_ASSESSOR)
POLICY = DEFAULT_POLICY


def replayed(events: Sequence[Any]) -> ResidentTrajectory:
    """The trajectory as a store would give it back: its events applied in order."""
    trajectory = None
    for event in events:
        trajectory = event.mutate(trajectory)
    assert isinstance(trajectory, ResidentTrajectory)
    return trajectory


def test_a_walk_in_is_coached_towards_paid_work_and_flows_out_to_it() -> None:
    # A resident walks into the village house on 8 January and is registered: no benefit.
    anna = ResidentTrajectory.register(
        referral=Referral.WALK_IN,
        benefit=Benefit.NONE,
        municipality="haaren",
        on=date(2019, 1, 8),
        by=COACH,
        policy=POLICY,
    )
    assert anna.status is TrajectoryStatus.OPEN

    # Nothing coach-led happens before the intake; the refusal changes nothing.
    with pytest.raises(IntakeRequired):
        anna.record_conversation(happiness=5, on=date(2019, 1, 9), by=COACH, policy=POLICY)
    assert anna.version == 1

    # The intake: she wants to work, and rates her happiness 4 out of 10.
    anna.hold_intake(goal=Goal.WORK, happiness=4, on=date(2019, 1, 10), by=COACH, policy=POLICY)
    # Two conversations a month, and her happiness rises.
    anna.record_conversation(happiness=5, on=date(2019, 1, 17), by=COACH, policy=POLICY)
    anna.record_conversation(happiness=6, on=date(2019, 1, 31), by=COACH, policy=POLICY)
    # A shadow day at a bakery widens her comfort zone; a language course starts.
    anna.visit_workplace(
        organisation="Bakkerij Van Gils",
        kind=VisitKind.SHADOW_DAY,
        on=date(2019, 2, 5),
        by=COACH,
        policy=POLICY,
    )
    anna.start_activity(
        activity=Activity.LANGUAGE_COURSE, on=date(2019, 2, 6), by=COACH, policy=POLICY
    )
    assert anna.happiness == (
        (date(2019, 1, 10), 4),
        (date(2019, 1, 17), 5),
        (date(2019, 1, 31), 6),
    )
    assert anna.activities == {Activity.LANGUAGE_COURSE: date(2019, 2, 6)}

    # She is ready: the coach asks the job broker, who finds paid work; the placement answers
    # the request.
    anna.request_job_broker(on=date(2019, 3, 1), by=COACH, policy=POLICY)
    assert anna.job_broker_requested_on == date(2019, 3, 1)
    anna.place(
        employer="Bakkerij Van Gils",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=Decimal("24.5"),
        contract_months=12,
        on=date(2019, 4, 1),
        by=BROKER,
        policy=POLICY,
    )
    assert anna.job_broker_requested_on is None
    assert anna.placement is not None
    assert anna.placement.hours_per_week == Decimal("24.5")

    # Inputs are checked before any rule: a wage value is a whole percentage up to 100.
    with pytest.raises(InvalidInput, match="from 0 to 100"):
        anna.assess_wage_value(
            percent=101, needs_job_coaching=False, on=date(2019, 4, 8), by=ASSESSOR, policy=POLICY
        )
    anna.assess_wage_value(
        percent=80, needs_job_coaching=False, on=date(2019, 4, 8), by=ASSESSOR, policy=POLICY
    )

    # She flows out to work: that needs the current paid placement, which she has.
    anna.close(reason=OutflowReason.WORK, on=date(2019, 6, 30), by=COACH, policy=POLICY)
    assert anna.status is TrajectoryStatus.CLOSED
    assert anna.outflow_reason is OutflowReason.WORK
    assert anna.activities == {}  # outflow ends what the coaching was doing
    assert anna.placement is not None  # the job goes on

    # A closed trajectory accepts nothing but reopening.
    with pytest.raises(TrajectoryIsClosed):
        anna.change_goal(goal=Goal.MORE_HOURS, on=date(2019, 7, 1), by=COACH, policy=POLICY)

    # Her file involved a statutory decision (the wage value assessment): it is kept.
    assert anna.involved_statutory_decision(has_job_coaching=False)

    # The events tell the whole story: replaying them gives the same trajectory.
    events = anna.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Registered",
        "IntakeHeld",
        "ConversationHeld",
        "ConversationHeld",
        "WorkplaceVisited",
        "ActivityStarted",
        "JobBrokerRequested",
        "Placed",
        "WageValueAssessed",
        "TrajectoryClosed",
    ]
    assert replayed(events).__dict__ == anna.__dict__


def test_a_resident_who_withdrew_comes_back_and_keeps_the_intake() -> None:
    bram = ResidentTrajectory.register(
        referral="municipality",
        benefit="social_assistance",
        municipality="haaren",
        on=date(2019, 1, 8),
        by=COACH,
        policy=POLICY,
    )
    bram.hold_intake(
        goal=Goal.MEANINGFUL_DAY, happiness=3, on=date(2019, 1, 8), by=COACH, policy=POLICY
    )
    # Flowing out to work needs a paid placement: he has none.
    with pytest.raises(OutflowNeedsPlacement):
        bram.close(reason=OutflowReason.WORK, on=date(2019, 2, 1), by=COACH, policy=POLICY)
    bram.close(reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH, policy=POLICY)

    # He comes back in the autumn: re-inflow in the same stream, no second intake needed.
    bram.reopen(on=date(2019, 10, 1), by=COACH, policy=POLICY)
    bram.record_conversation(happiness=5, on=date(2019, 10, 2), by=COACH, policy=POLICY)
    assert bram.status is TrajectoryStatus.OPEN
    assert bram.reopen_count == 1
    assert bram.intake_on == date(2019, 1, 8)
    # A benefit at registration is a statutory decision: his file is kept.
    assert bram.involved_statutory_decision(has_job_coaching=False)
    assert replayed(bram.collect_events()).__dict__ == bram.__dict__
