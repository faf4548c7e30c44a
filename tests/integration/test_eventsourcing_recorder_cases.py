"""eventsourcing's own recorder test cases, run against participatie's subclasses.

The application recorders add the personal-data vault and chain heads; the outcomes views add a
facts table to a tracking recorder. These cases prove that everything eventsourcing itself expects
of such recorders still holds.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    TrackingRecorderTestCase,
)

from participatie.persistence.memory_recorder import POPOParticipationRecorder
from participatie.persistence.sqlite_recorder import SQLiteParticipationRecorder
from participatie.projections.views_memory import POPOFactsView
from participatie.projections.views_sqlite import SQLiteFactsView


class TestPOPOParticipationRecorder(ApplicationRecorderTestCase[POPOParticipationRecorder]):
    def create_recorder(self) -> POPOParticipationRecorder:
        return POPOParticipationRecorder()


class _JoinsTestThreads:
    """Waits for the threads a test case started before the datastore closes.

    eventsourcing's concurrency cases stop their reader threads without joining them; closing a
    SQLite connection under a reader that is still inside a query crashes the interpreter.
    """

    def _remember_threads(self) -> None:
        self._threads_before = set(threading.enumerate())

    def _join_test_threads(self) -> None:
        for thread in set(threading.enumerate()) - self._threads_before:
            if not thread.daemon:  # connection pools' workers are daemons and live on
                thread.join(timeout=10)


class _SQLiteFile(_JoinsTestThreads):
    def setUp(self) -> None:
        self._remember_threads()
        self._dir = tempfile.TemporaryDirectory()
        self.datastore = SQLiteDatastore(db_name=str(Path(self._dir.name) / "events.db"))

    def tearDown(self) -> None:
        self._join_test_threads()
        self.datastore.close()
        self._dir.cleanup()

    def create_recorder(self) -> SQLiteParticipationRecorder:
        recorder = SQLiteParticipationRecorder(self.datastore)
        recorder.create_table()
        return recorder


class TestSQLiteParticipationRecorder(
    _SQLiteFile, ApplicationRecorderTestCase[SQLiteParticipationRecorder]
):
    pass


class TestSQLiteParticipationRecorderNonInterleaving(
    _SQLiteFile, NonInterleavingNotificationIDsBaseCase
):
    pass


@pytest.fixture
def _postgres_for_unittest(request: pytest.FixtureRequest, postgres_url: str) -> Any:
    request.cls.postgres_url = postgres_url


class _PostgresSchema(_JoinsTestThreads):
    postgres_url: str

    def setUp(self) -> None:
        self._remember_threads()
        from eventsourcing.postgres import PostgresDatastore  # noqa: PLC0415

        parts = urlsplit(self.postgres_url)
        self.schema = f"es_{secrets.token_hex(6)}"
        self.datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/"),
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or "",
            schema=self.schema,
        )
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f'CREATE SCHEMA "{self.schema}"')

    def tearDown(self) -> None:
        self._join_test_threads()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f'DROP SCHEMA "{self.schema}" CASCADE')
        self.datastore.close()

    def create_recorder(self) -> Any:
        from participatie.persistence.postgres_recorder import PostgresParticipationRecorder  # noqa: PLC0415

        recorder = PostgresParticipationRecorder(self.datastore, events_table_name="es_events")
        recorder.create_table()
        return recorder


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres_for_unittest")
class TestPostgresParticipationRecorder(_PostgresSchema, ApplicationRecorderTestCase[Any]):
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres_for_unittest")
class TestPostgresParticipationRecorderNonInterleaving(
    _PostgresSchema, NonInterleavingNotificationIDsBaseCase
):
    pass


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres_for_unittest")
class TestPostgresSnapshotRecorder(_PostgresSchema, AggregateRecorderTestCase):
    def create_recorder(self) -> Any:
        from participatie.persistence.postgres_recorder import PostgresSnapshotRecorder  # noqa: PLC0415

        recorder = PostgresSnapshotRecorder(self.datastore, events_table_name="es_snapshots")
        recorder.create_table()
        return recorder


class TestPOPOFactsViewTracking(TrackingRecorderTestCase):
    def create_recorder(self) -> POPOFactsView:
        return POPOFactsView()


class TestSQLiteFactsViewTracking(_SQLiteFile, TrackingRecorderTestCase):
    def create_recorder(self) -> SQLiteFactsView:  # type: ignore[override]
        recorder = SQLiteFactsView(self.datastore)
        recorder.create_table()
        return recorder


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres_for_unittest")
class TestPostgresFactsViewTracking(_PostgresSchema, TrackingRecorderTestCase):
    def create_recorder(self) -> Any:
        from participatie.projections.views_postgres import PostgresFactsView  # noqa: PLC0415

        recorder = PostgresFactsView(self.datastore, tracking_table_name="es_tracking")
        recorder.create_table()
        return recorder
