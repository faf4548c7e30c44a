"""Writers taking turns on one store: each save chains its ledger rows on the row the last
committed save wrote, and each load sees the last committed state, whichever application,
connection or process wrote it.

The SQLite recorder remembers the ledger's tail it wrote itself and reads the table only when
another writer has committed an event since (see ``SQLiteLedger._tail_before``), and a load skips
reading the events after its cached aggregates when no other connection has committed since
the save that cached them (``StoreApplication.load_with_log``, ``unchanged_since``). These tests
make the writers alternate, so that a remembered tail or a cached state that had gone stale would
break the ledger (which ``verify()`` would then report) or show an old state.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from participatie import Goal, Participation
from participatie.service import core_of
from tests.actors import AUDITOR, JOB_COACH_ACTOR
from tests.support import COACH, READER, TEST_SECRET, register
from tests.unit.test_job_coaching_rules import placed_and_assessed, start


def _started(app: Participation) -> UUID:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    return rid


def test_two_applications_writing_in_turns_keep_the_ledger(store_url: str) -> None:
    with (
        Participation.open(store_url, secret=TEST_SECRET) as first,
        Participation.open(store_url, secret=TEST_SECRET) as second,
    ):
        mine, theirs = _started(first), _started(second)
        for day in range(8, 20):
            # Two saves in a row by one, then one by the other, then the other way round.
            writers = (first, first, second) if day % 2 else (second, second, first)
            for number, app in enumerate(writers):
                rid = mine if number % 2 else theirs
                app.record_conversation(
                    rid, happiness=day % 10 + 1, on=date(2019, 1, day), by=COACH
                )
        second.record_conversation(mine, happiness=5, on=date(2019, 1, 20), by=COACH)
        for app in (first, second):
            verification = app.verify()
            assert verification.ok, verification.problems
        rows = core_of(first).store.participation_recorder.ledger_select(0, 1000)
        assert [row.position for row in rows] == list(range(1, len(rows) + 1))


def test_each_application_sees_the_others_writes_at_once(store_url: str) -> None:
    with (
        Participation.open(store_url, secret=TEST_SECRET) as first,
        Participation.open(store_url, secret=TEST_SECRET) as second,
    ):
        rid = _started(first)
        for count, app in enumerate((first, first, second, first, second, second, first), 1):
            app.record_conversation(rid, happiness=count, on=date(2019, 1, 9), by=COACH)
            for reader in (first, second):
                assert reader.resident(rid, by=READER).conversation_count == count
        assert first.verify().ok


def test_job_coaching_written_in_turns_is_seen_at_once(store_url: str) -> None:
    with (
        Participation.open(store_url, secret=TEST_SECRET) as first,
        Participation.open(store_url, secret=TEST_SECRET) as second,
    ):
        coaching = start(first, placed_and_assessed(first))
        for count, app in enumerate((first, first, second, first), 1):
            app.log_coaching_hours(
                coaching, hours=1, counterpart="employee", on=date(2020, 3, 23), by=JOB_COACH_ACTOR
            )
            for reader in (first, second):
                assert reader.job_coaching(coaching, by=READER).hours_logged == count
        assert first.verify().ok


def _writer(url: str, rid: str, count: int) -> None:
    with Participation.open(url, secret=TEST_SECRET) as app:
        for number in range(count):
            app.record_conversation(
                UUID(rid), happiness=1 + number % 10, on=date(2019, 2, 1), by=COACH
            )


def test_two_processes_writing_together_keep_the_ledger(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rids = [_started(app), _started(app)]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_writer, args=(store_url, str(rid), 15)) for rid in rids + rids
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        verification = app.verify()
        assert verification.ok, verification.problems
        # Two residents registered with an intake, four writers of fifteen conversations (each
        # processing record in its event's ledger row).
        assert verification.events == 2 * 2 + 4 * 15
        assert len(app.processing_log(by=AUDITOR)) == 2 * 2 + 4 * 15


def test_a_sqlite_writer_reads_the_tail_and_events_only_after_another_writers_commit(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/participatie.db"
    statements: list[str] = []

    def traced(app: Participation) -> None:
        recorder: Any = core_of(app).store.participation_recorder
        with recorder.datastore.get_connection(commit=False) as conn:
            connection: sqlite3.Connection = conn._sqlite_conn
            connection.set_trace_callback(statements.append)

    def tail_reads() -> int:
        found = sum("SELECT running_hash" in statement for statement in statements)
        statements.clear()
        return found

    def event_reads() -> int:
        found = sum("FROM stored_events WHERE" in statement for statement in statements)
        statements.clear()
        return found

    with (
        Participation.open(url, secret=TEST_SECRET) as first,
        Participation.open(url, secret=TEST_SECRET) as second,
    ):
        rid = _started(first)
        traced(first)
        traced(second)
        first.record_conversation(rid, happiness=6, on=date(2019, 1, 9), by=COACH)
        assert tail_reads() == 0  # its own tail: nobody wrote since
        second.record_conversation(rid, happiness=6, on=date(2019, 1, 10), by=COACH)
        assert tail_reads() == 1  # the first application wrote last
        first.record_conversation(rid, happiness=6, on=date(2019, 1, 11), by=COACH)
        assert tail_reads() == 1  # and now the second did
        first.record_conversation(rid, happiness=6, on=date(2019, 1, 12), by=COACH)
        assert tail_reads() == 0
        # A load reads the events after its cached state only when another writer came between.
        first.record_conversation(rid, happiness=6, on=date(2019, 1, 13), by=COACH)
        assert event_reads() == 0
        second.record_conversation(rid, happiness=6, on=date(2019, 1, 14), by=COACH)
        assert event_reads() == 1
        first.record_conversation(rid, happiness=6, on=date(2019, 1, 15), by=COACH)
        assert event_reads() == 1
        assert first.resident(rid, by=READER).conversation_count == 7
        assert first.verify().ok


def test_a_stamp_never_goes_back_to_an_earlier_save_of_the_same_trajectory(
    tmp_path: Path,
) -> None:
    """Two threads saving one trajectory one after the other on the same connection (whose
    data version their own commits leave as it is) may reach the cache in the other order:
    the earlier state left in the cache must not pass for current."""
    with Participation.open(f"sqlite:///{tmp_path}/participatie.db", secret=TEST_SECRET) as app:
        rid = _started(app)
        store = core_of(app).store
        earlier = store.load(rid)
        version = earlier.version
        app.record_conversation(rid, happiness=6, on=date(2019, 1, 9), by=COACH)
        stamp = store.participation_recorder.write_stamp()
        assert stamp is not None
        # The slower thread's save of the earlier version reaches the cache last.
        cache = store.repository.cache
        assert cache is not None
        cache.put(rid, earlier)
        store._remember_saved(earlier, stamp)
        assert store.load(rid).version == version + 1
        assert app.resident(rid, by=READER).conversation_count == 1
