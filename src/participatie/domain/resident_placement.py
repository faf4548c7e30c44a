"""The resident trajectory's placements (rule 6): paid or volunteer work at an employer, one at a
time, and its end, also after the trajectory closed. The wage value assessed at a paid placement
is in :mod:`participatie.domain.resident`, with the :class:`WageValue
<participatie.domain.resident.WageValue>` it records.

A mixin of :class:`~participatie.domain.resident.ResidentTrajectory`: each command is followed by
the event it triggers, whose ``TOPIC`` names the aggregate (see
:mod:`participatie.domain.resident_base`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from participatie.domain import inputs
from participatie.domain.decision import decision_fields
from participatie.domain.policy import Policy
from participatie.domain.resident_base import ResidentCommands, ResidentEvent
from participatie.domain.values import (
    Actor,
    Placement,
    PlacementEndReason,
    PlacementKind,
    parse_enum,
)
from participatie.errors import NoCurrentPlacement, PlacementAlreadyCurrent

__all__ = ["PlacementCommands"]


class PlacementCommands(ResidentCommands):
    """Placing the resident, and ending the placement."""

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

    class Placed(ResidentEvent):
        """The resident started paid or volunteer work at an employer."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.Placed"

        employer: str
        kind: PlacementKind
        hours_per_week: Decimal
        contract_months: int | None
        trial: bool

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
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

    class PlacementEnded(ResidentEvent):
        """The current placement ended: contract ended, dismissed, or the resident left; also
        after the trajectory closed, for the placement that was current at closure."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.PlacementEnded"

        reason: PlacementEndReason

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.placement = None
