"""The shipped strategies produce what they promise."""

from __future__ import annotations

from hypothesis import given

from participatie import Actor, ParticipatieError, Participation, Policy, is_valid_bsn
from participatie.domain.bsn import validate_bsn
from participatie.errors import InvalidInput
from participatie.testing import commands as c
from participatie.testing import strategies as pst
from tests.support import READER


@given(pst.bsns())
def test_generated_bsns_pass_the_eleven_test(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@given(pst.invalid_bsns())
def test_generated_invalid_bsns_are_refused(value: object) -> None:
    try:
        validate_bsn(value)
    except InvalidInput:
        return
    raise AssertionError(f"{value!r} was accepted")


@given(pst.actors(), pst.policies())
def test_actors_and_policies_are_values(actor: Actor, policy: Policy) -> None:
    assert actor.id
    assert policy.coaching_years <= policy.max_coaching_years


@given(pst.command_sequences(max_size=25, valid_only=True))
def test_valid_sequences_are_accepted(commands: list[c.Command]) -> None:
    with Participation.open("memory://") as app:
        outcome = c.run_commands(app, commands)
        assert outcome.refused == []
        assert isinstance(commands[0], c.Register)


@given(pst.command_sequences(max_size=25))
def test_refused_commands_of_mixed_sequences_append_nothing(commands: list[c.Command]) -> None:
    with Participation.open("memory://") as app:
        ids = c.Ids()
        for command in commands:
            if getattr(command, "coaching", None) is not None and not ids.coachings:
                continue
            before = app.event_count()
            try:
                command.run(app, ids)
            except ParticipatieError:  # anything else is a bug and fails the test
                assert app.event_count() == before


def test_a_command_reads_as_a_line_of_a_script() -> None:
    from datetime import date  # noqa: PLC0415

    command = c.RecordConversation(resident=0, on=date(2019, 2, 1), happiness=7)
    assert repr(command) == (
        "RecordConversation(resident=0, on=datetime.date(2019, 2, 1), happiness=7)"
    )


@given(pst.trajectories(max_size=10))
def test_trajectories_hold_registered_residents(built: tuple[Participation, c.Ids]) -> None:
    app, ids = built
    try:
        assert ids.residents
        for rid in ids.residents:
            assert app.resident(rid, by=READER).version >= 1
    finally:
        app.close()
