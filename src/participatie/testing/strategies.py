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
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
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
from participatie.testing.model import FIRST_DAY, LAST_DAY, Model
from participatie.testing.steps import happiness_scores, valid_next

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
    model = Model(policy=policy)
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
        sequence.append(valid_next(model, draw))
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
