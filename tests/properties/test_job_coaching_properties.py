"""Job coaching properties under any policy: the hours cap and the extension rules always hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from participatie import (
    DEFAULT_POLICY,
    Actor,
    ExtensionReason,
    Goal,
    JobCoach,
    ParticipatieError,
    Participation,
    PlacementKind,
    Policy,
    Provider,
    Role,
)
from participatie.domain.dates import add_years
from participatie.domain.job_coaching import coaching_year
from participatie.testing import strategies as pst
from tests.actors import COORDINATOR
from tests.support import READER

COACH = Actor("coach-1", Role.COACH)
JOB_COACH = Actor("jc-1", Role.JOB_COACH)
START = date(2019, 3, 18)


def placed_and_assessed(
    app: Participation,
    *,
    hours: int,
    months: int | None = None,
    trial: bool = False,
    need: bool = True,
) -> UUID:
    """A resident with a paid placement and a wage value assessment at it."""
    rid = app.register_resident(
        referral="municipality",
        benefit="social_assistance",
        municipality="haaren",
        on=date(2019, 1, 7),
        by=COACH,
    )
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 7), by=COACH)
    app.place(
        rid,
        employer="Bakker",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=hours,
        contract_months=months,
        trial=trial,
        on=date(2019, 3, 4),
        by=Actor("broker-1", Role.JOB_BROKER),
    )
    app.assess_wage_value(
        rid,
        percent=50,
        needs_job_coaching=need,
        on=date(2019, 3, 11),
        by=Actor("assessor-1", Role.WAGE_VALUE_ASSESSOR),
    )
    return rid


def start(app: Participation, rid: UUID) -> UUID:
    return app.start_job_coaching(
        rid,
        provider=Provider("Restart", recognised=True),
        coach=JobCoach("jc-1", hbo_degree=True),
        on=START,
        by=COORDINATOR,
    )


def coached(app: Participation, hours_per_week: int) -> UUID:
    return start(app, placed_and_assessed(app, hours=hours_per_week))


@given(
    policy=pst.policies(),
    hours_per_week=st.integers(24, 40),
    logs=st.lists(
        st.tuples(
            st.integers(0, 3 * 365),
            st.decimals(min_value=Decimal("0.5"), max_value=Decimal(80), places=1),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_hours_never_pass_the_cap_and_those_within_it_are_accepted(
    policy: Policy, hours_per_week: int, logs: list[tuple[int, Decimal]]
) -> None:
    with Participation.open("memory://", policy=policy) as app:
        cid = coached(app, hours_per_week)
        planned_end = app.job_coaching(cid, by=READER).planned_end
        used: dict[int, Decimal] = {}
        for offset, hours in logs:
            day = START + timedelta(days=offset)
            year = coaching_year(START, day)
            cap = policy.cap_percent(coaching_year=year) * hours_per_week * 52 / 100
            fits = day < planned_end and used.get(year, Decimal(0)) + hours <= cap
            try:
                app.log_coaching_hours(
                    cid,
                    hours=hours,
                    counterpart="employee",
                    on=day,
                    by=JOB_COACH,
                )
            except ParticipatieError:
                assert not fits, (day, hours, used, cap)
                continue
            assert fits, (day, hours, used, cap)
            used[year] = used.get(year, Decimal(0)) + hours


@given(
    policy=pst.policies(),
    maximum=st.integers(1, 7),
    attempts=st.lists(st.integers(0, 4 * 365), min_size=1, max_size=4),
)
def test_at_most_one_extension_and_never_past_the_maximum(
    policy: Policy, maximum: int, attempts: list[int]
) -> None:
    policy = attrs.evolve(policy, max_coaching_years=max(policy.coaching_years, maximum))
    with Participation.open("memory://", policy=policy) as app:
        cid = coached(app, 24)
        extended = False
        for offset in sorted(attempts):
            coaching = app.job_coaching(cid, by=READER)
            day = START + timedelta(days=offset)
            new_end = add_years(coaching.planned_end, policy.extension_years)
            allowed = (
                not extended
                and day < coaching.planned_end
                and policy.extension_years > 0
                and new_end <= add_years(START, policy.max_coaching_years)
            )
            try:
                app.extend_job_coaching(
                    cid, reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE, on=day, by=COORDINATOR
                )
            except ParticipatieError:
                assert not allowed, (day, coaching.planned_end, policy)
                continue
            assert allowed, (day, coaching.planned_end, policy)
            extended = True
        final = app.job_coaching(cid, by=READER)
        assert final.planned_end <= add_years(START, policy.max_coaching_years)


@given(
    policy=pst.policies(),
    hours=st.integers(1, 40),
    months=st.one_of(st.none(), st.integers(1, 24)),
    trial=st.booleans(),
    need=st.booleans(),
)
@example(policy=DEFAULT_POLICY, hours=20, months=5, trial=False, need=True)  # 6 months needed
@example(policy=DEFAULT_POLICY, hours=20, months=5, trial=True, need=True)  # unless a trial
@example(policy=DEFAULT_POLICY, hours=11, months=None, trial=False, need=True)  # 12 hours needed
@example(policy=DEFAULT_POLICY, hours=20, months=12, trial=False, need=False)  # no need
def test_coaching_starts_exactly_where_the_policy_and_the_assessment_allow(
    policy: Policy, hours: int, months: int | None, trial: bool, need: bool
) -> None:
    with Participation.open("memory://", policy=policy) as app:
        rid = placed_and_assessed(app, hours=hours, months=months, trial=trial, need=need)
        allowed = (
            need
            and hours >= policy.min_hours_per_week
            and (trial or months is None or months >= policy.min_contract_months)
        )
        try:
            start(app, rid)
        except ParticipatieError:
            assert not allowed
            return
        assert allowed


@given(
    outcome=st.sampled_from(
        ["independent", "handed_over_to_employer", "not_a_fit", "placement_ended"]
    ),
    ended=st.booleans(),
)
def test_once_the_placement_ended_only_placement_ended_completes(outcome: str, ended: bool) -> None:
    with Participation.open("memory://") as app:
        cid = coached(app, 24)
        rid = app.job_coaching(cid, by=READER).resident_id
        if ended:
            app.end_placement(rid, reason="dismissed", on=date(2019, 6, 3), by=COACH)
            commands: tuple[Callable[[], None], ...] = (
                lambda: app.log_coaching_hours(
                    cid, hours=1, counterpart="employee", on=date(2019, 6, 4), by=JOB_COACH
                ),
                lambda: app.evaluate_job_coaching(cid, on=date(2019, 6, 4), by=JOB_COACH),
            )
            for command in commands:
                try:
                    command()
                except ParticipatieError:
                    continue
                raise AssertionError("accepted after the coached placement ended")
        allowed = ended == (outcome == "placement_ended")
        try:
            app.complete_job_coaching(cid, outcome=outcome, on=date(2019, 6, 5), by=COORDINATOR)
        except ParticipatieError:
            assert not allowed
            return
        assert allowed
