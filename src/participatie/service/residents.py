"""The resident trajectory's commands (ResidentTrajectory): registration and every step after it.

Each command checks what needs the clock (a business date may not lie in the future), loads the
trajectory, authorises the actor for the resident's municipality, calls the aggregate's command
(which checks the rules) and saves, through :meth:`Core.change`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from participatie.domain.bsn import validate_bsn
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    Goal,
    OutflowReason,
    PlacementEndReason,
    PlacementKind,
    Referral,
    VisitKind,
)
from participatie.privacy.authorisation import Action
from participatie.privacy.vault import PersonalData
from participatie.service.core import Room
from participatie.service.idempotency import idempotent, promise_result

__all__ = ["ResidentCommands"]


class ResidentCommands(Room):
    """Commands on a resident's trajectory."""

    @idempotent
    def register_resident(
        self,
        *,
        referral: Referral | str,
        benefit: Benefit | str,
        municipality: str,
        on: date,
        by: Actor,
        bsn: str | None = None,
        name: str | None = None,
        notes: str | None = None,
        command_id: UUID | None = None,
    ) -> UUID:
        """Open a trajectory for a resident and return the resident's new pseudonymous id.

        ``bsn``, ``name`` and ``notes`` go into the personal-data vault only, never into an event.
        A BSN that already has a trajectory is refused with :class:`BsnAlreadyRegistered`.
        """
        del command_id  # taken by @idempotent
        municipality = self._core.municipality(municipality)
        self._core.authorise(by, Action.REGISTER, municipality=municipality)
        self._core.check_not_future(on)
        data = PersonalData(bsn=None if bsn is None else validate_bsn(bsn), name=name, notes=notes)
        if data.bsn is not None:
            self._core.refuse_known_bsn(data.bsn, municipality)
        trajectory = ResidentTrajectory.register(
            referral=referral,
            benefit=benefit,
            municipality=municipality,
            on=on,
            by=by,
            policy=self._core.policy,
        )
        core = self._core
        records = (
            []
            if data.is_empty
            else [core.keyring.seal(trajectory.id, data, municipality=municipality)]
        )
        if data.bsn is not None and core.open_batch is not None:
            core.open_batch.bsn_hashes.add(core.keyring.bsn_hash(data.bsn, municipality))
        try:
            promise_result(trajectory.id)
            core.add(trajectory, refused=None, vault_records=records)
        except IntegrityError:
            if data.bsn is not None:  # another process registered this BSN in between
                core.refuse_known_bsn(data.bsn, municipality)
            raise
        return trajectory.id

    @idempotent
    def hold_intake(
        self,
        resident_id: UUID,
        *,
        goal: Goal | str,
        happiness: int,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Hold the intake: goal and a first happiness score (1..10). Once, before the rest."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.HOLD_INTAKE,
            by,
            resident_id,
            on,
            lambda t: t.hold_intake(
                goal=goal, happiness=happiness, on=on, by=by, policy=self._core.policy
            ),
        )

    @idempotent
    def record_conversation(
        self,
        resident_id: UUID,
        *,
        happiness: int,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Record a conversation with the resident and their happiness score (1..10)."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.RECORD_CONVERSATION,
            by,
            resident_id,
            on,
            lambda t: t.record_conversation(
                happiness=happiness, on=on, by=by, policy=self._core.policy
            ),
        )

    @idempotent
    def change_goal(
        self,
        resident_id: UUID,
        *,
        goal: Goal | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Change the resident's goal."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.CHANGE_GOAL,
            by,
            resident_id,
            on,
            lambda t: t.change_goal(goal=goal, on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def visit_workplace(
        self,
        resident_id: UUID,
        *,
        organisation: str,
        kind: VisitKind | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Record a workplace visit, shadow day, ride-along, coffee at a care home or walk."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.VISIT_WORKPLACE,
            by,
            resident_id,
            on,
            lambda t: t.visit_workplace(
                organisation=organisation, kind=kind, on=on, by=by, policy=self._core.policy
            ),
        )

    @idempotent
    def start_activity(
        self,
        resident_id: UUID,
        *,
        activity: Activity | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Start an activity such as a language course."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.START_ACTIVITY,
            by,
            resident_id,
            on,
            lambda t: t.start_activity(activity=activity, on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def end_activity(
        self,
        resident_id: UUID,
        *,
        activity: Activity | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """End a running activity."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.END_ACTIVITY,
            by,
            resident_id,
            on,
            lambda t: t.end_activity(activity=activity, on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def request_job_broker(
        self, resident_id: UUID, *, on: date, by: Actor, command_id: UUID | None = None
    ) -> None:
        """Ask the job broker to search a workplace for a resident who is ready."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.REQUEST_JOB_BROKER,
            by,
            resident_id,
            on,
            lambda t: t.request_job_broker(on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def withdraw_job_broker_request(
        self, resident_id: UUID, *, on: date, by: Actor, command_id: UUID | None = None
    ) -> None:
        """Withdraw the open job broker request."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.WITHDRAW_JOB_BROKER_REQUEST,
            by,
            resident_id,
            on,
            lambda t: t.withdraw_job_broker_request(on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def place(
        self,
        resident_id: UUID,
        *,
        employer: str,
        kind: PlacementKind | str,
        hours_per_week: int | float | Decimal,
        contract_months: int | None = None,
        trial: bool = False,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Place the resident at an employer: paid or volunteer work, more than 0 and at most 40
        hours a week, optionally for a number of contract months or as a trial placement."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.PLACE,
            by,
            resident_id,
            on,
            lambda t: t.place(
                employer=employer,
                kind=kind,
                hours_per_week=hours_per_week,
                contract_months=contract_months,
                trial=trial,
                on=on,
                by=by,
                policy=self._core.policy,
            ),
        )

    @idempotent
    def end_placement(
        self,
        resident_id: UUID,
        *,
        reason: PlacementEndReason | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """End the current placement."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.END_PLACEMENT,
            by,
            resident_id,
            on,
            lambda t: t.end_placement(reason=reason, on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def assess_wage_value(
        self,
        resident_id: UUID,
        *,
        percent: int,
        needs_job_coaching: bool,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Record a wage value assessment (whole percent 0..100) at the current paid placement."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.ASSESS_WAGE_VALUE,
            by,
            resident_id,
            on,
            lambda t: t.assess_wage_value(
                percent=percent,
                needs_job_coaching=needs_job_coaching,
                on=on,
                by=by,
                policy=self._core.policy,
            ),
        )

    @idempotent
    def close_trajectory(
        self,
        resident_id: UUID,
        *,
        reason: OutflowReason | str,
        on: date,
        by: Actor,
        command_id: UUID | None = None,
    ) -> None:
        """Close the trajectory (outflow) with a reason."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.CLOSE_TRAJECTORY,
            by,
            resident_id,
            on,
            lambda t: t.close(reason=reason, on=on, by=by, policy=self._core.policy),
        )

    @idempotent
    def reopen_trajectory(
        self, resident_id: UUID, *, on: date, by: Actor, command_id: UUID | None = None
    ) -> None:
        """Reopen a closed trajectory (re-inflow); the intake is kept."""
        del command_id  # taken by @idempotent
        self._change_resident(
            Action.REOPEN_TRAJECTORY,
            by,
            resident_id,
            on,
            lambda t: t.reopen(on=on, by=by, policy=self._core.policy),
        )

    def _change_resident(
        self,
        action: Action,
        by: Actor,
        resident_id: UUID,
        on: object,
        command: Callable[[ResidentTrajectory], None],
        **save_with: Any,
    ) -> None:
        """A resident command by ``by``, authorised for the resident's municipality."""

        def authorised(trajectory: ResidentTrajectory) -> None:
            self._core.authorise(
                by, action, municipality=trajectory.municipality, about=trajectory.id
            )
            command(trajectory)

        self._core.change(ResidentTrajectory, resident_id, authorised, on=on, **save_with)
