"""The rows of the worklist view: one compact row per event a coach's working day needs.

The caseload (:mod:`participatie.projections.caseload`) and the signals
(:mod:`participatie.projections.signals`) are folded from these rows per resident, so that both
answer "as of" any business date from the same rows: an event counts as of a day ``D`` when its
business date ``occurred_on`` is on or before ``D``, taken in stream order (the order of
``position``), exactly as :meth:`participatie.Participation.resident` replays with ``as_of``.

A row holds no personal data (events hold none): ids, a kind, a business date, the id of the actor
who decided (needed for "whose caseload"), and one value and one amount whose meaning depends on
the kind (see :class:`WorkKind`). Every row carries its resident's municipality (a job coaching's
rows too), so that a municipality's rows are one indexed range.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from eventsourcing.utils import resolve_topic

from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.municipalities import canonical_form
from participatie.domain.resident import ResidentTrajectory

__all__ = [
    "WorkKind",
    "WorkRow",
    "all_storable",
    "has_rows",
    "rows_of_page",
    "storable",
    "work_row_of",
]

logger = logging.getLogger(__name__)


class WorkKind(enum.StrEnum):
    """What a row records; the values are the text stored in the ``kind`` column."""

    #: ``value``: the benefit at registration.
    REGISTERED = "registered"
    #: ``value``: the goal.
    INTAKE = "intake"
    CONVERSATION = "conversation"
    #: ``value``: the new goal.
    GOAL = "goal"
    #: ``value``: the activity.
    ACTIVITY_STARTED = "activity_started"
    ACTIVITY_ENDED = "activity_ended"
    JOB_BROKER_REQUESTED = "job_broker_requested"
    JOB_BROKER_WITHDRAWN = "job_broker_withdrawn"
    #: ``value``: the placement kind; ``amount``: the version of the Placed event.
    PLACED = "placed"
    PLACEMENT_ENDED = "placement_ended"
    ASSESSED = "assessed"
    CLOSED = "closed"
    REOPENED = "reopened"
    ERASED = "erased"
    # Rows of job coaching streams (``stream_id`` is the coaching's id).
    #: ``value``: the planned end (ISO); ``amount``: hours per week of the placement.
    COACHING_STARTED = "coaching_started"
    #: ``value``: the coaching year; ``amount``: the hours.
    COACHING_HOURS = "coaching_hours"
    COACHING_EVALUATED = "coaching_evaluated"
    #: ``value``: the new planned end (ISO).
    COACHING_EXTENDED = "coaching_extended"
    COACHING_COMPLETED = "coaching_completed"


class WorkRow(NamedTuple):
    """One event of the working day, in the columns' order."""

    position: int
    municipality: str
    resident_id: str  # 32 hex digits
    stream_id: str  # the resident's, or a job coaching's, id (32 hex digits)
    kind: str
    occurred_on: date
    actor_id: str
    value: str
    amount: Decimal
    #: Whom the event assigns: the job coach of a job coaching's start ("" for other kinds), so
    #: that a job coach's signals are those of the coachings assigned to them.
    assignee: str = ""


_R = ResidentTrajectory
_J = JobCoachingTrajectory
_ZERO = Decimal(0)

#: Per event class: its kind, and its value and amount from the event.
_READ: dict[type, tuple[WorkKind, Callable[[Any], tuple[str, Decimal]]]] = {
    _R.Registered: (WorkKind.REGISTERED, lambda e: (e.benefit.value, _ZERO)),
    _R.IntakeHeld: (WorkKind.INTAKE, lambda e: (e.goal.value, _ZERO)),
    _R.ConversationHeld: (WorkKind.CONVERSATION, lambda _: ("", _ZERO)),
    _R.GoalChanged: (WorkKind.GOAL, lambda e: (e.goal.value, _ZERO)),
    _R.ActivityStarted: (WorkKind.ACTIVITY_STARTED, lambda e: (e.activity.value, _ZERO)),
    _R.ActivityEnded: (WorkKind.ACTIVITY_ENDED, lambda e: (e.activity.value, _ZERO)),
    _R.JobBrokerRequested: (WorkKind.JOB_BROKER_REQUESTED, lambda _: ("", _ZERO)),
    _R.JobBrokerRequestWithdrawn: (WorkKind.JOB_BROKER_WITHDRAWN, lambda _: ("", _ZERO)),
    _R.Placed: (WorkKind.PLACED, lambda e: (e.kind.value, Decimal(e.originator_version))),
    _R.PlacementEnded: (WorkKind.PLACEMENT_ENDED, lambda _: ("", _ZERO)),
    _R.WageValueAssessed: (WorkKind.ASSESSED, lambda _: ("", _ZERO)),
    _R.TrajectoryClosed: (WorkKind.CLOSED, lambda e: (e.reason.value, _ZERO)),
    _R.TrajectoryReopened: (WorkKind.REOPENED, lambda _: ("", _ZERO)),
    _R.PersonalDataErased: (WorkKind.ERASED, lambda _: ("", _ZERO)),
    _J.JobCoachingStarted: (
        WorkKind.COACHING_STARTED,
        lambda e: (e.planned_end.isoformat(), e.hours_per_week),
    ),
    _J.CoachingHoursLogged: (
        WorkKind.COACHING_HOURS,
        lambda e: (str(e.coaching_year), e.hours),
    ),
    _J.EvaluationHeld: (WorkKind.COACHING_EVALUATED, lambda _: ("", _ZERO)),
    _J.TrajectoryExtended: (
        WorkKind.COACHING_EXTENDED,
        lambda e: (e.planned_end.isoformat(), _ZERO),
    ),
    _J.JobCoachingCompleted: (WorkKind.COACHING_COMPLETED, lambda e: (e.outcome.value, _ZERO)),
}

