"""Tamper evidence: changes made directly in the SQLite file or the PostgreSQL tables are found."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from participatie import Goal, Participation, TamperDetected
from tests.actors import JOB_COACH_ACTOR
from tests.integration.database import Database
from tests.support import COACH, READER, TEST_SECRET, register
from tests.unit.test_job_coaching_rules import placed_and_assessed, start


class Store(Database):
    """One table of a store (``events`` or ``snapshots``) named ``{table}`` in statements."""

    def __init__(self, url: str, purpose: str = "events") -> None:
        super().__init__(url)
        self.purpose = purpose

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        return self.run(sql.replace("{table}", "{" + self.purpose + "}"), params)

    def state(self, stream: UUID, version: int) -> bytes:
        rows = self.execute(
            "SELECT state FROM {table} WHERE originator_id = %s AND originator_version = %s",
            (self.key(stream), version),
        )
        return bytes(rows[0][0])

    def set_state(self, stream: UUID, version: int, state: bytes) -> None:
        self.execute(
            "UPDATE {table} SET state = %s WHERE originator_id = %s AND originator_version = %s",
            (state, self.key(stream), version),
        )

    def delete(self, stream: UUID, version: int | None = None) -> None:
        if version is None:
            self.execute("DELETE FROM {table} WHERE originator_id = %s", (self.key(stream),))
        else:
            self.execute(
                "DELETE FROM {table} WHERE originator_id = %s AND originator_version = %s",
                (self.key(stream), version),
            )

    def insert(self, stream: UUID, version: int, topic: str, state: bytes) -> None:
        self.execute(
            "INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s)",
            (self.key(stream), version, topic, state),
        )

    def topic(self, stream: UUID, version: int) -> str:
        rows = self.execute(
            "SELECT topic FROM {table} WHERE originator_id = %s AND originator_version = %s",
            (self.key(stream), version),
        )
        return str(rows[0][0])


@pytest.fixture
def recorded(store_url: str) -> Iterator[tuple[Participation, Store, UUID, UUID]]:
    """A resident with five events and job coaching with two, on the store under test."""
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = placed_and_assessed(app)  # Registered, IntakeHeld, Placed, WageValueAssessed
        app.record_conversation(rid, happiness=7, on=date(2020, 3, 20), by=COACH)
        cid = start(app, rid)
        app.log_coaching_hours(
            cid, hours=1, counterpart="employee", on=date(2020, 3, 23), by=JOB_COACH_ACTOR
        )
        other = register(app)
        app.hold_intake(other, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
        assert app.verify().ok
        yield app, Store(store_url), rid, cid


def flip_a_byte(state: bytes) -> bytes:
    # Change a character of the JSON after the 32-byte hash, keeping it valid JSON.
    position = state.index(b'"', 33) + 1
    return state[:position] + bytes([state[position] ^ 0x01]) + state[position + 1 :]


Tampering = Callable[[Store, UUID, UUID], None]


def changed(store: Store, rid: UUID, cid: UUID) -> None:
    store.set_state(rid, 3, flip_a_byte(store.state(rid, 3)))


def deleted(store: Store, rid: UUID, cid: UUID) -> None:
    store.delete(rid, 2)


def reordered(store: Store, rid: UUID, cid: UUID) -> None:
    two, three = store.state(rid, 2), store.state(rid, 3)
    store.set_state(rid, 2, three)
    store.set_state(rid, 3, two)


def inserted(store: Store, rid: UUID, cid: UUID) -> None:
    store.insert(rid, 6, store.topic(rid, 5), store.state(rid, 5))


def truncated(store: Store, rid: UUID, cid: UUID) -> None:
    store.delete(rid, 5)


def coaching_deleted(store: Store, rid: UUID, cid: UUID) -> None:
    store.delete(cid)


@pytest.mark.parametrize(
    ("tamper", "version", "words"),
    [
        (changed, 3, "changed"),
        (deleted, 2, "missing"),
        (reordered, 2, "changed, reordered"),
        (inserted, 6, "inserted"),
        (truncated, 5, "truncated"),
    ],
)
def test_tampering_with_a_resident_stream_is_detected(
    recorded: tuple[Participation, Store, UUID, UUID], tamper: Tampering, version: int, words: str
) -> None:
    app, store, rid, cid = recorded
    tamper(store, rid, cid)
    verification = app.verify()
    assert not verification.ok
    # The stream's own chain names the first event that does not fit (the ledger, the heads
    # and the facts may each add their own finding).
    problem = next(p for p in verification.problems if str(rid) in p and words in p)
    assert str(version) in problem
    assert not app.verify(rid).ok
    with pytest.raises(TamperDetected, match=str(rid)):
        app.verify(strict=True)


def test_a_deleted_job_coaching_stream_is_detected(
    recorded: tuple[Participation, Store, UUID, UUID],
) -> None:
    app, store, rid, cid = recorded
    coaching_deleted(store, rid, cid)
    problems = app.verify().problems
    assert any(str(cid) in p and "deleted" in p for p in problems), problems


def test_an_inserted_stream_is_detected(recorded: tuple[Participation, Store, UUID, UUID]) -> None:
    app, store, rid, _ = recorded
    forged = uuid4()
    store.insert(forged, 1, store.topic(rid, 1), store.state(rid, 1))
    problems = app.verify().problems
    assert any(str(forged) in p and "inserted" in p for p in problems), problems


def test_tampering_elsewhere_leaves_another_residents_verification_ok(
    recorded: tuple[Participation, Store, UUID, UUID],
) -> None:
    app, store, rid, cid = recorded
    other = next(r for r in app.resident_ids(by=READER) if r != rid)
    changed(store, rid, cid)
    assert app.verify(other).ok
    assert not app.verify(rid).ok


def test_the_chain_continues_across_processes_and_reopening(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as first:
        rid = register(first)
    with Participation.open(store_url, secret=TEST_SECRET) as second:
        second.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    with Participation.open(store_url, secret=TEST_SECRET) as first:
        first.record_conversation(rid, happiness=6, on=date(2019, 1, 9), by=COACH)
        verification = first.verify()
        assert verification.ok, verification.problems
        # The trajectory's three events (its processing records are in their ledger rows).
        assert (verification.streams, verification.events) == (1, 3)


def test_a_changed_snapshot_is_detected_and_an_as_of_replay_agrees_without_snapshots(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET, snapshot_interval=2) as app:
        rid = register(app)
        app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
        for day in range(9, 13):
            app.record_conversation(rid, happiness=day - 3, on=date(2019, 1, day), by=COACH)
        # A late entry: version 7 happened on the first day.
        app.record_conversation(rid, happiness=2, on=date(2019, 1, 8), by=COACH)
        assert app.verify().ok
    with (
        Participation.open(store_url, secret=TEST_SECRET, snapshot_interval=2) as snapshotted,
        Participation.open(store_url, secret=TEST_SECRET, snapshot_interval=None) as plain,
    ):
        for day in range(8, 13):
            as_of = date(2019, 1, day)
            assert vars(snapshotted.resident(rid, as_of=as_of, by=READER)) == vars(
                plain.resident(rid, as_of=as_of, by=READER)
            )
        snapshots = Store(store_url, purpose="snapshots")
        state = snapshots.state(rid, 4)
        snapshots.set_state(
            rid, 4, state.replace(b'"conversation_count",2', b'"conversation_count",3')
        )
        assert snapshots.state(rid, 4) != state
        assert snapshotted.verify().problems == [
            f"{rid}: snapshot v4 does not match the stream's events"
        ]


def test_a_snapshot_of_a_stream_without_events_is_detected(store_url: str) -> None:
    """A snapshot row copied under a new id would be loaded as that trajectory: verify()
    lists the snapshots' streams from the table itself, not from the streams it found."""
    with Participation.open(store_url, secret=TEST_SECRET, snapshot_interval=2) as app:
        rid = register(app)
        app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
        app.record_conversation(rid, happiness=6, on=date(2019, 1, 9), by=COACH)
        assert app.verify().ok
        snapshots = Store(store_url, purpose="snapshots")
        forged = uuid4()
        topic = snapshots.execute(
            "SELECT topic FROM {table} WHERE originator_id = %s", (snapshots.key(rid),)
        )[0][0]
        snapshots.insert(forged, 2, str(topic), snapshots.state(rid, 2))
        problem = (
            f"stream {forged}: has snapshots but no events (a snapshot was inserted, or its "
            "stream deleted)"
        )
        assert app.verify().problems == [problem]
