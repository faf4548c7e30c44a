"""A PostgreSQL connection killed in the middle of a command (``pg_terminate_backend``): the
command raises :class:`StoreUnavailable`, appends nothing, and is recorded once when sent again
with its id, on a new connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from participatie import Goal, Participation, StoreUnavailable
from participatie.persistence.postgres_recorder import PostgresParticipationRecorder
from participatie.service import core_of
from tests.support import COACH, TEST_SECRET, log_position, register

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_schema_url: str) -> Iterator[Participation]:
    with Participation.open(postgres_schema_url, secret=TEST_SECRET) as app:
        yield app


def kill_connections_mid_command(app: Participation, url: str, times: int) -> list[int]:
    """The next ``times`` saves of a command with an id lose their connection after its id was
    written in the transaction, before the commit; returns the backends killed."""
    import psycopg  # noqa: PLC0415

    recorder = core_of(app).store.recorder
    assert isinstance(recorder, PostgresParticipationRecorder)
    original = recorder._record_commands
    killed: list[int] = []

    def record_then_die(curs: Any, commands_done: Any) -> None:
        original(curs, commands_done)
        if commands_done and len(killed) < times:
            pid = curs.connection.info.backend_pid
            with psycopg.connect(url.partition("?")[0], autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    recorder._record_commands = record_then_die  # type: ignore[method-assign]
    return killed


def test_a_command_whose_connection_is_killed_on_every_attempt_raises_store_unavailable(
    pg_app: Participation, postgres_schema_url: str
) -> None:
    rid = register(pg_app)
    command_id = uuid4()
    killed = kill_connections_mid_command(pg_app, postgres_schema_url, times=100)
    position = log_position(pg_app)
    with pytest.raises(StoreUnavailable, match="send it again with the same command_id"):
        pg_app.hold_intake(
            rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
        )
    assert len(killed) > 1  # eventsourcing retried on new connections before giving up
    assert log_position(pg_app) == position
    assert len(pg_app.events(rid)) == 1
    killed.extend([0] * 100)  # the server is back: no more kills
    pg_app.hold_intake(
        rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
    )
    pg_app.hold_intake(
        rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=command_id
    )
    assert len(pg_app.events(rid)) == 2
    assert pg_app.verify().ok


def test_a_connection_killed_once_is_replaced_and_the_command_is_recorded_once(
    pg_app: Participation, postgres_schema_url: str
) -> None:
    rid = register(pg_app)
    killed = kill_connections_mid_command(pg_app, postgres_schema_url, times=1)
    pg_app.hold_intake(
        rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=uuid4()
    )
    assert len(killed) == 1
    assert len(pg_app.events(rid)) == 2
    assert pg_app.verify().ok


def test_a_url_naming_a_dead_host_first_works_through_the_next_one(
    postgres_schema_url: str,
) -> None:
    # Port 1 on loopback refuses connections: libpq goes on to the server that answers, and
    # keeps it only when it takes writes (target_session_attrs=read-write).
    url = postgres_schema_url.replace("@127.0.0.1:5432/", "@127.0.0.1:1,127.0.0.1:5432/", 1)
    if url == postgres_schema_url:
        pytest.skip("the test server's URL is not postgresql://...@127.0.0.1:5432/...")
    url = url.replace("?", "?target_session_attrs=read-write&", 1)
    with Participation.open(url, secret=TEST_SECRET) as app:
        rid = register(app)
        app.hold_intake(
            rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH, command_id=uuid4()
        )
        assert app.project() > 0
        assert app.verify().ok


def test_the_projection_worker_goes_on_after_its_connections_are_killed(
    pg_app: Participation, postgres_schema_url: str
) -> None:
    import psycopg  # noqa: PLC0415

    stop = threading.Event()
    failures: list[BaseException] = []

    def follow() -> None:
        try:
            pg_app.project(follow=True, stop=stop, poll_seconds=0.2)
        except BaseException as error:  # the test reports it below
            failures.append(error)

    worker = threading.Thread(target=follow)
    worker.start()
    try:
        register(pg_app)
        wait_until_caught_up(pg_app)
        with psycopg.connect(postgres_schema_url.partition("?")[0], autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert killed is not None
        assert killed[0] >= 1  # the worker's listening connection at least
        register(pg_app)
        wait_until_caught_up(pg_app)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert failures == []
    assert pg_app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31))).inflow == 2


def wait_until_caught_up(app: Participation, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while app.facts_lag().positions_behind and time.monotonic() < deadline:
        time.sleep(0.1)
    assert app.facts_lag().positions_behind == 0
