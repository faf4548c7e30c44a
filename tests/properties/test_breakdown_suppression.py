"""Published breakdowns hide small cells so that none can be worked out, across the whole table.

Random breakdowns (groups whose counts add up, and their totals) are published with
``to_dict(suppress_small_cells=True)``. From what is published (a hidden count is None), and
from the outcome report of the same period published beside it, no hidden count may follow from
the sums the table states, decided by the exact rational elimination of
:func:`participatie.projections.suppression.determined`; no count from 1 to 4 is shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from participatie import Breakdown, BreakdownRow, Dimension, OutflowReason, Ratio
from participatie.projections.breakdowns import COLUMNS, TOTAL
from participatie.projections.figures import compute
from participatie.projections.suppression import determined
from participatie.projections.table_suppression import bridges

YEAR = (date(2019, 1, 1), date(2019, 12, 31))

#: Counts near the threshold of 5 are the interesting ones, and so are empty cells.
counts = st.one_of(st.integers(0, 6), st.just(0), st.integers(0, 40))


@st.composite
def group_rows(draw: Any, name: str | None) -> BreakdownRow:
    outflow = {reason: draw(counts) for reason in OutflowReason}
    still = draw(counts)
    return BreakdownRow(
        group=name, reach=sum(outflow.values()) + still, outflow=outflow, still_coached=still
    )


@st.composite
def breakdowns(draw: Any, max_groups: int = 6) -> Breakdown:
    size = draw(st.integers(1, max_groups))
    rows = tuple(draw(group_rows(f"coach-{i}")) for i in range(size))
    total = BreakdownRow(
        group=None,
        reach=sum(r.reach for r in rows),
        outflow={reason: sum(r.outflow[reason] for r in rows) for reason in OutflowReason},
        still_coached=sum(r.still_coached for r in rows),
    )
    return Breakdown(
        dimension=Dimension.COACH, period=YEAR, municipality="haaren", rows=rows, total=total
    )


def published(breakdown: Breakdown) -> dict[tuple[object, str], int | None]:
    """Each cell as the published JSON shows it (None: hidden)."""
    data = breakdown.to_dict(suppress_small_cells=True)
    shown: dict[tuple[object, str], int | None] = {}
    for key, row in [*enumerate(data["rows"]), (TOTAL, data["total"])]:
        shown[(key, "reach")] = row["reach"]
        shown[(key, "still_coached")] = row["still_coached"]
        for reason, ratio in row["outflow"].items():
            shown[(key, f"outflow.{reason}")] = ratio["numerator"]
            # A ratio shows its denominator exactly as the group's reach cell shows it.
            assert ratio["denominator"] == row["reach"]
            if ratio["numerator"] is None or ratio["denominator"] is None:
                assert ratio["percent"] is None
    return shown


def report_of(breakdown: Breakdown) -> Any:
    """The outcome report whose reach, outflow and still coached are the breakdown's totals."""
    total = breakdown.total
    empty = compute([], period=YEAR, municipality="haaren", target=None)
    return attrs.evolve(
        empty,
        reach=total.reach,
        outflow={r: Ratio(n, total.reach) for r, n in total.outflow.items()},
        still_coached=total.still_coached,
    )


@given(breakdowns())
def test_no_hidden_cell_of_a_published_breakdown_can_be_worked_out(breakdown: Breakdown) -> None:
    shown = published(breakdown)
    values = breakdown.cells()
    assert set(shown) == set(values)
    hidden = {f"{key}/{column}" for (key, column), value in shown.items() if value is None}
    for (key, column), value in shown.items():
        assert value is None or value == values[(key, column)]
        assert value is None or not 0 < value < 5, (key, column, value)
    assert determined(breakdown.identities(), hidden) == set()


@given(breakdowns())
def test_the_totals_row_hides_exactly_what_the_outcome_report_hides(breakdown: Breakdown) -> None:
    shown = published(breakdown)
    report = report_of(breakdown).to_dict(suppress_small_cells=True)
    assert shown[(TOTAL, "reach")] == report["reach"]
    assert shown[(TOTAL, "still_coached")] == report["still_coached"]
    for reason in OutflowReason:
        assert (
            shown[(TOTAL, f"outflow.{reason.value}")]
            == report["outflow"][reason.value]["numerator"]
        )


@given(breakdowns(max_groups=4), st.data())
def test_a_hidden_cell_can_be_worked_out_exactly_when_it_is_a_bridge(
    breakdown: Breakdown, data: st.DataObject
) -> None:
    cells = sorted(breakdown.cells(), key=repr)
    hidden = data.draw(st.sets(st.sampled_from(cells), max_size=len(cells)))
    by_name = {f"{key}/{column}": (key, column) for key, column in hidden}
    exact = {by_name[name] for name in determined(breakdown.identities(), by_name)}
    assert bridges(hidden) == exact


def test_a_single_coach_shows_what_the_totals_show() -> None:
    row = BreakdownRow(
        group="coach-1",
        reach=30,
        outflow={r: 12 if r is OutflowReason.WORK else 0 for r in OutflowReason}
        | {OutflowReason.MOVED_AWAY: 3},
        still_coached=15,
    )
    breakdown = Breakdown(
        dimension=Dimension.COACH,
        period=YEAR,
        municipality="haaren",
        rows=(row,),
        total=attrs.evolve(row, group=None),
    )
    shown = published(breakdown)
    for column in COLUMNS:
        assert shown[(0, column)] == shown[(TOTAL, column)], column
    assert shown[(0, "outflow.moved_away")] is None
    assert shown[(0, "reach")] == 30
