"""The rules of the resident trajectory (domain.md, rules 1-8), on the in-process store.

Each refused command is checked to append nothing (``assert_refused``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from participatie import (
    Activity,
    ActivityAlreadyRunning,
    ActivityNotRunning,
    Benefit,
    BusinessDateRefused,
    Goal,
    IntakeAlreadyHeld,
    IntakeRequired,
    InvalidInput,
    JobBrokerRequestAlreadyOpen,
    NoCurrentPlacement,
    NoOpenJobBrokerRequest,
    NotFound,
    OutflowNeedsPlacement,
    OutflowReason,
    Participation,
    PlacementAlreadyCurrent,
    PlacementEndReason,
    PlacementKind,
    Referral,
    ResidentTrajectory,
    TrajectoryIsClosed,
    TrajectoryIsOpen,
    TrajectoryStatus,
    VisitKind,
)
from participatie.service import core_of
from tests.support import (
    ASSESSOR,
    BROKER,
    COACH,
    READER,
    TODAY,
    Clock,
    assert_refused,
    log_position,
    register,
    register_with_intake,
)

JAN_8 = date(2019, 1, 8)


def place_paid(app: Participation, rid: object, on: date = date(2019, 3, 1)) -> None:
    app.place(
        rid,  # type: ignore[arg-type]
        employer="Tuinderij de Es",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=20,
        contract_months=12,
        on=on,
        by=BROKER,
    )


# Rule 1: registration


def test_registration_opens_a_trajectory_with_referral_benefit_municipality_and_date(
    app: Participation,
) -> None:
    rid = register(app, referral=Referral.CARE_AND_WELFARE, benefit=Benefit.UNEMPLOYMENT)
    trajectory = app.resident(rid, by=READER)
    assert trajectory.id == rid
    assert trajectory.status is TrajectoryStatus.OPEN
    assert trajectory.referral is Referral.CARE_AND_WELFARE
    assert trajectory.benefit is Benefit.UNEMPLOYMENT
    assert trajectory.municipality == "haaren"
    assert trajectory.registered_on == JAN_8
    assert trajectory.version == 1
    assert trajectory.placement is None
    assert trajectory.outflow_reason is None


def test_registration_accepts_enum_text(app: Participation) -> None:
    rid = register(app, referral="municipality", benefit="social_assistance")
    assert app.resident(rid, by=READER).benefit is Benefit.SOCIAL_ASSISTANCE


def test_every_event_carries_business_date_actor_and_policy_version(app: Participation) -> None:
    rid = register_with_intake(app)
    events = list(app.events(rid))
    assert [type(e).__name__ for e in events] == ["Registered", "IntakeHeld"]
    for event in events:
        assert event.occurred_on == JAN_8  # type: ignore[attr-defined]
        assert event.actor_id == COACH.id  # type: ignore[attr-defined]
        assert event.actor_role is COACH.role  # type: ignore[attr-defined]
        assert event.policy_version == app.policy.version  # type: ignore[attr-defined]


def test_personal_data_never_enter_an_event(app: Participation) -> None:
    rid = register(app, bsn="123456782", name="A. Jansen", notes="prefers mornings")
    for notification in core_of(app).store.recorder.select_notifications(1, 100):
        assert b"123456782" not in notification.state
        assert b"Jansen" not in notification.state
        assert b"mornings" not in notification.state
    assert app.personal_data(rid, by=COACH).name == "A. Jansen"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("referral", "letter"),
        ("benefit", "pension"),
        ("municipality", ""),
        ("municipality", None),
    ],
)
def test_registration_with_malformed_values_is_refused(
    app: Participation, field: str, value: Any
) -> None:
    assert_refused(app, None, InvalidInput, lambda: register(app, **{field: value}))


# Rule 2: intake once, before anything else coach-led


def test_intake_records_goal_and_first_happiness_score(app: Participation) -> None:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.VOLUNTEER_WORK, happiness=4, on=date(2019, 1, 10), by=COACH)
    trajectory = app.resident(rid, by=READER)
    assert trajectory.goal is Goal.VOLUNTEER_WORK
    assert trajectory.intake_on == date(2019, 1, 10)
    assert trajectory.happiness == ((date(2019, 1, 10), 4),)


def test_second_intake_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        IntakeAlreadyHeld,
        lambda: app.hold_intake(rid, goal=Goal.WORK, happiness=6, on=JAN_8, by=COACH),
    )


@pytest.mark.parametrize(
    "command",
    [
        "record_conversation",
        "visit_workplace",
        "start_activity",
        "change_goal",
        "request_job_broker",
        "place",
    ],
)
def test_coach_led_commands_before_intake_are_refused(app: Participation, command: str) -> None:
    rid = register(app)
    calls = {
        "record_conversation": lambda: app.record_conversation(
            rid, happiness=5, on=JAN_8, by=COACH
        ),
        "visit_workplace": lambda: app.visit_workplace(
            rid, organisation="Zorgboerderij", kind=VisitKind.SHADOW_DAY, on=JAN_8, by=COACH
        ),
        "start_activity": lambda: app.start_activity(
            rid, activity=Activity.LANGUAGE_COURSE, on=JAN_8, by=COACH
        ),
        "change_goal": lambda: app.change_goal(rid, goal=Goal.MEANINGFUL_DAY, on=JAN_8, by=COACH),
        "request_job_broker": lambda: app.request_job_broker(rid, on=JAN_8, by=COACH),
        "place": lambda: place_paid(app, rid, on=JAN_8),
    }
    assert_refused(app, rid, IntakeRequired, calls[command])


def test_coach_led_command_dated_before_the_intake_is_refused(app: Participation) -> None:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 15), by=COACH)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.record_conversation(rid, happiness=5, on=date(2019, 1, 14), by=COACH),
    )


# Rule 3: happiness 1..10


@pytest.mark.parametrize("score", [0, 11, -1, 5.5, "7", True, None])
def test_happiness_outside_one_to_ten_is_invalid_input(app: Participation, score: object) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.record_conversation(rid, happiness=score, on=JAN_8, by=COACH),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("score", [1, 10])
def test_happiness_of_one_and_ten_is_accepted(app: Participation, score: int) -> None:
    rid = register_with_intake(app)
    app.record_conversation(rid, happiness=score, on=JAN_8, by=COACH)
    assert app.resident(rid, by=READER).happiness[-1] == (JAN_8, score)


def test_conversations_add_happiness_scores_in_recorded_order(app: Participation) -> None:
    rid = register_with_intake(app)
    app.record_conversation(rid, happiness=6, on=date(2019, 1, 20), by=COACH)
    app.record_conversation(rid, happiness=7, on=date(2019, 1, 15), by=COACH)  # entered late
    assert app.resident(rid, by=READER).happiness == (
        (JAN_8, 5),
        (date(2019, 1, 20), 6),
        (date(2019, 1, 15), 7),
    )


# Rule 4: business dates


def test_registration_dated_after_today_is_refused(app: Participation) -> None:
    assert_refused(app, None, BusinessDateRefused, lambda: register(app, on=date(2026, 11, 25)))


def test_registration_dated_today_is_accepted(app: Participation) -> None:
    rid = register(app, on=TODAY)
    assert app.resident(rid, by=READER).registered_on == TODAY


def test_today_follows_the_dutch_calendar(clock: Clock) -> None:
    clock.now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # already 25 November in Haaren
    with Participation.open("memory://", clock=clock) as app:
        assert app.today() == date(2026, 11, 25)
        register(app, on=date(2026, 11, 25))


def test_command_dated_after_today_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.record_conversation(rid, happiness=5, on=date(2026, 11, 25), by=COACH),
    )


def test_command_dated_before_registration_is_refused(app: Participation) -> None:
    rid = register(app)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 7), by=COACH),
    )


def test_command_dated_before_the_last_closure_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 6, 1), by=COACH)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.reopen_trajectory(rid, on=date(2019, 5, 31), by=COACH),
    )
    app.reopen_trajectory(rid, on=date(2019, 9, 1), by=COACH)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.record_conversation(rid, happiness=5, on=date(2019, 5, 1), by=COACH),
    )


@pytest.mark.parametrize(
    "on", [datetime(2019, 1, 9, 10, 0), datetime(2019, 1, 9, 10, 0, tzinfo=UTC), "2019-01-09"]
)
def test_business_date_that_is_not_a_date_is_invalid_input(app: Participation, on: object) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.record_conversation(rid, happiness=5, on=on, by=COACH),  # type: ignore[arg-type]
    )


# Rule 5: job broker requests


def test_job_broker_request_needs_no_other_open_request(app: Participation) -> None:
    rid = register_with_intake(app)
    app.request_job_broker(rid, on=date(2019, 2, 1), by=COACH)
    assert app.resident(rid, by=READER).job_broker_requested_on == date(2019, 2, 1)
    assert_refused(
        app,
        rid,
        JobBrokerRequestAlreadyOpen,
        lambda: app.request_job_broker(rid, on=date(2019, 2, 2), by=COACH),
    )


def test_placement_answers_the_open_job_broker_request(app: Participation) -> None:
    rid = register_with_intake(app)
    app.request_job_broker(rid, on=date(2019, 2, 1), by=COACH)
    place_paid(app, rid)
    assert app.resident(rid, by=READER).job_broker_requested_on is None
    app.request_job_broker(rid, on=date(2019, 3, 2), by=COACH)


def test_withdrawn_request_allows_a_new_one(app: Participation) -> None:
    rid = register_with_intake(app)
    app.request_job_broker(rid, on=date(2019, 2, 1), by=COACH)
    app.withdraw_job_broker_request(rid, on=date(2019, 2, 10), by=COACH)
    assert app.resident(rid, by=READER).job_broker_requested_on is None
    app.request_job_broker(rid, on=date(2019, 2, 11), by=COACH)


def test_withdrawing_without_an_open_request_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        NoOpenJobBrokerRequest,
        lambda: app.withdraw_job_broker_request(rid, on=JAN_8, by=COACH),
    )


# Rule 6: placements


def test_placement_records_employer_kind_hours_and_contract(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    placement = app.resident(rid, by=READER).placement
    assert placement is not None
    assert placement.employer == "Tuinderij de Es"
    assert placement.kind is PlacementKind.PAID_WORK
    assert placement.hours_per_week == Decimal(20)
    assert placement.contract_months == 12
    assert placement.started_on == date(2019, 3, 1)


@pytest.mark.parametrize("hours", [0, -4, 40.5, 41, "many", True, float("nan")])
def test_placement_hours_outside_zero_to_forty_are_invalid_input(
    app: Participation, hours: object
) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.place(
            rid,
            employer="Bakkerij",
            kind=PlacementKind.PAID_WORK,
            hours_per_week=hours,  # type: ignore[arg-type]
            on=JAN_8,
            by=BROKER,
        ),
    )


@pytest.mark.parametrize("hours", [40, Decimal("0.5"), 12.5])
def test_placement_hours_above_zero_up_to_forty_are_accepted(
    app: Participation, hours: float | Decimal
) -> None:
    rid = register_with_intake(app)
    app.place(
        rid, employer="Bakkerij", kind="volunteer_work", hours_per_week=hours, on=JAN_8, by=BROKER
    )
    placement = app.resident(rid, by=READER).placement
    assert placement is not None
    assert placement.hours_per_week == Decimal(str(hours))


@pytest.mark.parametrize("months", [0, -1, 2.5, True])
def test_placement_with_malformed_contract_months_is_invalid_input(
    app: Participation, months: object
) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.place(
            rid,
            employer="Bakkerij",
            kind=PlacementKind.PAID_WORK,
            hours_per_week=20,
            contract_months=months,  # type: ignore[arg-type]
            on=JAN_8,
            by=BROKER,
        ),
    )


def test_second_current_placement_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    assert_refused(
        app, rid, PlacementAlreadyCurrent, lambda: place_paid(app, rid, on=date(2019, 4, 1))
    )


def test_ended_placement_allows_a_new_one(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.end_placement(rid, reason=PlacementEndReason.DISMISSED, on=date(2019, 4, 1), by=COACH)
    assert app.resident(rid, by=READER).placement is None
    place_paid(app, rid, on=date(2019, 5, 1))


def test_ending_without_a_current_placement_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        NoCurrentPlacement,
        lambda: app.end_placement(rid, reason="contract_ended", on=JAN_8, by=COACH),
    )


def test_ending_a_placement_before_it_started_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.end_placement(rid, reason="resident_left", on=date(2019, 2, 1), by=COACH),
    )


# Wage value assessment (recorded on the resident trajectory)


def test_wage_value_is_assessed_at_the_current_paid_placement(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.assess_wage_value(
        rid, percent=60, needs_job_coaching=True, on=date(2019, 3, 5), by=ASSESSOR
    )
    wage_value = app.resident(rid, by=READER).wage_value
    assert wage_value is not None
    assert (wage_value.percent, wage_value.needs_job_coaching) == (60, True)


def test_wage_value_without_a_paid_placement_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        NoCurrentPlacement,
        lambda: app.assess_wage_value(
            rid, percent=60, needs_job_coaching=True, on=JAN_8, by=ASSESSOR
        ),
    )


@pytest.mark.parametrize("percent", [-1, 101, 55.5, "60", True])
def test_wage_value_that_is_not_a_whole_percentage_is_invalid_input(
    app: Participation, percent: object
) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.assess_wage_value(
            rid,
            percent=percent,  # type: ignore[arg-type]
            needs_job_coaching=False,
            on=date(2019, 3, 5),
            by=ASSESSOR,
        ),
    )


# Rule 7: closing and reopening


def test_closing_with_reason_work_needs_a_current_paid_placement(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        OutflowNeedsPlacement,
        lambda: app.close_trajectory(rid, reason=OutflowReason.WORK, on=JAN_8, by=COACH),
    )
    app.place(
        rid, employer="Kringloop", kind="volunteer_work", hours_per_week=8, on=JAN_8, by=BROKER
    )
    assert_refused(
        app,
        rid,
        OutflowNeedsPlacement,
        lambda: app.close_trajectory(rid, reason=OutflowReason.WORK, on=JAN_8, by=COACH),
    )


def test_closing_with_reason_volunteer_work_needs_a_current_volunteer_placement(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    assert_refused(
        app,
        rid,
        OutflowNeedsPlacement,
        lambda: app.close_trajectory(
            rid, reason=OutflowReason.VOLUNTEER_WORK, on=date(2019, 4, 1), by=COACH
        ),
    )


def test_closing_with_reason_work_after_a_paid_placement(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 4, 1), by=COACH)
    trajectory = app.resident(rid, by=READER)
    assert trajectory.status is TrajectoryStatus.CLOSED
    assert trajectory.outflow_reason is OutflowReason.WORK
    assert trajectory.closed_on == date(2019, 4, 1)
    assert trajectory.placement is not None  # the resident keeps working


@pytest.mark.parametrize(
    "reason",
    [
        OutflowReason.EDUCATION,
        OutflowReason.MOVED_AWAY,
        OutflowReason.CARE,
        OutflowReason.WITHDREW,
        OutflowReason.OTHER,
    ],
)
def test_other_outflow_reasons_need_no_placement(app: Participation, reason: OutflowReason) -> None:
    rid = register(app)
    app.close_trajectory(rid, reason=reason, on=JAN_8, by=COACH)
    assert app.resident(rid, by=READER).outflow_reason is reason


def test_closing_without_a_known_reason_is_invalid_input(app: Participation) -> None:
    rid = register(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.close_trajectory(rid, reason="retired", on=JAN_8, by=COACH),
    )


def test_closed_trajectory_accepts_no_command_but_reopening(app: Participation) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.request_job_broker(rid, on=date(2019, 3, 2), by=COACH)
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 4, 1), by=COACH)
    later = date(2019, 5, 1)
    for command in [
        lambda: app.record_conversation(rid, happiness=5, on=later, by=COACH),
        lambda: app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=later, by=COACH),
        lambda: app.change_goal(rid, goal=Goal.WORK, on=later, by=COACH),
        lambda: app.visit_workplace(rid, organisation="X", kind=VisitKind.WALK, on=later, by=COACH),
        lambda: app.start_activity(rid, activity=Activity.TRAINING, on=later, by=COACH),
        lambda: app.end_activity(rid, activity=Activity.TRAINING, on=later, by=COACH),
        lambda: app.request_job_broker(rid, on=later, by=COACH),
        lambda: app.withdraw_job_broker_request(rid, on=later, by=COACH),
        lambda: place_paid(app, rid, on=later),
        lambda: app.assess_wage_value(
            rid, percent=50, needs_job_coaching=False, on=later, by=ASSESSOR
        ),
        lambda: app.close_trajectory(rid, reason=OutflowReason.OTHER, on=later, by=COACH),
    ]:
        assert_refused(app, rid, TrajectoryIsClosed, command)


def test_a_placement_outlives_its_closed_trajectory_and_ends_without_reopening_it(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 4, 1), by=COACH)
    app.end_placement(rid, reason=PlacementEndReason.DISMISSED, on=date(2019, 7, 1), by=COACH)
    trajectory = app.resident(rid, by=READER)
    assert trajectory.placement is None
    assert trajectory.status is TrajectoryStatus.CLOSED
    assert (trajectory.outflow_reason, trajectory.closed_on) == (
        OutflowReason.WORK,
        date(2019, 4, 1),
    )
    assert trajectory.reopen_count == 0
    # Still closed: everything else but reopening is refused, and the placement is gone.
    assert_refused(
        app,
        rid,
        TrajectoryIsClosed,
        lambda: app.record_conversation(rid, happiness=5, on=date(2019, 7, 2), by=COACH),
    )
    assert_refused(
        app,
        rid,
        NoCurrentPlacement,
        lambda: app.end_placement(rid, reason="dismissed", on=date(2019, 7, 2), by=COACH),
    )
    app.reopen_trajectory(rid, on=date(2019, 9, 1), by=COACH)
    assert app.resident(rid, by=READER).placement is None


def test_ending_a_placement_on_a_closed_trajectory_is_not_dated_before_the_closure(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 4, 1), by=COACH)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.end_placement(rid, reason="dismissed", on=date(2019, 3, 31), by=COACH),
        match="last closure",
    )


def test_a_closed_trajectory_without_a_placement_has_none_to_end(app: Participation) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 4, 1), by=COACH)
    assert_refused(
        app,
        rid,
        NoCurrentPlacement,
        lambda: app.end_placement(rid, reason="dismissed", on=date(2019, 5, 1), by=COACH),
    )


def test_ending_a_placement_on_a_closed_trajectory_checks_its_reason_first(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    place_paid(app, rid)
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 4, 1), by=COACH)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.end_placement(rid, reason="bored", on=date(2019, 5, 1), by=COACH),
    )


def test_reopening_starts_a_new_period_and_keeps_the_intake(app: Participation) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 3, 1), by=COACH)
    app.reopen_trajectory(rid, on=date(2019, 9, 1), by=COACH)
    trajectory = app.resident(rid, by=READER)
    assert trajectory.status is TrajectoryStatus.OPEN
    assert trajectory.outflow_reason is None
    assert trajectory.reopen_count == 1
    assert trajectory.intake_on == JAN_8
    app.record_conversation(rid, happiness=6, on=date(2019, 9, 2), by=COACH)  # no second intake


def test_reopening_an_open_trajectory_is_refused(app: Participation) -> None:
    rid = register(app)
    assert_refused(
        app, rid, TrajectoryIsOpen, lambda: app.reopen_trajectory(rid, on=JAN_8, by=COACH)
    )


def test_closure_ends_running_activities_and_the_open_request(app: Participation) -> None:
    rid = register_with_intake(app)
    app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=JAN_8, by=COACH)
    app.request_job_broker(rid, on=JAN_8, by=COACH)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 2, 1), by=COACH)
    trajectory = app.resident(rid, by=READER)
    assert trajectory.activities == {}
    assert trajectory.job_broker_requested_on is None


# Rule 8: activities


def test_activities_start_and_end_and_several_may_run(app: Participation) -> None:
    rid = register_with_intake(app)
    app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=JAN_8, by=COACH)
    app.start_activity(rid, activity="training", on=date(2019, 1, 9), by=COACH)
    assert app.resident(rid, by=READER).activities == {
        Activity.LANGUAGE_COURSE: JAN_8,
        Activity.TRAINING: date(2019, 1, 9),
    }
    app.end_activity(rid, activity=Activity.LANGUAGE_COURSE, on=date(2019, 6, 1), by=COACH)
    assert app.resident(rid, by=READER).activities == {Activity.TRAINING: date(2019, 1, 9)}
    app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=date(2019, 7, 1), by=COACH)


def test_starting_a_running_activity_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=JAN_8, by=COACH)
    assert_refused(
        app,
        rid,
        ActivityAlreadyRunning,
        lambda: app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=JAN_8, by=COACH),
    )


def test_ending_an_activity_that_does_not_run_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        ActivityNotRunning,
        lambda: app.end_activity(rid, activity=Activity.TRAINING, on=JAN_8, by=COACH),
    )


def test_ending_an_activity_before_it_started_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    app.start_activity(rid, activity=Activity.TRAINING, on=date(2019, 2, 1), by=COACH)
    assert_refused(
        app,
        rid,
        BusinessDateRefused,
        lambda: app.end_activity(rid, activity=Activity.TRAINING, on=date(2019, 1, 20), by=COACH),
    )


# Goal and visits


def test_goal_may_change_at_any_time_after_intake(app: Participation) -> None:
    rid = register_with_intake(app)
    app.change_goal(rid, goal=Goal.MEANINGFUL_DAY, on=date(2019, 2, 1), by=COACH)
    assert app.resident(rid, by=READER).goal is Goal.MEANINGFUL_DAY


def test_workplace_visits_are_recorded(app: Participation) -> None:
    rid = register_with_intake(app)
    app.visit_workplace(
        rid, organisation="Zorgboerderij", kind=VisitKind.SHADOW_DAY, on=JAN_8, by=COACH
    )
    assert app.resident(rid, by=READER).visit_count == 1
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.visit_workplace(rid, organisation=" ", kind="walk", on=JAN_8, by=COACH),
    )


# Unknown ids and actors


def test_unknown_resident_id_is_not_found(app: Participation) -> None:
    position = log_position(app)
    with pytest.raises(NotFound):
        app.record_conversation(uuid4(), happiness=5, on=JAN_8, by=COACH)
    with pytest.raises(LookupError):
        app.resident(uuid4(), by=READER)
    assert log_position(app) == position


def test_malformed_resident_id_is_invalid_input(app: Participation) -> None:
    with pytest.raises(InvalidInput):
        app.resident("not-a-uuid", by=READER)  # type: ignore[arg-type]


def test_resident_id_as_text_is_accepted(app: Participation) -> None:
    rid = register(app)
    assert app.resident(str(rid), by=READER).id == rid  # type: ignore[arg-type]


def test_actor_that_is_not_an_actor_is_invalid_input(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.record_conversation(rid, happiness=5, on=JAN_8, by="coach-17"),  # type: ignore[arg-type]
    )


def test_returned_trajectory_is_a_copy(app: Participation) -> None:
    rid = register_with_intake(app)
    trajectory = app.resident(rid, by=READER)
    assert isinstance(trajectory, ResidentTrajectory)
    trajectory.goal = Goal.MEANINGFUL_DAY
    assert app.resident(rid, by=READER).goal is Goal.WORK
