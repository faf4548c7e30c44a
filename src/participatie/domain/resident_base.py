"""What the resident trajectory's commands share: the base event class, the state, the rule checks.

:class:`~participatie.domain.resident.ResidentTrajectory` is assembled from mixins, one module
per concern (resident_intake.py, resident_activities.py, resident_placement.py,
resident_closure.py, resident_rights.py), each holding its commands and, right after each
command, the event it triggers. They all build on this module: :class:`ResidentEvent` is the
trajectory's base event class (``ResidentTrajectory.Event``), and :class:`ResidentCommands`
names the trajectory's state and holds the checks of the rules every concern uses.

The events' topics are a persisted API and name the aggregate's module and class
(``participatie.domain.resident:ResidentTrajectory.Placed``), not the mixin's: every event class
of a mixin says so in its ``TOPIC`` (eventsourcing's ``get_topic`` uses it), and the topic
resolves through the aggregate, which inherits the class. A ``TOPIC`` is inherited by a
subclass, so no event class may subclass another one (tests/unit/test_resident_topics.py checks
both).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from participatie.domain import inputs
from participatie.domain.decision import DecisionFields
from participatie.domain.values import (
    Activity,
    Benefit,
    Goal,
    OutflowReason,
    Placement,
    Referral,
    TrajectoryStatus,
)
from participatie.errors import BusinessDateRefused, IntakeRequired, TrajectoryIsClosed

if TYPE_CHECKING:
    from participatie.domain.copying import ValueStateAggregate
    from participatie.domain.resident import WageValue

    # For the type checker the mixins are the aggregate (id, version, trigger_event); at run
    # time they are plain classes, so that nothing of theirs comes before the aggregate's own
    # methods and eventsourcing does not take them for aggregates of their own.
    _Aggregate = ValueStateAggregate
else:
    _Aggregate = object

__all__ = ["ResidentCommands", "ResidentEvent"]


class ResidentEvent(Aggregate.Event, DecisionFields):
    """Base of the trajectory's events after registration (``ResidentTrajectory.Event``)."""


class ResidentCommands(_Aggregate):
    """The base of the trajectory's mixins: its state, and the rule checks the commands share.

    The state is set by ``ResidentTrajectory.__init__`` (the effect of ``Registered``) and
    changed only by the events' ``apply``.
    """

    referral: Referral
    benefit: Benefit
    municipality: str
    registered_on: date
    status: TrajectoryStatus
    intake_on: date | None
    goal: Goal | None
    happiness: tuple[tuple[date, int], ...]
    conversation_count: int
    visit_count: int
    activities: dict[Activity, date]
    job_broker_requested_on: date | None
    placement: Placement | None
    wage_value: WageValue | None
    outflow_reason: OutflowReason | None
    closed_on: date | None
    reopen_count: int
    personal_data_erased: bool

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
