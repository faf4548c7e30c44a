"""The resident trajectory's start of coaching: the intake, conversations, the goal, and workplace
visits that widen the comfort zone (rules 2, 3 and 8).

A mixin of :class:`~participatie.domain.resident.ResidentTrajectory`: each command is followed by
the event it triggers, whose ``TOPIC`` names the aggregate (see
:mod:`participatie.domain.resident_base`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from participatie.domain import inputs
from participatie.domain.decision import decision_fields
from participatie.domain.policy import Policy
from participatie.domain.resident_base import ResidentCommands, ResidentEvent
from participatie.domain.values import Actor, Goal, VisitKind, parse_enum
from participatie.errors import IntakeAlreadyHeld

__all__ = ["IntakeCommands"]


class IntakeCommands(ResidentCommands):
    """The intake, conversations, the goal and workplace visits."""

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

    class IntakeHeld(ResidentEvent):
        """The intake: the resident's goal and a first happiness score."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.IntakeHeld"

        goal: Goal
        happiness: int

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
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

    class ConversationHeld(ResidentEvent):
        """A conversation with the coach, and the happiness score the resident gave."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.ConversationHeld"

        happiness: int

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.happiness += ((self.occurred_on, self.happiness),)
            trajectory.conversation_count += 1

    def change_goal(self, *, goal: Goal | str, on: date, by: Actor, policy: Policy) -> None:
        """Change the resident's goal. The resident sets goal and pace; any time after intake."""
        goal = parse_enum(Goal, goal, field="goal")
        self._check_coach_led("a goal change", on)
        self.trigger_event(
            self.GoalChanged, goal=goal, **decision_fields(on=on, by=by, policy=policy)
        )

    class GoalChanged(ResidentEvent):
        """The resident chose another goal."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.GoalChanged"

        goal: Goal

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.goal = self.goal

    # Widening the comfort zone (rule 8).

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

    class WorkplaceVisited(ResidentEvent):
        """A visit that widens the comfort zone, at an organisation (no person's name)."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.WorkplaceVisited"

        organisation: str
        kind: VisitKind

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.visit_count += 1
