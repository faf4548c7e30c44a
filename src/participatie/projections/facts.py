"""Facts: the few fields of each event that the outcome statistics need, one row per event.

The outcomes projection stores facts, not aggregates: any period, municipality and reporting date
is answered from them by :mod:`participatie.projections.figures`, without replaying events. Facts
hold no personal data (events hold none).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from eventsourcing.utils import resolve_topic

from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.municipalities import canonical_form
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.retention import involved_statutory_decision
from participatie.domain.values import Benefit

__all__ = [
    "Fact",
    "FactKind",
    "all_storable",
    "fact_of",
    "fact_or_uncounted",
    "facts_show_statutory_decision",
    "has_facts",
    "new_fact",
]


class FactKind(enum.StrEnum):
    """What a fact records: one kind per event class that makes facts.

    The values are the text stored in the facts table's ``kind`` column: a member equals its text
    (``FactKind.CLOSED == "closed"``), so facts read back from a store, whose kinds are plain
    text, compare with the members as they are.
    """

    REGISTERED = "registered"
    #: ``value`` is ``intake`` or ``conversation``; ``amount`` the score.
    HAPPINESS = "happiness"
    ACTIVITY_STARTED = "activity_started"
    ACTIVITY_ENDED = "activity_ended"
    PLACED = "placed"
    PLACEMENT_ENDED = "placement_ended"
    #: ``value`` is ``need`` or ``no_need``; ``amount`` the percent.
    ASSESSED = "assessed"
    CLOSED = "closed"
    REOPENED = "reopened"
    ERASED = "erased"
    # Facts of job coaching streams: their kinds, and only theirs, start with "coaching_".
    COACHING_STARTED = "coaching_started"
    COACHING_HOURS = "coaching_hours"
    COACHING_EVALUATED = "coaching_evaluated"
    COACHING_EXTENDED = "coaching_extended"
    COACHING_COMPLETED = "coaching_completed"
    #: An event the statistics could not count (it does not decode, or holds a value the view
    #: cannot store); ``value`` says why. Reports list their positions (``uncounted``).
    UNCOUNTED = "uncounted"


class Fact(NamedTuple):
    """One event as the statistics see it.

    ``kind`` names the event (a :class:`FactKind`, or its text when read from a store, which
    compares equal); ``value`` carries its one telling text (reason, activity, kind, outcome, ...)
    and ``amount`` its one number (happiness, hours, percent, ...). A named tuple: a rebuild makes
    one per event, and a tuple is made in a third of the time.
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
    #: A second telling text, for the breakdowns (:mod:`participatie.projections.breakdowns`):
    #: the referral channel of a registration, the actor who held an intake or a conversation
    #: (whose the resident's coach is, as the caseload says); "" for every other kind.
    detail: str = ""


_NONE = Decimal(0)

#: How each event that makes a fact reads as one: (kind, value, amount). The resident's events
#: make facts of the resident's stream; job coaching events of the coaching stream.
_RESIDENT_FACTS: dict[type[Any], Callable[[Any], tuple[FactKind, str, Decimal]]] = {
    ResidentTrajectory.Registered: lambda e: (FactKind.REGISTERED, e.benefit.value, _NONE),
    ResidentTrajectory.IntakeHeld: lambda e: (FactKind.HAPPINESS, "intake", Decimal(e.happiness)),
    ResidentTrajectory.ConversationHeld: lambda e: (
        FactKind.HAPPINESS,
        "conversation",
        Decimal(e.happiness),
    ),
    ResidentTrajectory.ActivityStarted: lambda e: (
        FactKind.ACTIVITY_STARTED,
        e.activity.value,
        _NONE,
    ),
    ResidentTrajectory.ActivityEnded: lambda e: (FactKind.ACTIVITY_ENDED, e.activity.value, _NONE),
    ResidentTrajectory.Placed: lambda e: (FactKind.PLACED, e.kind.value, Decimal(e.hours_per_week)),
    ResidentTrajectory.PlacementEnded: lambda e: (FactKind.PLACEMENT_ENDED, e.reason.value, _NONE),
    ResidentTrajectory.WageValueAssessed: lambda e: (
        FactKind.ASSESSED,
        "need" if e.needs_job_coaching else "no_need",
        Decimal(e.percent),
    ),
    ResidentTrajectory.TrajectoryClosed: lambda e: (FactKind.CLOSED, e.reason.value, _NONE),
    ResidentTrajectory.TrajectoryReopened: lambda _: (FactKind.REOPENED, "", _NONE),
    ResidentTrajectory.PersonalDataErased: lambda e: (FactKind.ERASED, e.ground.value, _NONE),
}
_COACHING_FACTS: dict[type[Any], Callable[[Any], tuple[FactKind, str, Decimal]]] = {
    JobCoachingTrajectory.JobCoachingStarted: lambda e: (
        FactKind.COACHING_STARTED,
        e.planned_end.isoformat(),
        Decimal(e.hours_per_week),
    ),
    JobCoachingTrajectory.CoachingHoursLogged: lambda e: (
        FactKind.COACHING_HOURS,
        str(e.coaching_year),
        Decimal(e.hours),
    ),
    JobCoachingTrajectory.EvaluationHeld: lambda _: (FactKind.COACHING_EVALUATED, "", _NONE),
    JobCoachingTrajectory.TrajectoryExtended: lambda e: (
        FactKind.COACHING_EXTENDED,
        e.planned_end.isoformat(),
        _NONE,
    ),
    JobCoachingTrajectory.JobCoachingCompleted: lambda e: (
        FactKind.COACHING_COMPLETED,
        e.outcome.value,
        _NONE,
    ),
}


