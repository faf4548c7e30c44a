"""The model of what a command sequence has done, shared by the strategies and the state machine.

:class:`Model` keeps just enough of each resident and job coaching to choose a next command the
rules accept (:mod:`participatie.testing.steps`) and to name commands they refuse
(:func:`refusals`); the state machine compares it with what the system observed after every step.
Internal to :mod:`participatie.testing`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from participatie.domain.dates import add_years
from participatie.domain.job_coaching import coaching_year
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.values import Activity, CoachingOutcome, OutflowReason, PlacementKind
from participatie.testing import commands as c

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "CoachingModel",
    "Model",
    "ResidentModel",
    "refusals",
    "resident_refusals",
]

#: Generated business dates lie between these days (all in the past, so never refused as future).
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2025, 12, 31)


@attrs.define
class ResidentModel:
    version: int = 1
    intake: bool = False
    open: bool = True
    placement: PlacementKind | None = None
    placement_hours: Decimal = Decimal(0)
    placement_months: int | None = None
    placement_serial: int = 0
    assessed_need: bool = False
    request_open: bool = False
    activities: set[Activity] = attrs.Factory(set)
    coached: bool = False

    def placement_big_enough(self, policy: Policy) -> bool:
        """Whether the placement has the hours and contract months job coaching needs."""
        return self.placement_hours >= policy.min_hours_per_week and (
            self.placement_months is None or self.placement_months >= policy.min_contract_months
        )


@attrs.define
class CoachingModel:
    resident: int
    placement_serial: int
    started_on: date
    planned_end: date
    hours_per_week: Decimal
    extended: bool = False
    completed: bool = False
    hours_by_year: dict[int, Decimal] = attrs.Factory(dict)

    def year_and_cap(self, day: date, policy: Policy) -> tuple[int, Decimal]:
        """The coaching year ``day`` falls in, and the policy's cap of hours in that year."""
        year = coaching_year(self.started_on, day)
        return year, policy.cap_percent(coaching_year=year) * self.hours_per_week * 52 / 100

    def may_log_an_hour(self, day: date, policy: Policy) -> bool:
        year, cap = self.year_and_cap(day, policy)
        return self.hours_by_year.get(year, Decimal(0)) + 1 <= cap

    def may_extend(self, policy: Policy) -> bool:
        extended_end = add_years(self.planned_end, policy.extension_years)
        return (
            not self.extended
            and policy.extension_years > 0
            and extended_end <= add_years(self.started_on, policy.max_coaching_years)
        )


@attrs.define
class Model:
    """What a valid sequence has done so far: just enough to choose a next valid command, and to
    know commands the rules refuse."""

    day: date = FIRST_DAY
    residents: list[ResidentModel] = attrs.Factory(list)
    coachings: list[CoachingModel] = attrs.Factory(list)
    policy: Policy = attrs.field(default=DEFAULT_POLICY, eq=False)


def refusals(model: Model, policy: Policy) -> list[c.Command]:
    """Commands the model knows the rules refuse now, one or two per rule."""
    day = model.day
    refusals: list[c.Command] = []
    for index, resident in enumerate(model.residents):
        refusals += resident_refusals(index, resident, day)
        too_small = not resident.placement_big_enough(policy)
        if resident.assessed_need and not resident.coached and too_small:
            refusals.append(c.StartJobCoaching(index, day))
        paid = resident.placement is PlacementKind.PAID_WORK
        if paid and not resident.assessed_need and not resident.coached:
            refusals.append(c.StartJobCoaching(index, day))
    for index, coaching in enumerate(model.coachings):
        if coaching.completed:
            refusals.append(c.EvaluateJobCoaching(index, day))
            continue
        owner = model.residents[coaching.resident]
        current = owner.placement is not None and (
            owner.placement_serial == coaching.placement_serial
        )
        if not current:
            refusals += [
                c.EvaluateJobCoaching(index, day),
                c.CompleteJobCoaching(index, day, outcome=CoachingOutcome.INDEPENDENT),
            ]
        else:
            refusals.append(
                c.CompleteJobCoaching(index, day, outcome=CoachingOutcome.PLACEMENT_ENDED)
            )
            if coaching.extended or (
                day < coaching.planned_end and not coaching.may_extend(policy)
            ):
                refusals.append(c.ExtendJobCoaching(index, day))
            if coaching.started_on <= day < coaching.planned_end:
                year, cap = coaching.year_and_cap(day, policy)
                left = cap - coaching.hours_by_year.get(year, Decimal(0))
                refusals.append(c.LogCoachingHours(index, day, hours=left + 1))
    return refusals


def resident_refusals(index: int, resident: ResidentModel, day: date) -> list[c.Command]:
    """Resident commands the rules refuse in the model's state (rules 2, 3 and 5-8)."""
    if not resident.open:
        closed: list[c.Command] = [c.RecordConversation(index, day), c.CloseTrajectory(index, day)]
        if resident.placement is None:
            closed.append(c.EndPlacement(index, day))
        return closed
    refusals: list[c.Command] = [c.ReopenTrajectory(index, day)]
    if not resident.intake:
        return [*refusals, c.RecordConversation(index, day), c.Place(index, day)]
    refusals += [
        c.HoldIntake(index, day),
        c.RecordConversation(index, day, happiness=11),
        c.RequestJobBroker(index, day)
        if resident.request_open
        else (c.WithdrawJobBrokerRequest(index, day)),
    ]
    refusals += [c.StartActivity(index, day, activity=a) for a in resident.activities]
    idle = [a for a in Activity if a not in resident.activities]
    refusals += [c.EndActivity(index, day, activity=a) for a in idle[:1]]
    if resident.placement is None:
        refusals += [
            c.EndPlacement(index, day),
            c.Place(index, day, hours_per_week=41),
            c.CloseTrajectory(index, day, reason=OutflowReason.WORK),
        ]
    else:
        refusals.append(c.Place(index, day))
        if resident.placement is PlacementKind.PAID_WORK:
            refusals += [
                c.AssessWageValue(index, day, percent=101),
                c.CloseTrajectory(index, day, reason=OutflowReason.VOLUNTEER_WORK),
            ]
        else:
            refusals.append(c.CloseTrajectory(index, day, reason=OutflowReason.WORK))
    return refusals
