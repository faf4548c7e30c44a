"""The worklist's signals: what needs a coach's attention on a day, from the folded rows.

Every signal is computed from the state as of the day ``on`` (events whose business date is on
or before it, in stream order), with the thresholds of the application's
:class:`~participatie.domain.policy.Policy`. A signal shows from its ``since`` day on (that day
included) while its condition lasts:

=========================  ========================================================================
kind                       signalled on ``on`` when, and ``since``
=========================  ========================================================================
conversation_overdue       the trajectory was open throughout the last whole calendar month before
                           ``on`` and is open on ``on``, and that month had fewer than
                           ``conversations_per_month`` conversations (the intake is not one); since
                           the first day of ``on``'s month
intake_pending             open, no intake, and ``intake_within_days`` days have passed since
                           registration; since registration plus those days
job_broker_request_open    a request open ``job_broker_request_weeks`` weeks; since the request plus
                           those weeks
evaluation_overdue         job coaching running (started, not completed, before its planned end)
                           whose last evaluation (or start) is ``evaluation_months`` months ago;
                           since then
coaching_ending            job coaching running, not extended, within ``coaching_ending_months``
                           months of its planned end; since the planned end minus those months
hours_cap_near             job coaching running that used ``hours_cap_near_percent`` % of the cap of
                           the coaching year ``on`` falls in; since the logging that reached it
retention_due              closed, not erased, and past its retention (the rule of
                           :meth:`participatie.Participation.retention_due`); since the archive
                           action date of the file's class in the policy's ``retention_table``
                           (its end, the closure or a later end of job coaching, plus the years)
=========================  ========================================================================
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from participatie.domain.job_coaching import WEEKS_PER_YEAR, coaching_year
from participatie.domain.policy import Policy
from participatie.domain.retention import file_retention, involved_statutory_decision
from participatie.domain.values import Benefit, TrajectoryStatus
from participatie.projections.caseload import CoachingState, ResidentState
from participatie.projections.periods import add_months

__all__ = ["Signal", "SignalKind", "coaching_signals", "resident_signals"]


class SignalKind(enum.Enum):
    """What a signal is about (see :mod:`participatie.projections.signals`)."""

    CONVERSATION_OVERDUE = "conversation_overdue"
    INTAKE_PENDING = "intake_pending"
    JOB_BROKER_REQUEST_OPEN = "job_broker_request_open"
    EVALUATION_OVERDUE = "evaluation_overdue"
    COACHING_ENDING = "coaching_ending"
    HOURS_CAP_NEAR = "hours_cap_near"
    RETENTION_DUE = "retention_due"


@attrs.frozen
class Signal:
    """One item of the worklist: its kind, the resident or the job coaching it is about (the
    other id is None), the day it has shown since, and a line saying why."""

    kind: SignalKind
    resident_id: UUID | None
    coaching_id: UUID | None
    since: date
    detail: str

    def as_dict(self) -> dict[str, object]:
        """The signal in JSON's types."""
        return {
            "kind": self.kind.value,
            "resident_id": None if self.resident_id is None else str(self.resident_id),
            "coaching_id": None if self.coaching_id is None else str(self.coaching_id),
            "since": self.since.isoformat(),
            "detail": self.detail,
        }


def _open_on(state: ResidentState, day: date) -> bool:
    """Whether the trajectory was open at the end of ``day`` (closures and reopenings in stream
    order, those dated after ``day`` left out)."""
    if state.registered_on > day:
        return False
    is_open = True
    for when, closed in state.openings:
        if when <= day:
            is_open = not closed
    return is_open


