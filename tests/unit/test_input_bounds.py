"""Every input is checked at the command: text, numbers and flags outside their documented bounds
are InvalidInput and append nothing (docs/guide.md, "What the commands accept").

Each case here was accepted, or failed with another error than InvalidInput, before the checks
moved into ``participatie.domain.inputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from participatie import (
    DEFAULT_POLICY,
    Actor,
    Counterpart,
    InvalidInput,
    JobCoach,
    Participation,
    PlacementKind,
    Provider,
    Role,
    VisitKind,
)
from tests.actors import COORDINATOR, JOB_COACH_ACTOR
from tests.support import (
    ASSESSOR,
    BROKER,
    COACH,
    READER,
    assert_refused,
    register,
    register_with_intake,
)

DAY = date(2020, 3, 16)

#: Text that breaks a report on PostgreSQL, or a terminal, or the UTF-8 encoder of the store.
BAD_TEXT = [
    pytest.param("oss\x00", id="NUL"),
    pytest.param("oss\x1b[2J", id="escape"),
    pytest.param("oss\x7f", id="DEL"),
    pytest.param("oss\x85", id="C1-next-line"),
    pytest.param("oss\x9f", id="C1-last"),
    pytest.param("oss\ud800", id="unpaired-surrogate"),
    pytest.param("oss\u2028haaren", id="line-separator"),
    pytest.param("oss\nhaaren", id="newline"),
    pytest.param("oss\thaaren", id="tab"),
]


def placed_and_assessed(app: Participation) -> UUID:
    rid = register_with_intake(app, on=date(2020, 1, 6))
    app.place(
        rid,
        employer="Bakkerij Van Gils",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=20,
        contract_months=12,
        on=date(2020, 3, 2),
        by=BROKER,
    )
    app.assess_wage_value(
        rid, percent=60, needs_job_coaching=True, on=date(2020, 3, 9), by=ASSESSOR
    )
    return rid


def coaching(app: Participation) -> UUID:
    return app.start_job_coaching(
        placed_and_assessed(app),
        provider=Provider("USG Restart", recognised=True),
        coach=JobCoach("jc-3", hbo_degree=True),
        on=DAY,
        by=COORDINATOR,
    )


def place(app: Participation, rid: UUID, **changes: Any) -> None:
    fields: dict[str, Any] = {
        "employer": "Tuinderij de Es",
        "kind": PlacementKind.PAID_WORK,
        "hours_per_week": 20,
        "contract_months": 12,
        "on": date(2019, 3, 1),
        "by": BROKER,
    }
    fields.update(changes)
    app.place(rid, **fields)


# Text


@pytest.mark.parametrize("value", BAD_TEXT)
def test_a_municipality_with_control_characters_or_surrogates_is_refused(
    app: Participation, value: str
) -> None:
    assert_refused(app, None, InvalidInput, lambda: register(app, municipality=value))


def test_a_municipality_of_more_than_100_characters_is_refused(app: Participation) -> None:
    assert_refused(
        app, None, InvalidInput, lambda: register(app, municipality="m" * 101), match="100"
    )
    register(app, municipality="m" * 100, by=Actor("coach-1", Role.COACH))


@pytest.mark.parametrize("value", BAD_TEXT)
def test_an_employer_with_control_characters_or_surrogates_is_refused(
    app: Participation, value: str
) -> None:
    rid = register_with_intake(app)
    assert_refused(app, rid, InvalidInput, lambda: place(app, rid, employer=value))


@pytest.mark.parametrize("value", BAD_TEXT)
def test_an_organisation_visited_with_control_characters_or_surrogates_is_refused(
    app: Participation, value: str
) -> None:
    rid = register_with_intake(app)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.visit_workplace(
            rid, organisation=value, kind=VisitKind.WALK, on=date(2019, 2, 1), by=COACH
        ),
    )


@pytest.mark.parametrize("value", BAD_TEXT)
def test_an_extension_reason_with_control_characters_or_surrogates_is_refused(
    app: Participation, value: str
) -> None:
    cid = coaching(app)
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.extend_job_coaching(cid, reason=value, on=DAY, by=COORDINATOR),
    )


@pytest.mark.parametrize("value", BAD_TEXT)
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda v: Actor(v, Role.COACH), id="actor-id"),
        pytest.param(
            lambda v: Actor("coach-1", Role.COACH, municipality=v), id="actor-municipality"
        ),
        pytest.param(lambda v: Provider(v, recognised=True), id="provider-name"),
        pytest.param(lambda v: JobCoach(v, hbo_degree=True), id="job-coach-id"),
        pytest.param(lambda v: attrs.evolve(DEFAULT_POLICY, version=v), id="policy-version"),
    ],
)
def test_ids_and_names_that_go_into_events_refuse_control_characters_and_surrogates(
    make: Callable[[str], object], value: str
) -> None:
    with pytest.raises(InvalidInput):
        make(value)


def test_a_purpose_with_control_characters_is_refused(app: Participation) -> None:
    rid = register(app, name="A. Jansen")
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.personal_data(rid, by=COACH, purpose="check\x00"),
    )


# Numbers


@pytest.mark.parametrize(
    "hours",
    [
        pytest.param(Decimal("1E-20000"), id="tiny-exponent"),
        pytest.param(Decimal("0.001"), id="three-decimals"),
        pytest.param(Decimal("20.005"), id="three-decimals-above-one"),
        pytest.param(20.005, id="float-with-three-decimals"),
        pytest.param("1E-20000", id="text-with-tiny-exponent"),
        pytest.param(Decimal("sNaN"), id="signalling-NaN"),
        pytest.param(10**5000, id="int-with-5000-digits"),
    ],
)
def test_hours_per_week_beyond_two_decimals_or_bounds_are_refused(
    app: Participation, hours: object
) -> None:
    rid = register_with_intake(app)
    assert_refused(app, rid, InvalidInput, lambda: place(app, rid, hours_per_week=hours))


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (Decimal("12.50"), Decimal("12.50")),
        (12.25, Decimal("12.25")),
        ("12.5", Decimal("12.5")),
        (Decimal("12.500"), Decimal("12.50")),
        (40, Decimal(40)),
    ],
)
def test_hours_per_week_with_at_most_two_decimals_are_accepted(
    app: Participation, given: object, stored: Decimal
) -> None:
    rid = register_with_intake(app)
    place(app, rid, hours_per_week=given)
    placement = app.resident(rid, by=READER).placement
    assert placement is not None
    assert placement.hours_per_week == stored
    assert str(placement.hours_per_week) == str(stored)


@pytest.mark.parametrize(
    "months",
    [
        pytest.param(121, id="more-than-ten-years"),
        pytest.param(10**5000, id="int-with-5000-digits"),
        pytest.param(12.0, id="float"),
    ],
)
def test_contract_months_beyond_120_are_refused(app: Participation, months: object) -> None:
    rid = register_with_intake(app)
    assert_refused(app, rid, InvalidInput, lambda: place(app, rid, contract_months=months))


def test_a_contract_of_120_months_is_accepted(app: Participation) -> None:
    rid = register_with_intake(app)
    place(app, rid, contract_months=120)
    placement = app.resident(rid, by=READER).placement
    assert placement is not None
    assert placement.contract_months == 120


@pytest.mark.parametrize(
    "hours",
    [
        pytest.param(Decimal("1E-20000"), id="tiny-exponent"),
        pytest.param(Decimal("0.005"), id="three-decimals"),
        pytest.param(0.001, id="float-with-three-decimals"),
        pytest.param(Decimal("2080.01"), id="more-than-a-full-time-year"),
        pytest.param(Decimal("1E+999999"), id="huge-exponent"),
        pytest.param(10**5000, id="int-with-5000-digits"),
        pytest.param(float("nan"), id="NaN"),
        pytest.param("-Infinity", id="text-minus-infinity"),
    ],
)
def test_coaching_hours_beyond_two_decimals_or_bounds_are_refused(
    app: Participation, hours: Any
) -> None:
    cid = coaching(app)
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.log_coaching_hours(
            cid, hours=hours, counterpart=Counterpart.EMPLOYEE, on=DAY, by=JOB_COACH_ACTOR
        ),
    )


def test_coaching_hours_with_two_decimals_are_accepted(app: Participation) -> None:
    cid = coaching(app)
    app.log_coaching_hours(
        cid, hours=0.25, counterpart=Counterpart.EMPLOYEE, on=DAY, by=JOB_COACH_ACTOR
    )
    assert app.job_coaching(cid, by=READER).hours_logged == Decimal("0.25")
