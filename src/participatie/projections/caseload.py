"""A resident's and a job coaching's state folded from the worklist rows, and the caseload.

A fold takes one stream's rows in stream order and keeps those whose business date is on or
before ``as_of`` (all of them without one): the state is then what
:meth:`participatie.Participation.resident` replays ``as_of`` that date, restricted to what a
worklist shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from participatie.domain.values import Activity, Goal, PlacementKind, TrajectoryStatus
from participatie.projections.worklist_rows import WorkKind, WorkRow

__all__ = [
    "CaseloadEntry",
    "CaseloadPage",
    "CoachingState",
    "CoachingSummary",
    "ResidentState",
    "fold_coaching",
    "fold_resident",
]


@attrs.frozen
class CaseloadEntry:
    """One resident on a caseload.

    ``coach_id`` is the actor who held the last conversation, or else the intake (None before
    the intake); ``activities`` the running activities in the order they started.
    """

    resident_id: UUID
    municipality: str
    status: TrajectoryStatus
    goal: Goal | None
    registered_on: date
    last_conversation_on: date | None
    placement_kind: PlacementKind | None
    activities: tuple[Activity, ...]
    coach_id: str | None

    def as_dict(self) -> dict[str, object]:
        """The entry in JSON's types."""
        return {
            "resident_id": str(self.resident_id),
            "municipality": self.municipality,
            "status": self.status.value,
            "goal": None if self.goal is None else self.goal.value,
            "registered_on": self.registered_on.isoformat(),
            "last_conversation_on": (
                None if self.last_conversation_on is None else self.last_conversation_on.isoformat()
            ),
            "placement_kind": None if self.placement_kind is None else self.placement_kind.value,
            "activities": [a.value for a in self.activities],
            "coach_id": self.coach_id,
        }


@attrs.frozen
class CaseloadPage:
    """A page of a caseload, by resident id; ``next_after`` (None on the last page) is the
    ``after=`` of the next page. Residents registered while paging do not move the pages: a
    page is a range of resident ids."""

    entries: tuple[CaseloadEntry, ...]
    next_after: UUID | None


@attrs.define
class ResidentState:
    """What a worklist needs of a trajectory, folded from its rows."""

    resident_id: str
    municipality: str
    registered_on: date
    benefit: str
    status: TrajectoryStatus = TrajectoryStatus.OPEN
    intake_on: date | None = None
    intake_by: str | None = None
    goal: Goal | None = None
    last_conversation_on: date | None = None
    last_conversation_by: str | None = None
    #: The business dates of the conversations (not the intake), in stream order.
    conversations: list[date] = attrs.field(factory=list)
    activities: dict[Activity, date] = attrs.field(factory=dict)
    job_broker_requested_on: date | None = None
    placement_kind: PlacementKind | None = None
    wage_value_assessed: bool = False
    closed_on: date | None = None
    #: (business date, closed?) of every closure and reopening, in stream order.
    openings: list[tuple[date, bool]] = attrs.field(factory=list)
    erased: bool = False

    @property
    def coach_id(self) -> str | None:
        return self.last_conversation_by or self.intake_by

    def entry(self) -> CaseloadEntry:
        return CaseloadEntry(
            resident_id=UUID(self.resident_id),
            municipality=self.municipality,
            status=self.status,
            goal=self.goal,
            registered_on=self.registered_on,
            last_conversation_on=self.last_conversation_on,
            placement_kind=self.placement_kind,
            activities=tuple(self.activities),
            coach_id=self.coach_id,
        )


