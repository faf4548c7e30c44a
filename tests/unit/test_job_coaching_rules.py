"""The rules of the job coaching trajectory (domain.md, job coaching rules 1-6), in memory.

Each refused command is checked to append nothing (``assert_refused``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest

from participatie import (
    DEFAULT_POLICY,
    BusinessDateRefused,
    CoachingIsCompleted,
    CoachingOutcome,
    Counterpart,
    ExtensionNotAllowed,
    ExtensionReason,
    HoursCapExceeded,
    InvalidInput,
    JobCoach,
    JobCoachingAlreadyStarted,
    JobCoachingTrajectory,
    JobCoachNotQualified,
    NoJobCoachingNeed,
    NotFound,
    OutflowReason,
    OutsideCoachingPeriod,
    Participation,
    PlacementEndReason,
    PlacementKind,
    PlacementNoLongerCurrent,
    PlacementTooSmall,
    Provider,
    ProviderNotRecognised,
    TrajectoryStatus,
)
from participatie.domain.dates import add_years
from participatie.domain.job_coaching import coaching_year
from tests.actors import COORDINATOR, JOB_COACH_ACTOR
from tests.support import (
    ASSESSOR,
    BROKER,
    COACH,
    READER,
    TEST_SECRET,
    Clock,
    assert_refused,
    register_with_intake,
)

RECOGNISED = Provider("USG Restart", recognised=True)
QUALIFIED = JobCoach("jc-3", hbo_degree=True)
PLACED = date(2020, 3, 2)
ASSESSED = date(2020, 3, 9)
START = date(2020, 3, 16)


def placed_and_assessed(
    app: Participation,
    *,
    hours: int = 20,
    contract_months: int | None = 12,
    trial: bool = False,
    needs: bool = True,
) -> UUID:
    rid = register_with_intake(app, on=date(2020, 1, 6))
    app.place(
        rid,
        employer="Bakkerij Van Gils",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=hours,
        contract_months=contract_months,
        trial=trial,
        on=PLACED,
        by=BROKER,
    )
    app.assess_wage_value(rid, percent=60, needs_job_coaching=needs, on=ASSESSED, by=ASSESSOR)
    return rid


def start(app: Participation, rid: UUID, on: date = START) -> UUID:
    return app.start_job_coaching(rid, provider=RECOGNISED, coach=QUALIFIED, on=on, by=COORDINATOR)


@pytest.fixture
def coached(app: Participation) -> tuple[UUID, UUID]:
    """A resident placed 20 hours a week, assessed with need, and coaching started on START."""
    rid = placed_and_assessed(app)
    return rid, start(app, rid)


@contextmanager
def coached_under(clock: Clock, **policy_changes: Any) -> Iterator[tuple[Participation, UUID]]:
    """An app under a policy of its own, with coaching started on START for a placed resident."""
    policy = attrs.evolve(DEFAULT_POLICY, **policy_changes)
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock, policy=policy) as app:
        yield app, start(app, placed_and_assessed(app))


def log(app: Participation, cid: UUID, hours: float | Decimal, on: date) -> None:
    app.log_coaching_hours(
        cid, hours=hours, counterpart=Counterpart.EMPLOYEE, on=on, by=JOB_COACH_ACTOR
    )


# Rule 1: a current paid placement and an assessment that established the need


def test_job_coaching_starts_for_an_assessed_need_at_the_current_paid_placement(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    rid, cid = coached
    coaching = app.job_coaching(cid, by=READER)
    assert isinstance(coaching, JobCoachingTrajectory)
    assert coaching.resident_id == rid
    assert coaching.started_on == START
    assert coaching.planned_end == date(2022, 3, 16)
    assert coaching.extended is False
    assert coaching.completed_outcome is None
    assert coaching.hours_logged == 0
    assert coaching.version == 1


def test_job_coaching_without_a_placement_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    assert_refused(app, rid, NoJobCoachingNeed, lambda: start(app, rid))


def test_job_coaching_for_a_volunteer_placement_is_refused(app: Participation) -> None:
    rid = register_with_intake(app)
    app.place(
        rid, employer="Kringloop", kind="volunteer_work", hours_per_week=16, on=PLACED, by=BROKER
    )
    assert_refused(app, rid, NoJobCoachingNeed, lambda: start(app, rid))


def test_job_coaching_without_an_assessment_is_refused(app: Participation) -> None:
    rid = register_with_intake(app, on=date(2020, 1, 6))
    app.place(rid, employer="Bakkerij", kind="paid_work", hours_per_week=20, on=PLACED, by=BROKER)
    assert_refused(app, rid, NoJobCoachingNeed, lambda: start(app, rid))


def test_job_coaching_when_the_assessment_found_no_need_is_refused(app: Participation) -> None:
    rid = placed_and_assessed(app, needs=False)
    assert_refused(app, rid, NoJobCoachingNeed, lambda: start(app, rid))


def test_an_assessment_at_an_earlier_placement_does_not_count(app: Participation) -> None:
    rid = placed_and_assessed(app)
    app.end_placement(rid, reason=PlacementEndReason.DISMISSED, on=date(2020, 4, 1), by=COACH)
    app.place(
        rid,
        employer="Supermarkt",
        kind="paid_work",
        hours_per_week=20,
        on=date(2020, 5, 4),
        by=BROKER,
    )
    assert_refused(app, rid, NoJobCoachingNeed, lambda: start(app, rid, on=date(2020, 5, 11)))


def test_job_coaching_before_the_assessment_is_refused(app: Participation) -> None:
    rid = placed_and_assessed(app)
    assert_refused(app, rid, BusinessDateRefused, lambda: start(app, rid, on=date(2020, 3, 8)))


@pytest.mark.parametrize("hours", [11, Decimal("11.5")])
def test_job_coaching_for_fewer_than_twelve_hours_a_week_is_refused(
    app: Participation, hours: int
) -> None:
    rid = placed_and_assessed(app, hours=hours)
    assert_refused(app, rid, PlacementTooSmall, lambda: start(app, rid))


def test_job_coaching_for_a_contract_under_six_months_is_refused(app: Participation) -> None:
    rid = placed_and_assessed(app, contract_months=5)
    assert_refused(app, rid, PlacementTooSmall, lambda: start(app, rid))


@pytest.mark.parametrize(
    ("contract_months", "trial"), [(6, False), (None, False), (3, True), (None, True)]
)
def test_job_coaching_for_six_months_an_open_ended_contract_or_a_trial_is_allowed(
    app: Participation, contract_months: int | None, trial: bool
) -> None:
    rid = placed_and_assessed(app, contract_months=contract_months, trial=trial)
    start(app, rid)


def test_a_second_job_coaching_for_the_same_placement_is_refused(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    rid, _ = coached
    assert_refused(app, rid, JobCoachingAlreadyStarted, lambda: start(app, rid))


def test_job_coaching_for_an_unknown_resident_is_not_found(app: Participation) -> None:
    with pytest.raises(NotFound):
        start(app, uuid4())


# Rule 2: recognised provider, HBO-qualified job coach


def test_a_provider_that_is_not_recognised_is_refused(app: Participation) -> None:
    rid = placed_and_assessed(app)
    assert_refused(
        app,
        rid,
        ProviderNotRecognised,
        lambda: app.start_job_coaching(
            rid,
            provider=Provider("Coaching BV", recognised=False),
            coach=QUALIFIED,
            on=START,
            by=COORDINATOR,
        ),
    )


def test_a_job_coach_without_an_hbo_degree_is_refused(app: Participation) -> None:
    rid = placed_and_assessed(app)
    assert_refused(
        app,
        rid,
        JobCoachNotQualified,
        lambda: app.start_job_coaching(
            rid,
            provider=RECOGNISED,
            coach=JobCoach("jc-9", hbo_degree=False),
            on=START,
            by=COORDINATOR,
        ),
    )


def test_provider_and_coach_are_validated_values() -> None:
    with pytest.raises(InvalidInput):
        Provider("", recognised=True)
    with pytest.raises(InvalidInput):
        JobCoach("jc", hbo_degree="yes")  # type: ignore[arg-type]


# Rule 3: two years, one extension of a year, before the planned end, never beyond three


def test_extension_on_the_last_day_before_the_planned_end_adds_a_year(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    app.extend_job_coaching(
        cid, reason=ExtensionReason.EMPLOYER_TAKEOVER_PENDING, on=date(2022, 3, 15), by=COORDINATOR
    )
    coaching = app.job_coaching(cid, by=READER)
    assert coaching.extended is True
    assert coaching.planned_end == date(2023, 3, 16)


def test_extension_on_the_planned_end_is_refused(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        OutsideCoachingPeriod,
        lambda: app.extend_job_coaching(
            cid, reason=ExtensionReason.OTHER, on=date(2022, 3, 16), by=COORDINATOR
        ),
    )


def test_a_second_extension_is_refused(app: Participation, coached: tuple[UUID, UUID]) -> None:
    _, cid = coached
    app.extend_job_coaching(
        cid, reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE, on=date(2021, 9, 1), by=COORDINATOR
    )
    assert_refused(
        app,
        None,
        ExtensionNotAllowed,
        lambda: app.extend_job_coaching(
            cid, reason=ExtensionReason.OTHER, on=date(2022, 9, 1), by=COORDINATOR
        ),
    )


def test_a_second_extension_is_refused_even_within_the_maximum_years(clock: Clock) -> None:
    with coached_under(clock, version="one-year", coaching_years=1) as (app, cid):
        app.extend_job_coaching(
            cid,
            reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE,
            on=date(2021, 1, 4),
            by=COORDINATOR,
        )
        assert app.job_coaching(cid, by=READER).planned_end == date(2022, 3, 16)
        assert_refused(
            app,
            None,
            ExtensionNotAllowed,
            lambda: app.extend_job_coaching(
                cid, reason=ExtensionReason.OTHER, on=date(2021, 6, 1), by=COORDINATOR
            ),
            match="once already",
        )


@pytest.mark.parametrize(
    ("version", "policy_changes"),
    [("no-extension", {"extension_years": 0}), ("long", {"extension_years": 2})],
    ids=["a policy without extension", "an extension beyond three years"],
)
def test_an_extension_the_policy_does_not_allow_is_refused(
    clock: Clock, version: str, policy_changes: dict[str, int]
) -> None:
    with coached_under(clock, version=version, **policy_changes) as (app, cid):
        assert_refused(
            app,
            None,
            ExtensionNotAllowed,
            lambda: app.extend_job_coaching(
                cid, reason=ExtensionReason.OTHER, on=date(2021, 1, 4), by=COORDINATOR
            ),
        )


def test_an_extension_records_its_reason_from_the_enum(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    app.extend_job_coaching(cid, reason="absence", on=date(2021, 9, 1), by=COORDINATOR)
    coaching = app.job_coaching(cid, by=READER)
    assert coaching.extension_reason is ExtensionReason.ABSENCE
    extended = app.events(cid)[-1]
    assert isinstance(extended, JobCoachingTrajectory.TrajectoryExtended)
    assert extended.reason is ExtensionReason.ABSENCE


def test_a_coaching_not_extended_has_no_extension_reason(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    assert app.job_coaching(cid, by=READER).extension_reason is None


@pytest.mark.parametrize("reason", ["employer needs more time", "Other", "more time", 3, None])
def test_an_extension_reason_in_free_text_is_invalid_input(
    app: Participation, coached: tuple[UUID, UUID], reason: object
) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.extend_job_coaching(
            cid,
            reason=reason,  # type: ignore[arg-type]
            on=date(2021, 9, 1),
            by=COORDINATOR,
        ),
        match="more_time_to_independence",
    )


def test_an_extension_needs_a_reason(app: Participation, coached: tuple[UUID, UUID]) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.extend_job_coaching(cid, reason=" ", on=date(2021, 1, 4), by=COORDINATOR),
    )


# Rule 4: hours inside the period, within the cap of the coaching year


def test_hours_on_the_first_and_the_last_day_are_accepted(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    log(app, cid, 1.5, START)
    log(app, cid, 1, date(2022, 3, 15))
    coaching = app.job_coaching(cid, by=READER)
    assert coaching.hours_logged == Decimal("2.5")
    assert coaching.hours_by_year == {1: Decimal("1.5"), 2: Decimal(1)}


@pytest.mark.parametrize("on", [date(2020, 3, 15), date(2022, 3, 16)])
def test_hours_outside_the_coaching_period_are_refused(
    app: Participation, coached: tuple[UUID, UUID], on: date
) -> None:
    _, cid = coached
    assert_refused(app, None, OutsideCoachingPeriod, lambda: log(app, cid, 1, on))


@pytest.mark.parametrize("hours", [0, -1, "lots", True, float("inf")])
def test_hours_that_are_not_more_than_zero_are_invalid_input(
    app: Participation, coached: tuple[UUID, UUID], hours: object
) -> None:
    _, cid = coached
    assert_refused(app, None, InvalidInput, lambda: log(app, cid, hours, START))  # type: ignore[arg-type]


def test_hours_need_a_known_counterpart(app: Participation, coached: tuple[UUID, UUID]) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.log_coaching_hours(
            cid, hours=1, counterpart="neighbour", on=START, by=JOB_COACH_ACTOR
        ),
    )
    app.log_coaching_hours(cid, hours=1, counterpart="manager", on=START, by=JOB_COACH_ACTOR)
    app.log_coaching_hours(
        cid, hours=1, counterpart=Counterpart.COLLEAGUES, on=START, by=JOB_COACH_ACTOR
    )


def test_year_one_allows_fifteen_percent_of_the_hours_worked(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    # 20 hours a week x 52 weeks x 15% = 156 hours in coaching year 1.
    log(app, cid, 100, date(2020, 6, 1))
    log(app, cid, 56, date(2021, 3, 15))  # the last day of year 1: exactly the cap
    assert_refused(
        app, None, HoursCapExceeded, lambda: log(app, cid, Decimal("0.25"), date(2021, 3, 15))
    )


def test_the_cap_restarts_on_the_anniversary_at_seven_and_a_half_percent(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    log(app, cid, 156, date(2021, 3, 15))
    # 20 x 52 x 7.5% = 78 hours in coaching year 2, which starts on the anniversary.
    log(app, cid, 78, date(2021, 3, 16))
    assert_refused(app, None, HoursCapExceeded, lambda: log(app, cid, 1, date(2021, 9, 1)))
    assert app.job_coaching(cid, by=READER).hours_by_year == {1: Decimal(156), 2: Decimal(78)}


def test_year_three_after_the_extension_allows_six_percent(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    app.extend_job_coaching(
        cid, reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE, on=date(2022, 1, 3), by=COORDINATOR
    )
    # 20 x 52 x 6% = 62.4 hours in coaching year 3.
    log(app, cid, Decimal("62.4"), date(2022, 3, 16))
    assert_refused(
        app, None, HoursCapExceeded, lambda: log(app, cid, Decimal("0.1"), date(2023, 3, 15))
    )


def test_a_municipality_may_set_its_own_cap(clock: Clock) -> None:
    caps = (Decimal(10), Decimal("7.5"), Decimal(6))
    with coached_under(clock, version="haaren-2020", coaching_hours_caps=caps) as (app, cid):
        log(app, cid, 104, date(2020, 6, 1))  # 20 x 52 x 10%
        assert_refused(app, None, HoursCapExceeded, lambda: log(app, cid, 1, date(2020, 6, 2)))


def test_coaching_years_follow_anniversaries() -> None:
    assert coaching_year(date(2020, 2, 29), date(2021, 2, 27)) == 1
    assert coaching_year(date(2020, 2, 29), date(2021, 2, 28)) == 2
    assert add_years(date(2020, 2, 29), 2) == date(2022, 2, 28)


# Rule 5: evaluations


def test_evaluations_are_recorded(app: Participation, coached: tuple[UUID, UUID]) -> None:
    _, cid = coached
    app.evaluate_job_coaching(cid, on=date(2020, 9, 14), by=JOB_COACH_ACTOR)
    app.evaluate_job_coaching(cid, on=date(2021, 3, 15), by=JOB_COACH_ACTOR)
    assert app.job_coaching(cid, by=READER).evaluations == (date(2020, 9, 14), date(2021, 3, 15))


# Rule 6: completion


@pytest.mark.parametrize(
    "outcome",
    [
        CoachingOutcome.INDEPENDENT,
        CoachingOutcome.HANDED_OVER_TO_EMPLOYER,
        CoachingOutcome.NOT_A_FIT,
    ],
)
def test_completion_records_the_outcome_and_then_nothing_but_reading(
    app: Participation, coached: tuple[UUID, UUID], outcome: CoachingOutcome
) -> None:
    _, cid = coached
    app.complete_job_coaching(cid, outcome=outcome, on=date(2021, 12, 1), by=COORDINATOR)
    coaching = app.job_coaching(cid, by=READER)
    assert (coaching.completed_outcome, coaching.completed_on) == (outcome, date(2021, 12, 1))
    for command in [
        lambda: log(app, cid, 1, date(2021, 12, 2)),
        lambda: app.evaluate_job_coaching(cid, on=date(2021, 12, 2), by=JOB_COACH_ACTOR),
        lambda: app.extend_job_coaching(
            cid, reason=ExtensionReason.OTHER, on=date(2021, 12, 2), by=COORDINATOR
        ),
        lambda: app.complete_job_coaching(
            cid, outcome=CoachingOutcome.INDEPENDENT, on=date(2021, 12, 2), by=COORDINATOR
        ),
    ]:
        assert_refused(app, None, CoachingIsCompleted, command)


def test_completion_before_the_start_is_refused(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        BusinessDateRefused,
        lambda: app.complete_job_coaching(
            cid, outcome="independent", on=date(2020, 3, 1), by=COORDINATOR
        ),
    )


def test_completion_with_an_unknown_outcome_is_invalid_input(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.complete_job_coaching(cid, outcome="graduated", on=START, by=COORDINATOR),
    )


# Across both aggregates: the coached placement ends


def test_ending_the_placement_while_coaching_runs_allows_only_placement_ended(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    rid, cid = coached
    app.end_placement(rid, reason=PlacementEndReason.RESIDENT_LEFT, on=date(2020, 9, 1), by=COACH)
    for command in [
        lambda: log(app, cid, 1, date(2020, 9, 2)),
        lambda: app.evaluate_job_coaching(cid, on=date(2020, 9, 2), by=JOB_COACH_ACTOR),
        lambda: app.extend_job_coaching(
            cid, reason=ExtensionReason.OTHER, on=date(2020, 9, 2), by=COORDINATOR
        ),
        lambda: app.complete_job_coaching(
            cid, outcome=CoachingOutcome.INDEPENDENT, on=date(2020, 9, 2), by=COORDINATOR
        ),
    ]:
        assert_refused(app, None, PlacementNoLongerCurrent, command)
    app.complete_job_coaching(
        cid, outcome=CoachingOutcome.PLACEMENT_ENDED, on=date(2020, 9, 2), by=COORDINATOR
    )
    assert app.job_coaching(cid, by=READER).completed_outcome is CoachingOutcome.PLACEMENT_ENDED


def test_a_placement_ended_after_outflow_to_work_allows_only_placement_ended(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    rid, cid = coached
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2020, 6, 1), by=COACH)
    app.end_placement(rid, reason=PlacementEndReason.DISMISSED, on=date(2020, 9, 1), by=COACH)
    for command in [
        lambda: log(app, cid, 1, date(2020, 9, 2)),
        lambda: app.complete_job_coaching(
            cid, outcome=CoachingOutcome.HANDED_OVER_TO_EMPLOYER, on=date(2020, 9, 2),
            by=COORDINATOR,
        ),
    ]:  # fmt: skip
        assert_refused(app, None, PlacementNoLongerCurrent, command)
    app.complete_job_coaching(
        cid, outcome=CoachingOutcome.PLACEMENT_ENDED, on=date(2020, 9, 2), by=COORDINATOR
    )
    assert app.resident(rid, by=READER).status is TrajectoryStatus.CLOSED


def test_placement_ended_while_the_placement_goes_on_is_refused(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    assert_refused(
        app,
        None,
        PlacementNoLongerCurrent,
        lambda: app.complete_job_coaching(
            cid, outcome=CoachingOutcome.PLACEMENT_ENDED, on=date(2020, 9, 2), by=COORDINATOR
        ),
    )


def test_coaching_goes_on_after_the_resident_flowed_out_to_work(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    rid, cid = coached
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2020, 4, 1), by=COACH)
    log(app, cid, 2, date(2020, 4, 6))
    assert app.job_coaching(cid, by=READER).hours_logged == 2


def test_job_coaching_events_carry_date_actor_and_policy_version(
    app: Participation, coached: tuple[UUID, UUID]
) -> None:
    _, cid = coached
    log(app, cid, 1, date(2020, 4, 6))
    for event in app.events(cid):
        assert event.actor_id in (COORDINATOR.id, JOB_COACH_ACTOR.id)  # type: ignore[attr-defined]
        assert event.policy_version == DEFAULT_POLICY.version  # type: ignore[attr-defined]
        assert isinstance(event.occurred_on, date)  # type: ignore[attr-defined]


def test_a_later_policy_does_not_change_how_past_coaching_replays(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/coaching.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        cid = start(app, placed_and_assessed(app))
        log(app, cid, 150, date(2020, 6, 1))
        before = app.job_coaching(cid, by=READER)
    stricter = attrs.evolve(
        DEFAULT_POLICY, version="stricter", coaching_years=1, coaching_hours_caps=(Decimal(5),)
    )
    with Participation.open(url, secret=TEST_SECRET, policy=stricter) as app:
        after = app.job_coaching(cid, by=READER)
        assert after == before
        assert after.planned_end == date(2022, 3, 16)
        assert after.hours_by_year == {1: Decimal(150)}
        # New decisions follow the new policy: 20 x 52 x 5% = 52 hours, already exceeded.
        assert_refused(app, None, HoursCapExceeded, lambda: log(app, cid, 1, date(2020, 6, 2)))
