"""Any input to any command of either aggregate is accepted or refused with InvalidInput or a
RuleViolation, never another error; a refused command appends nothing; and what was accepted
gives reports on every store (on PostgreSQL a NUL in a municipality broke every report).

Inputs mix valid values with hostile ones: control characters, unpaired surrogates and text
far over the length bounds; NaN, infinities, huge and tiny exponents, many decimals, ints of
thousands of digits, booleans for numbers and numbers for booleans.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from participatie import (
    Activity,
    Actor,
    Benefit,
    CoachingOutcome,
    Counterpart,
    ErasureGround,
    ExtensionReason,
    Goal,
    InvalidInput,
    JobCoach,
    NotAuthorised,
    OutflowReason,
    Participation,
    PlacementEndReason,
    PlacementKind,
    Provider,
    Referral,
    Role,
    RuleViolation,
    VisitKind,
)
from tests.support import TEST_SECRET, Clock, assert_appended_only_refusals, log_position

REGISTERED = date(2020, 1, 6)
PLACED = date(2020, 3, 2)
ASSESSED = date(2020, 3, 9)
STARTED = date(2020, 3, 16)
DAY = date(2020, 3, 20)
ASSIGNED_JOB_COACH = "jc-3"
#: Only the job coach assigned to a coaching logs its hours and evaluations: any other valid
#: job coach id is NotAuthorised, the one refusal here that is neither input nor rule.
_FOR_THE_ASSIGNED_JOB_COACH = frozenset({"log_coaching_hours", "evaluate_job_coaching"})

_HOSTILE_CHARACTERS = (
    [chr(c) for c in range(0x20)]
    + ["\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufeff", "\ufffe"]
    + ["\ud800", "\udbff", "\udc00", "\udfff"]
)


def texts() -> st.SearchStrategy[Any]:
    """Plausible names, any text (with control characters and unpaired surrogates), text around
    and far over the length bounds, and things that are not text at all."""
    characters = st.characters() | st.sampled_from(_HOSTILE_CHARACTERS)
    return st.one_of(
        st.sampled_from(["haaren", "Bakkerij Van Gils", " Oss ", "jc-3", "HAAREN"]),
        st.sampled_from(["oss\x00", "oss\ud800", "\x85", "a\u2028b", "a\tb", "x" * 201]),
        st.text(characters, max_size=12),
        st.builds(
            lambda s, n: (s or "x") * n, st.text(characters, max_size=3), st.integers(1, 300)
        ),
        st.integers(1, 100_000).map(lambda n: "a" * n),
        st.sampled_from([None, 7, b"oss"]),
    )


def numbers() -> st.SearchStrategy[Any]:
    """Valid small numbers, and every kind of number that is not one."""
    return st.one_of(
        st.integers(-2, 42),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(40), places=2),
        st.sampled_from([10**5000, -(10**5000), 2**64, Decimal("sNaN"), Decimal("1E-20000")]),
        st.sampled_from(["12.5", "NaN", "Infinity", "1E-20000", "20.005", "1_0", " 8 ", ""]),
        st.sampled_from([float("nan"), float("inf"), 1e-300, 20.005, 0.1, True, None]),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.builds(
            lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
            st.integers(-999, 999),
            st.integers(-30_000, 30_000) | st.integers(-5, 5),
        ),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def flags() -> st.SearchStrategy[Any]:
    return st.one_of(st.booleans(), st.none(), st.integers(0, 1), st.sampled_from(["yes", "0"]))


def members(enum_cls: type[enum.Enum]) -> st.SearchStrategy[Any]:
    """A member, its text, or anything else."""
    return st.one_of(
        st.sampled_from(list(enum_cls)),
        st.sampled_from([member.value for member in enum_cls]),
        texts(),
        numbers(),
    )


def actors(role: Role, actor_id: str | None = None) -> st.SearchStrategy[Callable[[], Actor]]:
    """How the command gets its actor: made inside the command, so that a refused id counts as
    a refused command."""
    valid = actor_id or f"{role.value}-1"
    return st.one_of(
        st.just(lambda: Actor(valid, role)),
        texts().map(lambda actor_id: lambda: Actor(actor_id, role)),
    )


def _clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))


@attrs.frozen
class Files:
    """Residents and a coaching in the states the commands need to be accepted."""

    registered: UUID  # no intake yet
    talking: UUID  # intake, no placement
    ready: UUID  # intake, paid placement, assessed need, no coaching
    coached: UUID  # as ready, with coaching started
    coaching: UUID


def make_files(app: Participation) -> Files:
    coach = Actor("coach-1", Role.COACH)
    broker = Actor("broker-1", Role.JOB_BROKER)
    assessor = Actor("assessor-1", Role.WAGE_VALUE_ASSESSOR)

    def resident(*, intake: bool = True, placed: bool) -> UUID:
        rid = app.register_resident(
            referral=Referral.WALK_IN,
            benefit=Benefit.NONE,
            municipality="haaren",
            on=REGISTERED,
            by=coach,
        )
        if intake:
            app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=REGISTERED, by=coach)
        if placed:
            app.place(
                rid,
                employer="Bakkerij Van Gils",
                kind=PlacementKind.PAID_WORK,
                hours_per_week=20,
                contract_months=12,
                on=PLACED,
                by=broker,
            )
            app.assess_wage_value(
                rid, percent=60, needs_job_coaching=True, on=ASSESSED, by=assessor
            )
        return rid

    coached = resident(placed=True)
    coaching = app.start_job_coaching(
        coached,
        provider=Provider("USG Restart", recognised=True),
        coach=JobCoach(ASSIGNED_JOB_COACH, hbo_degree=True),
        on=STARTED,
        by=Actor("coordinator-1", Role.COORDINATOR),
    )
    return Files(
        registered=resident(intake=False, placed=False),
        talking=resident(placed=False),
        ready=resident(placed=True),
        coached=coached,
        coaching=coaching,
    )


Command = Callable[[Participation, Files], object]


def commands() -> st.SearchStrategy[tuple[str, Command, Any]]:
    """(name, command, the municipality it registers or None)."""
    on = {"on": DAY}
    resident = {
        "register_resident": st.builds(
            lambda referral, benefit, municipality, by: (
                lambda app, _: app.register_resident(
                    referral=referral, benefit=benefit, municipality=municipality, on=DAY, by=by()
                ),
                municipality,
            ),
            members(Referral),
            members(Benefit),
            texts(),
            actors(Role.COACH),
        ),
        "hold_intake": st.builds(
            lambda goal, happiness, by: (
                lambda app, f: app.hold_intake(
                    f.registered, goal=goal, happiness=happiness, by=by(), **on
                )
            ),
            members(Goal),
            numbers(),
            actors(Role.COACH),
        ),
        "record_conversation": st.builds(
            lambda happiness, by: (
                lambda app, f: app.record_conversation(f.ready, happiness=happiness, by=by(), **on)
            ),
            numbers(),
            actors(Role.COACH),
        ),
        "change_goal": st.builds(
            lambda goal, by: lambda app, f: app.change_goal(f.ready, goal=goal, by=by(), **on),
            members(Goal),
            actors(Role.COACH),
        ),
        "visit_workplace": st.builds(
            lambda organisation, kind, by: (
                lambda app, f: app.visit_workplace(
                    f.ready, organisation=organisation, kind=kind, by=by(), **on
                )
            ),
            texts(),
            members(VisitKind),
            actors(Role.COACH),
        ),
        "start_activity": st.builds(
            lambda activity, by: (
                lambda app, f: app.start_activity(f.ready, activity=activity, by=by(), **on)
            ),
            members(Activity),
            actors(Role.COACH),
        ),
        "end_activity": st.builds(
            lambda activity, by: (
                lambda app, f: app.end_activity(f.ready, activity=activity, by=by(), **on)
            ),
            members(Activity),
            actors(Role.COACH),
        ),
        "request_job_broker": st.builds(
            lambda by: lambda app, f: app.request_job_broker(f.talking, by=by(), **on),
            actors(Role.COACH),
        ),
        "withdraw_job_broker_request": st.builds(
            lambda by: lambda app, f: app.withdraw_job_broker_request(f.ready, by=by(), **on),
            actors(Role.JOB_BROKER),
        ),
        "place": st.builds(
            lambda employer, kind, hours, months, trial, by: (
                lambda app, f: app.place(
                    f.talking,
                    employer=employer,
                    kind=kind,
                    hours_per_week=hours,
                    contract_months=months,
                    trial=trial,
                    by=by(),
                    **on,
                )
            ),
            texts(),
            members(PlacementKind),
            numbers(),
            st.none() | numbers(),
            flags(),
            actors(Role.JOB_BROKER),
        ),
        "end_placement": st.builds(
            lambda reason, by: (
                lambda app, f: app.end_placement(f.ready, reason=reason, by=by(), **on)
            ),
            members(PlacementEndReason),
            actors(Role.JOB_BROKER),
        ),
        "assess_wage_value": st.builds(
            lambda percent, need, by: (
                lambda app, f: app.assess_wage_value(
                    f.ready, percent=percent, needs_job_coaching=need, by=by(), **on
                )
            ),
            numbers(),
            flags(),
            actors(Role.WAGE_VALUE_ASSESSOR),
        ),
        "close_trajectory": st.builds(
            lambda reason, by: (
                lambda app, f: app.close_trajectory(f.ready, reason=reason, by=by(), **on)
            ),
            members(OutflowReason),
            actors(Role.COACH),
        ),
        "reopen_trajectory": st.builds(
            lambda by: lambda app, f: app.reopen_trajectory(f.ready, by=by(), **on),
            actors(Role.COACH),
        ),
        "erase_personal_data": st.builds(
            lambda ground, by: (
                lambda app, f: app.erase_personal_data(f.registered, reason=ground, by=by())
            ),
            members(ErasureGround),
            actors(Role.ADMIN),
        ),
    }
    coaching = {
        "start_job_coaching": st.builds(
            lambda name, recognised, coach_id, degree, by: (
                lambda app, f: app.start_job_coaching(
                    f.ready,
                    provider=Provider(name, recognised=recognised),
                    coach=JobCoach(coach_id, hbo_degree=degree),
                    by=by(),
                    **on,
                )
            ),
            texts(),
            flags(),
            texts(),
            flags(),
            actors(Role.COORDINATOR),
        ),
        "log_coaching_hours": st.builds(
            lambda hours, counterpart, by: (
                lambda app, f: app.log_coaching_hours(
                    f.coaching, hours=hours, counterpart=counterpart, by=by(), **on
                )
            ),
            numbers(),
            members(Counterpart),
            actors(Role.JOB_COACH, ASSIGNED_JOB_COACH),
        ),
        "evaluate_job_coaching": st.builds(
            lambda by: lambda app, f: app.evaluate_job_coaching(f.coaching, by=by(), **on),
            actors(Role.JOB_COACH, ASSIGNED_JOB_COACH),
        ),
        "extend_job_coaching": st.builds(
            lambda reason, by: (
                lambda app, f: app.extend_job_coaching(f.coaching, reason=reason, by=by(), **on)
            ),
            members(ExtensionReason),
            actors(Role.COORDINATOR),
        ),
        "complete_job_coaching": st.builds(
            lambda outcome, by: (
                lambda app, f: app.complete_job_coaching(f.coaching, outcome=outcome, by=by(), **on)
            ),
            members(CoachingOutcome),
            actors(Role.COORDINATOR),
        ),
    }
    named = [
        strategy.map(functools.partial(_named, name))
        for name, strategy in {**resident, **coaching}.items()
    ]
    return st.one_of(named)


def _named(name: str, made: Any) -> tuple[str, Command, Any]:
    if isinstance(made, tuple):
        command, municipality = made
        return name, command, municipality
    return name, made, None


def _register_in(municipality: str) -> tuple[str, Command, Any]:
    def command(app: Participation, _: Files) -> object:
        return app.register_resident(
            referral=Referral.WALK_IN,
            benefit=Benefit.NONE,
            municipality=municipality,
            on=DAY,
            by=Actor("coach-1", Role.COACH),
        )

    return "register_resident", command, municipality


#: Accepted before 0.2.0; on PostgreSQL the facts view then failed on the NUL, in every report.
NUL_MUNICIPALITY = [_register_in("oss\x00"), _register_in("oss")]


def _versions(app: Participation, files: Files) -> tuple[int, ...]:
    residents = (files.registered, files.talking, files.ready, files.coached)
    # Read without access-log entries: a read would append one.
    return tuple(
        app.events(stream)[-1].originator_version for stream in (*residents, files.coaching)
    )


def run_commands(
    app: Participation, steps: list[tuple[str, Command, Any]], municipalities: set[str]
) -> None:
    """Run each step on fresh files: accepted, or refused with nothing appended."""
    files = make_files(app)
    for name, command, municipality in steps:
        versions, position = _versions(app, files), log_position(app)
        try:
            command(app, files)
        except (InvalidInput, RuleViolation):
            assert _versions(app, files) == versions, name
            assert log_position(app) == position, name
        except NotAuthorised:
            assert name in _FOR_THE_ASSIGNED_JOB_COACH, name
            assert _versions(app, files) == versions, name
            assert_appended_only_refusals(app, position)
        else:
            if municipality is not None:
                municipalities.add(municipality)
        # Whatever was stored reads back.
        _versions(app, files)


@given(steps=st.lists(commands(), min_size=1, max_size=4))
@settings(
    max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_every_command_accepts_or_refuses_any_input_in_memory(
    steps: list[tuple[str, Command, Any]],
) -> None:
    with Participation.open("memory://", secret=TEST_SECRET, clock=_clock()) as app:
        municipalities: set[str] = set()
        run_commands(app, steps, municipalities)
        for municipality in municipalities:
            app.outcomes(municipality=municipality)


@pytest.mark.postgres
@given(steps=st.lists(commands(), min_size=1, max_size=4))
@example(steps=NUL_MUNICIPALITY)
@settings(
    max_examples=12,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_command_accepts_or_refuses_any_input_on_postgres_and_reports_still_work(
    postgres_schema_url: str, steps: list[tuple[str, Command, Any]]
) -> None:
    with Participation.open(postgres_schema_url, secret=TEST_SECRET, clock=_clock()) as app:
        municipalities = {"haaren"}
        run_commands(app, steps, municipalities)
        for municipality in municipalities:
            app.outcomes(municipality=municipality)
        app.outcomes()
