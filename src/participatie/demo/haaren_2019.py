"""The first year of "Participatie Werkt! in Haaren" (2019), recorded through the public API.

Fifty residents came in during 2019 through all three referral channels, with and without a
benefit (the target was thirty). Coaches talked with each of them at least twice a month and took
them on workplace visits and shadow days; residents who were ready went to the job broker. By the
end of the year 23 had flowed out to work, 5 to volunteer work and 2 had moved to another
municipality; the other 20 were still coached, several of them following a language course.

The story is generated from a fixed seed, so every run records the same events (with new random
resident ids). Run it with ``participatie demo`` or ``python examples/haaren_2019.py``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import partial
from uuid import UUID

import attrs

from participatie import (
    Activity,
    Actor,
    Benefit,
    Goal,
    OutflowReason,
    Participation,
    PlacementKind,
    Referral,
    Role,
    VisitKind,
)

__all__ = ["MUNICIPALITY", "OUTCOMES", "TARGET", "YEAR_END", "HaarenYear", "record_haaren_2019"]

MUNICIPALITY = "haaren"
TARGET = 30
YEAR_END = date(2019, 12, 31)

#: How the fifty trajectories end in 2019: outflow reason, or None for still coached.
OUTCOMES: tuple[OutflowReason | None, ...] = (
    (OutflowReason.WORK,) * 23
    + (OutflowReason.VOLUNTEER_WORK,) * 5
    + (OutflowReason.MOVED_AWAY,) * 2
    + (None,) * 20
)
#: Of the twenty still coached, this many follow a language course at the end of the year.
LANGUAGE_COURSES_RUNNING = 6

COACHES = (
    Actor("coach-haaren-1", Role.COACH, municipality=MUNICIPALITY),
    Actor("coach-haaren-2", Role.COACH, municipality=MUNICIPALITY),
)
BROKER = Actor("werkmakelaar-wsd-1", Role.JOB_BROKER)
EMPLOYERS = (
    "Tuinderij de Es",
    "Basisschool De Regenboog",
    "Bakkerij Van Gils",
    "Hoveniersbedrijf Haaren",
    "Zorgcentrum De Wilg",
    "Supermarkt Esch",
    "Fietsenmaker Helvoirt",
    "Installatiebedrijf Biezenmortel",
)
VOLUNTEER_PLACES = ("Kringloopwinkel Haaren", "Dorpshuis De Kentering", "Zorgboerderij 't Hof")
VISIT_PLACES = ("Zorgboerderij 't Hof", "Tuinderij de Es", "Zorgcentrum De Wilg", "Dorpshuis")


@attrs.frozen
class HaarenYear:
    """What the demo recorded: the residents' ids and their planned outcomes."""

    resident_ids: tuple[UUID, ...]
    outcomes: tuple[OutflowReason | None, ...]
    events: int


