"""The caseload and the signals equal a brute-force computation by replay: for random command
histories (refused commands and business dates out of order included) and random days, each
resident's and each job coaching's events dated on or before the day are replayed in stream
order, and the caseload entry and the signals are computed from the aggregates so made."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from participatie import (
    DEFAULT_POLICY,
    Actor,
    JobCoachingTrajectory,
    Participation,
    ResidentTrajectory,
    Role,
    SignalKind,
    TrajectoryStatus,
)
from participatie.audit.history import replay, selected
from participatie.domain.job_coaching import coaching_year
from participatie.domain.retention import file_retention
from participatie.projections.periods import add_months
from participatie.testing import strategies as pst
from participatie.testing.commands import run_commands
from tests.support import TEST_SECRET

EVERYWHERE = Actor("coach-0", Role.COACH)
R, J = ResidentTrajectory, JobCoachingTrajectory
P = DEFAULT_POLICY


def replayed(events: list[Any], day: date) -> tuple[Any, list[Any]]:
    """The aggregate as of ``day`` (None before its creation) and the events replayed, by the
    replay ``as_of`` reads use (versions left out are gaps)."""
    chosen = selected(events, as_of=day, known_at=None)
    aggregate = replay(chosen)
    return aggregate, chosen if aggregate is not None else []


def expected_entry(r: Any, chosen: list[Any]) -> dict[str, object]:
    conversations = [e for e in chosen if isinstance(e, R.ConversationHeld)]
    intakes = [e for e in chosen if isinstance(e, R.IntakeHeld)]
    coach = (conversations or intakes or [None])[-1]
    return {
        "resident_id": str(r.id),
        "municipality": r.municipality.strip().casefold(),
        "status": r.status.value,
        "goal": None if r.goal is None else r.goal.value,
        "registered_on": r.registered_on.isoformat(),
        "last_conversation_on": (
            conversations[-1].occurred_on.isoformat() if conversations else None
        ),
        "placement_kind": None if r.placement is None else r.placement.kind.value,
        "activities": [a.value for a in r.activities],
        "coach_id": None if coach is None else coach.actor_id,
    }


def resident_signals(  # type: ignore[no-untyped-def]
    app: Participation, r: Any, chosen: list[Any], day: date, coachings: list[Any]
):
    found = set()
    if r.status is TrajectoryStatus.OPEN:
        last = day.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
        before, _ = replayed(app.events(r.id), first - timedelta(days=1))
        throughout = (
            before is not None
            and before.status is TrajectoryStatus.OPEN
            and not any(
                isinstance(e, R.TrajectoryClosed) and first <= e.occurred_on <= last for e in chosen
            )
        )
        held = sum(
            1
            for e in chosen
            if isinstance(e, R.ConversationHeld) and first <= e.occurred_on <= last
        )
        if throughout and held < P.conversations_per_month:
            found.add((SignalKind.CONVERSATION_OVERDUE, r.id, last + timedelta(days=1)))
        due = r.registered_on + timedelta(days=P.intake_within_days)
        if r.intake_on is None and due <= day:
            found.add((SignalKind.INTAKE_PENDING, r.id, due))
        if r.job_broker_requested_on is not None:
            due = r.job_broker_requested_on + timedelta(weeks=P.job_broker_request_weeks)
            if due <= day:
                found.add((SignalKind.JOB_BROKER_REQUEST_OPEN, r.id, due))
    elif not r.personal_data_erased and r.closed_on is not None:
        retention = file_retention(
            statutory=r.involved_statutory_decision(has_job_coaching=bool(coachings)),
            closed_on=r.closed_on,
            coaching_ended_on=max(
                (c.completed_on for c in coachings if c.completed_on is not None), default=None
            ),
            coaching_running=any(c.completed_on is None for c in coachings),
            table=P.retention_table,
        )
        if retention.due_on(day):
            assert retention.archive_action_date is not None
            found.add((SignalKind.RETENTION_DUE, r.id, retention.archive_action_date))
    return found


def coaching_signals(c: Any, chosen: list[Any], day: date):  # type: ignore[no-untyped-def]
    found: set[tuple[SignalKind, UUID, date]] = set()
    if c.completed_outcome is not None or not c.started_on <= day < c.planned_end:
        return found
    evaluated = c.evaluations[-1] if c.evaluations else c.started_on
    due = add_months(evaluated, P.evaluation_months)
    if due <= day:
        found.add((SignalKind.EVALUATION_OVERDUE, c.id, due))
    due = add_months(c.planned_end, -P.coaching_ending_months)
    if not c.extended and due <= day:
        found.add((SignalKind.COACHING_ENDING, c.id, due))
    year = coaching_year(c.started_on, day)
    near = c.cap(coaching_year=year, policy=P) * P.hours_cap_near_percent / 100
    total = Decimal(0)
    for e in chosen:
        if isinstance(e, J.CoachingHoursLogged) and e.coaching_year == year:
            total += e.hours
            if total >= near:
                found.add((SignalKind.HOURS_CAP_NEAR, c.id, e.occurred_on))
                break
    return found


@given(
    commands=pst.command_sequences(min_size=3, max_size=30),
    days=st.lists(pst.business_dates(), min_size=1, max_size=3),
)
def test_caseload_and_signals_equal_replay(commands: list[Any], days: list[date]) -> None:
    with Participation.open("memory://", secret=TEST_SECRET) as app:
        ids = run_commands(app, commands).ids
        for day in days:
            entries: dict[str, dict[str, object]] = {}
            expected: set[tuple[SignalKind, UUID, date]] = set()
            coached: dict[UUID, list[Any]] = {}
            for cid in ids.coachings:
                c, chosen = replayed(app.events(cid), day)
                if c is not None:
                    coached.setdefault(c.resident_id, []).append(c)
                    expected |= coaching_signals(c, chosen, day)
            for rid in ids.residents:
                r, chosen = replayed(app.events(rid), day)
                if r is not None:
                    entries[str(rid)] = expected_entry(r, chosen)
                    expected |= resident_signals(app, r, chosen, day, coached.get(r.id, []))
            page = app.caseload(by=EVERYWHERE, status=None, as_of=day, limit=1000)
            assert {e["resident_id"]: e for e in (x.as_dict() for x in page.entries)} == entries
            assert [e.resident_id for e in page.entries] == sorted(
                (e.resident_id for e in page.entries), key=lambda u: u.hex
            )
            found = {
                (s.kind, s.resident_id or s.coaching_id, s.since)
                for s in app.signals(by=EVERYWHERE, on=day)
            }
            assert found == expected
