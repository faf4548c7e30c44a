"""The job coaching trajectory (jobcoaching): support for a placed resident at the workplace.

The Noordoostpolder/Urk way of working: the need for job coaching is established at the wage value
assessment; a recognised provider's job coach with a higher professional (HBO) degree coaches the
employee, colleagues and manager, about an hour a week, for two years with one extension of a year
at most. The application checks what needs the resident's trajectory (a current paid placement and
an assessment that established the need); this aggregate enforces the rest.

The class body reads as pairs: a public command that checks the rules, followed by the event it
triggers, whose ``apply`` only assigns state. Inputs are checked by
:mod:`participatie.domain.inputs` before any rule.

Dates: the coaching period runs from ``started_on`` up to, not including, ``planned_end`` (the
anniversary of the start two years later, or three after the extension). Coaching year 1 runs from
the start to its first anniversary, year 2 to the second, and so on.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from participatie.domain import inputs
from participatie.domain.copying import ValueStateAggregate
from participatie.domain.dates import add_years
from participatie.domain.decision import DecisionFields, decision_fields
from participatie.domain.policy import Policy
from participatie.domain.values import (
    Actor,
    CoachingOutcome,
    Counterpart,
    ExtensionReason,
    JobCoach,
    Placement,
    Provider,
    parse_enum,
)
from participatie.errors import (
    BusinessDateRefused,
    CoachingIsCompleted,
    ExtensionNotAllowed,
    HoursCapExceeded,
    InvalidInput,
    JobCoachNotQualified,
    OutsideCoachingPeriod,
    ProviderNotRecognised,
)

__all__ = ["WEEKS_PER_YEAR", "JobCoachingTrajectory", "coaching_id", "coaching_year"]

WEEKS_PER_YEAR = 52
_COACHING_NAMESPACE = UUID("5d0c3d7e-4f0e-4c43-9a57-2f3a8a1f5c11")


def coaching_id(resident_id: UUID, placed_version: int) -> UUID:
    """The id of the job coaching for one placement of a resident: one coaching per placement.

    ``placed_version`` is the version of the resident's ``Placed`` event for that placement.
    """
    return uuid5(_COACHING_NAMESPACE, f"{resident_id}/placement/{placed_version}")


def coaching_year(started_on: date, on: date) -> int:
    """Which coaching year (1, 2, 3, ...) the date ``on`` falls in."""
    year = 1
    while add_years(started_on, year) <= on:
        year += 1
    return year


class JobCoachingTrajectory(ValueStateAggregate, created_event_name="JobCoachingStarted"):
    """Job coaching for one placement of a resident.

    Obtain one from :meth:`participatie.Participation.job_coaching`; it is a copy. Attributes:
    ``id``, ``version``, ``resident_id``, ``provider``, ``job_coach_id``, ``started_on``,
    ``planned_end`` (first day after the coaching period), ``extended``, ``extension_reason`` (an
    :class:`ExtensionReason`, None until extended), ``hours_per_week`` (of the placement),
    ``placement_version``, ``hours_logged`` (total), ``hours_by_year`` (coaching year
    to hours), ``evaluations`` (dates), ``completed_outcome`` and ``completed_on`` (None while
    running).

    The events are the nested classes, each right after the command that triggers it. Their
    names and fields are a persisted API (their topics name them, as in
    ``participatie.domain.job_coaching:JobCoachingTrajectory.CoachingHoursLogged``): change them
    only with an upcaster.

    The state is versioned for snapshots (``class_version``): version 2 added
    ``extension_reason``, and :meth:`upcast_v1_v2` completes a snapshot of 0.1.0.
    """

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot of 0.1.0 has no ``extension_reason``: an extended coaching's reason reads as
        ``other``, as its stored ``TrajectoryExtended`` does (see that event's upcaster)."""
        state["extension_reason"] = ExtensionReason.OTHER if state.get("extended") else None

    # The start (rules 1-3).

    @classmethod
    def start(
        cls,
        *,
        resident_id: UUID,
        placement: Placement,
        provider: Provider,
        coach: JobCoach,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> JobCoachingTrajectory:
        """Start job coaching for the resident's current paid placement (rules 1-3).

        The caller has checked that the placement is current and that a wage value assessment
        established the need; here the provider, the job coach and the date are checked.
        """
        if not isinstance(provider, Provider):
            raise InvalidInput(f"provider must be a Provider, not {type(provider).__name__}")
        if not isinstance(coach, JobCoach):
            raise InvalidInput(f"coach must be a JobCoach, not {type(coach).__name__}")
        on = inputs.business_date(on)
        if not provider.recognised:
            raise ProviderNotRecognised(
                f"provider {provider.name!r} is not recognised for job coaching; choose a "
                "recognised provider"
            )
        if not coach.hbo_degree:
            raise JobCoachNotQualified(
                f"job coach {coach.id} has no higher professional (HBO) degree, which job "
                "coaching requires"
            )
        if on < placement.started_on:
            raise BusinessDateRefused(
                f"job coaching cannot start on {on}, before the placement started on "
                f"{placement.started_on}"
            )
        return cls._create(
            cls.JobCoachingStarted,
            id=coaching_id(resident_id, placement.placed_version),
            resident_id=resident_id,
            provider=provider.name,
            job_coach_id=coach.id,
            hours_per_week=placement.hours_per_week,
            placement_version=placement.placed_version,
            planned_end=add_years(on, policy.coaching_years),
            **decision_fields(on=on, by=by, policy=policy),
        )

    class JobCoachingStarted(Aggregate.Created, DecisionFields):
        """Job coaching started for a resident's placement, with the planned end."""

        resident_id: UUID
        provider: str
        job_coach_id: str
        hours_per_week: Decimal
        placement_version: int
        planned_end: date

    def __init__(
        self,
        *,
        resident_id: UUID,
        provider: str,
        job_coach_id: str,
        hours_per_week: Decimal,
        placement_version: int,
        planned_end: date,
        occurred_on: date,
    ) -> None:
        # The effect of JobCoachingStarted: eventsourcing calls this with the event's fields.
        self.resident_id = resident_id
        self.provider = provider
        self.job_coach_id = job_coach_id
        self.hours_per_week = hours_per_week
        self.placement_version = placement_version
        self.started_on = occurred_on
        self.planned_end = planned_end
        self.extended = False
        self.extension_reason: ExtensionReason | None = None
        self.hours_logged = Decimal(0)
        self.hours_by_year: dict[int, Decimal] = {}
        self.evaluations: tuple[date, ...] = ()
        self.completed_outcome: CoachingOutcome | None = None
        self.completed_on: date | None = None

    class Event(Aggregate.Event, DecisionFields):
        """Base of the coaching's events after the start."""

    # Hours (rule 4).

    def log_hours(
        self,
        *,
        hours: int | float | Decimal,
        counterpart: Counterpart | str,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Log coaching hours with the employee, colleagues or manager (rule 4)."""
        hours = inputs.coaching_hours(hours)
        counterpart = parse_enum(Counterpart, counterpart, field="counterpart")
        self._check_running_on(on)
        year = coaching_year(self.started_on, on)
        cap = self.cap(coaching_year=year, policy=policy)
        used = self.hours_by_year.get(year, Decimal(0))
        if used + hours > cap:
            raise HoursCapExceeded(
                f"coaching year {year} allows {cap} hours ({policy.cap_percent(coaching_year=year)}"
                f"% of {self.hours_per_week} hours x {WEEKS_PER_YEAR} weeks, policy "
                f"{policy.version}); {used} are logged, so {hours} more would exceed it"
            )
        self.trigger_event(
            self.CoachingHoursLogged,
            hours=hours,
            counterpart=counterpart,
            coaching_year=year,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class CoachingHoursLogged(Event):
        """Hours of coaching with the employee, colleagues or manager, in a coaching year."""

        hours: Decimal
        counterpart: Counterpart
        coaching_year: int

        def apply(self, aggregate: Any) -> None:
            coaching: JobCoachingTrajectory = aggregate
            coaching.hours_logged += self.hours
            coaching.hours_by_year = {
                **coaching.hours_by_year,
                self.coaching_year: coaching.hours_by_year.get(self.coaching_year, Decimal(0))
                + self.hours,
            }

    def cap(self, *, coaching_year: int, policy: Policy) -> Decimal:
        """The most coaching hours the policy allows in a coaching year of this placement."""
        percent = policy.cap_percent(coaching_year=coaching_year)
        return self.hours_per_week * WEEKS_PER_YEAR * percent / 100

    # Evaluations (rule 5).

    def evaluate(self, *, on: date, by: Actor, policy: Policy) -> None:
        """Record an evaluation (expected every six months; a missing one is a signal, rule 5)."""
        self._check_running_on(on)
        self.trigger_event(self.EvaluationHeld, **decision_fields(on=on, by=by, policy=policy))

    class EvaluationHeld(Event):
        """An evaluation of the coaching."""

        def apply(self, aggregate: Any) -> None:
            coaching: JobCoachingTrajectory = aggregate
            coaching.evaluations += (self.occurred_on,)

    # The one extension (rule 3).

    def extend(self, *, reason: ExtensionReason | str, on: date, by: Actor, policy: Policy) -> None:
        """Extend once, by the policy's extension, before the planned end (rule 3).

        ``reason`` is an :class:`ExtensionReason` (or its text value): never free text, which
        could hold personal data.
        """
        reason = parse_enum(ExtensionReason, reason, field="reason")
        self._check_running_on(on)
        if self.extended:
            raise ExtensionNotAllowed(
                f"job coaching {self.id} was extended once already; a second extension is "
                "not allowed"
            )
        if policy.extension_years == 0:
            raise ExtensionNotAllowed(f"policy {policy.version} allows no extension")
        planned_end = add_years(self.planned_end, policy.extension_years)
        if planned_end > add_years(self.started_on, policy.max_coaching_years):
            raise ExtensionNotAllowed(
                f"extending to {planned_end} would make job coaching longer than "
                f"{policy.max_coaching_years} years (policy {policy.version})"
            )
        self.trigger_event(
            self.TrajectoryExtended,
            reason=reason,
            planned_end=planned_end,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class TrajectoryExtended(Event):
        """The one extension, with its reason and the new planned end.

        Version 2: ``reason`` is an :class:`ExtensionReason`. Version 1 (0.1.0) stored free text,
        which :meth:`upcast_v1_v2` reads as ``other``; the text stays only in the stored record.
        """

        class_version = 2

        reason: ExtensionReason
        planned_end: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A version 1 event's free-text reason (a plain string) becomes ``other``."""
            state["reason"] = ExtensionReason.OTHER

        def apply(self, aggregate: Any) -> None:
            coaching: JobCoachingTrajectory = aggregate
            coaching.extended = True
            coaching.extension_reason = self.reason
            coaching.planned_end = self.planned_end

    # Completion (rule 6).

    def complete(
        self, *, outcome: CoachingOutcome | str, on: date, by: Actor, policy: Policy
    ) -> None:
        """Complete the coaching with its outcome (rule 6). Nothing follows but reading."""
        outcome = parse_enum(CoachingOutcome, outcome, field="outcome")
        on = inputs.business_date(on)
        self._check_not_completed()
        if on < self.started_on:
            raise BusinessDateRefused(
                f"business date {on} is before job coaching {self.id} started on {self.started_on}"
            )
        self.trigger_event(
            self.JobCoachingCompleted,
            outcome=outcome,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class JobCoachingCompleted(Event):
        """How the coaching ended; nothing follows but reading."""

        outcome: CoachingOutcome

        def apply(self, aggregate: Any) -> None:
            coaching: JobCoachingTrajectory = aggregate
            coaching.completed_outcome = self.outcome
            coaching.completed_on = self.occurred_on

    # Rule checks shared by the commands.

    def _check_not_completed(self) -> None:
        if self.completed_outcome is not None:
            raise CoachingIsCompleted(
                f"job coaching {self.id} was completed on {self.completed_on} "
                f"({self.completed_outcome.value}); it accepts no more commands"
            )

    def _check_running_on(self, on: object) -> None:
        self._check_not_completed()
        on = inputs.business_date(on)
        if not self.started_on <= on < self.planned_end:
            raise OutsideCoachingPeriod(
                f"business date {on} is outside job coaching {self.id}, which runs from "
                f"{self.started_on} up to {self.planned_end}"
            )