#: The detail of the events that have one (see :attr:`Fact.detail`).
_DETAILS: dict[type[Any], Callable[[Any], str]] = {
    ResidentTrajectory.Registered: lambda e: e.referral.value,
    ResidentTrajectory.IntakeHeld: lambda e: e.actor_id,
    ResidentTrajectory.ConversationHeld: lambda e: e.actor_id,
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
        if kind is ResidentTrajectory.Registered:
            # One canonical form, whatever an earlier release stored (see domain.municipalities).
            municipality_of[stream_id] = canonical_form(event.municipality)
    else:
        read = _COACHING_FACTS.get(kind)
        if read is None:
            return None
        if kind is JobCoachingTrajectory.JobCoachingStarted:
            resident = event.resident_id.hex
            municipality_of[stream_id] = municipality_of.get(resident, "")
            municipality_of[f"resident-of:{stream_id}"] = resident
        resident_id = municipality_of.get(f"resident-of:{stream_id}", "")
    municipality = municipality_of.get(resident_id)
    if municipality is None:
        municipality = municipality_of.get(stream_id, "")
    name, value, amount = read(event)
    detail = _DETAILS.get(kind)
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
            "" if detail is None else detail(event),
        ),
    )


def facts_show_statutory_decision(facts: Iterable[Fact]) -> bool:
    """Whether a resident's facts (those of the resident's stream and of their job coaching)
    show a statutory decision, as :func:`~participatie.domain.retention.involved_statutory_decision`
    decides it: a benefit at registration, a wage value assessment, or job coaching.

    The facts only spare loading every file: the trajectory itself is the authority.
    """
    benefit = Benefit.NONE
    assessed = coached = False
    for fact in facts:
        if fact.kind == FactKind.REGISTERED:
            benefit = Benefit(fact.value)
        elif fact.kind == FactKind.ASSESSED:
            assessed = True
        elif fact.kind == FactKind.COACHING_STARTED:
            coached = True
    return involved_statutory_decision(
        benefit=benefit, wage_value_assessed=assessed, job_coaching=coached
    )


#: What an uncounted fact has for the fields its event could not give.
_UNKNOWN_DAY = date(1970, 1, 1)
_UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
#: Text a fact may not hold (any store): control characters and unpaired surrogates.
_UNSTORABLE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: The largest amount a fact holds: more than any hours, score or percent the commands accept.
_MAX_AMOUNT = Decimal(10) ** 9


