"""Facts: the few fields of each event that the outcome statistics need, one row per event.

The outcomes projection stores facts, not aggregates: any period, municipality and reporting date
is answered from them by :mod:`participatie.projections.figures`, without replaying events. Facts
hold no personal data (events hold none).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from eventsourcing.utils import resolve_topic

from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.resident import ResidentTrajectory

__all__ = ["Fact", "fact_of", "has_facts", "new_fact"]


class Fact(NamedTuple):
    """One event as the statistics see it.

    ``kind`` names the event; ``value`` carries its one telling text (reason, activity, kind,
    outcome, ...) and ``amount`` its one number (happiness, hours, percent, ...). A named tuple:
    a rebuild makes one per event, and a tuple is made in a third of the time.
    """

    #: The event's stream (a resident's or a job coaching trajectory's id) as 32 hex digits.
    stream_id: str
    version: int
    kind: str
    municipality: str
    #: The resident's id as 32 hex digits ("" for coaching of a resident the view never saw).
    resident_id: str
    occurred_on: date
    recorded_at: datetime
    value: str = ""
    amount: Decimal = Decimal(0)
    #: The event's position in the application's log: one fact per position.
    position: int = 0


R = ResidentTrajectory
J = JobCoachingTrajectory
_NONE = Decimal(0)

#: How each event that makes a fact reads as one: (kind, value, amount). The resident's events
#: make facts of the resident's stream; job coaching events of the coaching stream.
_RESIDENT_FACTS: dict[type[Any], Callable[[Any], tuple[str, str, Decimal]]] = {
    R.Registered: lambda e: ("registered", e.benefit.value, _NONE),
    R.IntakeHeld: lambda e: ("happiness", "intake", Decimal(e.happiness)),
    R.ConversationHeld: lambda e: ("happiness", "conversation", Decimal(e.happiness)),
    R.ActivityStarted: lambda e: ("activity_started", e.activity.value, _NONE),
    R.ActivityEnded: lambda e: ("activity_ended", e.activity.value, _NONE),
    R.Placed: lambda e: ("placed", e.kind.value, Decimal(e.hours_per_week)),
    R.PlacementEnded: lambda e: ("placement_ended", e.reason.value, _NONE),
    R.WageValueAssessed: lambda e: (
        "assessed",
        "need" if e.needs_job_coaching else "no_need",
        Decimal(e.percent),
    ),
    R.TrajectoryClosed: lambda e: ("closed", e.reason.value, _NONE),
    R.TrajectoryReopened: lambda _: ("reopened", "", _NONE),
    R.PersonalDataErased: lambda e: ("erased", e.ground.value, _NONE),
}
_COACHING_FACTS: dict[type[Any], Callable[[Any], tuple[str, str, Decimal]]] = {
    J.JobCoachingStarted: lambda e: (
        "coaching_started",
        e.planned_end.isoformat(),
        Decimal(e.hours_per_week),
    ),
    J.CoachingHoursLogged: lambda e: ("coaching_hours", str(e.coaching_year), Decimal(e.hours)),
    J.EvaluationHeld: lambda _: ("coaching_evaluated", "", _NONE),
    J.TrajectoryExtended: lambda e: ("coaching_extended", e.planned_end.isoformat(), _NONE),
    J.JobCoachingCompleted: lambda e: ("coaching_completed", e.outcome.value, _NONE),
}


#: Makes a Fact from a tuple of its fields without the named tuple's own (Python) __new__.
new_fact = tuple.__new__


@functools.lru_cache(maxsize=256)
def has_facts(topic: str) -> bool:
    """Whether events of this stored topic make facts (others need not even be decoded)."""
    cls = resolve_topic(topic)  # follows renamed classes, as decoding would
    return cls in _RESIDENT_FACTS or cls in _COACHING_FACTS


def fact_of(event: Any, municipality_of: dict[str, str], position: int = 0) -> Fact | None:
    """The fact of one event at ``position`` (None for events the statistics do not use).

    ``municipality_of`` maps resident ids to municipalities and, under ``"resident-of:"`` keys,
    coaching ids to their residents; a registration or the start of job coaching adds to it, and
    the other events look their resident up in it. Ids are written as 32 hex digits.
    """
    kind = type(event)
    stream_id = event.originator_id.hex
    read = _RESIDENT_FACTS.get(kind)
    if read is not None:
        resident_id = stream_id
        if kind is R.Registered:
            municipality_of[stream_id] = event.municipality
    else:
        read = _COACHING_FACTS.get(kind)
        if read is None:
            return None
        if kind is J.JobCoachingStarted:
            resident = event.resident_id.hex
            municipality_of[stream_id] = municipality_of.get(resident, "")
            municipality_of[f"resident-of:{stream_id}"] = resident
        resident_id = municipality_of.get(f"resident-of:{stream_id}", "")
    municipality = municipality_of.get(resident_id)
    if municipality is None:
        municipality = municipality_of.get(stream_id, "")
    name, value, amount = read(event)
    # tuple.__new__ spares the named tuple's own __new__, a Python call per fact.
    return new_fact(
        Fact,
        (
            stream_id,
            event.originator_version,
            name,
            municipality,
            resident_id,
            event.occurred_on,
            event.timestamp,
            value,
            amount,
            position,
        ),
    )
