"""PostgreSQL: eventsourcing's PostgreSQL persistence with participatie's tables beside, and
LISTEN/NOTIFY to follow new events (needs the ``postgres`` extra)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg.sql import SQL, Identifier

from participatie.persistence.base import ParticipationFactory, ParticipationRecorder
from participatie.persistence.postgres_recorder import (
    PostgresParticipationRecorder,
    PostgresSnapshotRecorder,
)
from participatie.projections.views import FactsView
from participatie.projections.views_postgres import PostgresFactsView
from participatie.projections.worklist_views import WorklistView
from participatie.projections.worklist_views_postgres import PostgresWorklistView
from participatie.stores import TARGET_SESSION_ATTRS

__all__ = ["PostgresStoreFactory"]


class PostgresStoreFactory(PostgresFactory, ParticipationFactory):
    """eventsourcing's PostgreSQL factory with participatie's recorders and view."""

    application_recorder_class = PostgresParticipationRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # eventsourcing's datastore passes host and port on to libpq as they are (so several
        # hosts work), but knows no target_session_attrs: it joins the pool's connection
        # arguments here, before the pool is opened (psycopg_pool reads them for every new
        # connection).
        session_attrs = self.env.get(TARGET_SESSION_ATTRS)
        if session_attrs:
            kwargs = self.datastore.pool.kwargs
            assert isinstance(kwargs, dict)  # noqa: S101 (eventsourcing passes a dict)
            kwargs["target_session_attrs"] = session_attrs

    def participation_recorder(self) -> ParticipationRecorder:
        return cast("ParticipationRecorder", self.application_recorder())

    def snapshot_recorder(self, application_name: str) -> AggregateRecorder:
        recorder = PostgresSnapshotRecorder(
            self.datastore, events_table_name=f"{application_name.lower()}_snapshots"
        )
        if self.env_create_table():
            recorder.create_table()
        return recorder

    def snapshotted_streams(self, recorder: AggregateRecorder) -> list[Any] | None:
        if not isinstance(recorder, PostgresSnapshotRecorder):
            return None
        statement = SQL("SELECT DISTINCT originator_id FROM {schema}.{table}").format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement)
            return [row["originator_id"] for row in curs.fetchall()]

    def reconnect(self) -> None:
        """Check the pool's idle connections: those to a server that is gone are replaced, and
        a new connection goes to the host that is primary now (``target_session_attrs``)."""
        self.datastore.pool.check()

    def facts_view(self) -> FactsView:
        return cast("FactsView", self.tracking_recorder(PostgresFactsView))

    def worklist_view(self) -> WorklistView:
        return cast("WorklistView", self.tracking_recorder(PostgresWorklistView))

    @contextlib.contextmanager
    def new_events_signal(
        self, recorder: ApplicationRecorder, stop: threading.Event
    ) -> Iterator[Callable[[float], object]]:
        """Listen for the notification eventsourcing sends with every insert."""
        channel = getattr(recorder, "channel_name", None)
        if channel is None:
            yield stop.wait
            return
        with self.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
            try:

                def wait(seconds: float) -> object:
                    # Short waits, so that a stop is noticed soon.
                    deadline = time.monotonic() + seconds
                    while not stop.is_set() and time.monotonic() < deadline:
                        for _ in conn.notifies(timeout=min(0.2, seconds), stop_after=1):
                            return True
                    return False

                yield wait
            finally:
                conn.execute(SQL("UNLISTEN {}").format(Identifier(channel)))