def unstorable(fact: Fact) -> str | None:
    """Why a fact cannot be stored in every store, or None. Commands refuse such values; an event
    stored by an earlier release (or written into the store by hand) may still hold one."""
    texts = (fact.municipality, fact.value, fact.detail)
    try:
        known = texts in _STORABLE_TEXTS
    except TypeError:  # a field that is not even hashable (an event edited by hand)
        known = False
    if not known or _UNSTORABLE_TEXT.search(f"{fact.stream_id}{fact.resident_id}"):
        # Rare: find the field to name (each as text, whatever an edited event made it).
        for name in _TEXT_FIELDS:
            found = _UNSTORABLE_TEXT.search(f"{getattr(fact, name)}")
            if found is not None:
                return f"its {name} holds {found.group()!r}"
        if len(_STORABLE_TEXTS) >= _MAX_REMEMBERED:
            _STORABLE_TEXTS.clear()
        if all(type(text) is str for text in texts):
            _STORABLE_TEXTS.add(texts)
    return _amount_problem(fact.amount)


def _amount_problem(amount: Decimal) -> str | None:
    if not amount.is_finite():  # first: a signalling NaN cannot even be looked up in a set
        return f"its amount {amount} is out of range"
    if amount not in _STORABLE_AMOUNTS:
        if abs(amount) > _MAX_AMOUNT:
            return f"its amount {amount} is out of range"
        if amount != amount.quantize(Decimal("0.0001"), rounding=ROUND_DOWN):
            return f"its amount {amount} has more than four decimals"
        if len(_STORABLE_AMOUNTS) >= _MAX_REMEMBERED:
            _STORABLE_AMOUNTS.clear()
        _STORABLE_AMOUNTS.add(amount)
    return None


_TEXT_FIELDS = ("stream_id", "municipality", "resident_id", "value", "detail")
#: Texts and amounts already found storable (a rebuild or verify() checks every fact, and
#: most of them repeat: a municipality, a kind of conversation, a coach, a score), up to this
#: many of each. A fact's stream and resident ids differ from stream to stream: they are
#: searched every time.
_MAX_REMEMBERED = 4096
_STORABLE_TEXTS: set[tuple[str, ...]] = set()
_STORABLE_AMOUNTS: set[Decimal] = set()


#: The text fields of a fact: stream_id, municipality, resident_id, value, detail.
_TEXTS = itemgetter(0, 3, 4, 7, 10)


def all_storable(facts: Sequence[Fact]) -> bool:
    """Whether :func:`unstorable` finds nothing in any of a page's facts: the same answer in a
    fraction of the time, by checking the page's text at once and each distinct amount once.
    False only means that some fact may not be storable (ask :func:`unstorable` which)."""
    try:
        text = "".join(chain.from_iterable(map(_TEXTS, facts)))
        amounts = {fact.amount for fact in facts}
    except TypeError:  # a field that is not text, or a signalling NaN: ask fact by fact
        return False
    # Plain printable ASCII (ids, names, codes: the usual page) holds none of the characters
    # that cannot be stored, and is told apart far faster than the pattern searches.
    if not (text.isascii() and text.isprintable()) and _UNSTORABLE_TEXT.search(text):
        return False
    return all(_amount_problem(amount) is None for amount in amounts)


def uncounted(notification: Any, reason: str) -> Fact:
    """The fact that stands for an event the statistics could not count, and why."""
    stream = str(notification.originator_id).replace("-", "")
    reason = _UNSTORABLE_TEXT.sub("?", reason)[:200]
    return new_fact(
        Fact,
        (
            stream if _UNSTORABLE_TEXT.search(stream) is None else "",
            notification.originator_version,
            FactKind.UNCOUNTED,
            "",
            "",
            _UNKNOWN_DAY,
            _UNKNOWN_TIME,
            reason,
            _NONE,
            notification.id,
            "",
        ),
    )


def fact_or_uncounted(
    notification: Any,
    decode: Callable[[Any], Any],
    municipality_of: dict[str, str],
    *,
    check: bool = True,
) -> Fact | None:
    """The fact of a stored event (None: it makes none), or an uncounted fact saying why it could
    not be counted: an event that cannot be counted must not stop every report.

    ``check=False`` leaves out the check that the fact can be stored (:func:`unstorable`), for a
    caller that checks a page of facts at once (:func:`all_storable`)."""
    try:
        fact = fact_of(decode(notification), municipality_of, notification.id)
    except Exception as error:
        return uncounted(notification, f"it does not decode ({type(error).__name__}: {error})")
    if fact is None or not check:
        return fact
    reason = unstorable(fact)
    return fact if reason is None else uncounted(notification, reason)