def fold_resident(  # noqa: PLR0912 (one branch per kind of row)
    rows: Iterable[WorkRow], as_of: date | None = None
) -> ResidentState | None:
    """A resident's state from the rows of its stream in stream order (None: not registered by
    ``as_of``)."""
    state: ResidentState | None = None
    for row in rows:
        if as_of is not None and row.occurred_on > as_of:
            continue
        kind, day = row.kind, row.occurred_on
        if kind == WorkKind.REGISTERED:
            state = ResidentState(row.resident_id, row.municipality, day, row.value)
            continue
        if state is None:
            continue  # a row before its registration counts (as replay does) only after it
        if kind == WorkKind.INTAKE:
            state.intake_on, state.intake_by, state.goal = day, row.actor_id, Goal(row.value)
        elif kind == WorkKind.CONVERSATION:
            state.last_conversation_on, state.last_conversation_by = day, row.actor_id
            state.conversations.append(day)
        elif kind == WorkKind.GOAL:
            state.goal = Goal(row.value)
        elif kind == WorkKind.ACTIVITY_STARTED:
            state.activities[Activity(row.value)] = day
        elif kind == WorkKind.ACTIVITY_ENDED:
            state.activities.pop(Activity(row.value), None)
        elif kind == WorkKind.JOB_BROKER_REQUESTED:
            state.job_broker_requested_on = day
        elif kind == WorkKind.JOB_BROKER_WITHDRAWN:
            state.job_broker_requested_on = None
        elif kind == WorkKind.PLACED:
            state.placement_kind = PlacementKind(row.value)
            state.job_broker_requested_on = None
        elif kind == WorkKind.PLACEMENT_ENDED:
            state.placement_kind = None
        elif kind == WorkKind.ASSESSED:
            state.wage_value_assessed = True
        elif kind == WorkKind.CLOSED:
            state.status, state.closed_on = TrajectoryStatus.CLOSED, day
            state.activities = {}
            state.job_broker_requested_on = None
            state.openings.append((day, True))
        elif kind == WorkKind.REOPENED:
            state.status = TrajectoryStatus.OPEN
            state.openings.append((day, False))
        elif kind == WorkKind.ERASED:
            state.erased = True
    return state


@attrs.define
class CoachingState:
    """What a worklist needs of a job coaching, folded from its rows."""

    coaching_id: str
    resident_id: str
    municipality: str
    started_on: date
    planned_end: date
    hours_per_week: Decimal
    #: The job coach assigned at the start.
    job_coach_id: str = ""
    extended: bool = False
    completed: bool = False
    completed_on: date | None = None
    last_evaluation_on: date | None = None
    #: Hours per coaching year, and the business date each year's total last grew.
    hours_by_year: dict[int, Decimal] = attrs.field(factory=dict)
    #: Per coaching year, the (business date, running total) of each logging, in stream order.
    loggings: dict[int, list[tuple[date, Decimal]]] = attrs.field(factory=dict)

    @property
    def state(self) -> str:
        """``completed``, ``extended`` or ``running``."""
        if self.completed:
            return "completed"
        return "extended" if self.extended else "running"


def fold_coaching(rows: Sequence[WorkRow], as_of: date | None = None) -> CoachingState | None:
    """A job coaching's state from the rows of its stream in stream order (None: not started by
    ``as_of``)."""
    state: CoachingState | None = None
    for row in rows:
        if as_of is not None and row.occurred_on > as_of:
            continue
        kind, day = row.kind, row.occurred_on
        if kind == WorkKind.COACHING_STARTED:
            state = CoachingState(
                row.stream_id,
                row.resident_id,
                row.municipality,
                day,
                date.fromisoformat(row.value),
                Decimal(row.amount),
                row.assignee,
            )
        elif state is None:
            continue
        elif kind == WorkKind.COACHING_HOURS:
            year = int(row.value)
            total = state.hours_by_year.get(year, Decimal(0)) + Decimal(row.amount)
            state.hours_by_year[year] = total
            state.loggings.setdefault(year, []).append((day, total))
        elif kind == WorkKind.COACHING_EVALUATED:
            state.last_evaluation_on = day
        elif kind == WorkKind.COACHING_EXTENDED:
            state.extended, state.planned_end = True, date.fromisoformat(row.value)
        elif kind == WorkKind.COACHING_COMPLETED:
            state.completed, state.completed_on = True, day
    return state


@attrs.frozen
class CoachingSummary:
    """A resident's job coaching: its id, its state (``running``, ``extended`` or
    ``completed``), its start and its planned end."""

    coaching_id: UUID
    state: str
    started_on: date
    planned_end: date
