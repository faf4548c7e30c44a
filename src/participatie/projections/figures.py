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
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs

from participatie.domain.dates import add_years
from participatie.domain.job_coaching import WEEKS_PER_YEAR
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.values import Activity, CoachingOutcome, OutflowReason
from participatie.projections.facts import Fact, FactKind
from participatie.projections.suppression import (
    SMALL,
    Identity,
    hidden_cells,
    is_small_cell,
)

__all__ = [
    "HIDDEN",
    "SMALL",
    "CapUse",
    "JobCoachingFigures",
    "OutcomeReport",
    "Ratio",
    "compute",
    "is_small_cell",
]

# The fact kinds compared in the loops below, bound once: looking a member up on its enum costs
# about 0.1 microseconds on Python 3.11, which made a report of a million facts 60% slower.
_ACTIVITY_ENDED = FactKind.ACTIVITY_ENDED
_ACTIVITY_STARTED = FactKind.ACTIVITY_STARTED
_ASSESSED = FactKind.ASSESSED
_CLOSED = FactKind.CLOSED
_COACHING_COMPLETED = FactKind.COACHING_COMPLETED
_COACHING_EVALUATED = FactKind.COACHING_EVALUATED
_COACHING_EXTENDED = FactKind.COACHING_EXTENDED
_COACHING_HOURS = FactKind.COACHING_HOURS
_COACHING_STARTED = FactKind.COACHING_STARTED
_HAPPINESS = FactKind.HAPPINESS
_PLACED = FactKind.PLACED
_PLACEMENT_ENDED = FactKind.PLACEMENT_ENDED
_REGISTERED = FactKind.REGISTERED
_REOPENED = FactKind.REOPENED


@attrs.frozen
class Ratio:
    """A count out of a total, printed as ``23/50 (46%)``.

    >>> print(Ratio(23, 50))
    23/50 (46%)
    """

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """The ratio as a percentage, or None for an empty denominator."""
        if self.denominator == 0:
            return None
        return Decimal(100) * self.numerator / self.denominator

    def __str__(self) -> str:
        percent = self.percent
        shown = "-" if percent is None else f"{percent:.0f}%"
        return f"{self.numerator}/{self.denominator} ({shown})"

    def to_dict(self) -> dict[str, Any]:
        percent = self.percent
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "percent": None if percent is None else float(round(percent, 1)),
        }


@attrs.frozen
class HappinessTrend:
    residents: int
    rising: Ratio
    mean_change: Decimal | None
    #: How many residents changed by how much (last minus first score), e.g. ``{2: 7, -1: 3}``.
    changes: Mapping[int, int] = attrs.field(factory=dict)


@attrs.frozen
class Durability:
    six_months: Ratio
    twelve_months: Ratio


@attrs.frozen
class CapUse:
    """How much of the policy's cap the coaching years of one number (1, 2, 3) used."""

    #: Coaching years of this number counted (one per trajectory).
    years: int
    #: Their mean of hours logged over the year's cap, in percent (None when none counted).
    mean_percent: Decimal | None


#: A coaching year at this share of its cap or more is "near the cap".
NEAR_CAP_PERCENT = Decimal(90)
#: Evaluations are expected every this many months (job coaching rule 5).
EVALUATION_MONTHS = 6


@attrs.frozen
class JobCoachingFigures:
    need_rate: Ratio
    trajectories: int
    mean_hours_per_week: Decimal | None
    completed: int
    completed_within_two_years: Ratio
    extended: int
    completed_within_three_years: Ratio
    outcomes: Mapping[CoachingOutcome, int]
    #: Per coaching year number, the cap use of the coaching years overlapping the period.
    cap_use: Mapping[int, CapUse] = attrs.field(factory=dict)
    #: Coaching years at 90% of their cap or more, over all coaching years counted.
    near_cap: Ratio = Ratio(0, 0)
    #: Coaching running at the end of the period (started, not completed, before its planned end).
    running: int = 0
    #: Of those, the ones whose last evaluation (or start) is more than 6 months before the end.
    evaluation_overdue: Ratio = Ratio(0, 0)


#: What a hidden cell reads as in figure rows and charts: it claims no range, since a cell hidden
#: so that another cannot be worked out may hold any number.
HIDDEN = "x"


