"""The in-process store (``memory://``): eventsourcing's POPO persistence."""

from __future__ import annotations

from typing import cast

from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder
from eventsourcing.popo import POPOFactory

from participatie.persistence.base import ParticipationFactory, ParticipationRecorder
from participatie.persistence.memory_recorder import POPOParticipationRecorder
from participatie.projections.views import FactsView
from participatie.projections.views_memory import POPOFactsView
from participatie.projections.worklist_views import POPOWorklistView, WorklistView

__all__ = ["MemoryStoreFactory"]


class MemoryStoreFactory(POPOFactory, ParticipationFactory):
    """eventsourcing's POPO factory with participatie's recorder and view."""

    def application_recorder(self) -> ApplicationRecorder:
        return self.participation_recorder()

    def participation_recorder(self) -> ParticipationRecorder:
        return POPOParticipationRecorder()

    def snapshot_recorder(self, application_name: str) -> AggregateRecorder:
        del application_name
        return self.aggregate_recorder(purpose="snapshots")

    def facts_view(self) -> FactsView:
        return cast("FactsView", POPOFactsView())

    def worklist_view(self) -> WorklistView:
        return cast("WorklistView", POPOWorklistView())
