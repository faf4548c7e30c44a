"""The job coaching figures of a period (:class:`JobCoachingFigures`): need at assessment, hours
per week, completion within two and three years, extensions, outcomes, cap use per coaching year,
and evaluations overdue."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from participatie.domain.dates import add_years
from participatie.domain.job_coaching import WEEKS_PER_YEAR
from participatie.domain.policy import Policy
from participatie.domain.values import CoachingOutcome
from participatie.projections.facts import Fact
from participatie.projections.figure_values import CapUse, JobCoachingFigures, Ratio
from participatie.projections.kinds import (
    ASSESSED,
    COACHING_COMPLETED,
    COACHING_EVALUATED,
    COACHING_EXTENDED,
    COACHING_HOURS,
    COACHING_STARTED,
)
from participatie.projections.periods import add_months, in_order

__all__ = ["EVALUATION_MONTHS", "NEAR_CAP_PERCENT", "job_coaching_figures"]


#: A coaching year at this share of its cap or more is "near the cap".
NEAR_CAP_PERCENT = Decimal(90)
#: Evaluations are expected every this many months (job coaching rule 5).
EVALUATION_MONTHS = 6


def job_coaching_figures(
    residents: dict[str, list[Fact]],
    coachings: dict[str, list[Fact]],
    start: date,
    end: date,
    policy: Policy,
) -> JobCoachingFigures:
    assessed = [
        f for fs in residents.values() for f in fs if f.kind == ASSESSED and f.occurred_on >= start
    ]
    need = sum(1 for f in assessed if f.value == "need")
    rates: list[Decimal] = []
    completed = within_two = within_three = extended = 0
    outcomes: Counter[str] = Counter()
    cap_uses: dict[int, list[Decimal]] = defaultdict(list)
    running = overdue = 0
    for fs in coachings.values():
        ordered = in_order(fs)
        began = next((f for f in ordered if f.kind == COACHING_STARTED), None)
        if began is None:
            continue
        done = next((f for f in ordered if f.kind == COACHING_COMPLETED), None)
        stop = min(end, done.occurred_on if done else end)
        if stop < start:
            continue
        planned_end = date.fromisoformat(
            [f.value for f in ordered if f.kind in (COACHING_STARTED, COACHING_EXTENDED)][-1]
        )
        ends = done.occurred_on if done is not None else planned_end
        for year, use in _cap_use(ordered, began, stop=ends, period=(start, end), policy=policy):
            cap_uses[year].append(use)
        if done is None and end < planned_end:
            running += 1
            last = max(f.occurred_on for f in ordered if f.kind in _EVALUATION_KINDS)
            overdue += add_months(last, EVALUATION_MONTHS) < end
        weeks = Decimal(max(1, (stop - began.occurred_on).days)) / 7
        hours = sum((f.amount for f in ordered if f.kind == COACHING_HOURS), Decimal(0))
        rates.append(hours / weeks)
        if done is not None and done.occurred_on >= start:
            completed += 1
            outcomes[done.value] += 1
            within_two += done.occurred_on < add_years(began.occurred_on, 2)
            within_three += done.occurred_on < add_years(began.occurred_on, 3)
            extended += any(f.kind == COACHING_EXTENDED for f in ordered)
    return JobCoachingFigures(
        need_rate=Ratio(need, len(assessed)),
        trajectories=len(rates),
        mean_hours_per_week=sum(rates, Decimal(0)) / len(rates) if rates else None,
        completed=completed,
        completed_within_two_years=Ratio(within_two, completed),
        extended=extended,
        completed_within_three_years=Ratio(within_three, completed),
        outcomes={outcome: outcomes[outcome.value] for outcome in CoachingOutcome},
        cap_use={
            year: CapUse(len(uses), sum(uses, Decimal(0)) / len(uses))
            for year, uses in sorted(cap_uses.items())
        },
        near_cap=Ratio(
            sum(use >= NEAR_CAP_PERCENT for uses in cap_uses.values() for use in uses),
            sum(len(uses) for uses in cap_uses.values()),
        ),
        running=running,
        evaluation_overdue=Ratio(overdue, running),
    )


_EVALUATION_KINDS = frozenset({COACHING_STARTED, COACHING_EVALUATED})


def _cap_use(
    ordered: list[Fact],
    began: Fact,
    *,
    stop: date,
    period: tuple[date, date],
    policy: Policy,
) -> Iterator[tuple[int, Decimal]]:
    """(coaching year, percent of its cap used) of each coaching year that overlaps the period:
    begun by its end, not over before its start, within the coaching (up to the completion or the
    planned end: ``stop``). The hours are those logged by the end of the period."""
    start, end = period
    hours: dict[str, Decimal] = defaultdict(Decimal)
    for f in ordered:
        if f.kind == COACHING_HOURS:
            hours[f.value] += f.amount
    year = 1
    while True:
        first, following = (
            add_years(began.occurred_on, year - 1),
            add_years(began.occurred_on, year),
        )
        if first > end or first >= stop:
            return
        if following > start:
            cap = began.amount * WEEKS_PER_YEAR * policy.cap_percent(coaching_year=year) / 100
            yield year, Decimal(100) * hours[str(year)] / cap
        year += 1
