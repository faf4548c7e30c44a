"""Facts: the few fields of each event that the outcome statistics need, one row per event.

The outcomes projection stores facts, not aggregates: any period, municipality and reporting date
is answered from them by :mod:`participatie.projections.figures`, without replaying events. Facts
hold no personal data (events hold none).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from eventsourcing.utils import resolve_topic

from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.resident import ResidentTrajectory

__all__ = ["Fact", "fact_of", "has_facts"]


class Fact(NamedTuple):
    """One event as the statistics see it.

    ``kind`` names the event; ``value`` carries its one telling text (reason, activity, kind,
    outcome, ...) and ``amount`` its one number (happiness, hours, percent, ...). A named tuple:
    a rebuild makes one per event, and a tuple is made in a third of the time.
    """

    stream_id: str
    version: int
    kind: str
    municipality: str
    resident_id: str
    occurred_on: date
    recorded_at: datetime
    value: str = ""
    amount: Decimal = Decimal(0)
    #: The event's position in the application's log: one fact per position.
    position: int = 0


R = ResidentTrajectory
J = JobCoachingTrajectory

#: Events that become a fact of the resident's stream: how to read their value and amount.
_RESIDENT_FACTS: dict[type[Any], tuple[str, Any, Any]] = {
    R.Registered: ("registered", lambda e: e.benefit.value, lambda _: 0),
    R.IntakeHeld: ("happiness", lambda _: "intake", lambda e: e.happiness),
    R.ConversationHeld: ("happiness", lambda _: "conversation", lambda e: e.happiness),
    R.ActivityStarted: ("activity_started", lambda e: e.activity.value, lambda _: 0),
    R.ActivityEnded: ("activity_ended", lambda e: e.activity.value, lambda _: 0),
    R.Placed: ("placed", lambda e: e.kind.value, lambda e: e.hours_per_week),
    R.PlacementEnded: ("placement_ended", lambda e: e.reason.value, lambda _: 0),
    R.WageValueAssessed: (
        "assessed",
        lambda e: "need" if e.needs_job_coaching else "no_need",
        lambda e: e.percent,
    ),
    R.TrajectoryClosed: ("closed", lambda e: e.reason.value, lambda _: 0),
    R.TrajectoryReopened: ("reopened", lambda _: "", lambda _: 0),
    R.PersonalDataErased: ("erased", lambda e: e.ground.value, lambda _: 0),
}
_COACHING_FACTS: dict[type[Any], tuple[str, Any, Any]] = {
    J.JobCoachingStarted: (
        "coaching_started",
        lambda e: e.planned_end.isoformat(),
        lambda e: e.hours_per_week,
    ),
    J.CoachingHoursLogged: ("coaching_hours", lambda e: str(e.coaching_year), lambda e: e.hours),
    J.EvaluationHeld: ("coaching_evaluated", lambda _: "", lambda _: 0),
    J.TrajectoryExtended: (
        "coaching_extended",
        lambda e: e.planned_end.isoformat(),
        lambda _: 0,
    ),
    J.JobCoachingCompleted: ("coaching_completed", lambda e: e.outcome.value, lambda _: 0),
}


@functools.lru_cache(maxsize=256)
def has_facts(topic: str) -> bool:
    """Whether events of this stored topic make facts (others need not even be decoded)."""
    cls = resolve_topic(topic)  # follows renamed classes, as decoding would
    return cls in _RESIDENT_FACTS or cls in _COACHING_FACTS


def fact_of(event: Any, municipality_of: dict[str, str], position: int = 0) -> Fact | None:
    """The fact of one event at ``position`` (None for events the statistics do not use).

    ``municipality_of`` maps resident ids to municipalities; a registration adds to it, and job
    coaching events look their resident up in it.
    """
    stream_id = str(event.originator_id)
    kind = type(event)
    if kind in _RESIDENT_FACTS:
        resident_id = stream_id
        if kind is R.Registered:
            municipality_of[resident_id] = event.municipality
        name, value, amount = _RESIDENT_FACTS[kind]
    elif kind in _COACHING_FACTS:
        name, value, amount = _COACHING_FACTS[kind]
        if kind is J.JobCoachingStarted:
            municipality_of[stream_id] = municipality_of.get(str(event.resident_id), "")
            municipality_of[f"resident-of:{stream_id}"] = str(event.resident_id)
        resident_id = municipality_of.get(f"resident-of:{stream_id}", "")
    else:
        return None
    municipality = municipality_of.get(resident_id)
    if municipality is None:
        municipality = municipality_of.get(stream_id, "")
    return Fact(
        stream_id,
        event.originator_version,
        name,
        municipality,
        resident_id,
        event.occurred_on,
        event.timestamp,
        value(event),
        Decimal(amount(event)),
        position,
    )
