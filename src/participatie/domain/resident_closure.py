"""The resident trajectory's outflow and re-inflow (rule 7), and whether its file involved a
statutory decision (what the file's retention depends on).

A mixin of :class:`~participatie.domain.resident.ResidentTrajectory`: each command is followed by
the event it triggers, whose ``TOPIC`` names the aggregate (see
:mod:`participatie.domain.resident_base`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from participatie.domain.decision import decision_fields
from participatie.domain.policy import Policy
from participatie.domain.resident_base import ResidentCommands, ResidentEvent
from participatie.domain.retention import involved_statutory_decision
from participatie.domain.values import (
    Actor,
    OutflowReason,
    PlacementKind,
    TrajectoryStatus,
    parse_enum,
)
from participatie.errors import OutflowNeedsPlacement, TrajectoryIsOpen

__all__ = ["ClosureCommands"]

#: The outflow reasons that need a current placement, and of which kind.
_OUTFLOW_PLACEMENT = {
    OutflowReason.WORK: PlacementKind.PAID_WORK,
    OutflowReason.VOLUNTEER_WORK: PlacementKind.VOLUNTEER_WORK,
}


class ClosureCommands(ResidentCommands):
    """Closing and reopening the trajectory, and the statutory-decision question of its file."""

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

    class TrajectoryClosed(ResidentEvent):
        """Outflow, with its reason. The placement, if any, goes on."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.TrajectoryClosed"

        reason: OutflowReason

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
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

    class TrajectoryReopened(ResidentEvent):
        """Re-inflow: a new period of coaching; the intake is kept."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.TrajectoryReopened"

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.status = TrajectoryStatus.OPEN
            trajectory.outflow_reason = None
            trajectory.reopen_count += 1

    # What the file must be kept as (the retention the erasure checks depends on it).

    def involved_statutory_decision(self, *, has_job_coaching: bool) -> bool:
        """Whether this file involved a statutory decision (see
        :func:`~participatie.domain.retention.involved_statutory_decision`); ``has_job_coaching``
        says whether any job coaching started for the resident, which only the application
        knows."""
        return involved_statutory_decision(
            benefit=self.benefit,
            wage_value_assessed=self.wage_value is not None,
            job_coaching=has_job_coaching,
        )
