"""Job coaching the Noordoostpolder/Urk way (Werkcorporatie), recorded through the public API.

Twenty-four residents on social assistance are placed in paid work in the first half of 2019. At
the wage value assessment about half of them turn out to need job coaching, which a recognised
provider's HBO-qualified job coach then gives: about an hour a week on average, more in the first
year and less later, mostly with the employee and sometimes with colleagues or the manager, with
an evaluation every six months. Most coaching ends within two years with the employer taking over
or the employee working independently; a few are extended by a year; one placement ends (the
employee comes back to the coaches) and one workplace turns out not to fit.

Deterministic: a fixed seed gives the same events every run (with new random resident ids).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from participatie import (
    Actor,
    Benefit,
    CoachingOutcome,
    Counterpart,
    ExtensionReason,
    Goal,
    JobCoach,
    OutflowReason,
    Participation,
    PlacementEndReason,
    PlacementKind,
    Provider,
    Referral,
    Role,
)

__all__ = ["MUNICIPALITY", "RESIDENTS", "CoachingYear", "record_noordoostpolder"]

MUNICIPALITY = "noordoostpolder"
RESIDENTS = 24

#: What becomes of each resident who needs job coaching (twelve of the twenty-four).
COACHING_ENDINGS: tuple[tuple[CoachingOutcome, bool], ...] = (
    # (outcome, extended by a year first)
    *((CoachingOutcome.HANDED_OVER_TO_EMPLOYER, False),) * 5,
    *((CoachingOutcome.INDEPENDENT, False),) * 3,
    *((CoachingOutcome.HANDED_OVER_TO_EMPLOYER, True),) * 2,
    (CoachingOutcome.NOT_A_FIT, False),
    (CoachingOutcome.PLACEMENT_ENDED, False),
)

COACH = Actor("klantmanager-nop-1", Role.COACH, municipality=MUNICIPALITY)
BROKER = Actor("werkmakelaar-nop-1", Role.JOB_BROKER)
ASSESSOR = Actor("loonwaarde-expert-1", Role.WAGE_VALUE_ASSESSOR)
COORDINATOR = Actor("coordinator-werkcorporatie-1", Role.COORDINATOR)
PROVIDER = Provider("Jobcoach Noordoostpolder", recognised=True)
JOB_COACHES = (JobCoach("jobcoach-1", hbo_degree=True), JobCoach("jobcoach-2", hbo_degree=True))
EMPLOYERS = (
    "Akkerbouwbedrijf Ens",
    "Visverwerking Urk",
    "Bouwbedrijf Emmeloord",
    "Groothandel Marknesse",
    "Scheepswerf Urk",
    "Zorginstelling Luttelgeest",
)
#: Coaching hours a month by coaching year: tapering as the employer takes over.
HOURS_PER_MONTH = {1: Decimal("5.5"), 2: Decimal("3.5"), 3: Decimal(2)}


@attrs.frozen
class CoachingYear:
    """What the demo recorded: residents, their coaching ids, and the events."""

    resident_ids: tuple[UUID, ...]
    coaching_ids: tuple[UUID, ...]
    events: int


def _months(start: date, end: date) -> list[date]:
    """The 25th of each month after ``start`` and before ``end``."""
    days = []
    month = date(start.year, start.month, 25)
    while month < end:
        if month > start:
            days.append(month)
        month = (month + timedelta(days=32)).replace(day=25)
    return days


def _coach(
    app: Participation,
    rng: random.Random,
    *,
    rid: UUID,
    cid: UUID,
    job_coach_id: str,
    started: date,
    ending: tuple[CoachingOutcome, bool],
) -> int:
    """Log hours and evaluations for one coaching until its ending; return the events made."""
    outcome, extended = ending
    # The job coach assigned at the start logs the hours and holds the evaluations.
    job_coach = Actor(job_coach_id, Role.JOB_COACH)
    years = 3 if extended else 2
    if outcome is CoachingOutcome.NOT_A_FIT:
        months = rng.randint(10, 14)
    elif outcome is CoachingOutcome.PLACEMENT_ENDED:
        months = rng.randint(6, 9)
    else:
        months = rng.randint(12 * years - 8, 12 * years - 1)
    end = started + timedelta(days=int(months * 30.4))
    events = 0
    for day in _months(started, end):
        year = 1 + (day - started).days // 365
        hours = HOURS_PER_MONTH[min(year, 3)] + Decimal(rng.choice((-1, 0, 0, 1))) / 2
        counterpart = rng.choice(
            (Counterpart.EMPLOYEE,) * 6 + (Counterpart.COLLEAGUES, Counterpart.MANAGER)
        )
        app.log_coaching_hours(cid, hours=hours, counterpart=counterpart, on=day, by=job_coach)
        events += 1
        if (day.month - started.month) % 6 == 0:
            app.evaluate_job_coaching(cid, on=day, by=job_coach)
            events += 1
        if extended and year == 2 and (day.month - started.month) % 12 == 11:
            app.extend_job_coaching(
                cid, reason=ExtensionReason.EMPLOYER_TAKEOVER_PENDING, on=day, by=COORDINATOR
            )
            extended = False
            events += 1
    if outcome is CoachingOutcome.PLACEMENT_ENDED:
        # The employee lost the job and comes back to the coaches (re-inflow).
        app.reopen_trajectory(rid, on=end, by=COACH)
        app.end_placement(rid, reason=PlacementEndReason.DISMISSED, on=end, by=COACH)
        events += 2
    app.complete_job_coaching(cid, outcome=outcome, on=end, by=COORDINATOR)
    return events + 1


def record_noordoostpolder(
    app: Participation, *, seed: int = 8300, progress: Callable[[int], None] | None = None
) -> CoachingYear:
    """Record the Werkcorporatie's placements and job coaching into ``app``.

    ``progress`` is called with 1 after each resident's story.
    """
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    needs = [True] * len(COACHING_ENDINGS) + [False] * (RESIDENTS - len(COACHING_ENDINGS))
    rng.shuffle(needs)
    endings = iter(COACHING_ENDINGS)
    resident_ids: list[UUID] = []
    coaching_ids: list[UUID] = []
    events = 0
    for number, needs_coaching in enumerate(needs, start=1):
        registered = date(2019, 1, 7) + timedelta(days=rng.randint(0, 150))
        rid = app.register_resident(
            referral=Referral.MUNICIPALITY,
            benefit=Benefit.SOCIAL_ASSISTANCE,
            municipality=MUNICIPALITY,
            name=f"Werknemer {number:02d}",
            on=registered,
            by=COACH,
        )
        resident_ids.append(rid)
        app.hold_intake(rid, goal=Goal.WORK, happiness=rng.randint(4, 7), on=registered, by=COACH)
        requested = registered + timedelta(days=rng.randint(7, 21))
        app.request_job_broker(rid, on=requested, by=COACH)
        placed = requested + timedelta(days=rng.randint(14, 42))
        app.place(
            rid,
            employer=rng.choice(EMPLOYERS),
            kind=PlacementKind.PAID_WORK,
            hours_per_week=rng.choice((16, 20, 24, 32, 36)),
            contract_months=rng.choice((12, None)),
            on=placed,
            by=BROKER,
        )
        assessed = placed + timedelta(days=rng.randint(14, 28))
        percent = rng.randint(35, 70) if needs_coaching else rng.randint(65, 90)
        app.assess_wage_value(
            rid, percent=percent, needs_job_coaching=needs_coaching, on=assessed, by=ASSESSOR
        )
        app.close_trajectory(rid, reason=OutflowReason.WORK, on=assessed, by=COACH)
        events += 6
        if needs_coaching:
            started = assessed + timedelta(days=7)
            job_coach = JOB_COACHES[number % len(JOB_COACHES)]
            cid = app.start_job_coaching(
                rid,
                provider=PROVIDER,
                coach=job_coach,
                on=started,
                by=COORDINATOR,
            )
            coaching_ids.append(cid)
            events += 1 + _coach(
                app,
                rng,
                rid=rid,
                cid=cid,
                job_coach_id=job_coach.id,
                started=started,
                ending=next(endings),
            )
        if progress is not None:
            progress(1)
    return CoachingYear(
        resident_ids=tuple(resident_ids), coaching_ids=tuple(coaching_ids), events=events
    )