@attrs.frozen
class OutcomeReport:
    """The outcome statistics of a period (see :mod:`participatie.projections.figures`)."""

    period: tuple[date, date]
    municipality: str | None
    reach: int
    target: int | None
    #: Residents registered in the period (reach also counts those carried over open).
    inflow: int
    outflow: Mapping[OutflowReason, Ratio]
    still_coached: int
    activities: Mapping[Activity, int]
    contact_compliance: Ratio
    happiness: HappinessTrend
    reinflow: int
    durability: Durability
    job_coaching: JobCoachingFigures
    #: Positions of events the statistics could not count (see :class:`FactKind.UNCOUNTED`):
    #: the figures leave them out; ``participatie verify`` names each.
    uncounted: tuple[int, ...] = ()

    @property
    def reach_against_target(self) -> Ratio | None:
        """Reach over the target (50 against 30 is 167%), when a target was set."""
        return None if self.target is None else Ratio(self.reach, self.target)

    def cells(self) -> tuple[dict[str, int], list[Identity]]:
        """Every count the report publishes, by name, and the identities between them that it
        states: what small-cell suppression protects (:meth:`hidden_cells`).

        A ratio's numerator and denominator are cells (``contact_compliance.numerator``); a
        denominator that is another figure is that figure's cell (outflow's is ``reach``).
        """
        values: dict[str, int] = {"reach": self.reach, "inflow": self.inflow}
        values |= {f"outflow.{r.value}": ratio.numerator for r, ratio in self.outflow.items()}
        values["still_coached"] = self.still_coached
        values |= {f"activities.{a.value}": n for a, n in self.activities.items()}
        ratios = {
            "contact_compliance": self.contact_compliance,
            "durability.six_months": self.durability.six_months,
            "durability.twelve_months": self.durability.twelve_months,
            "job_coaching.need_rate": self.job_coaching.need_rate,
        }
        for name, ratio in ratios.items():
            values[f"{name}.numerator"] = ratio.numerator
            values[f"{name}.denominator"] = ratio.denominator
        happiness, coaching = self.happiness, self.job_coaching
        values["happiness.residents"] = happiness.residents
        values["happiness.rising"] = happiness.rising.numerator
        values |= {f"happiness.changes.{k:+d}": n for k, n in happiness.changes.items()}
        values["reinflow"] = self.reinflow
        values["job_coaching.trajectories"] = coaching.trajectories
        values["job_coaching.completed"] = coaching.completed
        values["job_coaching.completed_within_two_years"] = (
            coaching.completed_within_two_years.numerator
        )
        values["job_coaching.completed_within_three_years"] = (
            coaching.completed_within_three_years.numerator
        )
        values["job_coaching.extended"] = coaching.extended
        values |= {f"job_coaching.outcomes.{o.value}": n for o, n in coaching.outcomes.items()}
        values |= {f"job_coaching.cap_use.{y}": use.years for y, use in coaching.cap_use.items()}
        values["job_coaching.near_cap"] = coaching.near_cap.numerator
        values["job_coaching.coaching_years"] = coaching.near_cap.denominator
        values["job_coaching.running"] = coaching.running
        values["job_coaching.evaluation_overdue"] = coaching.evaluation_overdue.numerator
        identities: list[Identity] = [
            ("reach", [*(f"outflow.{r.value}" for r in self.outflow), "still_coached"]),
            ("happiness.residents", [f"happiness.changes.{k:+d}" for k in happiness.changes]),
            ("happiness.rising", [f"happiness.changes.{k:+d}" for k in happiness.changes if k > 0]),
            (
                "job_coaching.completed",
                [f"job_coaching.outcomes.{o.value}" for o in coaching.outcomes],
            ),
            (
                "job_coaching.coaching_years",
                [f"job_coaching.cap_use.{y}" for y in coaching.cap_use],
            ),
        ]
        return values, identities

    def hidden_cells(self) -> frozenset[str]:
        """The cells a published report hides (see :mod:`participatie.projections.suppression`):
        every count from 1 to 4, and whatever would let a reader work one of them out."""
        values, identities = self.cells()
        return hidden_cells(values, identities)

    def _hider(self, suppress: bool) -> _Hider:
        return _Hider(self.hidden_cells() if suppress else frozenset())

    def figure_rows(self, *, suppress_small_cells: bool = False) -> list[tuple[str, str]]:
        """The figures as (label, value) text, as ``participatie stats`` prints them; with
        ``suppress_small_cells`` a hidden count reads ``x`` (see :meth:`hidden_cells`)."""
        hide = self._hider(suppress_small_cells)
        cell, ratio = hide.text, hide.ratio_text
        against = self.reach_against_target
        reach = cell("reach", self.reach)
        if against is not None and against.percent is not None:
            shown = HIDDEN if hide("reach") else f"{against.percent:.0f}%"
            reach = f"{reach} of target {self.target} ({shown})"
        rows = [
            ("reach", reach),
            ("inflow (registered in the period)", cell("inflow", self.inflow)),
        ]
        rows += [
            (
                f"  outflow: {reason.value.replace('_', ' ')}",
                ratio(f"outflow.{reason.value}", "reach", value),
            )
            for reason, value in self.outflow.items()
            if value.numerator or hide(f"outflow.{reason.value}")
        ]
        rows.append(("still coached at the end", cell("still_coached", self.still_coached)))
        rows += [
            (f"  in {activity.value.replace('_', ' ')}", cell(f"activities.{activity.value}", n))
            for activity, n in self.activities.items()
            if n
        ]
        rows.append(
            (
                "contact compliance (2+ a month)",
                hide.named_ratio("contact_compliance", self.contact_compliance),
            )
        )
        happiness = self.happiness
        change = "-" if happiness.mean_change is None else f"{happiness.mean_change:+.2f}"
        if hide.any_of("happiness.residents", "happiness.rising", *self._change_cells()):
            change = HIDDEN
        rising = ratio("happiness.rising", "happiness.residents", happiness.rising)
        rows += [
            ("happiness rising", f"{rising}, mean change {change}"),
            ("re-inflow", cell("reinflow", self.reinflow)),
            (
                "paid placements lasting 6 months",
                hide.named_ratio("durability.six_months", self.durability.six_months),
            ),
            (
                "paid placements lasting 12 months",
                hide.named_ratio("durability.twelve_months", self.durability.twelve_months),
            ),
        ]
        coaching = self.job_coaching
        if coaching.need_rate.denominator or coaching.trajectories:
            hours = coaching.mean_hours_per_week
            mean = "-" if hours is None else f"{hours:.2f}"
            if hide("job_coaching.trajectories"):
                mean = HIDDEN
            rows += [
                (
                    "job coaching need at assessment",
                    hide.named_ratio("job_coaching.need_rate", coaching.need_rate),
                ),
                (
                    "job coaching trajectories",
                    cell("job_coaching.trajectories", coaching.trajectories),
                ),
                ("  mean hours per week", mean),
                (
                    "  completed within two years",
                    ratio(
                        "job_coaching.completed_within_two_years",
                        "job_coaching.completed",
                        coaching.completed_within_two_years,
                    ),
                ),
                ("  extended by a year", cell("job_coaching.extended", coaching.extended)),
            ]
            rows += [
                (
                    f"  outcome: {outcome.value.replace('_', ' ')}",
                    cell(f"job_coaching.outcomes.{outcome.value}", n),
                )
                for outcome, n in coaching.outcomes.items()
                if n or hide(f"job_coaching.outcomes.{outcome.value}")
            ]
            for year, use in coaching.cap_use.items():
                name = f"job_coaching.cap_use.{year}"
                value = (
                    "-"
                    if use.mean_percent is None
                    else f"{HIDDEN if hide(name) else f'{use.mean_percent:.0f}%'} "
                    f"({cell(name, use.years)} coaching years)"
                )
                rows.append((f"  cap use in coaching year {year} (mean)", value))
            rows += [
                (
                    "  coaching years at 90%+ of the cap",
                    ratio(
                        "job_coaching.near_cap", "job_coaching.coaching_years", coaching.near_cap
                    ),
                ),
                ("  running at the end", cell("job_coaching.running", coaching.running)),
                (
                    "  running, no evaluation for 6+ months",
                    ratio(
                        "job_coaching.evaluation_overdue",
                        "job_coaching.running",
                        coaching.evaluation_overdue,
                    ),
                ),
            ]
        if self.uncounted:
            rows.append(("events not counted", str(len(self.uncounted))))
        return rows

    def _change_cells(self) -> list[str]:
        return [f"happiness.changes.{k:+d}" for k in self.happiness.changes]

    def to_dict(self, *, suppress_small_cells: bool = False) -> dict[str, Any]:
        """The report as JSON-safe data; with ``suppress_small_cells`` a hidden count is None, and
        so is a percentage or mean that would reveal one (see :meth:`hidden_cells`)."""
        hide = self._hider(suppress_small_cells)
        cell, ratio, named = hide.value, hide.ratio_dict, hide.named_ratio_dict
        coaching, happiness = self.job_coaching, self.happiness
        mean_change = _number(happiness.mean_change)
        if hide.any_of("happiness.residents", "happiness.rising", *self._change_cells()):
            mean_change = None
        data: dict[str, Any] = {
            "period": [self.period[0].isoformat(), self.period[1].isoformat()],
            "municipality": self.municipality,
            "reach": cell("reach", self.reach),
            "target": self.target,
            "inflow": cell("inflow", self.inflow),
            "outflow": {
                reason.value: ratio(f"outflow.{reason.value}", "reach", r)
                for reason, r in self.outflow.items()
            },
            "still_coached": cell("still_coached", self.still_coached),
            "activities": {
                a.value: cell(f"activities.{a.value}", n) for a, n in self.activities.items()
            },
            "contact_compliance": named("contact_compliance", self.contact_compliance),
            "happiness": {
                "residents": cell("happiness.residents", happiness.residents),
                "rising": ratio("happiness.rising", "happiness.residents", happiness.rising),
                "mean_change": mean_change,
                "changes": {
                    f"{k}": cell(f"happiness.changes.{k:+d}", n)
                    for k, n in happiness.changes.items()
                },
            },
            "reinflow": cell("reinflow", self.reinflow),
            "durability": {
                "six_months": named("durability.six_months", self.durability.six_months),
                "twelve_months": named("durability.twelve_months", self.durability.twelve_months),
            },
            "job_coaching": {
                "need_rate": named("job_coaching.need_rate", coaching.need_rate),
                "trajectories": cell("job_coaching.trajectories", coaching.trajectories),
                "mean_hours_per_week": None
                if hide("job_coaching.trajectories")
                else _number(coaching.mean_hours_per_week),
                "completed": cell("job_coaching.completed", coaching.completed),
                "completed_within_two_years": ratio(
                    "job_coaching.completed_within_two_years",
                    "job_coaching.completed",
                    coaching.completed_within_two_years,
                ),
                "extended": cell("job_coaching.extended", coaching.extended),
                "completed_within_three_years": ratio(
                    "job_coaching.completed_within_three_years",
                    "job_coaching.completed",
                    coaching.completed_within_three_years,
                ),
                "outcomes": {
                    o.value: cell(f"job_coaching.outcomes.{o.value}", n)
                    for o, n in coaching.outcomes.items()
                },
                "cap_use": {
                    str(year): {
                        "years": cell(f"job_coaching.cap_use.{year}", use.years),
                        "mean_percent": None
                        if hide(f"job_coaching.cap_use.{year}")
                        else _number(use.mean_percent),
                    }
                    for year, use in coaching.cap_use.items()
                },
                "near_cap": ratio(
                    "job_coaching.near_cap", "job_coaching.coaching_years", coaching.near_cap
                ),
                "running": cell("job_coaching.running", coaching.running),
                "evaluation_overdue": ratio(
                    "job_coaching.evaluation_overdue",
                    "job_coaching.running",
                    coaching.evaluation_overdue,
                ),
            },
        }
        if self.uncounted:  # present only when there are any, as earlier releases wrote it
            data["uncounted_events"] = list(self.uncounted)
        return data


