"""A SQLite file: eventsourcing's SQLite persistence with participatie's tables beside."""

from __future__ import annotations

from typing import Any, cast

from eventsourcing.persistence import AggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteFactory

from participatie.persistence.base import ParticipationFactory, ParticipationRecorder
from participatie.persistence.sqlite_recorder import SQLiteParticipationRecorder
from participatie.projections.views import FactsView
from participatie.projections.views_sqlite import SQLiteFactsView
from participatie.projections.worklist_views import SQLiteWorklistView, WorklistView

__all__ = ["SQLiteStoreFactory"]


class SQLiteStoreFactory(SQLiteFactory, ParticipationFactory):
    """eventsourcing's SQLite factory with participatie's recorder and view."""

    application_recorder_class = SQLiteParticipationRecorder

    def participation_recorder(self) -> ParticipationRecorder:
        return cast("ParticipationRecorder", self.application_recorder())

    def snapshot_recorder(self, application_name: str) -> AggregateRecorder:
        del application_name
        return self.aggregate_recorder(purpose="snapshots")

    def snapshotted_streams(self, recorder: AggregateRecorder) -> list[Any] | None:
        if not isinstance(recorder, SQLiteAggregateRecorder):
            return None
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT DISTINCT originator_id FROM {recorder.events_table_name}")  # noqa: S608
            return [row[0] for row in c.fetchall()]

    def facts_view(self) -> FactsView:
        return cast("FactsView", self.tracking_recorder(SQLiteFactsView))

    def worklist_view(self) -> WorklistView:
        return cast("WorklistView", self.tracking_recorder(SQLiteWorklistView))
