"""Commands sent again with the same ``command_id`` are recorded once, on every store; a lost
connection is a :class:`StoreUnavailable` that a retry with the same id resolves."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import OperationalError

from participatie import (
    Actor,
    Goal,
    IntakeRequired,
    InvalidInput,
    Participation,
    PlacementKind,
    Role,
    StoreUnavailable,
)
from participatie.service import core_of
from tests.support import COACH, TEST_SECRET, assert_refused, log_position, register


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Participation]:
    """An app on the in-process store, on a SQLite file and on PostgreSQL."""
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/participatie.db"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    with Participation.open(url, secret=TEST_SECRET) as app:
        yield app


def test_a_registration_sent_twice_with_one_command_id_is_recorded_once_and_returns_the_first_id(
    any_app: Participation,
) -> None:
    command_id = uuid4()
    first = register(any_app, command_id=command_id)
    position = log_position(any_app)
    again = register(any_app, command_id=command_id)
    assert again == first
    assert log_position(any_app) == position
    assert len(any_app.resident_ids(by=COACH)) == 1


def test_a_change_sent_twice_with_one_command_id_appends_one_event(
    any_app: Participation,
) -> None:
    rid = register(any_app)
    command_id = uuid4()
    any_app.hold_intake(
        rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
    )
    version = len(any_app.events(rid))
    # Sent again: not refused as a second intake, but answered as the first one was.
    assert (
        any_app.hold_intake(
            rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
        )
        is None
    )
    assert len(any_app.events(rid)) == version


def test_a_note_sent_again_with_its_command_id_returns_the_first_note_id(
    any_app: Participation,
) -> None:
    rid = register(any_app)
    any_app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    note_command = uuid4()
    note = any_app.add_note(rid, text="belt terug", by=COACH, command_id=note_command)
    assert any_app.add_note(rid, text="belt terug", by=COACH, command_id=note_command) == note
    assert [n.note_id for n in any_app.notes(rid, by=COACH)] == [note]


def test_a_refused_command_saves_no_command_id_so_the_same_id_is_decided_again(
    any_app: Participation,
) -> None:
    rid = register(any_app)
    command_id = uuid4()
    assert_refused(
        any_app,
        rid,
        IntakeRequired,
        lambda: any_app.record_conversation(
            rid, happiness=6, on=date(2019, 1, 9), by=COACH, command_id=command_id
        ),
    )
    any_app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    any_app.record_conversation(
        rid, happiness=6, on=date(2019, 1, 9), by=COACH, command_id=command_id
    )
    assert any_app.resident(rid, by=COACH).happiness[-1] == (date(2019, 1, 9), 6)


def test_two_commands_with_different_ids_are_both_recorded(any_app: Participation) -> None:
    rid = register(any_app)
    any_app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    for happiness in (6, 7):
        any_app.record_conversation(
            rid, happiness=happiness, on=date(2019, 1, 9), by=COACH, command_id=uuid4()
        )
    assert len(any_app.events(rid)) == 4


def test_a_command_id_that_is_not_a_uuid_is_refused(app: Participation) -> None:
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: register(app, command_id="not-a-uuid"),
        match="command_id",
    )


@contextlib.contextmanager
def acknowledgement_lost(
    app: Participation, *, then: Callable[[Callable[[], object]], object]
) -> Iterator[None]:
    """The next save is committed, then ``then(resend)`` runs instead of the acknowledgement
    (``resend()`` sends the same insert again)."""
    recorder = core_of(app).store.recorder
    original = recorder.insert_events

    def insert_events(stored_events: Any, **kwargs: Any) -> Any:
        recorder.insert_events = original  # type: ignore[method-assign]
        original(stored_events, **kwargs)
        return then(lambda: original(stored_events, **kwargs))

    recorder.insert_events = insert_events  # type: ignore[method-assign]
    try:
        yield
    finally:
        recorder.insert_events = original  # type: ignore[method-assign]


def store_resends(resend: Callable[[], object]) -> object:
    """What eventsourcing's recorders do when a commit's answer is lost: send it again."""
    return resend()


def test_a_connection_lost_after_the_commit_raises_store_unavailable_and_the_retry_adds_nothing(
    any_app: Participation,
) -> None:
    rid = register(any_app)
    command_id = uuid4()

    def lost(resend: Callable[[], object]) -> None:
        del resend  # the connection is gone: nothing is sent again
        raise OperationalError("server closed the connection unexpectedly")

    def intake() -> None:
        any_app.hold_intake(
            rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
        )

    with acknowledgement_lost(any_app, then=lost), pytest.raises(StoreUnavailable) as raised:
        intake()
    assert isinstance(raised.value, ConnectionError)
    version = len(any_app.events(rid))
    intake()  # the caller's retry, with the same id
    assert len(any_app.events(rid)) == version == 2


@pytest.mark.parametrize("with_id", [True, False], ids=["with a command id", "without one"])
def test_a_command_is_recorded_once_when_the_store_resends_its_unacknowledged_commit(
    any_app: Participation, with_id: bool
) -> None:
    rid = register(any_app)
    any_app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    command_id = uuid4() if with_id else None
    with acknowledgement_lost(any_app, then=store_resends):
        any_app.record_conversation(
            rid, happiness=7, on=date(2019, 1, 9), by=COACH, command_id=command_id
        )
    names = [e.__class__.__name__ for e in any_app.events(rid)]
    assert names.count("ConversationHeld") == 1
    assert any_app.resident(rid, by=COACH).version == 3
    assert any_app.verify().ok


def test_a_registration_without_an_id_is_recorded_once_when_the_store_resends_its_commit(
    any_app: Participation,
) -> None:
    with acknowledgement_lost(any_app, then=store_resends):
        rid = register(any_app)
    assert any_app.resident_ids(by=COACH) == [rid]
    assert any_app.verify().ok


def test_a_placement_retried_after_store_unavailable_is_in_the_store_once(
    any_app: Participation,
) -> None:
    rid = register(any_app)
    any_app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    command_id = uuid4()

    def place() -> None:
        any_app.place(
            rid,
            employer="Bakkerij",
            kind=PlacementKind.PAID_WORK,
            hours_per_week=20,
            contract_months=12,
            on=date(2019, 2, 1),
            by=COACH,
            command_id=command_id,
        )

    def lost(resend: Callable[[], object]) -> None:
        del resend  # the connection is gone: nothing is sent again
        raise OperationalError("terminating connection due to administrator command")

    with acknowledgement_lost(any_app, then=lost), pytest.raises(StoreUnavailable):
        place()
    place()
    place()
    names = [e.__class__.__name__ for e in any_app.events(rid)]
    assert names.count("Placed") == 1


def test_an_id_sent_with_another_actors_command_is_refused_and_reveals_nothing(
    any_app: Participation,
) -> None:
    command_id = uuid4()
    first = register(any_app, command_id=command_id)
    other = Actor("coach-99", Role.COACH)
    with pytest.raises(InvalidInput, match="used for another command") as raised:
        register(any_app, by=other, command_id=command_id)
    assert str(first) not in str(raised.value)
    assert any_app.resident_ids(by=COACH) == [first]
    # Sent again by its own actor, it is the same command: the first result.
    assert register(any_app, command_id=command_id) == first


def test_an_id_sent_with_a_command_on_another_resident_is_refused_and_appends_nothing(
    any_app: Participation,
) -> None:
    one, two = register(any_app), register(any_app)
    command_id = uuid4()
    for rid in (one, two):
        any_app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    any_app.record_conversation(
        one, happiness=6, on=date(2019, 1, 9), by=COACH, command_id=command_id
    )
    assert_refused(
        any_app,
        two,
        InvalidInput,
        lambda: any_app.record_conversation(
            two, happiness=6, on=date(2019, 1, 9), by=COACH, command_id=command_id
        ),
        match="used for another command",
    )
    # The resident named by keyword, or as text in capitals, is the same command's target.
    with pytest.raises(InvalidInput, match="used for another command"):
        any_app.record_conversation(
            resident_id=two, happiness=6, on=date(2019, 1, 9), by=COACH, command_id=command_id
        )
    spelled = str(one).upper()  # an untyped caller's text: the commands take it as the id
    any_app.record_conversation(
        resident_id=spelled,  # type: ignore[arg-type]
        happiness=6,
        on=date(2019, 1, 9),
        by=COACH,
        command_id=command_id,
    )
    assert len(any_app.events(one)) == 3
    # And a refused command of another kind with that id is refused for the id, not answered.
    with pytest.raises(InvalidInput, match="used for another command"):
        any_app.hold_intake(
            one, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
        )
