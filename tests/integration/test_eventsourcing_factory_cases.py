"""eventsourcing's own infrastructure-factory test case, run against participatie's factories.

Each store is one factory subclass (participatie.persistence); these cases prove that it still
does all that eventsourcing expects of a factory, with participatie's recorder as the
application recorder, and that each gives the snapshot recorder and the outcomes view.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.popo import (
    POPOAggregateRecorder,
    POPOProcessRecorder,
    POPOTrackingRecorder,
)
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteProcessRecorder,
    SQLiteTrackingRecorder,
)
from eventsourcing.tests.persistence import InfrastructureFactoryTestCase
from eventsourcing.utils import Environment

from participatie.persistence.base import ParticipationFactory, ParticipationRecorder
from participatie.persistence.memory import MemoryStoreFactory
from participatie.persistence.memory_recorder import POPOParticipationRecorder
from participatie.persistence.sqlite import SQLiteStoreFactory
from participatie.persistence.sqlite_recorder import SQLiteParticipationRecorder
from participatie.stores import parse_store_url


class _OwnTrackingSubclass(POPOTrackingRecorder):
    pass


class _SQLiteTrackingSubclass(SQLiteTrackingRecorder):
    pass


class _ChecksParticipationParts:
    factory: Any

    def test_the_factory_makes_participaties_recorder_snapshot_recorder_and_view(self) -> None:
        assert isinstance(self.factory, ParticipationFactory)
        assert isinstance(self.factory.participation_recorder(), ParticipationRecorder)
        assert isinstance(self.factory.snapshot_recorder("Participation"), AggregateRecorder)
        view = self.factory.facts_view()
        assert view.select_facts(None) == []


class TestMemoryStoreFactory(_ChecksParticipationParts, InfrastructureFactoryTestCase[Any]):
    def setUp(self) -> None:
        self.env = Environment("Participation", parse_store_url("memory://").env)
        super().setUp()

    def expected_factory_class(self) -> type[InfrastructureFactory[Any]]:
        return MemoryStoreFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return POPOAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return POPOParticipationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return POPOTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return _OwnTrackingSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return POPOProcessRecorder


class TestSQLiteStoreFactory(_ChecksParticipationParts, InfrastructureFactoryTestCase[Any]):
    def setUp(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(self._dir.name) / 'store.db'}"
        self.env = Environment("Participation", parse_store_url(url).env)
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self._dir.cleanup()

    def expected_factory_class(self) -> type[InfrastructureFactory[Any]]:
        return SQLiteStoreFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return SQLiteAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return SQLiteParticipationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return SQLiteTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return _SQLiteTrackingSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return SQLiteProcessRecorder


@pytest.fixture
def _postgres_for_unittest(request: pytest.FixtureRequest, postgres_url: str) -> Any:
    request.cls.postgres_url = postgres_url


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres_for_unittest")
class TestPostgresStoreFactory(_ChecksParticipationParts, InfrastructureFactoryTestCase[Any]):
    postgres_url: str

    def setUp(self) -> None:
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        self.schema = f"f_{secrets.token_hex(6)}"
        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
        url = f"{self.postgres_url}?schema={self.schema}"
        self.env = Environment("Participation", parse_store_url(url).env)
        super().setUp()

    def tearDown(self) -> None:
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        super().tearDown()
        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self.schema)))

    def expected_factory_class(self) -> type[InfrastructureFactory[Any]]:
        from participatie.persistence.postgres import PostgresStoreFactory  # noqa: PLC0415

        return PostgresStoreFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        from eventsourcing.postgres import PostgresAggregateRecorder  # noqa: PLC0415

        return PostgresAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        from participatie.persistence.postgres_recorder import PostgresParticipationRecorder  # noqa: PLC0415

        return PostgresParticipationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        from eventsourcing.postgres import PostgresTrackingRecorder  # noqa: PLC0415

        return PostgresTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        from participatie.projections.views_postgres import PostgresFactsView  # noqa: PLC0415

        return PostgresFactsView

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        from eventsourcing.postgres import PostgresProcessRecorder  # noqa: PLC0415

        return PostgresProcessRecorder
