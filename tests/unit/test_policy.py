"""The versioned policy and its UWV defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from participatie import DEFAULT_POLICY, InvalidInput, Participation, Policy
from tests.support import TEST_SECRET, register


def test_default_policy_has_the_uwv_numbers() -> None:
    assert DEFAULT_POLICY.min_contract_months == 6
    assert DEFAULT_POLICY.min_hours_per_week == 12
    assert [DEFAULT_POLICY.cap_percent(coaching_year=y) for y in (1, 2, 3)] == [
        Decimal(15),
        Decimal("7.5"),
        Decimal(6),
    ]
    assert (DEFAULT_POLICY.coaching_years, DEFAULT_POLICY.extension_years) == (2, 1)
    assert DEFAULT_POLICY.retention_years == 10


def test_the_last_cap_holds_for_later_years() -> None:
    assert DEFAULT_POLICY.cap_percent(coaching_year=4) == Decimal(6)


@pytest.mark.parametrize(
    "changes",
    [
        {"version": ""},
        {"min_hours_per_week": 0},
        {"coaching_hours_caps": ()},
        {"coaching_hours_caps": (Decimal(0),)},
        {"coaching_hours_caps": (15,)},
        {"extension_years": -1},
    ],
)
def test_malformed_policies_are_invalid_input(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        attrs.evolve(DEFAULT_POLICY, **changes)


def test_events_record_the_version_of_a_municipalitys_own_policy() -> None:
    own = attrs.evolve(DEFAULT_POLICY, version="haaren-2020")
    with Participation.open("memory://", secret=TEST_SECRET, policy=own) as app:
        rid = register(app)
        (event,) = app.events(rid)
        assert event.policy_version == "haaren-2020"  # type: ignore[attr-defined]


def test_policy_must_be_a_policy() -> None:
    with pytest.raises(ValueError, match="Policy"):
        Participation.open("memory://", policy={"version": "x"})  # type: ignore[arg-type]


def test_policy_is_a_value() -> None:
    assert Policy(version="a") == Policy(version="a")
