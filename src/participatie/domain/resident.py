"""The resident trajectory (traject): a resident's coached path from registration to outflow.

The class body reads as pairs: a public command that checks the rules of domain.md and raises a
named error, followed by the event it triggers, whose ``apply`` assigns state and nothing else,
so that replay never fails. Inputs are checked by :mod:`participatie.domain.inputs` before any
rule. The aggregate knows no clock: that a business date is not in the future is checked by the
application, which knows today.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.domain import Aggregate

from participatie.domain import inputs
from participatie.domain.copying import ValueStateAggregate
from participatie.domain.decision import DecisionFields, decision_fields
from participatie.domain.policy import Policy
from participatie.domain.retention import Retention, involved_statutory_decision
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    CorrectionReason,
    ErasureGround,
    Goal,
    OutflowReason,
    Placement,
    PlacementEndReason,
    PlacementKind,
    Referral,
    TrajectoryStatus,
    VisitKind,
    parse_enum,
)
from participatie.errors import (
    ActivityAlreadyRunning,
    ActivityNotRunning,
    BusinessDateRefused,
    IntakeAlreadyHeld,
    IntakeRequired,
    InvalidInput,
    JobBrokerRequestAlreadyOpen,
    NoCurrentPlacement,
    NoOpenJobBrokerRequest,
    OutflowNeedsPlacement,
    PersonalDataAlreadyErased,
    PlacementAlreadyCurrent,
    RetentionRequired,
    TrajectoryIsClosed,
    TrajectoryIsOpen,
)

__all__ = ["ResidentTrajectory", "WageValue", "involved_statutory_decision"]

_OUTFLOW_PLACEMENT = {
    OutflowReason.WORK: PlacementKind.PAID_WORK,
    OutflowReason.VOLUNTEER_WORK: PlacementKind.VOLUNTEER_WORK,
}


@attrs.frozen
class WageValue:
    """The last wage value assessment (loonwaardebepaling) of a resident.

    ``placed_version`` names the placement it was made at (the version of its ``Placed`` event).
    """

    percent: int
    needs_job_coaching: bool
    assessed_on: date
    placed_version: int


class ResidentTrajectory(ValueStateAggregate, created_event_name="Registered"):
    """A resident's coached path towards participation (traject).

    Obtain one from :meth:`participatie.Participation.resident`; the object you get is a copy of
    the state, and changing it changes nothing stored. Attributes:

    ``id``, ``version``, ``status`` (:class:`TrajectoryStatus`), ``referral``, ``benefit``,
    ``municipality``, ``registered_on``, ``intake_on``, ``goal``, ``happiness`` (a tuple of
    ``(date, score)`` in recorded order), ``placement`` (the current :class:`Placement` or None),
    ``job_broker_requested_on`` (the open request's date or None), ``activities`` (running
    activities and their start dates), ``wage_value`` (the last assessment or None),
    ``outflow_reason`` (None while open), ``closed_on`` (the last closure's date or None) and
    ``reopen_count``.

    A closed trajectory accepts reopening and, for the placement that was current at closure,
    ending that placement; every other command is refused with ``TrajectoryIsClosed``.

    The events are the nested classes, each right after the command that triggers it. Their
    names and fields are a persisted API (their topics name them, as in
    ``participatie.domain.resident:ResidentTrajectory.Placed``): change them only with an upcaster.
    """

    # Registration (rule 1).

    @classmethod
    def register(
        cls,
        *,
        referral: Referral | str,
        benefit: Benefit | str,
        municipality: str,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> ResidentTrajectory:
        """Open a trajectory (rule 1). Personal data never enter it: see the vault."""
        return cls._create(
            cls.Registered,
            referral=parse_enum(Referral, referral, field="referral"),
            benefit=parse_enum(Benefit, benefit, field="benefit"),
            municipality=inputs.municipality_name(municipality),
            **decision_fields(on=on, by=by, policy=policy),
        )

    class Registered(Aggregate.Created, DecisionFields):
        """The trajectory opened: referral channel, benefit and municipality (aanmelding)."""

        referral: Referral
        benefit: Benefit
        municipality: str

    def __init__(
        self, *, referral: Referral, benefit: Benefit, municipality: str, occurred_on: date
    ) -> None:
        # The effect of Registered: eventsourcing calls this with the event's fields.
        self.referral = referral
        self.benefit = benefit
        self.municipality = municipality
        self.registered_on = occurred_on
        self.status = TrajectoryStatus.OPEN
        self.intake_on: date | None = None
        self.goal: Goal | None = None
        self.happiness: tuple[tuple[date, int], ...] = ()
        self.conversation_count = 0
        self.visit_count = 0
        self.activities: dict[Activity, date] = {}
        self.job_broker_requested_on: date | None = None
        self.placement: Placement | None = None
        self.wage_value: WageValue | None = None
        self.outflow_reason: OutflowReason | None = None
        self.closed_on: date | None = None
        self.reopen_count = 0
        self.personal_data_erased = False

    class Event(Aggregate.Event, DecisionFields):
        """Base of the trajectory's events after registration."""

    # Intake, conversations and goal (rules 2 and 3).

    def hold_intake(
        self, *, goal: Goal | str, happiness: int, on: date, by: Actor, policy: Policy
    ) -> None:
        """Hold the intake: once, before anything else coach-led (rule 2)."""
        goal = parse_enum(Goal, goal, field="goal")
        happiness = inputs.happiness_score(happiness)
        self._check_open_on(on)
        if self.intake_on is not None:
            raise IntakeAlreadyHeld(
                f"resident {self.id} already had an intake on {self.intake_on}; "
                "a reopened trajectory keeps it"
            )
        self.trigger_event(
            self.IntakeHeld,
            goal=goal,
            happiness=happiness,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class IntakeHeld(Event):
        """The intake: the resident's goal and a first happiness score."""

        goal: Goal
        happiness: int

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.intake_on = self.occurred_on
            trajectory.goal = self.goal
            trajectory.happiness += ((self.occurred_on, self.happiness),)

    def record_conversation(self, *, happiness: int, on: date, by: Actor, policy: Policy) -> None:
        """Record a conversation with the coach and the resident's sense of happiness."""
        happiness = inputs.happiness_score(happiness)
        self._check_coach_led("a conversation", on)
        self.trigger_event(
            self.ConversationHeld,
            happiness=happiness,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class ConversationHeld(Event):
        """A conversation with the coach, and the happiness score the resident gave."""

        happiness: int

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.happiness += ((self.occurred_on, self.happiness),)
            trajectory.conversation_count += 1

    def change_goal(self, *, goal: Goal | str, on: date, by: Actor, policy: Policy) -> None:
        """Change the resident's goal. The resident sets goal and pace; any time after intake."""
        goal = parse_enum(Goal, goal, field="goal")
        self._check_coach_led("a goal change", on)
        self.trigger_event(
            self.GoalChanged, goal=goal, **decision_fields(on=on, by=by, policy=policy)
        )

    class GoalChanged(Event):
        """The resident chose another goal."""

        goal: Goal

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.goal = self.goal

    # Widening the comfort zone and activities (rule 8).

    def visit_workplace(
        self,
        *,
        organisation: str,
        kind: VisitKind | str,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Record a workplace visit, shadow day, ride-along, coffee at a care home or walk."""
        organisation = inputs.checked_text(organisation, field="organisation")
        kind = parse_enum(VisitKind, kind, field="kind")
        self._check_coach_led("a workplace visit", on)
        self.trigger_event(
            self.WorkplaceVisited,
            organisation=organisation,
            kind=kind,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class WorkplaceVisited(Event):
        """A visit that widens the comfort zone, at an organisation (no person's name)."""

        organisation: str
        kind: VisitKind

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.visit_count += 1

    def start_activity(
        self, *, activity: Activity | str, on: date, by: Actor, policy: Policy
    ) -> None:
        """Start an activity such as a language course (rule 8). Any number may run at once."""
        activity = parse_enum(Activity, activity, field="activity")
        self._check_coach_led("an activity", on)
        if activity in self.activities:
            raise ActivityAlreadyRunning(
                f"resident {self.id} follows {activity.value} since {self.activities[activity]}; "
                "end it before starting it again"
            )
        self.trigger_event(
            self.ActivityStarted, activity=activity, **decision_fields(on=on, by=by, policy=policy)
        )

    class ActivityStarted(Event):
        """An activity began; it is not an outflow."""

        activity: Activity

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.activities = {**trajectory.activities, self.activity: self.occurred_on}

    def end_activity(
        self, *, activity: Activity | str, on: date, by: Actor, policy: Policy
    ) -> None:
        """End a running activity (rule 8)."""
        activity = parse_enum(Activity, activity, field="activity")
        self._check_open_on(on)
        started_on = self.activities.get(activity)
        if started_on is None:
            raise ActivityNotRunning(f"resident {self.id} does not follow {activity.value} now")
        self._check_not_before(on, started_on, f"the start of {activity.value}")
        self.trigger_event(
            self.ActivityEnded, activity=activity, **decision_fields(on=on, by=by, policy=policy)
        )

    class ActivityEnded(Event):
        """A running activity ended."""

        activity: Activity

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.activities = {
                a: d for a, d in trajectory.activities.items() if a is not self.activity
            }

    # Towards work: the job broker and placements (rules 5 and 6).

    def request_job_broker(self, *, on: date, by: Actor, policy: Policy) -> None:
        """Ask the job broker to search a workplace (rule 5): after intake, one open at a time."""
        self._check_coach_led("a job broker request", on)
        if self.job_broker_requested_on is not None:
            raise JobBrokerRequestAlreadyOpen(
                f"resident {self.id} has a job broker request open since "
                f"{self.job_broker_requested_on}; it is answered by a placement or withdrawn"
            )
        self.trigger_event(self.JobBrokerRequested, **decision_fields(on=on, by=by, policy=policy))

    class JobBrokerRequested(Event):
        """The coach asked the job broker to search a workplace."""

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.job_broker_requested_on = self.occurred_on

    def withdraw_job_broker_request(self, *, on: date, by: Actor, policy: Policy) -> None:
        """Withdraw the open job broker request (rule 5)."""
        self._check_open_on(on)
        if self.job_broker_requested_on is None:
            raise NoOpenJobBrokerRequest(f"resident {self.id} has no open job broker request")
        self._check_not_before(on, self.job_broker_requested_on, "the job broker request")
        self.trigger_event(
            self.JobBrokerRequestWithdrawn, **decision_fields(on=on, by=by, policy=policy)
        )

    class JobBrokerRequestWithdrawn(Event):
        """The open job broker request was withdrawn."""

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.job_broker_requested_on = None

    def place(
        self,
        *,
        employer: str,
        kind: PlacementKind | str,
        hours_per_week: int | float | Decimal,
        contract_months: int | None = None,
        trial: bool = False,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Place the resident (rule 6): one current placement; more than 0, at most 40 hours."""
        employer = inputs.checked_text(employer, field="employer")
        kind = parse_enum(PlacementKind, kind, field="kind")
        hours = inputs.hours_per_week(hours_per_week)
        months = inputs.contract_months(contract_months)
        trial = inputs.flag(trial, field="trial")
        self._check_coach_led("a placement", on)
        if self.placement is not None:
            raise PlacementAlreadyCurrent(
                f"resident {self.id} is placed at {self.placement.employer} since "
                f"{self.placement.started_on}; end that placement first"
            )
        self.trigger_event(
            self.Placed,
            employer=employer,
            kind=kind,
            hours_per_week=hours,
            contract_months=months,
            trial=trial,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class Placed(Event):
        """The resident started paid or volunteer work at an employer."""

        employer: str
        kind: PlacementKind
        hours_per_week: Decimal
        contract_months: int | None
        trial: bool

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.placement = Placement(
                employer=self.employer,
                kind=self.kind,
                hours_per_week=self.hours_per_week,
                contract_months=self.contract_months,
                trial=self.trial,
                started_on=self.occurred_on,
                placed_version=self.originator_version,
            )
            # A placement answers the open job broker request.
            trajectory.job_broker_requested_on = None

    def end_placement(
        self, *, reason: PlacementEndReason | str, on: date, by: Actor, policy: Policy
    ) -> None:
        """End the current placement with a reason (rule 6).

        Accepted on a closed trajectory too, for the placement that was current at closure (a
        resident who flowed out to work loses that job later): it does not reopen the trajectory
        and is not dated before the closure (decision of 2026-11-29).
        """
        reason = parse_enum(PlacementEndReason, reason, field="reason")
        self._check_business_date(on)
        if self.placement is None:
            raise NoCurrentPlacement(f"resident {self.id} has no current placement to end")
        self._check_not_before(on, self.placement.started_on, "the start of the placement")
        self.trigger_event(
            self.PlacementEnded, reason=reason, **decision_fields(on=on, by=by, policy=policy)
        )

    class PlacementEnded(Event):
        """The current placement ended: contract ended, dismissed, or the resident left; also
        after the trajectory closed, for the placement that was current at closure."""

        reason: PlacementEndReason

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.placement = None

    def assess_wage_value(
        self, *, percent: int, needs_job_coaching: bool, on: date, by: Actor, policy: Policy
    ) -> None:
        """Record a wage value assessment at the current paid placement (loonwaardebepaling)."""
        percent = inputs.wage_value_percent(percent)
        needs_job_coaching = inputs.flag(needs_job_coaching, field="needs_job_coaching")
        self._check_open_on(on)
        if self.placement is None or self.placement.kind is not PlacementKind.PAID_WORK:
            raise NoCurrentPlacement(
                f"resident {self.id} has no current paid placement; wage value is assessed "
                "at the workplace"
            )
        self._check_not_before(on, self.placement.started_on, "the start of the placement")
        self.trigger_event(
            self.WageValueAssessed,
            percent=percent,
            needs_job_coaching=needs_job_coaching,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class WageValueAssessed(Event):
        """A wage value (whole percent of the minimum wage) and whether job coaching is needed."""

        percent: int
        needs_job_coaching: bool

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            placement = trajectory.placement
            trajectory.wage_value = WageValue(
                self.percent,
                needs_job_coaching=self.needs_job_coaching,
                assessed_on=self.occurred_on,
                # Assessments are only accepted at a current placement.
                placed_version=placement.placed_version if placement else 0,
            )

    # Outflow and re-inflow (rule 7).

    def close(self, *, reason: OutflowReason | str, on: date, by: Actor, policy: Policy) -> None:
        """Close the trajectory: outflow with a reason (rule 7)."""
        reason = parse_enum(OutflowReason, reason, field="reason")
        self._check_open_on(on)
        needed = _OUTFLOW_PLACEMENT.get(reason)
        if needed is not None and (self.placement is None or self.placement.kind is not needed):
            raise OutflowNeedsPlacement(
                f"closing with reason {reason.value} needs a current "
                f"{needed.value.replace('_', ' ')} placement; resident {self.id} has "
                + (
                    "none"
                    if self.placement is None
                    else f"a {self.placement.kind.value.replace('_', ' ')} placement"
                )
            )
        self.trigger_event(
            self.TrajectoryClosed, reason=reason, **decision_fields(on=on, by=by, policy=policy)
        )

    class TrajectoryClosed(Event):
        """Outflow, with its reason. The placement, if any, goes on."""

        reason: OutflowReason

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.status = TrajectoryStatus.CLOSED
            trajectory.outflow_reason = self.reason
            trajectory.closed_on = self.occurred_on
            # Outflow ends what the coaching was doing; the placement itself goes on.
            trajectory.activities = {}
            trajectory.job_broker_requested_on = None

    def reopen(self, *, on: date, by: Actor, policy: Policy) -> None:
        """Reopen a closed trajectory (re-inflow): a new period in the same stream (rule 7)."""
        self._check_business_date(on)
        if self.status is TrajectoryStatus.OPEN:
            raise TrajectoryIsOpen(f"resident {self.id}'s trajectory is open; nothing to reopen")
        self.trigger_event(self.TrajectoryReopened, **decision_fields(on=on, by=by, policy=policy))

    class TrajectoryReopened(Event):
        """Re-inflow: a new period of coaching; the intake is kept."""

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.status = TrajectoryStatus.OPEN
            trajectory.outflow_reason = None
            trajectory.reopen_count += 1

    # Erasure of personal data (Privacy and audit).

    def involved_statutory_decision(self, *, has_job_coaching: bool) -> bool:
        """Whether this file involved a statutory decision (see
        :func:`involved_statutory_decision`); ``has_job_coaching`` says whether any job coaching
        started for the resident, which only the application knows."""
        return involved_statutory_decision(
            benefit=self.benefit,
            wage_value_assessed=self.wage_value is not None,
            job_coaching=has_job_coaching,
        )

    def record_erasure(
        self,
        *,
        ground: ErasureGround | str,
        retention: Retention,
        today: date,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Record that the personal data were erased (crypto-shredding), if the law allows.

        ``retention`` (:func:`~participatie.domain.retention.file_retention`) says until when
        the file must be kept: erasure before its archive action date (checked against
        ``today``, when the data are destroyed) is refused unless the policy lets the ground
        override retention.
        """
        ground = parse_enum(ErasureGround, ground, field="ground")
        self._check_business_date(on)
        if self.personal_data_erased:
            raise PersonalDataAlreadyErased(
                f"resident {self.id}'s personal data were erased already"
            )
        if ground not in policy.erasure_overrides_retention and retention.refuses_erasure_on(today):
            if self.status is TrajectoryStatus.OPEN:
                raise RetentionRequired(
                    f"resident {self.id}'s file is kept under class "
                    f"{retention.selectielijst_class} and the trajectory is open: it must be "
                    "kept (Archiefwet)"
                )
            until = retention.archive_action_date
            raise RetentionRequired(
                f"resident {self.id}'s file must be kept "
                + (f"until {until}" if until is not None else "for now")
                + f" ({retention.reason}; policy {policy.version})"
            )
        self.trigger_event(
            self.PersonalDataErased, ground=ground, **decision_fields(on=on, by=by, policy=policy)
        )

    class PersonalDataErased(Event):
        """A receipt: the personal data and their key were destroyed. Holds no personal data."""

        ground: ErasureGround

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentTrajectory = aggregate
            trajectory.personal_data_erased = True

    # Rectification and notes (AVG art. 16; the texts themselves are in the vault).

    def record_correction(
        self,
        *,
        corrected: list[str],
        reason: CorrectionReason | str,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Record that personal data (the fields named in ``corrected``) were corrected in the
        vault. The receipt holds which fields, never their old or new values."""
        reason = parse_enum(CorrectionReason, reason, field="reason")
        self._check_not_before(inputs.business_date(on), self.registered_on, "registration")
        self._check_not_erased()
        self.trigger_event(
            self.PersonalDataCorrected,
            corrected=sorted(corrected),
            reason=reason,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class PersonalDataCorrected(Event):
        """A receipt: the named fields of the personal data were corrected. Holds no personal
        data (neither the old nor the new values)."""

        corrected: list[str]
        reason: CorrectionReason

        def apply(self, aggregate: Any) -> None:
            pass  # the values are in the vault; the trajectory's state does not change

    def record_note(
        self, *, note_id: UUID, about: int | None, on: date, by: Actor, policy: Policy
    ) -> None:
        """Record that a note (its text is in the vault) was added, about the event of this
        trajectory with version ``about`` (or about nothing in particular)."""
        self._check_not_before(inputs.business_date(on), self.registered_on, "registration")
        self._check_not_erased()
        if about is not None and (
            isinstance(about, bool) or not isinstance(about, int) or not 1 <= about <= self.version
        ):
            raise InvalidInput(
                f"about must be the version of an event of resident {self.id}'s trajectory "
                f"(1 to {self.version}), not {about!r}"
            )
        self.trigger_event(
            self.NoteAdded,
            note_id=note_id,
            about=about,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class NoteAdded(Event):
        """A receipt: a note was added to the vault. Holds its id and the version of the event
        it is about, never its text."""

        note_id: UUID
        about: int | None

        def apply(self, aggregate: Any) -> None:
            pass  # the text is in the vault

    def _check_not_erased(self) -> None:
        if self.personal_data_erased:
            raise PersonalDataAlreadyErased(
                f"resident {self.id}'s personal data were erased: there is nothing to correct "
                "or annotate"
            )

    # Rule checks shared by the commands.

    def _check_business_date(self, on: object) -> None:
        """Rule 4, as far as the aggregate knows: not before registration or the last closure."""
        on = inputs.business_date(on)
        self._check_not_before(on, self.registered_on, "registration")
        if self.closed_on is not None:
            self._check_not_before(on, self.closed_on, "the trajectory's last closure")

    def _check_not_before(self, on: date, earliest: date, what: str) -> None:
        if on < earliest:
            raise BusinessDateRefused(
                f"business date {on} is before {what} on {earliest} (resident {self.id})"
            )

    def _check_open_on(self, on: object) -> None:
        if self.status is TrajectoryStatus.CLOSED:
            raise TrajectoryIsClosed(
                f"resident {self.id}'s trajectory closed on {self.closed_on} "
                f"({self.outflow_reason.value if self.outflow_reason else ''}); reopen it first"
            )
        self._check_business_date(on)

    def _check_coach_led(self, what: str, on: date) -> None:
        self._check_open_on(on)
        if self.intake_on is None:
            raise IntakeRequired(f"resident {self.id} needs an intake before {what}")
        self._check_not_before(on, self.intake_on, "the intake")
