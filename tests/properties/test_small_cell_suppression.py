"""Published reports hide small cells so that none can be worked out (domain.md, "Statistics").

Random reports, built to satisfy the identities a report states, are published with
``to_dict(suppress_small_cells=True)``; from what is published alone (a hidden count is None) no
hidden count may follow from the stated identities, no count from 1 to 4 is shown, and no zero is
shown beside a hidden cell of the same identity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from participatie import Activity, CoachingOutcome, OutcomeReport, OutflowReason, Ratio
from participatie.projections.figures import (
    CapUse,
    Durability,
    HappinessTrend,
    JobCoachingFigures,
)

#: Counts near the threshold of 5 are the interesting ones.
counts = st.one_of(st.integers(0, 6), st.integers(0, 40))


def ratios(numerator: int | None = None) -> st.SearchStrategy[Ratio]:
    return st.builds(lambda n, extra: Ratio(n, n + extra), counts, counts)


@st.composite
def reports(draw: Any) -> OutcomeReport:
    outflow = {reason: draw(counts) for reason in OutflowReason}
    still = draw(counts)
    reach = sum(outflow.values()) + still
    changes = draw(st.dictionaries(st.integers(-9, 9), st.integers(1, 12), max_size=6))
    residents = sum(changes.values())
    outcomes = {outcome: draw(counts) for outcome in CoachingOutcome}
    completed = sum(outcomes.values())
    cap_years = draw(st.dictionaries(st.integers(1, 3), st.integers(1, 12), max_size=3))
    running = draw(counts)
    return OutcomeReport(
        period=(date(2019, 1, 1), date(2019, 12, 31)),
        municipality=None,
        reach=reach,
        target=draw(st.none() | st.integers(1, 60)),
        inflow=draw(st.integers(0, reach)),
        outflow={reason: Ratio(n, reach) for reason, n in outflow.items()},
        still_coached=still,
        activities={activity: draw(st.integers(0, still)) for activity in Activity},
        contact_compliance=draw(ratios()),
        happiness=HappinessTrend(
            residents=residents,
            rising=Ratio(sum(n for k, n in changes.items() if k > 0), residents),
            mean_change=(
                Decimal(sum(k * n for k, n in changes.items())) / residents if residents else None
            ),
            changes=dict(sorted(changes.items())),
        ),
        reinflow=draw(counts),
        durability=Durability(draw(ratios()), draw(ratios())),
        job_coaching=JobCoachingFigures(
            need_rate=draw(ratios()),
            trajectories=draw(counts),
            mean_hours_per_week=Decimal(1),
            completed=completed,
            completed_within_two_years=Ratio(draw(st.integers(0, completed)), completed),
            extended=draw(counts),
            completed_within_three_years=Ratio(draw(st.integers(0, completed)), completed),
            outcomes=outcomes,
            cap_use={year: CapUse(n, Decimal(50)) for year, n in sorted(cap_years.items())},
            near_cap=Ratio(draw(st.integers(0, sum(cap_years.values()))), sum(cap_years.values())),
            running=running,
            evaluation_overdue=Ratio(draw(st.integers(0, running)), running),
        ),
    )


def published(report: OutcomeReport) -> tuple[dict[str, int | None], list[tuple[str, list[str]]]]:
    """The counts as published (None: hidden), read from to_dict() alone, and the identities the
    report states (docs/statistics.md, "Publishing small numbers")."""
    data = report.to_dict(suppress_small_cells=True)
    cells: dict[str, int | None] = {"reach": data["reach"], "still": data["still_coached"]}
    cells |= {f"out.{r}": v["numerator"] for r, v in data["outflow"].items()}
    changes = data["happiness"]["changes"]
    cells |= {f"change.{k}": n for k, n in changes.items()}
    cells["residents"] = data["happiness"]["residents"]
    cells["rising"] = data["happiness"]["rising"]["numerator"]
    coaching = data["job_coaching"]
    cells |= {f"outcome.{o}": n for o, n in coaching["outcomes"].items()}
    cells["completed"] = coaching["completed"]
    cells |= {f"cap.{y}": use["years"] for y, use in coaching["cap_use"].items()}
    cells["years"] = coaching["near_cap"]["denominator"]
    identities = [
        ("reach", [*(f"out.{r}" for r in data["outflow"]), "still"]),
        ("residents", [f"change.{k}" for k in changes]),
        ("rising", [f"change.{k}" for k in changes if int(k) > 0]),
        ("completed", [f"outcome.{o}" for o in coaching["outcomes"]]),
        ("years", [f"cap.{y}" for y in coaching["cap_use"]]),
    ]
    # Ratios whose denominator is a cell of an identity publish it again: the same value or None.
    for ratio in data["outflow"].values():
        assert ratio["denominator"] == data["reach"]
    assert data["happiness"]["rising"]["denominator"] == data["happiness"]["residents"]
    return cells, identities


def can_vary(cell: str, hidden: list[str], identities: list[tuple[str, list[str]]]) -> bool:
    """Whether some change of the hidden cells that keeps every identity changes ``cell``: a
    solution of A v = 0 with v[cell] = 1 (exact arithmetic, by elimination)."""
    rows = []
    for total, parts in identities:
        row = [Fraction(0)] * len(hidden)
        for name, sign in [(total, 1), *((p, -1) for p in parts)]:
            if name in hidden:
                row[hidden.index(name)] += sign
        rows.append([*row, Fraction(0)])
    unit = [Fraction(0)] * len(hidden)
    unit[hidden.index(cell)] = Fraction(1)
    rows.append([*unit, Fraction(1)])
    # Consistent unless elimination yields 0 = 1.
    pivot_row = 0
    for column in range(len(hidden)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                f = rows[r][column] / rows[pivot_row][column]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    return not any(all(x == 0 for x in row[:-1]) and row[-1] != 0 for row in rows)


@settings(max_examples=300, deadline=None)
@given(reports())
def test_no_hidden_cell_of_a_published_report_can_be_worked_out(report: OutcomeReport) -> None:
    cells, identities = published(report)
    hidden = sorted(name for name, value in cells.items() if value is None)
    for name in hidden:
        assert can_vary(name, hidden, identities), f"{name} can be worked out"
    for total, parts in identities:
        members = [total, *parts]
        if any(cells[m] is None for m in members):
            assert all(cells[m] != 0 for m in members), f"a zero shown beside {total}'s hidden"


@settings(max_examples=300, deadline=None)
@given(reports())
def test_no_count_from_1_to_4_is_published(report: OutcomeReport) -> None:
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in {"percent", "mean_change", "mean_hours_per_week", "mean_percent"}:
                    walk(value, f"{path}.{key}")
        elif isinstance(node, int) and not isinstance(node, bool):
            assert not 0 < node < 5 or path == ".target", f"{path} = {node}"

    walk(report.to_dict(suppress_small_cells=True), "")


@settings(max_examples=200, deadline=None)
@given(reports())
def test_a_percentage_is_published_only_with_both_its_counts(report: OutcomeReport) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "percent" in node and (node["numerator"] is None or node["denominator"] is None):
                assert node["percent"] is None
            for value in node.values():
                walk(value)

    walk(report.to_dict(suppress_small_cells=True))