@attrs.frozen
class _Hider:
    """Shows or hides the named cells of a report (nothing is hidden without suppression)."""

    hidden: frozenset[str]

    def __call__(self, name: str) -> bool:
        return name in self.hidden

    def any_of(self, *names: str) -> bool:
        return any(name in self.hidden for name in names)

    def value(self, name: str, value: int) -> int | None:
        return None if name in self.hidden else value

    def text(self, name: str, value: int) -> str:
        return HIDDEN if name in self.hidden else str(value)

    def ratio_dict(self, numerator: str, denominator: str, ratio: Ratio) -> dict[str, Any]:
        data = ratio.to_dict()
        if numerator in self.hidden:
            data["numerator"] = None
        if denominator in self.hidden:
            data["denominator"] = None
        if self.any_of(numerator, denominator):
            data["percent"] = None  # with one of them it would give the other
        return data

    def named_ratio_dict(self, name: str, ratio: Ratio) -> dict[str, Any]:
        return self.ratio_dict(f"{name}.numerator", f"{name}.denominator", ratio)

    def ratio_text(self, numerator: str, denominator: str, ratio: Ratio) -> str:
        if not self.any_of(numerator, denominator):
            return str(ratio)
        shown = self.ratio_dict(numerator, denominator, ratio)
        top, bottom = (
            HIDDEN if v is None else str(v) for v in (shown["numerator"], shown["denominator"])
        )
        return f"{top}/{bottom} ({HIDDEN})"

    def named_ratio(self, name: str, ratio: Ratio) -> str:
        return self.ratio_text(f"{name}.numerator", f"{name}.denominator", ratio)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The whole calendar months within [start, end], as (first day, last day)."""
    months: list[tuple[date, date]] = []
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    while True:
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if last > end:
            return months
        months.append((first, last))
        first = last + timedelta(days=1)


def _ordered(facts: Iterable[Fact]) -> list[Fact]:
    return sorted(facts, key=lambda f: (f.occurred_on, f.version))


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
    residents = {rid: _ordered(fs) for rid, fs in by_resident.items()}
    reached = {rid: fs for rid, fs in residents.items() if _reached(fs, start)}
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
            if f.kind == _REGISTERED and start <= f.occurred_on
        ),
        outflow=_outflow(reached, end, reach),
        still_coached=sum(_open_on(fs, end) for fs in reached.values()),
        activities=_activities(residents),
        contact_compliance=_compliance(residents, start, end),
        happiness=_happiness(residents, start),
        reinflow=sum(
            1
            for fs in residents.values()
            for f in fs
            if f.kind == _REOPENED and f.occurred_on >= start
        ),
        durability=_durability(residents, end),
        job_coaching=_job_coaching(residents, by_coaching, start, end, policy),
        uncounted=tuple(not_counted),
    )


def _reached(facts: list[Fact], start: date) -> bool:
    """Whether a resident was coached at some moment of the period: open at the end of the day
    before it (carried over), or registered or reopened in it (facts end with the period)."""
    return _open_on(facts, start - timedelta(days=1)) or any(
        f.kind in (_REGISTERED, _REOPENED) and f.occurred_on >= start for f in facts
    )


def _outflow(reached: dict[str, list[Fact]], end: date, reach: int) -> dict[OutflowReason, Ratio]:
    """Reached residents closed at the end of the period, by the reason of their last closure
    (which lies inside the period: they were open at a moment of it)."""
    counts: Counter[str] = Counter()
    for fs in reached.values():
        if _open_on(fs, end):
            continue
        # Reached, so open at a moment of the period: the last closure lies inside it.
        counts[next(f.value for f in reversed(fs) if f.kind == _CLOSED)] += 1
    return {reason: Ratio(counts[reason.value], reach) for reason in OutflowReason}


_OPENING_KINDS = frozenset({_REGISTERED, _REOPENED, _CLOSED})


def _open_on(facts: list[Fact], day: date) -> bool:
    is_open = False
    for f in facts:
        if f.occurred_on > day:
            break
        if f.kind in (_REGISTERED, _REOPENED):
            is_open = True
        elif f.kind == _CLOSED:
            is_open = False
    return is_open


def _activities(residents: dict[str, list[Fact]]) -> dict[Activity, int]:
    counts: Counter[str] = Counter()
    for fs in residents.values():
        running: set[str] = set()
        for f in fs:
            if f.kind == _ACTIVITY_STARTED:
                running.add(f.value)
            elif f.kind == _ACTIVITY_ENDED:
                running.discard(f.value)
            elif f.kind == _CLOSED:
                running.clear()
        counts.update(running)
    return {activity: counts[activity.value] for activity in Activity}


def _compliance(residents: dict[str, list[Fact]], start: date, end: date) -> Ratio:
    months = _months(start, end)
    compliant = total = 0
    for fs in residents.values():
        # Only registrations, reopenings and closures open or close a trajectory: checking the
        # months against those few facts, not all of them, keeps a large report quick.
        openings = [f for f in fs if f.kind in _OPENING_KINDS]
        conversations = Counter(
            (f.occurred_on.year, f.occurred_on.month)
            for f in fs
            if f.kind == _HAPPINESS and f.value == "conversation"
        )
        for first, last in months:
            if _open_throughout(openings, first, last):
                total += 1
                compliant += conversations[(first.year, first.month)] >= 2
    return Ratio(compliant, total)


def _open_throughout(facts: list[Fact], first: date, last: date) -> bool:
    if not _open_on(facts, first - timedelta(days=1)):
        return False
    return not any(f.kind == _CLOSED and first <= f.occurred_on <= last for f in facts)


def _happiness(residents: dict[str, list[Fact]], start: date) -> HappinessTrend:
    changes = []
    for fs in residents.values():
        scores = [f.amount for f in fs if f.kind == _HAPPINESS and f.occurred_on >= start]
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
            if f.kind == _PLACED:
                started, paid = f.occurred_on, f.value == "paid_work"
            elif f.kind == _PLACEMENT_ENDED and started is not None:
                if paid:
                    spells.append((started, f.occurred_on))
                started = None
        if started is not None and paid:
            spells.append((started, None))
        for placed_on, ended_on in spells:
            for months in (6, 12):
                horizon = _add_months(placed_on, months)
                if horizon <= end:
                    observed[months] += 1
                    durable[months] += ended_on is None or ended_on > horizon
    return Durability(
        six_months=Ratio(durable[6], observed[6]), twelve_months=Ratio(durable[12], observed[12])
    )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError(day)  # pragma: no cover


def _job_coaching(
    residents: dict[str, list[Fact]],
    coachings: dict[str, list[Fact]],
    start: date,
    end: date,
    policy: Policy,
) -> JobCoachingFigures:
    assessed = [
        f for fs in residents.values() for f in fs if f.kind == _ASSESSED and f.occurred_on >= start
    ]
    need = sum(1 for f in assessed if f.value == "need")
    rates: list[Decimal] = []
    completed = within_two = within_three = extended = 0
    outcomes: Counter[str] = Counter()
    cap_uses: dict[int, list[Decimal]] = defaultdict(list)
    running = overdue = 0
    for fs in coachings.values():
        ordered = _ordered(fs)
        began = next((f for f in ordered if f.kind == _COACHING_STARTED), None)
        if began is None:
            continue
        done = next((f for f in ordered if f.kind == _COACHING_COMPLETED), None)
        stop = min(end, done.occurred_on if done else end)
        if stop < start:
            continue
        planned_end = date.fromisoformat(
            [f.value for f in ordered if f.kind in (_COACHING_STARTED, _COACHING_EXTENDED)][-1]
        )
        ends = done.occurred_on if done is not None else planned_end
        for year, use in _cap_use(ordered, began, stop=ends, period=(start, end), policy=policy):
            cap_uses[year].append(use)
        if done is None and end < planned_end:
            running += 1
            last = max(f.occurred_on for f in ordered if f.kind in _EVALUATION_KINDS)
            overdue += _add_months(last, EVALUATION_MONTHS) < end
        weeks = Decimal(max(1, (stop - began.occurred_on).days)) / 7
        hours = sum((f.amount for f in ordered if f.kind == _COACHING_HOURS), Decimal(0))
        rates.append(hours / weeks)
        if done is not None and done.occurred_on >= start:
            completed += 1
            outcomes[done.value] += 1
            within_two += done.occurred_on < add_years(began.occurred_on, 2)
            within_three += done.occurred_on < add_years(began.occurred_on, 3)
            extended += any(f.kind == _COACHING_EXTENDED for f in ordered)
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


_EVALUATION_KINDS = frozenset({_COACHING_STARTED, _COACHING_EVALUATED})


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
        if f.kind == _COACHING_HOURS:
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
