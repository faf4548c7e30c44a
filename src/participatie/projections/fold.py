"""The outcome report folded from a stream of rows, one stream (resident or job coaching) at a
time: what :meth:`~participatie.Participation.outcomes` computes, in memory that does not grow
with the store.

The view gives rows ordered by stream (:data:`Row`): facts, and the monthly counters of
:mod:`~participatie.projections.monthly` that stand for a month's happiness scores or coaching
hours. Each stream's rows are folded into the report's counts and then let go. The figures are
those of :func:`participatie.projections.figures.compute` over the same facts, by the same
definitions (docs/statistics.md); the property tests check the two against each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from participatie.domain.dates import add_years
from participatie.domain.job_coaching import WEEKS_PER_YEAR
from participatie.domain.policy import Policy
from participatie.domain.values import Activity, CoachingOutcome, OutflowReason
from participatie.projections.coaching_figures import EVALUATION_MONTHS, NEAR_CAP_PERCENT
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
    ASSESSED,
    CLOSED,
    COACHING_COMPLETED,
    COACHING_EVALUATED,
    COACHING_EXTENDED,
    COACHING_HOURS,
    COACHING_STARTED,
    HAPPINESS,
    PLACED,
    PLACEMENT_ENDED,
    REGISTERED,
    REOPENED,
)
from participatie.projections.monthly import amount_of, fact_key, month_of, ten_thousandths
from participatie.projections.periods import add_months
from participatie.projections.report import OutcomeReport

__all__ = ["Row", "fold"]

#: A row as the views give it: ``(stream_id, kind, value, occurred_on, version, amount,
#: position, month, facts, conversations, total, first_key, first_amount, last_key,
#: last_amount, municipality)``. A fact has its first seven fields, None for the counter's and
#: its municipality; a monthly counter has None for ``occurred_on``, ``version``, ``amount`` and
#: ``position`` and the rest as :data:`~participatie.projections.monthly.MONTHS_COLUMNS`
#: (amounts in ten-thousandths).
Row = tuple[Any, ...]

#: A fact of a stream other than scores and hours: (occurred_on, version, kind, value, amount,
#: position); sorted, in the order the figures use.
_Milestone = tuple[date, int, str, str, Decimal, int]


def fold(
    rows: Iterable[Row],
    *,
    period: tuple[date, date],
    municipality: str | None,
    target: int | None,
    policy: Policy,
    uncounted: tuple[int, ...],
) -> tuple[OutcomeReport, int]:
    """The report of ``period`` from rows ordered by stream (every fact and counter that counts
    for it, and nothing after its end), and how many streams the rows held."""
    tally = _Tally(period, policy)
    current: str | None = None
    milestones: list[_Milestone] = []
    streams = 0
    for row in rows:
        stream_id = row[0]
        if stream_id != current:
            if current is not None:
                tally.stream(milestones)
                milestones = []
            tally.begin()
            current = stream_id
            streams += 1
        kind = row[1]
        if row[7] is not None:  # a monthly counter
            tally.counter(kind, row)
        elif kind == HAPPINESS:
            tally.score(row[2], row[3], row[4], row[5])
        elif kind == COACHING_HOURS:
            tally.hours(row[2], ten_thousandths(row[5]))
        else:
            milestones.append((row[3], row[4], kind, row[2], row[5], row[6]))
    if current is not None:
        tally.stream(milestones)
    return tally.report(municipality, target, uncounted), streams


class _Tally:
    """The report's counts so far, and the scores and hours of the stream being read."""

    def __init__(self, period: tuple[date, date], policy: Policy) -> None:
        self.start, self.end = start, end = period
        self.policy = policy
        self.start_key = fact_key(start, 0)
        first = month_of(start) + (start.day != 1)
        after_end = date.fromordinal(end.toordinal() + 1)
        self.whole_months = (first, month_of(end) - (after_end.day != 1))
        self.reach = self.inflow = self.reinflow = self.still_coached = 0
        self.outflow: Counter[str] = Counter()
        self.activities: Counter[str] = Counter()
        self.compliant = self.months = 0
        # Of the residents with two scores or more in the period: how many, how many rising, the
        # sum of their changes (last minus first, in ten-thousandths) and how many changed by
        # how many whole points.
        self.changed = self.rising = self.change_sum = 0
        self.changes: Counter[int] = Counter()
        self.observed = {6: 0, 12: 0}
        self.durable = {6: 0, 12: 0}
        self.assessed = self.need = 0
        # Job coaching: rates and cap uses by the position of their trajectory's start, so that
        # they are summed in the order compute() sums them (Decimal sums round in that order).
        self.rates: list[tuple[int, Decimal]] = []
        self.cap_uses: list[tuple[int, int, Decimal]] = []
        self.completed = self.within_two = self.within_three = self.extended = 0
        self.outcomes: Counter[str] = Counter()
        self.running = self.overdue = 0

    def begin(self) -> None:
        """Start reading a stream."""
        self.scores = 0
        # (fact_key, amount in ten-thousandths) of the period's first and last score.
        self.first: tuple[int, int] | None = None
        self.last: tuple[int, int] | None = None
        self.conversations: dict[int, int] = {}
        self.total_hours = 0
        self.hours_of_year: dict[str, int] = {}

    def counter(self, kind: str, row: Row) -> None:
        """Add a monthly counter of scores or hours."""
        if kind == COACHING_HOURS:
            year = row[2]
            self.hours_of_year[year] = self.hours_of_year.get(year, 0) + row[10]
            self.total_hours += row[10]
            return
        if row[9]:
            month = row[7]
            self.conversations[month] = self.conversations.get(month, 0) + row[9]
        if row[11] < self.start_key:  # a month before the period (read only for compliance)
            return
        self.scores += row[8]
        if self.first is None or row[11] < self.first[0]:
            self.first = (row[11], row[12])
        if self.last is None or row[13] > self.last[0]:
            self.last = (row[13], row[14])

    def score(self, value: str, day: date, version: int, amount: Decimal) -> None:
        """Add one happiness score."""
        if value == "conversation":
            month = month_of(day)
            self.conversations[month] = self.conversations.get(month, 0) + 1
        if day < self.start:
            return
        key = fact_key(day, version)
        self.scores += 1
        if self.first is None or key < self.first[0]:
            self.first = (key, ten_thousandths(amount))
        if self.last is None or key > self.last[0]:
            self.last = (key, ten_thousandths(amount))

    def hours(self, year: str, amount: int) -> None:
        """Add the hours of one log."""
        self.hours_of_year[year] = self.hours_of_year.get(year, 0) + amount
        self.total_hours += amount

    def stream(self, milestones: list[_Milestone]) -> None:
        """Fold the stream just read into the counts."""
        milestones.sort()
        if milestones and milestones[0][2].startswith("coaching_"):
            self._coaching(milestones)
            return
        if milestones:
            self._resident(milestones)
        if self.scores >= 2 and self.first is not None and self.last is not None:
            change = self.last[1] - self.first[1]
            self.changed += 1
            self.rising += change > 0
            self.change_sum += change
            self.changes[int(amount_of(change))] += 1

    def _resident(self, facts: list[_Milestone]) -> None:  # noqa: PLR0912 (one pass, every figure)
        start = self.start
        is_open = reached = placements = False
        opened = start
        intervals: list[tuple[date, date | None]] = []
        last_reason = ""
        running: set[str] = set()
        for day, _, kind, value, _, _ in facts:
            if kind in (REGISTERED, REOPENED):
                if day >= start:
                    reached = True
                    if kind == REGISTERED:
                        self.inflow += 1
                    else:
                        self.reinflow += 1
                if not is_open:
                    is_open, opened = True, day
            elif kind == CLOSED:
                if is_open:
                    intervals.append((opened, day))
                    is_open = False
                last_reason = value
                running.clear()
            elif kind == ACTIVITY_STARTED:
                running.add(value)
            elif kind == ACTIVITY_ENDED:
                running.discard(value)
            elif kind == ASSESSED:
                if day >= start:
                    self.assessed += 1
                    self.need += value == "need"
            elif kind in (PLACED, PLACEMENT_ENDED):
                placements = True
        if is_open:
            intervals.append((opened, None))
        self.activities.update(running)
        # Open at the end of the day before the period: carried over into it.
        reached = reached or any(a < start and (b is None or b >= start) for a, b in intervals)
        if reached:
            self.reach += 1
            if is_open:
                self.still_coached += 1
            else:
                self.outflow[last_reason] += 1
        self._compliance(intervals)
        if placements:
            self._durability(facts)

    def _compliance(self, intervals: list[tuple[date, date | None]]) -> None:
        # A month counts when the trajectory was open at the end of the day before it and not
        # closed in it: within an interval (opened, closed) that began before the month and ends
        # after it.
        first, last = self.whole_months
        for opened, closed in intervals:
            low = max(first, month_of(opened) + 1)
            high = last if closed is None else min(last, month_of(closed) - 1)
            if low <= high:
                self.months += high - low + 1
                for month, conversations in self.conversations.items():
                    if conversations >= 2 and low <= month <= high:
                        self.compliant += 1

    def _durability(self, facts: list[_Milestone]) -> None:
        started: date | None = None
        paid = False
        spells: list[tuple[date, date | None]] = []
        for day, _, kind, value, _, _ in sorted(facts, key=lambda f: f[1]):
            if kind == PLACED:
                started, paid = day, value == "paid_work"
            elif kind == PLACEMENT_ENDED and started is not None:
                if paid:
                    spells.append((started, day))
                started = None
        if started is not None and paid:
            spells.append((started, None))
        for placed_on, ended_on in spells:
            for months in (6, 12):
                horizon = add_months(placed_on, months)
                if horizon <= self.end:
                    self.observed[months] += 1
                    self.durable[months] += ended_on is None or ended_on > horizon

    def _coaching(self, facts: list[_Milestone]) -> None:
        start, end = self.start, self.end
        began = next((f for f in facts if f[2] == COACHING_STARTED), None)
        if began is None:
            return
        done = next((f for f in facts if f[2] == COACHING_COMPLETED), None)
        stop = min(end, done[0] if done else end)
        if stop < start:
            return
        position = began[5]
        planned_end = date.fromisoformat(
            [f[3] for f in facts if f[2] in (COACHING_STARTED, COACHING_EXTENDED)][-1]
        )
        ends = done[0] if done is not None else planned_end
        year = 1
        while True:
            first, following = add_years(began[0], year - 1), add_years(began[0], year)
            if first > end or first >= ends:
                break
            if following > start:
                cap = began[4] * WEEKS_PER_YEAR * self.policy.cap_percent(coaching_year=year) / 100
                used = amount_of(self.hours_of_year.get(str(year), 0))
                self.cap_uses.append((position, year, Decimal(100) * used / cap))
            year += 1
        if done is None and end < planned_end:
            self.running += 1
            last = max(f[0] for f in facts if f[2] in (COACHING_STARTED, COACHING_EVALUATED))
            self.overdue += add_months(last, EVALUATION_MONTHS) < end
        weeks = Decimal(max(1, (stop - began[0]).days)) / 7
        self.rates.append((position, amount_of(self.total_hours) / weeks))
        if done is not None and done[0] >= start:
            self.completed += 1
            self.outcomes[done[3]] += 1
            self.within_two += done[0] < add_years(began[0], 2)
            self.within_three += done[0] < add_years(began[0], 3)
            self.extended += any(f[2] == COACHING_EXTENDED for f in facts)

    def report(
        self, municipality: str | None, target: int | None, uncounted: tuple[int, ...]
    ) -> OutcomeReport:
        """The report of the counts."""
        changed = self.changed
        rates = [rate for _, rate in sorted(self.rates, key=lambda r: r[0])]
        uses: dict[int, list[Decimal]] = {}
        for _, year, use in sorted(self.cap_uses, key=lambda u: u[0]):
            uses.setdefault(year, []).append(use)
        coaching = JobCoachingFigures(
            need_rate=Ratio(self.need, self.assessed),
            trajectories=len(rates),
            mean_hours_per_week=sum(rates, Decimal(0)) / len(rates) if rates else None,
            completed=self.completed,
            completed_within_two_years=Ratio(self.within_two, self.completed),
            extended=self.extended,
            completed_within_three_years=Ratio(self.within_three, self.completed),
            outcomes={outcome: self.outcomes[outcome.value] for outcome in CoachingOutcome},
            cap_use={
                year: CapUse(len(used), sum(used, Decimal(0)) / len(used))
                for year, used in sorted(uses.items())
            },
            near_cap=Ratio(
                sum(use >= NEAR_CAP_PERCENT for used in uses.values() for use in used),
                sum(len(used) for used in uses.values()),
            ),
            running=self.running,
            evaluation_overdue=Ratio(self.overdue, self.running),
        )
        return OutcomeReport(
            period=(self.start, self.end),
            municipality=municipality,
            reach=self.reach,
            target=target,
            inflow=self.inflow,
            outflow={
                reason: Ratio(self.outflow[reason.value], self.reach) for reason in OutflowReason
            },
            still_coached=self.still_coached,
            activities={activity: self.activities[activity.value] for activity in Activity},
            contact_compliance=Ratio(self.compliant, self.months),
            happiness=HappinessTrend(
                residents=changed,
                rising=Ratio(self.rising, changed),
                # The sum is exact (scores have at most four decimals), as compute()'s is.
                mean_change=amount_of(self.change_sum) / changed if changed else None,
                changes=dict(sorted(self.changes.items())),
            ),
            reinflow=self.reinflow,
            durability=Durability(
                six_months=Ratio(self.durable[6], self.observed[6]),
                twelve_months=Ratio(self.durable[12], self.observed[12]),
            ),
            job_coaching=coaching,
            uncounted=uncounted,
        )