_TOPICS: dict[str, bool] = {}


def has_rows(topic: str) -> bool:
    """Whether events of this stored topic make a row (others are not decoded)."""
    known = _TOPICS.get(topic)
    if known is None:
        known = _TOPICS[topic] = resolve_topic(topic) in _READ
    return known


#: How :func:`work_row_of` finds a row's resident: the stream's own, a registration's (which
#: also gives the municipality), a start of job coaching's (which names the resident), or that
#: of a job coaching's other events (looked up).
_OWN, _REGISTRATION, _START, _COACHING = range(4)
#: Per event class: the row's kind as text, how its resident is found, and its value and amount.
_PLANS: dict[type, tuple[str, int, Callable[[Any], tuple[str, Decimal]]]] = {
    cls: (
        kind.value,
        _REGISTRATION
        if kind is WorkKind.REGISTERED
        else _START
        if kind is WorkKind.COACHING_STARTED
        else _COACHING
        if kind.startswith("coaching_")
        else _OWN,
        fields,
    )
    for cls, (kind, fields) in _READ.items()
}
#: Makes a WorkRow from a tuple of its fields without the named tuple's own (Python) __new__.
_new_row = tuple.__new__


def work_row_of(event: Any, municipality_of: dict[str, str], position: int) -> WorkRow | None:
    """The row of one event (None: the working day does not need it).

    ``municipality_of`` maps resident ids to municipalities and, under ``"resident-of:"`` keys,
    coaching ids to their residents; registrations and starts of job coaching add to it.
    """
    plan = _PLANS.get(type(event))
    if plan is None:
        return None
    kind, finding, fields = plan
    stream_id = event.originator_id.hex
    assignee = ""
    if finding == _OWN:
        resident_id = stream_id
    elif finding == _COACHING:
        resident_id = municipality_of.get(f"resident-of:{stream_id}", "")
    elif finding == _REGISTRATION:
        municipality_of[stream_id] = canonical_form(event.municipality)
        resident_id = stream_id
    else:
        resident_id = event.resident_id.hex
        municipality_of[f"resident-of:{stream_id}"] = resident_id
        assignee = event.job_coach_id
    value, amount = fields(event)
    # tuple.__new__ spares the named tuple's own __new__, a Python call per row.
    row: WorkRow = _new_row(
        WorkRow,
        (
            position,
            municipality_of.get(resident_id, ""),
            resident_id,
            stream_id,
            kind,
            event.occurred_on,
            event.actor_id,
            value,
            amount,
            assignee,
        ),
    )
    return row


def rows_of_page(
    page: Sequence[Any], decode: Callable[[Any], Any], municipality_of: dict[str, str]
) -> list[WorkRow]:
    """The rows of a page of stored events (events that make none are not decoded)."""
    rows = []
    for notification in page:
        if has_rows(notification.topic):
            row = work_row_of(decode(notification), municipality_of, notification.id)
            if row is not None:
                rows.append(row)
    if all_storable(rows):  # the page at once: the usual case
        return rows
    stored = {notification.id: notification for notification in page}
    kept = []
    for row in rows:
        if storable(row):
            kept.append(row)
        else:
            logger.warning(
                "the worklist leaves out the event at position %s (stream %s): a text "
                "field holds a NUL character, which no store can keep in its view",
                row.position,
                stored[row.position].originator_id,
            )
    return kept


def storable(row: WorkRow) -> bool:
    """Whether every text of the row can be stored (PostgreSQL's text holds no NUL)."""
    return not any("\x00" in field for field in row if isinstance(field, str))


#: The text fields of a row: municipality, resident_id, stream_id, kind, actor_id, value,
#: assignee.
_TEXTS = itemgetter(1, 2, 3, 4, 6, 7, 9)


def all_storable(rows: Sequence[WorkRow]) -> bool:
    """Whether :func:`storable` holds for every row of a page: the same answer in a fraction of
    the time, by checking the page's text at once (False: some row may not be storable)."""
    try:
        return "\x00" not in "".join(chain.from_iterable(map(_TEXTS, rows)))
    except TypeError:  # a field that is not text: ask row by row
        return False
