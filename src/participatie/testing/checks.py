"""Checks over the stored history, without the projection, that the state machine runs after every
step: the trajectory rules on each resident's events in order, and the statistics counted by
brute force. Internal to :mod:`participatie.testing`; ``count_over_history`` is public as
:func:`participatie.testing.machine.count_over_history`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from participatie.application import Participation
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import Actor, PlacementKind, Role

__all__ = ["check_resident_stream", "count_over_history"]


_STATUS_EVENTS = ("Registered", "TrajectoryClosed", "TrajectoryReopened")


def count_over_history(
    app: Participation, residents: Iterable[UUID], period: tuple[date, date]
) -> tuple[int, int, dict[str, int]]:
    """Reach, still coached and outflow by reason, counted from each resident's ``history()``
    without the projection: the brute force the statistics are checked against.

    A resident is reached when the trajectory was open on some day of the period (walking the
    days from the first status change); outflow counts the reached residents closed at the end of
    the period, by the reason of their last closure; the rest of the reached are still coached.
    """
    start, end = period
    reach = still = 0
    outflow: dict[str, int] = {}
    auditor = Actor("count-over-history", Role.AUDITOR)
    for rid in residents:
        entries = sorted(
            (
                e
                for e in app.history(rid, by=auditor)
                if e.aggregate == "ResidentTrajectory"
                and e.occurred_on <= end
                and e.event in _STATUS_EVENTS
            ),
            key=lambda e: (e.occurred_on, e.version),
        )
        if not entries:
            continue
        # Open on a day: open at its start (carried over) or opened during it.
        is_open, reached, last_reason = False, False, ""
        index, day = 0, min(entries[0].occurred_on, start)
        while day <= end:
            open_today = is_open
            while index < len(entries) and entries[index].occurred_on == day:
                entry = entries[index]
                is_open = entry.event != "TrajectoryClosed"
                open_today = open_today or is_open
                if not is_open:
                    last_reason = entry.data["reason"]
                index += 1
            reached = reached or (day >= start and open_today)
            day += timedelta(days=1)
        if not reached:
            continue
        reach += 1
        if is_open:
            still += 1
        else:
            outflow[last_reason] = outflow.get(last_reason, 0) + 1
    return reach, still, outflow


_COACH_LED = (
    ResidentTrajectory.ConversationHeld,
    ResidentTrajectory.GoalChanged,
    ResidentTrajectory.WorkplaceVisited,
    ResidentTrajectory.ActivityStarted,
    ResidentTrajectory.JobBrokerRequested,
    ResidentTrajectory.Placed,
)


def check_resident_stream(events: list[Any]) -> None:  # noqa: PLR0912, PLR0915
    """Assert that a resident's events, in order, obey the trajectory rules."""
    registered = events[0]
    assert isinstance(registered, ResidentTrajectory.Registered)
    rid = registered.originator_id
    intake = False
    is_open = True
    closed_on = None
    request = False
    placement: PlacementKind | None = None
    activities: set[Any] = set()
    for event in events[1:]:
        name = type(event).__name__
        assert event.occurred_on >= registered.occurred_on, (rid, name, "before registration")
        if closed_on is not None:
            assert event.occurred_on >= closed_on, (rid, name, "before the last closure")
        if not is_open:
            # A closed trajectory accepts reopening, and the end of the placement current at
            # closure.
            assert isinstance(
                event, ResidentTrajectory.TrajectoryReopened | ResidentTrajectory.PlacementEnded
            ), (rid, name, "closed")
        if isinstance(event, ResidentTrajectory.IntakeHeld | ResidentTrajectory.ConversationHeld):
            assert 1 <= event.happiness <= 10, (rid, event.happiness)
        if isinstance(event, ResidentTrajectory.IntakeHeld):
            assert not intake, (rid, "second intake")
            intake = True
        elif isinstance(event, _COACH_LED):
            assert intake, (rid, name, "before intake")
        if isinstance(event, ResidentTrajectory.JobBrokerRequested):
            assert not request, (rid, "second open request")
            request = True
        elif isinstance(event, ResidentTrajectory.JobBrokerRequestWithdrawn):
            assert request, (rid, "withdrawn without a request")
            request = False
        elif isinstance(event, ResidentTrajectory.Placed):
            assert placement is None, (rid, "second current placement")
            assert 0 < event.hours_per_week <= 40, (rid, event.hours_per_week)
            placement, request = event.kind, False
        elif isinstance(event, ResidentTrajectory.PlacementEnded):
            assert placement is not None, (rid, "ended without a placement")
            placement = None
        elif isinstance(event, ResidentTrajectory.WageValueAssessed):
            assert placement is PlacementKind.PAID_WORK, (rid, "assessed without paid work")
            assert 0 <= event.percent <= 100, (rid, event.percent)
        elif isinstance(event, ResidentTrajectory.ActivityStarted):
            assert event.activity not in activities, (rid, "activity already running")
            activities.add(event.activity)
        elif isinstance(event, ResidentTrajectory.ActivityEnded):
            assert event.activity in activities, (rid, "activity not running")
            activities.discard(event.activity)
        elif isinstance(event, ResidentTrajectory.TrajectoryClosed):
            is_open, closed_on, request = False, event.occurred_on, False
            activities.clear()
        elif isinstance(event, ResidentTrajectory.TrajectoryReopened):
            assert not is_open, (rid, "reopened while open")
            is_open = True
