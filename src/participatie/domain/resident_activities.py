"""The resident trajectory's activities and the job broker (rules 5 and 8): activities such as a
language course, and the request that the job broker search a workplace.

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
from participatie.domain.values import Activity, Actor, parse_enum
from participatie.errors import (
    ActivityAlreadyRunning,
    ActivityNotRunning,
    JobBrokerRequestAlreadyOpen,
    NoOpenJobBrokerRequest,
)

__all__ = ["ActivityCommands"]


class ActivityCommands(ResidentCommands):
    """Activities, and the requests to the job broker."""

    # Activities (rule 8).

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

    class ActivityStarted(ResidentEvent):
        """An activity began; it is not an outflow."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.ActivityStarted"

        activity: Activity

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
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

    class ActivityEnded(ResidentEvent):
        """A running activity ended."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.ActivityEnded"

        activity: Activity

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.activities = {
                a: d for a, d in trajectory.activities.items() if a is not self.activity
            }

    # Towards work: the job broker (rule 5). A placement answers the open request.

    def request_job_broker(self, *, on: date, by: Actor, policy: Policy) -> None:
        """Ask the job broker to search a workplace (rule 5): after intake, one open at a time."""
        self._check_coach_led("a job broker request", on)
        if self.job_broker_requested_on is not None:
            raise JobBrokerRequestAlreadyOpen(
                f"resident {self.id} has a job broker request open since "
                f"{self.job_broker_requested_on}; it is answered by a placement or withdrawn"
            )
        self.trigger_event(self.JobBrokerRequested, **decision_fields(on=on, by=by, policy=policy))

    class JobBrokerRequested(ResidentEvent):
        """The coach asked the job broker to search a workplace."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.JobBrokerRequested"

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
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

    class JobBrokerRequestWithdrawn(ResidentEvent):
        """The open job broker request was withdrawn."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.JobBrokerRequestWithdrawn"

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.job_broker_requested_on = None
