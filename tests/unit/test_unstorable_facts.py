"""A fact that no store can hold is found however many storable facts were checked before it:
the checks remember storable texts and amounts, never unstorable ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from participatie.projections.facts import Fact, FactKind, unstorable


def _fact(*, municipality: str = "Haaren", value: str = "conversation", amount: str = "4") -> Fact:
    return Fact(
        stream_id="a" * 32,
        version=2,
        kind=FactKind.HAPPINESS,
        municipality=municipality,
        resident_id="a" * 32,
        occurred_on=date(2024, 1, 2),
        recorded_at=datetime(2024, 1, 2, tzinfo=UTC),
        value=value,
        amount=Decimal(amount),
        position=7,
        detail="coach-1",
    )


def test_storable_facts_pass_again_and_again() -> None:
    for _ in range(3):
        assert unstorable(_fact()) is None


@pytest.mark.parametrize(
    ("fact", "reason"),
    [
        (_fact(municipality="Haa\x00ren"), "its municipality holds '\\x00'"),
        (_fact(value="conver\ud800sation"), "its value holds '\\ud800'"),
        (_fact()._replace(resident_id="a" * 31 + "\x1f"), "its resident_id holds '\\x1f'"),
        (_fact()._replace(stream_id="\x7f" + "a" * 31), "its stream_id holds '\\x7f'"),
        (_fact(amount="4.00001"), "its amount 4.00001 has more than four decimals"),
        (_fact(amount="1E+12"), "its amount 1E+12 is out of range"),
        (_fact(amount="NaN"), "its amount NaN is out of range"),
        (_fact(amount="sNaN"), "its amount sNaN is out of range"),
        (_fact(amount="-Infinity"), "its amount -Infinity is out of range"),
    ],
)
def test_an_unstorable_fact_is_named_even_after_storable_ones(fact: Fact, reason: str) -> None:
    assert unstorable(_fact()) is None
    assert unstorable(fact) == reason
    assert unstorable(fact) == reason  # and again: nothing unstorable is remembered


def test_fields_that_are_not_text_are_searched_as_text_without_failing() -> None:
    """An event edited by hand may give a fact a number or a list where text belongs: the check
    reads them as text (as it always did) instead of raising."""
    number: Any = 5
    listed: Any = ["coach-1"]
    assert unstorable(_fact()._replace(municipality=number)) is None
    assert unstorable(_fact()._replace(detail=listed)) is None
    with_nul = _fact()._replace(municipality=number, value="a\x00")
    assert unstorable(with_nul) == "its value holds '\\x00'"