def _last_whole_month(on: date) -> tuple[date, date]:
    last = on.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def resident_signals(
    state: ResidentState,
    *,
    on: date,
    policy: Policy,
    has_job_coaching: bool,
    coaching_ended_on: date | None = None,
    coaching_running: bool = False,
) -> list[Signal]:
    """The signals of one resident on ``on`` (``state`` folded as of ``on``)."""
    rid = UUID(state.resident_id)
    signals = []
    is_open = state.status is TrajectoryStatus.OPEN
    if is_open:
        first, last = _last_whole_month(on)
        throughout = _open_on(state, first - timedelta(days=1)) and not any(
            closed and first <= when <= last for when, closed in state.openings
        )
        if throughout:
            held = sum(1 for day in state.conversations if first <= day <= last)
            if held < policy.conversations_per_month:
                signals.append(
                    Signal(
                        SignalKind.CONVERSATION_OVERDUE,
                        rid,
                        None,
                        last + timedelta(days=1),
                        f"{held} conversation(s) in {first:%Y-%m}, "
                        f"{policy.conversations_per_month} expected",
                    )
                )
        if state.intake_on is None:
            due = state.registered_on + timedelta(days=policy.intake_within_days)
            if due <= on:
                signals.append(
                    Signal(
                        SignalKind.INTAKE_PENDING,
                        rid,
                        None,
                        due,
                        f"registered on {state.registered_on}, no intake yet",
                    )
                )
        requested = state.job_broker_requested_on
        if requested is not None:
            due = requested + timedelta(weeks=policy.job_broker_request_weeks)
            if due <= on:
                signals.append(
                    Signal(
                        SignalKind.JOB_BROKER_REQUEST_OPEN,
                        rid,
                        None,
                        due,
                        f"job broker request open since {requested}",
                    )
                )
    elif not state.erased and state.closed_on is not None:
        # The rule of retention_due(): the file's class in the policy's retention table, and
        # the file's end (its closure, or the end of its last job coaching if later).
        retention = file_retention(
            statutory=involved_statutory_decision(
                benefit=Benefit(state.benefit),
                wage_value_assessed=state.wage_value_assessed,
                job_coaching=has_job_coaching,
            ),
            closed_on=state.closed_on,
            coaching_ended_on=coaching_ended_on,
            coaching_running=coaching_running,
            table=policy.retention_table,
        )
        action = retention.archive_action_date
        if action is not None and retention.due_on(on):
            signals.append(
                Signal(
                    SignalKind.RETENTION_DUE,
                    rid,
                    None,
                    action,
                    f"closed on {state.closed_on}; {retention.reason}",
                )
            )
    return signals


def coaching_signals(state: CoachingState, *, on: date, policy: Policy) -> list[Signal]:
    """The signals of one job coaching on ``on`` (``state`` folded as of ``on``)."""
    if state.completed or not state.started_on <= on < state.planned_end:
        return []
    cid = UUID(state.coaching_id)
    signals = []
    evaluated = state.last_evaluation_on or state.started_on
    due = add_months(evaluated, policy.evaluation_months)
    if due <= on:
        what = "last evaluation" if state.last_evaluation_on else "no evaluation since the start"
        signals.append(
            Signal(SignalKind.EVALUATION_OVERDUE, None, cid, due, f"{what} on {evaluated}")
        )
    if not state.extended:
        due = add_months(state.planned_end, -policy.coaching_ending_months)
        if due <= on:
            signals.append(
                Signal(
                    SignalKind.COACHING_ENDING,
                    None,
                    cid,
                    due,
                    f"planned to end on {state.planned_end}, not extended",
                )
            )
    year = coaching_year(state.started_on, on)
    cap = state.hours_per_week * WEEKS_PER_YEAR * policy.cap_percent(coaching_year=year) / 100
    near = cap * policy.hours_cap_near_percent / 100
    reached = _first_reaching(state.loggings.get(year, ()), near)
    if reached is not None:
        used = state.hours_by_year.get(year, Decimal(0))
        signals.append(
            Signal(
                SignalKind.HOURS_CAP_NEAR,
                None,
                cid,
                reached,
                f"{used} of {cap:.2f} hours used in coaching year {year}",
            )
        )
    return signals


def _first_reaching(loggings: Iterable[tuple[date, Decimal]], near: Decimal) -> date | None:
    """The business date of the logging whose running total first reached ``near``."""
    for day, total in loggings:
        if total >= near:
            return day
    return None
