"""The resident trajectory (traject): a resident's coached path from registration to outflow.

:class:`ResidentTrajectory` is assembled from one mixin per concern, each in a module of its own:
the intake, conversations, goal and workplace visits (:mod:`~participatie.domain.resident_intake`),
activities and the job broker (:mod:`~participatie.domain.resident_activities`), placements
(:mod:`~participatie.domain.resident_placement`), closure and re-inflow
(:mod:`~participatie.domain.resident_closure`) and the receipts of a resident's rights
(:mod:`~participatie.domain.resident_rights`); :mod:`~participatie.domain.resident_base` holds
their base event class, the state and the shared rule checks. This module holds registration,
the state it starts, and the wage value assessment with the :class:`WageValue` it records.

Every class body reads as pairs: a public command that checks the rules of domain.md and raises a
named error, followed by the event it triggers, whose ``apply`` assigns state and nothing else,
so that replay never fails. Inputs are checked by :mod:`participatie.domain.inputs` before any
rule. The aggregate knows no clock: that a business date is not in the future is checked by the
application, which knows today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
from eventsourcing.domain import Aggregate

from participatie.domain import inputs
from participatie.domain.copying import ValueStateAggregate
from participatie.domain.decision import DecisionFields, decision_fields
from participatie.domain.policy import Policy
from participatie.domain.resident_activities import ActivityCommands
from participatie.domain.resident_base import ResidentEvent
from participatie.domain.resident_closure import ClosureCommands
from participatie.domain.resident_intake import IntakeCommands
from participatie.domain.resident_placement import PlacementCommands
from participatie.domain.resident_rights import RightsCommands
from participatie.domain.retention import involved_statutory_decision
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    Goal,
    OutflowReason,
    Placement,
    PlacementKind,
    Referral,
    TrajectoryStatus,
    parse_enum,
)
from participatie.errors import NoCurrentPlacement

__all__ = ["ResidentTrajectory", "WageValue", "involved_statutory_decision"]


@attrs.frozen
class WageValue:
    """The last wage value assessment (loonwaardebepaling) of a resident.

    ``placed_version`` names the placement it was made at (the version of its ``Placed`` event).
    """

    percent: int
    needs_job_coaching: bool
    assessed_on: date
    placed_version: int


class ResidentTrajectory(
    IntakeCommands,
    ActivityCommands,
    PlacementCommands,
    ClosureCommands,
    RightsCommands,
    ValueStateAggregate,
    created_event_name="Registered",
):
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

    The events are nested classes, each right after the command that triggers it, here or in a
    mixin; all are attributes of this class (``ResidentTrajectory.Placed``). Their names and
    fields are a persisted API (their topics name them, as in
    ``participatie.domain.resident:ResidentTrajectory.Placed``, wherever the class is defined):
    change them only with an upcaster.
    """

    #: The base of the events after registration (every mixin's events subclass it).
    Event = ResidentEvent

    # The mixins' events, named in this class's own namespace: eventsourcing takes an event
    # class it finds here as it is, but redefines (as a subclass) one it finds only in a base
    # class's namespace, which would fail for these. The topics name them as attributes of this
    # class; each class's TOPIC says so.
    IntakeHeld = IntakeCommands.IntakeHeld
    ConversationHeld = IntakeCommands.ConversationHeld
    GoalChanged = IntakeCommands.GoalChanged
    WorkplaceVisited = IntakeCommands.WorkplaceVisited
    ActivityStarted = ActivityCommands.ActivityStarted
    ActivityEnded = ActivityCommands.ActivityEnded
    JobBrokerRequested = ActivityCommands.JobBrokerRequested
    JobBrokerRequestWithdrawn = ActivityCommands.JobBrokerRequestWithdrawn
    Placed = PlacementCommands.Placed
    PlacementEnded = PlacementCommands.PlacementEnded
    TrajectoryClosed = ClosureCommands.TrajectoryClosed
    TrajectoryReopened = ClosureCommands.TrajectoryReopened
    PersonalDataErased = RightsCommands.PersonalDataErased
    PersonalDataCorrected = RightsCommands.PersonalDataCorrected
    NoteAdded = RightsCommands.NoteAdded

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

    # The wage value, assessed at a paid placement (beside the value it records).

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

    class WageValueAssessed(ResidentEvent):
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
