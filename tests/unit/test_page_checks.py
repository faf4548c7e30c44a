"""A page's facts and worklist rows are checked for what no store can keep all at once: the page
check agrees with the check of each fact or row, for every field that can hold such a value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from participatie.projections import worklist_rows
from participatie.projections.facts import Fact, FactKind, all_storable, unstorable
from participatie.projections.worklist_rows import WorkKind, WorkRow, storable

FACT = Fact(
    stream_id="0" * 32,
    version=2,
    kind=FactKind.HAPPINESS,
    municipality="súdwest-fryslân",
    resident_id="0" * 32,
    occurred_on=date(2019, 3, 1),
    recorded_at=datetime(2019, 3, 1, tzinfo=UTC),
    value="conversation",
    amount=Decimal(7),
    position=5,
    detail="coach-1",
)
ROW = WorkRow(
    5, "oss", "0" * 32, "0" * 32, WorkKind.CONVERSATION, date(2019, 3, 1), "coach-1", "", Decimal(0)
)


def _page(**changes: Any) -> list[Fact]:
    return [FACT._replace(stream_id="1" * 32), FACT._replace(**changes), FACT]


@pytest.mark.parametrize(
    "changes",
    [
        {"stream_id": "a\x00"},
        {"municipality": "oss\x1f"},
        {"resident_id": "\x7f"},
        {"value": "x\x85"},
        {"detail": "coach\ud800"},
        {"amount": Decimal("NaN")},
        {"amount": Decimal("sNaN")},
        {"amount": Decimal("1E+10")},
        {"amount": Decimal("0.00001")},
    ],
)
def test_a_page_with_a_fact_no_store_can_keep_is_checked_fact_by_fact(
    changes: dict[str, Any],
) -> None:
    page = _page(**changes)
    assert not all_storable(page)
    assert [unstorable(fact) is None for fact in page] == [True, False, True]


def test_a_page_with_a_field_that_is_not_text_is_checked_fact_by_fact() -> None:
    assert not all_storable(_page(value=5))  # an event stored by hand


def test_a_page_of_plain_facts_passes_as_each_fact_does() -> None:
    page = _page(municipality="'s-hertogenbosch", detail="", amount=Decimal("12.5"))
    assert all(unstorable(fact) is None for fact in page)
    assert all_storable(page)
    assert all_storable([])


@pytest.mark.parametrize(
    "field", ["municipality", "resident_id", "stream_id", "actor_id", "value", "assignee"]
)
def test_a_page_with_a_row_no_store_can_keep_is_checked_row_by_row(field: str) -> None:
    changes: dict[str, Any] = {field: "a\x00b"}
    page = [ROW, ROW._replace(**changes), ROW._replace(position=6)]
    assert not worklist_rows.all_storable(page)
    assert [storable(row) for row in page] == [True, False, True]
    assert worklist_rows.all_storable([ROW, ROW._replace(value="é\x01")])  # only NUL is refused