def _valid_bsn(rng: random.Random) -> str:
    """A random nine-digit number that passes the eleven-test (demo data, no real person)."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        partial = sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        check = partial % 11
        if check <= 9 and (partial - check) != 0:
            return "".join(map(str, digits)) + str(check)


def _twice_a_month(rng: random.Random, start: date, end: date) -> Iterator[date]:
    """Two conversation dates in every month from ``start`` to ``end``, never outside them."""
    month = date(start.year, start.month, 1)
    while month <= end:
        for day in (rng.randint(2, 13), rng.randint(16, 27)):
            moment = month.replace(day=day)
            if start < moment <= end:
                yield moment
        month = (month + timedelta(days=32)).replace(day=1)


Step = tuple[date, Callable[[], object]]


@attrs.define
class _Story:
    """One resident's year: the commands to issue, in business-date order."""

    app: Participation
    rng: random.Random
    rid: UUID
    coach: Actor
    intake: date
    end: date

    def conversations(self, happiness: int) -> list[Step]:
        steps: list[Step] = []
        for day in _twice_a_month(self.rng, self.intake, self.end):
            happiness = max(1, min(10, happiness + self.rng.choice((-1, 0, 1, 1))))
            conversation = partial(
                self.app.record_conversation, self.rid, happiness=happiness, on=day, by=self.coach
            )
            steps.append((day, conversation))
        return steps

    def visits(self) -> list[Step]:
        steps: list[Step] = []
        for _ in range(self.rng.randint(1, 3)):
            day = self.intake + timedelta(
                days=self.rng.randint(1, (self.end - self.intake).days - 1)
            )
            visit = partial(
                self.app.visit_workplace,
                self.rid,
                organisation=self.rng.choice(VISIT_PLACES),
                kind=self.rng.choice(list(VisitKind)),
                on=day,
                by=self.coach,
            )
            steps.append((day, visit))
        return steps

    def language_course(self) -> list[Step]:
        day = min(self.intake + timedelta(days=self.rng.randint(7, 60)), YEAR_END)
        course = partial(
            self.app.start_activity,
            self.rid,
            activity=Activity.LANGUAGE_COURSE,
            on=day,
            by=self.coach,
        )
        return [(day, course)]

    def placement(self, kind: PlacementKind) -> list[Step]:
        placed_on = max(self.end - timedelta(days=self.rng.randint(14, 45)), self.intake)
        if kind is PlacementKind.VOLUNTEER_WORK:
            placement = partial(
                self.app.place,
                self.rid,
                employer=self.rng.choice(VOLUNTEER_PLACES),
                kind=kind,
                hours_per_week=8,
                on=placed_on,
                by=self.coach,
            )
            return [(placed_on, placement)]
        requested_on = max(self.intake, placed_on - timedelta(days=30))
        request = partial(self.app.request_job_broker, self.rid, on=requested_on, by=self.coach)
        placement = partial(
            self.app.place,
            self.rid,
            employer=self.rng.choice(EMPLOYERS),
            kind=kind,
            hours_per_week=self.rng.choice((12, 16, 20, 24, 32)),
            contract_months=self.rng.choice((6, 12)),
            on=placed_on,
            by=BROKER,
        )
        return [(requested_on, request), (placed_on, placement)]


def record_haaren_2019(
    app: Participation, *, seed: int = 2019, progress: Callable[[int], None] | None = None
) -> HaarenYear:
    """Record the Haaren year into ``app`` (an empty store is expected) and return what was made.

    ``progress`` is called with 1 after each resident's story.
    """
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    outcomes = list(OUTCOMES)
    rng.shuffle(outcomes)
    courses_left = LANGUAGE_COURSES_RUNNING
    resident_ids: list[UUID] = []
    events = 0
    for number, outcome in enumerate(outcomes, start=1):
        coach = COACHES[number % len(COACHES)]
        registered = date(2019, 1, 2) + timedelta(days=rng.randint(0, 240))
        rid = app.register_resident(
            referral=list(Referral)[number % len(Referral)],
            benefit=list(Benefit)[(number // 3) % len(Benefit)],
            municipality=MUNICIPALITY,
            bsn=_valid_bsn(rng),
            name=f"Inwoner {number:02d}",
            on=registered,
            by=coach,
        )
        resident_ids.append(rid)
        intake = registered + timedelta(days=rng.randint(0, 6))
        goal = Goal.VOLUNTEER_WORK if outcome is OutflowReason.VOLUNTEER_WORK else Goal.WORK
        if outcome is None and rng.random() < 0.3:
            goal = Goal.MEANINGFUL_DAY
        happiness = rng.randint(3, 6)
        app.hold_intake(rid, goal=goal, happiness=happiness, on=intake, by=coach)

        # When the trajectory ends (or the year does), and the steps on the way there.
        if outcome is None:
            end = YEAR_END
        elif outcome is OutflowReason.MOVED_AWAY:
            end = min(intake + timedelta(days=rng.randint(30, 150)), YEAR_END)
        else:
            end = min(intake + timedelta(days=rng.randint(90, 270)), YEAR_END)
        story = _Story(app=app, rng=rng, rid=rid, coach=coach, intake=intake, end=end)
        steps = story.conversations(happiness) + story.visits()
        if outcome is None and courses_left > 0:
            courses_left -= 1
            steps += story.language_course()
        if outcome is OutflowReason.WORK:
            steps += story.placement(PlacementKind.PAID_WORK)
        elif outcome is OutflowReason.VOLUNTEER_WORK:
            steps += story.placement(PlacementKind.VOLUNTEER_WORK)
        # A stable sort: a request and its placement on one day stay in that order.
        steps.sort(key=lambda step: step[0])
        for _, step in steps:
            step()
        if outcome is not None:
            app.close_trajectory(rid, reason=outcome, on=end, by=coach)
        events += 2 + len(steps) + (outcome is not None)
        if progress is not None:
            progress(1)
    return HaarenYear(resident_ids=tuple(resident_ids), outcomes=tuple(outcomes), events=events)
