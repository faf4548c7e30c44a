"""The outcome statistics of domain.md, computed from facts for a period and municipality.

Definitions (see docs/statistics.md):

- reach: residents coached in the period: open at any moment of it (registered or reopened in
  it, or carried over open from before it); against a target when one is given;
- inflow: residents registered in the period;
- outflow by reason: reached residents whose trajectory is closed at the end of the period by a
  closure inside it, by that closure's reason, over reach;
- still coached: trajectories open at the end of the period. Every reached resident is in
  exactly one outflow reason or still coached: outflow + still coached = reach;
- activities: residents with an activity running at the end of the period (closure ends them);
- contact compliance: of the whole calendar months in the period during which a trajectory was
  open from the first to the last day, the share with at least two conversations;
- happiness: per resident with two or more scores in the period, last minus first; share rising;
  mean change;
- re-inflow: reopenings in the period;
- durability: of the paid placements whose 6 (12) months after the start lie within the period's
  end, the share not ended before then (26 weeks, CBS/Divosa style, for the first);
- job coaching need rate: assessments in the period that established the need, over all;
- coaching intensity: mean hours per week per coaching trajectory running in the period; cap
  use: per coaching year (of a trajectory) overlapping the period, the hours logged in it by the
  end of the period over that year's cap under the reporting policy, averaged per coaching year
  number; and the share of those coaching years at 90% of the cap or more;
- evaluations: coaching running at the end of the period whose last evaluation (or start) lies
  more than 6 months before that end (the signal of rule 5), over all running then;
- coaching duration: of coaching completed in the period, completed within two years, extended,
  completed within three years, and outcomes by kind.

Ordering within a resident follows business date, then version, so that a late entry counts on
the day it happened.

:func:`compute` and the resident figures are here; the job coaching figures are in
:mod:`~participatie.projections.coaching_figures`, the calendar of a period in
:mod:`~participatie.projections.periods`, the report itself (its rows, JSON and published cells) in
:mod:`~participatie.projections.report` and the values of its figures in
:mod:`~participatie.projections.figure_values`. This module exports the names of all of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.values import Activity, OutflowReason
from participatie.projections.coaching_figures import job_coaching_figures
from participatie.projections.facts import Fact, FactKind
from participatie.projections.figure_values import (
    CapUse,
    Durability,
    HappinessTrend,
    JobCoachingFigures,
    Ratio,
)
from participatie.projections.kinds import (
    ACTIVITY_ENDED,
    ACTIVITY_STARTED,
    CLOSED,
    HAPPINESS,
    PLACED,
    PLACEMENT_ENDED,
    REGISTERED,
    REOPENED,
)
from participatie.projections.periods import (
    add_months,
    in_order,
    open_on,
    open_throughout,
    was_reached,
    whole_months,
)
from participatie.projections.report import HIDDEN, OutcomeReport
from participatie.projections.suppression import SMALL, is_small_cell

__all__ = [
    "HIDDEN",
    "SMALL",
    "CapUse",
    "Durability",
    "HappinessTrend",
    "JobCoachingFigures",
    "OutcomeReport",
    "Ratio",
    "compute",
    "is_small_cell",
]


def compute(
    facts: Iterable[Fact],
    *,
    period: tuple[date, date],
    municipality: str | None,
    target: int | None,
    policy: Policy = DEFAULT_POLICY,
) -> OutcomeReport:
    """The report for ``period`` (inclusive) from facts already filtered to what counts;
    ``policy`` gives the caps that cap use is counted against."""
    start, end = period
    by_resident: dict[str, list[Fact]] = defaultdict(list)
    by_coaching: dict[str, list[Fact]] = defaultdict(list)
    not_counted: list[int] = []
    for fact in facts:
        if fact.kind == FactKind.UNCOUNTED:
            not_counted.append(fact.position)
            continue
        if fact.occurred_on > end:
            continue
        # Every kind of a job coaching fact, and only those, starts with "coaching_" (FactKind).
        if fact.kind.startswith("coaching_"):
            by_coaching[fact.stream_id].append(fact)
        else:
            by_resident[fact.resident_id].append(fact)
    residents = {rid: in_order(fs) for rid, fs in by_resident.items()}
    reached = {rid: fs for rid, fs in residents.items() if was_reached(fs, start)}
    reach = len(reached)
    return OutcomeReport(
        period=period,
        municipality=municipality,
        reach=reach,
        target=target,
        inflow=sum(
            1
            for fs in residents.values()
            for f in fs
            if f.kind == REGISTERED and start <= f.occurred_on
        ),
        outflow=_outflow(reached, end, reach),
        still_coached=sum(open_on(fs, end) for fs in reached.values()),
        activities=_activities(residents),
        contact_compliance=_compliance(residents, start, end),
        happiness=_happiness(residents, start),
        reinflow=sum(
            1
            for fs in residents.values()
            for f in fs
            if f.kind == REOPENED and f.occurred_on >= start
        ),
        durability=_durability(residents, end),
        job_coaching=job_coaching_figures(residents, by_coaching, start, end, policy),
        uncounted=tuple(not_counted),
    )


def _outflow(reached: dict[str, list[Fact]], end: date, reach: int) -> dict[OutflowReason, Ratio]:
    """Reached residents closed at the end of the period, by the reason of their last closure
    (which lies inside the period: they were open at a moment of it)."""
    counts: Counter[str] = Counter()
    for fs in reached.values():
        if open_on(fs, end):
            continue
        # Reached, so open at a moment of the period: the last closure lies inside it.
        counts[next(f.value for f in reversed(fs) if f.kind == CLOSED)] += 1
    return {reason: Ratio(counts[reason.value], reach) for reason in OutflowReason}


_OPENING_KINDS = frozenset({REGISTERED, REOPENED, CLOSED})


def _activities(residents: dict[str, list[Fact]]) -> dict[Activity, int]:
    counts: Counter[str] = Counter()
    for fs in residents.values():
        running: set[str] = set()
        for f in fs:
            if f.kind == ACTIVITY_STARTED:
                running.add(f.value)
            elif f.kind == ACTIVITY_ENDED:
                running.discard(f.value)
            elif f.kind == CLOSED:
                running.clear()
        counts.update(running)
    return {activity: counts[activity.value] for activity in Activity}


def _compliance(residents: dict[str, list[Fact]], start: date, end: date) -> Ratio:
    months = whole_months(start, end)
    compliant = total = 0
    for fs in residents.values():
        # Only registrations, reopenings and closures open or close a trajectory: checking the
        # months against those few facts, not all of them, keeps a large report quick.
        openings = [f for f in fs if f.kind in _OPENING_KINDS]
        conversations = Counter(
            (f.occurred_on.year, f.occurred_on.month)
            for f in fs
            if f.kind == HAPPINESS and f.value == "conversation"
        )
        for first, last in months:
            if open_throughout(openings, first, last):
                total += 1
                compliant += conversations[(first.year, first.month)] >= 2
    return Ratio(compliant, total)


def _happiness(residents: dict[str, list[Fact]], start: date) -> HappinessTrend:
    changes = []
    for fs in residents.values():
        scores = [f.amount for f in fs if f.kind == HAPPINESS and f.occurred_on >= start]
        if len(scores) >= 2:
            changes.append(scores[-1] - scores[0])
    rising = sum(1 for change in changes if change > 0)
    mean = sum(changes, Decimal(0)) / len(changes) if changes else None
    return HappinessTrend(
        residents=len(changes),
        rising=Ratio(rising, len(changes)),
        mean_change=mean,
        changes=dict(sorted(Counter(int(change) for change in changes).items())),
    )


def _durability(residents: dict[str, list[Fact]], end: date) -> Durability:
    observed = {6: 0, 12: 0}
    durable = {6: 0, 12: 0}
    for fs in residents.values():
        started: date | None = None
        paid = False
        spells: list[tuple[date, date | None]] = []
        for f in sorted(fs, key=lambda f: f.version):
            if f.kind == PLACED:
                started, paid = f.occurred_on, f.value == "paid_work"
            elif f.kind == PLACEMENT_ENDED and started is not None:
                if paid:
                    spells.append((started, f.occurred_on))
                started = None
        if started is not None and paid:
            spells.append((started, None))
        for placed_on, ended_on in spells:
            for months in (6, 12):
                horizon = add_months(placed_on, months)
                if horizon <= end:
                    observed[months] += 1
                    durable[months] += ended_on is None or ended_on > horizon
    return Durability(
        six_months=Ratio(durable[6], observed[6]), twelve_months=Ratio(durable[12], observed[12])
    )
