"""Job coaching's commands (JobCoachingTrajectory), and the rules that cross the two aggregates:
the only rules that live outside the domain's aggregates, each one named function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from participatie.domain.inputs import business_date
from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.policy import Policy
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import (
    Actor,
    CoachingOutcome,
    Counterpart,
    ExtensionReason,
    JobCoach,
    Placement,
    PlacementKind,
    Provider,
    Role,
    parse_enum,
)
from participatie.errors import (
    BusinessDateRefused,
    ConcurrentUpdate,
    JobCoachingAlreadyStarted,
    NoJobCoachingNeed,
    PlacementNoLongerCurrent,
    PlacementTooSmall,
)
from participatie.privacy.authorisation import Action
from participatie.service.core import ATTEMPTS, Room, as_uuid, back_off
from participatie.service.idempotency import idempotent, promise_result

__all__ = [
    "CoachingCommands",
    "coached_placement_is_current",
    "require_coached_placement",
    "require_job_coaching_need",
    "require_outcome_matches_placement",
]


class CoachingCommands(Room):
    """Commands on job coaching."""

    @idempotent
    def start_job_coaching(
        self,
        resident_id: UUID,
        *,
        provider: Provider,
        coach: JobCoach,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> UUID:
        """Start job coaching for the resident's current paid placement; return its id.

        Needs a wage value assessment at that placement that established the need, a placement
        of at least the policy's hours and contract months (or a trial placement), a recognised
        provider and a job coach with an HBO degree. One coaching per placement.
        """
        del command_id  # taken by @idempotent
        attempt = 1
        while True:
            try:
                return self._start_job_coaching(
                    resident_id, provider=provider, coach=coach, on=on, by=by
                )
            except ConcurrentUpdate:
                # A command on the same resident saved its processing log first: start again
                # from the resident as it is now.
                if attempt == ATTEMPTS:
                    raise
                back_off(attempt)
                attempt += 1

    def _start_job_coaching(
        self, resident_id: UUID, *, provider: Provider, coach: JobCoach, on: date, by: Actor
    ) -> UUID:
        self._core.check_not_future(on)
        resident = self._core.load_resident(as_uuid(resident_id))
        self._core.authorise(
            by, Action.START_JOB_COACHING, municipality=resident.municipality, about=resident.id
        )
        placement = require_job_coaching_need(
            resident, on=business_date(on), policy=self._core.policy
        )
        coaching = JobCoachingTrajectory.start(
            resident_id=resident.id,
            placement=placement,
            provider=provider,
            coach=coach,
            on=on,
            by=by,
            policy=self._core.policy,
        )

        def already() -> Exception:
            return JobCoachingAlreadyStarted(
                f"the placement at {placement.employer} since {placement.started_on} has job "
                f"coaching already: {coaching.id}"
            )

        promise_result(coaching.id)
        self._core.add(coaching, refused=already)
        return coaching.id

    @idempotent
    def log_coaching_hours(
        self,
        coaching_id: UUID,
        *,
        hours: int | float | Decimal,
        counterpart: Counterpart | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Log coaching hours (> 0) with the employee, colleagues or manager, within the cap."""
        del command_id  # taken by @idempotent

        def log(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            require_coached_placement(coaching, resident)
            coaching.log_hours(
                hours=hours, counterpart=counterpart, on=on, by=by, policy=self._core.policy
            )

        self._change_coaching(Action.LOG_COACHING_HOURS, by, coaching_id, on, log)

    @idempotent
    def evaluate_job_coaching(
        self, coaching_id: UUID, *, on: date, by: Actor, command_id: UUID | None = None
    ) -> None:
        """Record an evaluation of the job coaching (expected every six months)."""
        del command_id  # taken by @idempotent

        def evaluate(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            require_coached_placement(coaching, resident)
            coaching.evaluate(on=on, by=by, policy=self._core.policy)

        self._change_coaching(Action.EVALUATE_JOB_COACHING, by, coaching_id, on, evaluate)

    @idempotent
    def extend_job_coaching(
        self,
        coaching_id: UUID,
        *,
        reason: ExtensionReason | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Extend job coaching once, before its planned end, for an :class:`ExtensionReason`
        (a member or its text value; free text is :class:`InvalidInput`)."""
        del command_id  # taken by @idempotent

        def extend(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            require_coached_placement(coaching, resident)
            coaching.extend(reason=reason, on=on, by=by, policy=self._core.policy)

        self._change_coaching(Action.EXTEND_JOB_COACHING, by, coaching_id, on, extend)

    @idempotent
    def complete_job_coaching(
        self,
        coaching_id: UUID,
        *,
        outcome: CoachingOutcome | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Complete job coaching with its outcome."""
        del command_id  # taken by @idempotent

        def complete(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            parsed = parse_enum(CoachingOutcome, outcome, field="outcome")
            require_outcome_matches_placement(coaching, resident, parsed)
            coaching.complete(outcome=parsed, on=on, by=by, policy=self._core.policy)

        self._change_coaching(Action.COMPLETE_JOB_COACHING, by, coaching_id, on, complete)

    def _change_coaching(
        self,
        action: Action,
        by: Actor,
        coaching_id: UUID,
        on: object,
        command: Callable[[JobCoachingTrajectory, ResidentTrajectory], None],
    ) -> None:
        """Change job coaching; the command also sees the resident's trajectory as it is now.

        Job coaches act only on the coaching assigned to them.
        """

        def with_resident(coaching: JobCoachingTrajectory) -> None:
            resident = self._core.load_resident(coaching.resident_id)
            self._core.authorise(by, action, municipality=resident.municipality, about=resident.id)
            if by.role is Role.JOB_COACH and by.id != coaching.job_coach_id:
                raise self._core.refused(
                    by,
                    action,
                    resident.id,
                    f"{by.id} is not the job coach assigned to {coaching.id} "
                    f"({coaching.job_coach_id})",
                )
            command(coaching, resident)

        self._core.change(JobCoachingTrajectory, coaching_id, with_resident, on=on)


# Cross-aggregate rules: the only rules that live in the application.


def require_job_coaching_need(
    resident: ResidentTrajectory, *, on: date, policy: Policy
) -> Placement:
    """Job coaching needs a current paid placement that meets the policy's minimums, and a wage
    value assessment at that placement that established the need. Returns the placement."""
    placement = resident.placement
    if placement is None or placement.kind is not PlacementKind.PAID_WORK:
        raise NoJobCoachingNeed(f"resident {resident.id} has no current paid placement to coach")
    wage_value = resident.wage_value
    if wage_value is None or wage_value.placed_version != placement.placed_version:
        raise NoJobCoachingNeed(
            f"resident {resident.id} has no wage value assessment at the current placement "
            f"(since {placement.started_on}); the need for job coaching is established there"
        )
    if not wage_value.needs_job_coaching:
        raise NoJobCoachingNeed(
            f"the wage value assessment of {wage_value.assessed_on} found no need for job "
            f"coaching for resident {resident.id}"
        )
    if on < wage_value.assessed_on:
        raise BusinessDateRefused(
            f"job coaching cannot start on {on}, before the wage value assessment of "
            f"{wage_value.assessed_on}"
        )
    if placement.hours_per_week < policy.min_hours_per_week:
        raise PlacementTooSmall(
            f"job coaching needs a placement of at least {policy.min_hours_per_week} hours a week "
            f"(policy {policy.version}); this one has {placement.hours_per_week}"
        )
    months = placement.contract_months
    if not placement.trial and months is not None and months < policy.min_contract_months:
        raise PlacementTooSmall(
            f"job coaching needs a contract of at least {policy.min_contract_months} months or a "
            f"trial placement (policy {policy.version}); this contract is for {months} months"
        )
    return placement


def coached_placement_is_current(
    coaching: JobCoachingTrajectory, resident: ResidentTrajectory
) -> bool:
    """Whether the placement the coaching is for is still the resident's current placement."""
    placement = resident.placement
    return placement is not None and placement.placed_version == coaching.placement_version


def require_coached_placement(
    coaching: JobCoachingTrajectory, resident: ResidentTrajectory
) -> None:
    """Hours, evaluations and extensions need the coached placement to go on."""
    if not coached_placement_is_current(coaching, resident):
        raise PlacementNoLongerCurrent(
            f"the placement coached by {coaching.id} ended; complete the coaching with outcome "
            "placement_ended"
        )


def require_outcome_matches_placement(
    coaching: JobCoachingTrajectory, resident: ResidentTrajectory, outcome: CoachingOutcome
) -> None:
    """Once the placement ended, the only outcome is placement_ended, and only then."""
    current = coached_placement_is_current(coaching, resident)
    if not current and outcome is not CoachingOutcome.PLACEMENT_ENDED:
        raise PlacementNoLongerCurrent(
            f"the placement coached by {coaching.id} ended; the only outcome now is placement_ended"
        )
    if current and outcome is CoachingOutcome.PLACEMENT_ENDED:
        raise PlacementNoLongerCurrent(
            f"the placement coached by {coaching.id} goes on; end it on the resident's trajectory "
            "before completing with outcome placement_ended"
        )
