"""Commands as plain values, so that a failing property test shrinks to a readable script.

Each command names its resident (or job coaching) by position: ``resident=0`` is the first resident
registered in the sequence, ``coaching=0`` the first job coaching started. :func:`run_commands`
issues a sequence against a :class:`~participatie.Participation` and says which were refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from participatie.application import Participation
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    CoachingOutcome,
    Counterpart,
    ExtensionReason,
    Goal,
    JobCoach,
    OutflowReason,
    PlacementEndReason,
    PlacementKind,
    Provider,
    Referral,
    Role,
    VisitKind,
)
from participatie.errors import ParticipatieError

__all__ = [
    "AssessWageValue",
    "ChangeGoal",
    "CloseTrajectory",
    "Command",
    "CompleteJobCoaching",
    "EndActivity",
    "EndPlacement",
    "EvaluateJobCoaching",
    "ExtendJobCoaching",
    "HoldIntake",
    "LogCoachingHours",
    "Outcome",
    "Place",
    "RecordConversation",
    "Register",
    "ReopenTrajectory",
    "RequestJobBroker",
    "StartActivity",
    "StartJobCoaching",
    "VisitWorkplace",
    "WithdrawJobBrokerRequest",
    "run_commands",
]

COACH = Actor("coach-1", Role.COACH)
BROKER = Actor("broker-1", Role.JOB_BROKER)
ASSESSOR = Actor("assessor-1", Role.WAGE_VALUE_ASSESSOR)
COORDINATOR = Actor("coordinator-1", Role.COORDINATOR)
JOB_COACH = Actor("job-coach-1", Role.JOB_COACH)
PROVIDER = Provider("Recognised provider", recognised=True)
QUALIFIED_JOB_COACH = JobCoach("job-coach-1", hbo_degree=True)


@attrs.define
class Ids:
    """The ids made while a sequence runs: residents and job coaching, in order of creation."""

    residents: list[UUID] = attrs.Factory(list)
    coachings: list[UUID] = attrs.Factory(list)


class Command:
    """A command of a sequence. Subclasses are frozen attrs classes with a readable repr."""

    def run(self, app: Participation, ids: Ids) -> None:
        raise NotImplementedError


def _pick(ids: list[UUID], index: int) -> UUID:
    # An index past the end refers to the last id, so that shrinking keeps sequences meaningful.
    return ids[min(index, len(ids) - 1)]


@attrs.frozen
class Register(Command):
    on: date
    referral: Referral = Referral.WALK_IN
    benefit: Benefit = Benefit.NONE
    municipality: str = "haaren"
    bsn: str | None = None

    def run(self, app: Participation, ids: Ids) -> None:
        ids.residents.append(
            app.register_resident(
                referral=self.referral,
                benefit=self.benefit,
                municipality=self.municipality,
                bsn=self.bsn,
                on=self.on,
                by=COACH,
            )
        )


@attrs.frozen
class HoldIntake(Command):
    resident: int
    on: date
    goal: Goal = Goal.WORK
    happiness: int = 5

    def run(self, app: Participation, ids: Ids) -> None:
        app.hold_intake(
            _pick(ids.residents, self.resident),
            goal=self.goal,
            happiness=self.happiness,
            on=self.on,
            by=COACH,
        )


@attrs.frozen
class RecordConversation(Command):
    resident: int
    on: date
    happiness: int = 5

    def run(self, app: Participation, ids: Ids) -> None:
        app.record_conversation(
            _pick(ids.residents, self.resident), happiness=self.happiness, on=self.on, by=COACH
        )


@attrs.frozen
class ChangeGoal(Command):
    resident: int
    on: date
    goal: Goal = Goal.VOLUNTEER_WORK

    def run(self, app: Participation, ids: Ids) -> None:
        app.change_goal(_pick(ids.residents, self.resident), goal=self.goal, on=self.on, by=COACH)


@attrs.frozen
class VisitWorkplace(Command):
    resident: int
    on: date
    kind: VisitKind = VisitKind.SHADOW_DAY

    def run(self, app: Participation, ids: Ids) -> None:
        app.visit_workplace(
            _pick(ids.residents, self.resident),
            organisation="Workplace",
            kind=self.kind,
            on=self.on,
            by=COACH,
        )


@attrs.frozen
class StartActivity(Command):
    resident: int
    on: date
    activity: Activity = Activity.LANGUAGE_COURSE

    def run(self, app: Participation, ids: Ids) -> None:
        app.start_activity(
            _pick(ids.residents, self.resident), activity=self.activity, on=self.on, by=COACH
        )


@attrs.frozen
class EndActivity(Command):
    resident: int
    on: date
    activity: Activity = Activity.LANGUAGE_COURSE

    def run(self, app: Participation, ids: Ids) -> None:
        app.end_activity(
            _pick(ids.residents, self.resident), activity=self.activity, on=self.on, by=COACH
        )


@attrs.frozen
class RequestJobBroker(Command):
    resident: int
    on: date

    def run(self, app: Participation, ids: Ids) -> None:
        app.request_job_broker(_pick(ids.residents, self.resident), on=self.on, by=COACH)


@attrs.frozen
class WithdrawJobBrokerRequest(Command):
    resident: int
    on: date

    def run(self, app: Participation, ids: Ids) -> None:
        app.withdraw_job_broker_request(_pick(ids.residents, self.resident), on=self.on, by=COACH)


@attrs.frozen
class Place(Command):
    resident: int
    on: date
    kind: PlacementKind = PlacementKind.PAID_WORK
    hours_per_week: int = 20
    contract_months: int | None = 12

    def run(self, app: Participation, ids: Ids) -> None:
        app.place(
            _pick(ids.residents, self.resident),
            employer="Employer",
            kind=self.kind,
            hours_per_week=self.hours_per_week,
            contract_months=self.contract_months,
            on=self.on,
            by=BROKER,
        )


@attrs.frozen
class EndPlacement(Command):
    resident: int
    on: date
    reason: PlacementEndReason = PlacementEndReason.CONTRACT_ENDED

    def run(self, app: Participation, ids: Ids) -> None:
        app.end_placement(
            _pick(ids.residents, self.resident), reason=self.reason, on=self.on, by=COACH
        )


@attrs.frozen
class AssessWageValue(Command):
    resident: int
    on: date
    percent: int = 60
    needs_job_coaching: bool = True

    def run(self, app: Participation, ids: Ids) -> None:
        app.assess_wage_value(
            _pick(ids.residents, self.resident),
            percent=self.percent,
            needs_job_coaching=self.needs_job_coaching,
            on=self.on,
            by=ASSESSOR,
        )


@attrs.frozen
class CloseTrajectory(Command):
    resident: int
    on: date
    reason: OutflowReason = OutflowReason.WORK

    def run(self, app: Participation, ids: Ids) -> None:
        app.close_trajectory(
            _pick(ids.residents, self.resident), reason=self.reason, on=self.on, by=COACH
        )


@attrs.frozen
class ReopenTrajectory(Command):
    resident: int
    on: date

    def run(self, app: Participation, ids: Ids) -> None:
        app.reopen_trajectory(_pick(ids.residents, self.resident), on=self.on, by=COACH)


@attrs.frozen
class StartJobCoaching(Command):
    resident: int
    on: date

    def run(self, app: Participation, ids: Ids) -> None:
        ids.coachings.append(
            app.start_job_coaching(
                _pick(ids.residents, self.resident),
                provider=PROVIDER,
                coach=QUALIFIED_JOB_COACH,
                on=self.on,
                by=COORDINATOR,
            )
        )


@attrs.frozen
class LogCoachingHours(Command):
    coaching: int
    on: date
    hours: Decimal = Decimal(1)
    counterpart: Counterpart = Counterpart.EMPLOYEE

    def run(self, app: Participation, ids: Ids) -> None:
        app.log_coaching_hours(
            _pick(ids.coachings, self.coaching),
            hours=self.hours,
            counterpart=self.counterpart,
            on=self.on,
            by=JOB_COACH,
        )


@attrs.frozen
class EvaluateJobCoaching(Command):
    coaching: int
    on: date

    def run(self, app: Participation, ids: Ids) -> None:
        app.evaluate_job_coaching(_pick(ids.coachings, self.coaching), on=self.on, by=JOB_COACH)


@attrs.frozen
class ExtendJobCoaching(Command):
    coaching: int
    on: date
    reason: ExtensionReason = ExtensionReason.MORE_TIME_TO_INDEPENDENCE

    def run(self, app: Participation, ids: Ids) -> None:
        app.extend_job_coaching(
            _pick(ids.coachings, self.coaching), reason=self.reason, on=self.on, by=COORDINATOR
        )


@attrs.frozen
class CompleteJobCoaching(Command):
    coaching: int
    on: date
    outcome: CoachingOutcome = CoachingOutcome.HANDED_OVER_TO_EMPLOYER

    def run(self, app: Participation, ids: Ids) -> None:
        app.complete_job_coaching(
            _pick(ids.coachings, self.coaching), outcome=self.outcome, on=self.on, by=COORDINATOR
        )


@attrs.frozen
class Outcome:
    """What running a sequence did: the ids made, and each refused command with its error."""

    ids: Ids
    refused: list[tuple[Command, ParticipatieError]]


def run_commands(app: Participation, commands: Sequence[Command]) -> Outcome:
    """Issue ``commands`` in order. Refused commands are collected; other errors propagate.

    A command that refers to a resident or job coaching when none exists yet is skipped.
    """
    ids = Ids()
    refused: list[tuple[Command, ParticipatieError]] = []
    for command in commands:
        if getattr(command, "resident", None) is not None and not ids.residents:
            continue
        if getattr(command, "coaching", None) is not None and not ids.coachings:
            continue
        try:
            command.run(app, ids)
        except ParticipatieError as error:
            refused.append((command, error))
    return Outcome(ids=ids, refused=refused)
