"""One Participation per process serves FastAPI's threadpool: many threads recording on the same
residents at once lose nothing, write nothing twice, and leave a store that verifies."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from participatie import Actor, Participation, Role
from tests.support import TEST_SECRET, register_with_intake, together

COACH = Actor("coach-17", Role.COACH, municipality="haaren")
THREADS, EACH = 8, 6


def record_from_many_threads(app: Participation) -> None:
    residents = [register_with_intake(app, on=date(2024, 1, 8)) for _ in range(3)]

    def work(ready: Callable[[], object]) -> int:
        ready()
        for n in range(EACH):
            # Every thread writes to every resident: the same streams are contended.
            app.record_conversation(
                residents[n % 3], happiness=1 + n % 10, on=date(2024, 2, 1), by=COACH
            )
        return EACH

    together(THREADS, work)
    counts = [app.resident(r, by=COACH).conversation_count for r in residents]
    assert sum(counts) == THREADS * EACH
    for rid in residents:
        versions = [e.originator_version for e in app.events(UUID(str(rid)))]
        assert versions == list(range(1, len(versions) + 1))
    assert app.verify().ok


def test_one_participation_on_sqlite_serves_many_threads(tmp_path: object) -> None:
    with Participation.open(f"sqlite:///{tmp_path}/threads.db", secret=TEST_SECRET) as app:
        record_from_many_threads(app)


@pytest.mark.postgres
def test_one_participation_on_postgresql_serves_many_threads(postgres_schema_url: str) -> None:
    with Participation.open(postgres_schema_url, secret=TEST_SECRET) as app:
        record_from_many_threads(app)


def test_one_in_process_participation_serves_many_threads() -> None:
    with Participation.open("memory://", secret=TEST_SECRET) as app:
        record_from_many_threads(app)


def test_a_batch_open_in_one_thread_never_takes_another_threads_command() -> None:
    # An import holds a batch open on the application while it stages; a conversation recorded
    # meanwhile by another thread (another request) is saved at once, not collected into that
    # batch, where a dropped batch would lose an acknowledged command.
    from participatie.service import core_of  # noqa: PLC0415

    with Participation.open("memory://", secret=TEST_SECRET) as app:
        rid = register_with_intake(app, on=date(2024, 1, 8))
        with core_of(app).batch():  # dropped: never saved
            talk = threading.Thread(
                target=app.record_conversation,
                args=(rid,),
                kwargs={"happiness": 7, "on": date(2024, 2, 1), "by": COACH},
            )
            talk.start()
            talk.join()
        assert app.resident(rid, by=COACH).conversation_count == 1
