"""Hypothesis strategies for property-testing trajectory rules and policies.

In the style of hypothesis and ``xarray.testing.strategies``: plural names, keyword-only options,
each returns a ``SearchStrategy`` to compose. Commands are plain frozen values (see
:mod:`participatie.testing.commands`), so a shrunk failing example reads as a short script.

>>> from hypothesis import given
>>> from participatie.testing import strategies as pst
>>> @given(pst.bsns())
... def test_every_generated_bsn_is_valid(bsn):
...     assert is_valid_bsn(bsn)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from participatie.application import Participation
from participatie.domain.bsn import is_valid_bsn
from participatie.domain.dates import add_years
from participatie.domain.job_coaching import coaching_year
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    CoachingOutcome,
    ExtensionReason,
    Goal,
    OutflowReason,
    PlacementEndReason,
    PlacementKind,
    Referral,
    Role,
    VisitKind,
)
from participatie.testing import commands as c

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "actors",
    "bsns",
    "business_dates",
    "command_sequences",
    "happiness_scores",
    "invalid_bsns",
    "job_coaching_commands",
    "policies",
    "registrations",
    "resident_commands",
    "trajectories",
]

#: Generated business dates lie between these days (all in the past, so never refused as future).
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2025, 12, 31)
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def bsns() -> st.SearchStrategy[str]:
    """Nine-digit numbers that pass the eleven-test."""

    def complete(digits: list[int]) -> str | None:
        partial = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
        check = partial % 11
        if check > 9 or partial - check == 0:
            return None
        return "".join(map(str, digits)) + str(check)

    return (
        st.lists(st.integers(0, 9), min_size=8, max_size=8)
        .map(complete)
        .filter(lambda bsn: bsn is not None)
        .map(str)
    )


def invalid_bsns() -> st.SearchStrategy[object]:
    """Values that are no BSN: failing the eleven-test, the wrong length, not digits, not text."""
    nine_digits = st.text("0123456789", min_size=9, max_size=9)
    return st.one_of(
        nine_digits.filter(lambda text: not is_valid_bsn(text)),
        st.text("0123456789", max_size=12).filter(lambda text: len(text) != 9),
        st.text(min_size=9, max_size=9).filter(lambda text: not text.isdigit()),
        st.integers(),
        st.none(),
    )


def actors(*, roles: Sequence[Role] = tuple(Role)) -> st.SearchStrategy[Actor]:
    """Actors with one of ``roles``, with or without a municipality."""
    return st.builds(
        Actor,
        id=st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
        role=st.sampled_from(list(roles)),
        municipality=st.one_of(st.none(), st.sampled_from(["haaren", "noordoostpolder", "urk"])),
    )


def policies() -> st.SearchStrategy[Policy]:
    """Valid policies: caps, minimums and years a municipality could choose."""
    percent = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(30), places=1)
    return st.builds(
        lambda version, caps, months, hours, years, extension: attrs.evolve(
            DEFAULT_POLICY,
            version=version,
            coaching_hours_caps=tuple(caps),
            min_contract_months=months,
            min_hours_per_week=hours,
            coaching_years=years,
            extension_years=extension,
            max_coaching_years=max(3, years + extension),
        ),
        st.text("abcdefghij-0123456789", min_size=1, max_size=12),
        st.lists(percent, min_size=1, max_size=4),
        st.integers(1, 12),
        st.integers(1, 24),
        st.integers(1, 3),
        st.integers(0, 2),
    )


def business_dates(
    *, min_value: date = FIRST_DAY, max_value: date = LAST_DAY
) -> st.SearchStrategy[date]:
    """Calendar days between ``min_value`` and ``max_value`` (29 February included)."""
    return st.dates(min_value=min_value, max_value=max_value)


def happiness_scores() -> st.SearchStrategy[int]:
    """Valid sense-of-happiness scores: 1 to 10."""
    return st.integers(1, 10)


def registrations(*, with_bsn: bool = False) -> st.SearchStrategy[c.Register]:
    """Registration commands through any channel, with any benefit."""
    return st.builds(
        c.Register,
        on=business_dates(),
        referral=st.sampled_from(list(Referral)),
        benefit=st.sampled_from(list(Benefit)),
        municipality=st.sampled_from(["haaren", "noordoostpolder"]),
        bsn=bsns() if with_bsn else st.none(),
    )


def resident_commands(*, residents: int = 3) -> st.SearchStrategy[c.Command]:
    """Any resident command on one of the first ``residents`` residents: valid or not."""
    who = st.integers(0, residents - 1)
    day = business_dates()
    return st.one_of(
        st.builds(
            c.HoldIntake,
            resident=who,
            on=day,
            goal=st.sampled_from(list(Goal)),
            happiness=st.integers(0, 11),
        ),
        st.builds(c.RecordConversation, resident=who, on=day, happiness=st.integers(0, 11)),
        st.builds(c.ChangeGoal, resident=who, on=day, goal=st.sampled_from(list(Goal))),
        st.builds(c.VisitWorkplace, resident=who, on=day, kind=st.sampled_from(list(VisitKind))),
        st.builds(c.StartActivity, resident=who, on=day, activity=st.sampled_from(list(Activity))),
        st.builds(c.EndActivity, resident=who, on=day, activity=st.sampled_from(list(Activity))),
        st.builds(c.RequestJobBroker, resident=who, on=day),
        st.builds(c.WithdrawJobBrokerRequest, resident=who, on=day),
        st.builds(
            c.Place,
            resident=who,
            on=day,
            kind=st.sampled_from(list(PlacementKind)),
            hours_per_week=st.integers(-1, 41),
            contract_months=st.one_of(st.none(), st.integers(0, 24)),
        ),
        st.builds(
            c.EndPlacement, resident=who, on=day, reason=st.sampled_from(list(PlacementEndReason))
        ),
        st.builds(
            c.AssessWageValue,
            resident=who,
            on=day,
            percent=st.integers(-1, 101),
            needs_job_coaching=st.booleans(),
        ),
        st.builds(
            c.CloseTrajectory, resident=who, on=day, reason=st.sampled_from(list(OutflowReason))
        ),
        st.builds(c.ReopenTrajectory, resident=who, on=day),
    )


def job_coaching_commands(
    *, residents: int = 3, coachings: int = 2
) -> st.SearchStrategy[c.Command]:
    """Any job coaching command: starts for a resident, hours, evaluations, extensions, ends."""
    day = business_dates()
    which = st.integers(0, coachings - 1)
    return st.one_of(
        st.builds(c.StartJobCoaching, resident=st.integers(0, residents - 1), on=day),
        st.builds(
            c.LogCoachingHours,
            coaching=which,
            on=day,
            hours=st.decimals(min_value=Decimal(-1), max_value=Decimal(200), places=1),
        ),
        st.builds(c.EvaluateJobCoaching, coaching=which, on=day),
        st.builds(
            c.ExtendJobCoaching,
            coaching=which,
            on=day,
            reason=st.sampled_from(list(ExtensionReason)),
        ),
        st.builds(c.CompleteJobCoaching, coaching=which, on=day),
    )


@attrs.define
class _Resident:
    version: int = 1
    intake: bool = False
    open: bool = True
    placement: PlacementKind | None = None
    placement_hours: Decimal = Decimal(0)
    placement_months: int | None = None
    placement_serial: int = 0
    assessed_need: bool = False
    request_open: bool = False
    activities: set[Activity] = attrs.Factory(set)
    coached: bool = False


@attrs.define
class _Coaching:
    resident: int
    placement_serial: int
    started_on: date
    planned_end: date
    hours_per_week: Decimal
    extended: bool = False
    completed: bool = False
    hours_by_year: dict[int, Decimal] = attrs.Factory(dict)

    def may_log_an_hour(self, day: date, policy: Policy) -> bool:
        year = coaching_year(self.started_on, day)
        cap = policy.cap_percent(coaching_year=year) * self.hours_per_week * 52 / 100
        return self.hours_by_year.get(year, Decimal(0)) + 1 <= cap

    def may_extend(self, policy: Policy) -> bool:
        extended_end = add_years(self.planned_end, policy.extension_years)
        return (
            not self.extended
            and policy.extension_years > 0
            and extended_end <= add_years(self.started_on, policy.max_coaching_years)
        )


@attrs.define
class _Model:
    """What a valid sequence has done so far: just enough to choose a next valid command."""

    day: date = FIRST_DAY
    residents: list[_Resident] = attrs.Factory(list)
    coachings: list[_Coaching] = attrs.Factory(list)
    policy: Policy = attrs.field(default=DEFAULT_POLICY, eq=False)


#: Steps towards work and job coaching are drawn more often, so that sequences of a few dozen
#: commands reach placements, assessments and coaching, where most rules are.
_FORWARD = {"intake": 4, "place": 4, "assess": 8, "start_coaching": 12, "hours": 4, "extend": 2}
#: Sequences keep to a few residents, so that each of them gets somewhere.
_MAX_RESIDENTS = 4


def _choices(model: _Model) -> list[tuple[str, int]]:
    """The kinds of command the rules accept now, each with the resident or coaching it is for.

    A kind appears more than once to be drawn more often (see ``_FORWARD``).
    """
    choices: list[tuple[str, int]] = []
    if len(model.residents) < _MAX_RESIDENTS:
        choices.append(("register", -1))
    for index, resident in enumerate(model.residents):
        for kind in _resident_choices(resident, model.policy):
            choices += [(kind, index)] * _FORWARD.get(kind, 1)
    for index, coaching in enumerate(model.coachings):
        for kind in _coaching_choices(model, coaching):
            choices += [(kind, index)] * _FORWARD.get(kind, 1)
    return choices


def _resident_choices(resident: _Resident, policy: Policy) -> list[str]:
    if not resident.open:
        # A placement outlives its trajectory: the one current at closure may end.
        return ["reopen"] if resident.placement is None else ["reopen", "end_placement"]
    if not resident.intake:
        return ["intake", "close_other"]
    kinds = ["conversation", "visit", "goal", "close_other"]
    if len(resident.activities) < len(Activity):
        kinds.append("start_activity")
    if resident.activities:
        kinds.append("end_activity")
    kinds.append("withdraw" if resident.request_open else "request")
    if resident.placement is None:
        return [*kinds, "place"]
    kinds += ["end_placement", "close_placed"]
    if resident.placement is PlacementKind.PAID_WORK and not resident.assessed_need:
        kinds.append("assess")
    big_enough = resident.placement_hours >= policy.min_hours_per_week and (
        resident.placement_months is None or resident.placement_months >= policy.min_contract_months
    )
    if resident.assessed_need and not resident.coached and big_enough:
        kinds.append("start_coaching")
    return kinds


def _coaching_choices(model: _Model, coaching: _Coaching) -> list[str]:
    owner = model.residents[coaching.resident]
    if coaching.completed:
        return []
    if owner.placement is None or owner.placement_serial != coaching.placement_serial:
        return ["complete_ended"]
    kinds = ["complete"]
    if model.day < coaching.planned_end:
        kinds.append("evaluate")
        if coaching.may_log_an_hour(model.day, model.policy):
            kinds.append("hours")
        if coaching.may_extend(model.policy):
            kinds.append("extend")
    return kinds


@attrs.define
class _Step:
    """Makes one valid command of a kind and updates the model as the rules would."""

    model: _Model
    draw: Any
    index: int

    @property
    def day(self) -> date:
        return self.model.day

    @property
    def resident(self) -> _Resident:
        return self.model.residents[self.index]

    @property
    def coaching(self) -> _Coaching:
        return self.model.coachings[self.index]

    def register(self) -> c.Command:
        self.model.residents.append(_Resident())
        return c.Register(
            on=self.day,
            referral=self.draw(st.sampled_from(list(Referral))),
            benefit=self.draw(st.sampled_from(list(Benefit))),
        )

    def intake(self) -> c.Command:
        self.resident.intake = True
        return c.HoldIntake(self.index, self.day, happiness=self.draw(happiness_scores()))

    def conversation(self) -> c.Command:
        return c.RecordConversation(self.index, self.day, happiness=self.draw(happiness_scores()))

    def visit(self) -> c.Command:
        return c.VisitWorkplace(
            self.index, self.day, kind=self.draw(st.sampled_from(list(VisitKind)))
        )

    def goal(self) -> c.Command:
        return c.ChangeGoal(self.index, self.day, goal=self.draw(st.sampled_from(list(Goal))))

    def start_activity(self) -> c.Command:
        free = [a for a in Activity if a not in self.resident.activities]
        activity = self.draw(st.sampled_from(free))
        self.resident.activities.add(activity)
        return c.StartActivity(self.index, self.day, activity=activity)

    def end_activity(self) -> c.Command:
        running = sorted(self.resident.activities, key=lambda a: a.value)
        activity = self.draw(st.sampled_from(running))
        self.resident.activities.discard(activity)
        return c.EndActivity(self.index, self.day, activity=activity)

    def request(self) -> c.Command:
        self.resident.request_open = True
        return c.RequestJobBroker(self.index, self.day)

    def withdraw(self) -> c.Command:
        self.resident.request_open = False
        return c.WithdrawJobBrokerRequest(self.index, self.day)

    def place(self) -> c.Command:
        resident = self.resident
        # Paid work twice as often: it leads on to assessments and job coaching.
        kind = self.draw(st.sampled_from([PlacementKind.PAID_WORK, *PlacementKind]))
        hours = self.draw(st.sampled_from([8, 12, 20, 32, 40]))
        resident.placement, resident.placement_hours = kind, Decimal(hours)
        resident.placement_serial = resident.version + 1  # the version of the Placed event
        resident.request_open = resident.assessed_need = resident.coached = False
        months = self.draw(st.sampled_from([None, 3, 6, 12]))
        resident.placement_months = months
        return c.Place(
            self.index, self.day, kind=kind, hours_per_week=hours, contract_months=months
        )

    def end_placement(self) -> c.Command:
        self.resident.placement = None
        self.resident.placement_hours = Decimal(0)
        self.resident.placement_months = None
        self.resident.assessed_need = self.resident.coached = False
        return c.EndPlacement(self.index, self.day)

    def assess(self) -> c.Command:
        need = self.draw(st.sampled_from([True, True, False]))
        self.resident.assessed_need = need
        percent = self.draw(st.integers(0, 100))
        return c.AssessWageValue(self.index, self.day, percent=percent, needs_job_coaching=need)

    def start_coaching(self) -> c.Command:
        resident = self.resident
        resident.coached = True
        self.model.coachings.append(
            _Coaching(
                resident=self.index,
                placement_serial=resident.placement_serial,
                started_on=self.day,
                planned_end=add_years(self.day, self.model.policy.coaching_years),
                hours_per_week=resident.placement_hours,
            )
        )
        return c.StartJobCoaching(self.index, self.day)

    def _close(self, reason: OutflowReason) -> c.Command:
        resident = self.resident
        resident.open = resident.request_open = False
        resident.activities.clear()
        return c.CloseTrajectory(self.index, self.day, reason=reason)

    def close_placed(self) -> c.Command:
        paid = self.resident.placement is PlacementKind.PAID_WORK
        return self._close(OutflowReason.WORK if paid else OutflowReason.VOLUNTEER_WORK)

    def close_other(self) -> c.Command:
        others = [OutflowReason.MOVED_AWAY, OutflowReason.WITHDREW, OutflowReason.CARE]
        return self._close(self.draw(st.sampled_from(others)))

    def reopen(self) -> c.Command:
        self.resident.open = True
        return c.ReopenTrajectory(self.index, self.day)

    def hours(self) -> c.Command:
        coaching = self.coaching
        year = coaching_year(coaching.started_on, self.day)
        coaching.hours_by_year[year] = coaching.hours_by_year.get(year, Decimal(0)) + 1
        return c.LogCoachingHours(self.index, self.day, hours=Decimal(1))

    def evaluate(self) -> c.Command:
        return c.EvaluateJobCoaching(self.index, self.day)

    def extend(self) -> c.Command:
        self.coaching.extended = True
        self.coaching.planned_end = add_years(
            self.coaching.planned_end, self.model.policy.extension_years
        )
        reason = self.draw(st.sampled_from(list(ExtensionReason)))
        return c.ExtendJobCoaching(self.index, self.day, reason=reason)

    def complete(self) -> c.Command:
        self.coaching.completed = True
        outcomes = [
            CoachingOutcome.INDEPENDENT,
            CoachingOutcome.HANDED_OVER_TO_EMPLOYER,
            CoachingOutcome.NOT_A_FIT,
        ]
        return c.CompleteJobCoaching(
            self.index, self.day, outcome=self.draw(st.sampled_from(outcomes))
        )

    def complete_ended(self) -> c.Command:
        self.coaching.completed = True
        return c.CompleteJobCoaching(self.index, self.day, outcome=CoachingOutcome.PLACEMENT_ENDED)


def _valid_next(model: _Model, draw: Any) -> c.Command:
    """Draw a command that the rules accept in the model's state, and update the model."""
    kind, index = draw(st.sampled_from(_choices(model)))
    made: c.Command = getattr(_Step(model, draw, index), kind)()
    if kind in _RESIDENT_EVENTS:
        model.residents[index].version += 1
    return made


