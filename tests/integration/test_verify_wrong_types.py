"""A SQLite column changed to a value of another type is a finding of verify, not a crash.

SQLite keeps whatever type is written into a column, so a record changed by hand may come back
as an integer, text or NULL where the store wrote bytes (PostgreSQL refuses such a change).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from participatie import Goal, Participation
from tests.support import COACH, TEST_SECRET, register


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, Path, UUID]:
    """A SQLite store with one resident of two events: its URL, file and the resident's id."""
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    with Participation.open(url, secret=TEST_SECRET) as app:
        rid = register(app)
        app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    return url, path, rid


def change(path: Path, statement: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(statement)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "UPDATE stored_events SET state = 123 WHERE originator_version = 2",
            "the record of version 2 was changed: its state has the wrong type",
        ),
        (
            "UPDATE stored_events SET state = NULL WHERE originator_version = 1",
            "the record of version 1 was changed: its state has the wrong type",
        ),
        (
            "UPDATE stored_events SET originator_version = 'two' WHERE originator_version = 2",
            "the record of version two was changed: its version has the wrong type",
        ),
    ],
)
def test_a_column_of_another_type_is_a_problem_of_its_stream(
    store: tuple[str, Path, UUID], statement: str, expected: str
) -> None:
    url, path, rid = store
    change(path, statement)
    with Participation.open(url, secret=TEST_SECRET) as app:
        for result in (app.verify(), app.verify(rid)):
            assert not result.ok
            assert any(f"stream {rid}: {expected}" in p for p in result.problems), result.problems


def core_position_of(path: Path, version: int) -> int:
    """The log position of the record changed to stream id 123, read from the file."""
    with sqlite3.connect(path) as db:
        ((position,),) = db.execute(
            "SELECT rowid FROM stored_events WHERE originator_id = 123 AND originator_version = ?",
            (version,),
        ).fetchall()
    db.close()
    return int(position)


def test_an_originator_id_that_no_longer_reads_is_a_problem_of_its_record(
    store: tuple[str, Path, UUID],
) -> None:
    url, path, rid = store
    change(
        path,
        f"UPDATE stored_events SET originator_id = 123 WHERE originator_id = '{rid.hex}' "
        "AND originator_version = 2",
    )
    with Participation.open(url, secret=TEST_SECRET) as app:
        result = app.verify()
    assert not result.ok
    # The record is named by its position, and the rest of the log is still checked.
    position = core_position_of(path, 2)
    assert result.problems[0] == (
        "stream '123': the record of version 2 was changed: its stream id has the wrong type "
        f"(position {position})"
    ), result.problems
    # What could not be read is not counted as read: the resident's stream is not vouched for.
    assert any(p.startswith(f"stream {rid}: ") for p in result.problems), result.problems


def test_a_ledger_row_of_another_type_is_a_problem(store: tuple[str, Path, UUID]) -> None:
    url, path, rid = store
    change(path, f"UPDATE participatie_ledger SET version = 'x' WHERE originator_id = '{rid.hex}'")
    with Participation.open(url, secret=TEST_SECRET) as app:
        whole, own = app.verify(), app.verify(rid)
    assert not whole.ok
    assert any("ledger: the row at position" in p for p in whole.problems), whole.problems
    assert not own.ok


def test_the_chain_heads_table_of_earlier_releases_is_not_read(
    store: tuple[str, Path, UUID],
) -> None:
    """A stream's head is its last ledger row: the table earlier releases wrote heads into
    proves nothing (its rows are as easy to change as the ledger's without the running hash)."""
    url, path, rid = store
    change(path, f"INSERT INTO participatie_chain_heads VALUES ('{rid.hex}', 'x', x'00')")
    with Participation.open(url, secret=TEST_SECRET) as app:
        assert app.verify().ok
        assert app.verify(rid).ok
