"""Valid next commands: which kinds the rules accept in the state of a
:class:`~participatie.testing.model.Model`, and one drawn command of a kind, with the model
updated as the rules would.

Used by :func:`participatie.testing.strategies.command_sequences` and by the state machine.
Internal to :mod:`participatie.testing`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from participatie.domain.dates import add_years
from participatie.domain.job_coaching import coaching_year
from participatie.domain.policy import Policy
from participatie.domain.values import (
    Activity,
    Benefit,
    CoachingOutcome,
    ExtensionReason,
    Goal,
    OutflowReason,
    PlacementKind,
    Referral,
    VisitKind,
)
from participatie.testing import commands as c
from participatie.testing.model import CoachingModel, Model, ResidentModel

__all__ = ["happiness_scores", "valid_next"]


def happiness_scores() -> st.SearchStrategy[int]:
    """Valid sense-of-happiness scores: 1 to 10."""
    return st.integers(1, 10)


#: Steps towards work and job coaching are drawn more often, so that sequences of a few dozen
#: commands reach placements, assessments and coaching, where most rules are.
_FORWARD = {"intake": 4, "place": 4, "assess": 8, "start_coaching": 12, "hours": 4, "extend": 2}
#: Sequences keep to a few residents, so that each of them gets somewhere.
_MAX_RESIDENTS = 4


def _choices(model: Model) -> list[tuple[str, int]]:
    """The kinds of command the rules accept now, each with the resident or coaching it is for.

    A kind appears more than once to be drawn more often (see ``_FORWARD``).
    """
    choices: list[tuple[str, int]] = []
    if len(model.residents) < _MAX_RESIDENTS:
        choices.append(("register", -1))
    for index, resident in enumerate(model.residents):
        for kind in _resident_choices(resident, model.policy):
            choices += [(kind, index)] * _FORWARD.get(kind, 1)
    for index, coaching in enumerate(model.coachings):
        for kind in _coaching_choices(model, coaching):
            choices += [(kind, index)] * _FORWARD.get(kind, 1)
    return choices


def _resident_choices(resident: ResidentModel, policy: Policy) -> list[str]:
    if not resident.open:
        # A placement outlives its trajectory: the one current at closure may end.
        return ["reopen"] if resident.placement is None else ["reopen", "end_placement"]
    if not resident.intake:
        return ["intake", "close_other"]
    kinds = ["conversation", "visit", "goal", "close_other"]
    if len(resident.activities) < len(Activity):
        kinds.append("start_activity")
    if resident.activities:
        kinds.append("end_activity")
    kinds.append("withdraw" if resident.request_open else "request")
    if resident.placement is None:
        return [*kinds, "place"]
    kinds += ["end_placement", "close_placed"]
    if resident.placement is PlacementKind.PAID_WORK and not resident.assessed_need:
        kinds.append("assess")
    big_enough = resident.placement_big_enough(policy)
    if resident.assessed_need and not resident.coached and big_enough:
        kinds.append("start_coaching")
    return kinds


def _coaching_choices(model: Model, coaching: CoachingModel) -> list[str]:
    owner = model.residents[coaching.resident]
    if coaching.completed:
        return []
    if owner.placement is None or owner.placement_serial != coaching.placement_serial:
        return ["complete_ended"]
    kinds = ["complete"]
    if model.day < coaching.planned_end:
        kinds.append("evaluate")
        if coaching.may_log_an_hour(model.day, model.policy):
            kinds.append("hours")
        if coaching.may_extend(model.policy):
            kinds.append("extend")
    return kinds


@attrs.define
class _Step:
    """Makes one valid command of a kind and updates the model as the rules would."""

    model: Model
    draw: Any
    index: int

    @property
    def day(self) -> date:
        return self.model.day

    @property
    def resident(self) -> ResidentModel:
        return self.model.residents[self.index]

    @property
    def coaching(self) -> CoachingModel:
        return self.model.coachings[self.index]

    def register(self) -> c.Command:
        self.model.residents.append(ResidentModel())
        return c.Register(
            on=self.day,
            referral=self.draw(st.sampled_from(list(Referral))),
            benefit=self.draw(st.sampled_from(list(Benefit))),
        )

    def intake(self) -> c.Command:
        self.resident.intake = True
        return c.HoldIntake(self.index, self.day, happiness=self.draw(happiness_scores()))

    def conversation(self) -> c.Command:
        return c.RecordConversation(self.index, self.day, happiness=self.draw(happiness_scores()))

    def visit(self) -> c.Command:
        return c.VisitWorkplace(
            self.index, self.day, kind=self.draw(st.sampled_from(list(VisitKind)))
        )

    def goal(self) -> c.Command:
        return c.ChangeGoal(self.index, self.day, goal=self.draw(st.sampled_from(list(Goal))))

    def start_activity(self) -> c.Command:
        free = [a for a in Activity if a not in self.resident.activities]
        activity = self.draw(st.sampled_from(free))
        self.resident.activities.add(activity)
        return c.StartActivity(self.index, self.day, activity=activity)

    def end_activity(self) -> c.Command:
        running = sorted(self.resident.activities, key=lambda a: a.value)
        activity = self.draw(st.sampled_from(running))
        self.resident.activities.discard(activity)
        return c.EndActivity(self.index, self.day, activity=activity)

    def request(self) -> c.Command:
        self.resident.request_open = True
        return c.RequestJobBroker(self.index, self.day)

    def withdraw(self) -> c.Command:
        self.resident.request_open = False
        return c.WithdrawJobBrokerRequest(self.index, self.day)

    def place(self) -> c.Command:
        resident = self.resident
        # Paid work twice as often: it leads on to assessments and job coaching.
        kind = self.draw(st.sampled_from([PlacementKind.PAID_WORK, *PlacementKind]))
        hours = self.draw(st.sampled_from([8, 12, 20, 32, 40]))
        resident.placement, resident.placement_hours = kind, Decimal(hours)
        resident.placement_serial = resident.version + 1  # the version of the Placed event
        resident.request_open = resident.assessed_need = resident.coached = False
        months = self.draw(st.sampled_from([None, 3, 6, 12]))
        resident.placement_months = months
        return c.Place(
            self.index, self.day, kind=kind, hours_per_week=hours, contract_months=months
        )

    def end_placement(self) -> c.Command:
        self.resident.placement = None
        self.resident.placement_hours = Decimal(0)
        self.resident.placement_months = None
        self.resident.assessed_need = self.resident.coached = False
        return c.EndPlacement(self.index, self.day)

    def assess(self) -> c.Command:
        need = self.draw(st.sampled_from([True, True, False]))
        self.resident.assessed_need = need
        percent = self.draw(st.integers(0, 100))
        return c.AssessWageValue(self.index, self.day, percent=percent, needs_job_coaching=need)

    def start_coaching(self) -> c.Command:
        resident = self.resident
        resident.coached = True
        self.model.coachings.append(
            CoachingModel(
                resident=self.index,
                placement_serial=resident.placement_serial,
                started_on=self.day,
                planned_end=add_years(self.day, self.model.policy.coaching_years),
                hours_per_week=resident.placement_hours,
            )
        )
        return c.StartJobCoaching(self.index, self.day)

    def _close(self, reason: OutflowReason) -> c.Command:
        resident = self.resident
        resident.open = resident.request_open = False
        resident.activities.clear()
        return c.CloseTrajectory(self.index, self.day, reason=reason)

    def close_placed(self) -> c.Command:
        paid = self.resident.placement is PlacementKind.PAID_WORK
        return self._close(OutflowReason.WORK if paid else OutflowReason.VOLUNTEER_WORK)

    def close_other(self) -> c.Command:
        others = [OutflowReason.MOVED_AWAY, OutflowReason.WITHDREW, OutflowReason.CARE]
        return self._close(self.draw(st.sampled_from(others)))

    def reopen(self) -> c.Command:
        self.resident.open = True
        return c.ReopenTrajectory(self.index, self.day)

    def hours(self) -> c.Command:
        coaching = self.coaching
        year = coaching_year(coaching.started_on, self.day)
        coaching.hours_by_year[year] = coaching.hours_by_year.get(year, Decimal(0)) + 1
        return c.LogCoachingHours(self.index, self.day, hours=Decimal(1))

    def evaluate(self) -> c.Command:
        return c.EvaluateJobCoaching(self.index, self.day)

    def extend(self) -> c.Command:
        self.coaching.extended = True
        self.coaching.planned_end = add_years(
            self.coaching.planned_end, self.model.policy.extension_years
        )
        reason = self.draw(st.sampled_from(list(ExtensionReason)))
        return c.ExtendJobCoaching(self.index, self.day, reason=reason)

    def complete(self) -> c.Command:
        self.coaching.completed = True
        outcomes = [
            CoachingOutcome.INDEPENDENT,
            CoachingOutcome.HANDED_OVER_TO_EMPLOYER,
            CoachingOutcome.NOT_A_FIT,
        ]
        return c.CompleteJobCoaching(
            self.index, self.day, outcome=self.draw(st.sampled_from(outcomes))
        )

    def complete_ended(self) -> c.Command:
        self.coaching.completed = True
        return c.CompleteJobCoaching(self.index, self.day, outcome=CoachingOutcome.PLACEMENT_ENDED)


def valid_next(model: Model, draw: Any) -> c.Command:
    """Draw a command that the rules accept in the model's state, and update the model."""
    kind, index = draw(st.sampled_from(_choices(model)))
    made: c.Command = getattr(_Step(model, draw, index), kind)()
    if kind in _RESIDENT_EVENTS:
        model.residents[index].version += 1
    return made


#: The kinds of step that add an event to the resident's trajectory (registration starts at 1).
_RESIDENT_EVENTS = frozenset(
    {
        "intake",
        "conversation",
        "visit",
        "goal",
        "start_activity",
        "end_activity",
        "request",
        "withdraw",
        "place",
        "end_placement",
        "assess",
        "close_placed",
        "close_other",
        "reopen",
    }
)