#: The kinds of step that add an event to the resident's trajectory (registration starts at 1).
_RESIDENT_EVENTS = frozenset(
    {
        "intake",
        "conversation",
        "visit",
        "goal",
        "start_activity",
        "end_activity",
        "request",
        "withdraw",
        "place",
        "end_placement",
        "assess",
        "close_placed",
        "close_other",
        "reopen",
    }
)


@st.composite
def command_sequences(
    draw: Any,
    *,
    min_size: int = 1,
    max_size: int = 30,
    valid_only: bool = False,
    policy: Policy = DEFAULT_POLICY,
) -> list[c.Command]:
    """Sequences of commands that coaches could plausibly issue, in business-date order.

    With ``valid_only=True`` every command is one the rules accept; otherwise about one in four
    is drawn without regard to the rules (bad values, wrong states, any date) and may be refused,
    and commands after an accepted one of those may be refused too. Sequences start with a
    registration. ``policy`` is the one the sequence is valid under.
    """
    size = draw(st.integers(min_size, max(min_size, max_size)))
    model = _Model(policy=policy)
    sequence: list[c.Command] = []
    for _ in range(size):
        model.day = min(LAST_DAY, model.day + timedelta(days=draw(st.integers(0, 20))))
        if not valid_only and sequence and draw(st.integers(0, 3)) == 0:
            # Drawn without regard to the rules; the model carries on as if it were refused,
            # so a later command may be refused because this one was accepted.
            residents = max(1, len(model.residents))
            sequence.append(
                draw(
                    st.one_of(
                        resident_commands(residents=residents),
                        job_coaching_commands(residents=residents),
                    )
                )
            )
            continue
        sequence.append(_valid_next(model, draw))
    return sequence


def trajectories(
    *, min_size: int = 1, max_size: int = 20
) -> st.SearchStrategy[tuple[Participation, c.Ids]]:
    """An application on ``memory://`` with residents built up by a valid command sequence.

    Returns the application and the ids made; close the application when done.
    """

    def build(commands: list[c.Command]) -> tuple[Participation, c.Ids]:
        app = Participation.open("memory://")
        outcome = c.run_commands(app, commands)
        if outcome.refused:
            app.close()
            refused = outcome.refused[0]
            msg = f"a valid sequence was refused at {refused[0]!r}: {refused[1]}"
            raise AssertionError(msg)
        return app, outcome.ids

    return command_sequences(min_size=min_size, max_size=max_size, valid_only=True).map(build)
