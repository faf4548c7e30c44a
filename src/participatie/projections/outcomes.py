"""The outcomes projection: eventsourcing's :class:`~eventsourcing.projection.Projection` of
events into facts, one event at a time or a page at a time.

``process_event`` is eventsourcing's own pattern (one event and its tracking record per
transaction), so the projection runs under eventsourcing's ``ProjectionRunner``, which follows an
application's subscription (on PostgreSQL)::

    from eventsourcing.projection import ProjectionRunner

    runner = ProjectionRunner(
        application_class=...,  # the store's event application, built from the same settings
        projection_class=OutcomesProjection,
        view_class=PostgresFactsView,
        env=settings,
    )

That runs at the store's commit rate. ``facts_of_page`` gives the facts of a whole page of stored
events, which :mod:`participatie.projections.runner` writes in one transaction: what
``outcomes()``, ``project()`` and ``rebuild()`` use. Both keep the view's position under
:data:`~participatie.projections.views.TRACKING_KEY` and count each event once, together too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from eventsourcing.projection import Projection

from participatie.projections.facts import (
    Fact,
    FactKind,
    all_storable,
    fact_of,
    fact_or_uncounted,
    has_facts,
    uncounted,
    unstorable,
)
from participatie.projections.views import TRACKING_KEY, FactsView
from participatie.stores import APP_NAME

__all__ = ["OutcomesProjection"]

logger = logging.getLogger(__name__)


class OutcomesProjection(Projection[Any]):  # Any: FactsView is a protocol
    """The facts of the outcome statistics, recorded in a view with their position in the log."""

    #: eventsourcing names a projection's settings and tables after it: the application's name,
    #: so that under a ProjectionRunner the view is the application's own (same tables).
    name = APP_NAME
    topics = ()  # every event: the position moves past events that make no facts too

    def __init__(self, view: FactsView) -> None:
        super().__init__(view)
        self._municipality_of: dict[str, str] | None = None
        self.position = 0
        self.resume()

    @property
    def view(self) -> FactsView:
        """The view the facts are recorded in."""
        view: FactsView = self._view
        return view

    @property
    def municipality_of(self) -> dict[str, str]:
        """Resident ids to municipalities and coaching ids to residents, as the view knows them;
        read when first needed, so that a catch-up with nothing to do does not read it."""
        if self._municipality_of is None:
            self._municipality_of = self.view.municipalities()
        return self._municipality_of

    def resume(self) -> int:
        """Take up the view's position, and forget what it knew of residents (after the view
        moved)."""
        self._municipality_of = None
        self.position = self.view.max_tracking_id(TRACKING_KEY) or 0
        return self.position

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Record one event's fact and position in one transaction (events at or before the
        view's position are passed over: they were recorded already)."""
        position = tracking.notification_id
        if position <= self.position:
            return
        fact = fact_of(domain_event, self.municipality_of, position)
        if fact is not None and (reason := unstorable(fact)) is not None:
            fact = uncounted(tracking_notification(domain_event, position), reason)
        try:
            self.view.record(
                [] if fact is None else [fact],
                Tracking(TRACKING_KEY, position),
                after=self.position,
            )
        except IntegrityError:
            # Another writer moved the view: passed over if it recorded this event, else
            # (a rebuild emptied the view) the error stops the runner, to be started again.
            if position <= self.resume():
                return
            raise
        self.position = position

    def facts_of_page(
        self, page: Sequence[Notification], decode: Callable[[Notification], Any]
    ) -> list[Fact]:
        """The facts of a page of stored events (events that make none are not decoded)."""
        facts: list[Fact] = []
        municipality_of = self.municipality_of
        for notification in page:
            if has_facts(notification.topic):
                fact = fact_or_uncounted(notification, decode, municipality_of, check=False)
                if fact is not None:
                    if fact.kind == FactKind.UNCOUNTED:
                        _warn(notification, fact)
                    facts.append(fact)
        if all_storable(facts):  # the page at once: the usual case
            return facts
        stored = {notification.id: notification for notification in page}
        checked = []
        for fact in facts:
            reason = None if fact.kind == FactKind.UNCOUNTED else unstorable(fact)
            if reason is None:
                checked.append(fact)
            else:
                notification = stored[fact.position]
                checked.append(uncounted(notification, reason))
                _warn(notification, checked[-1])
        return checked


def _warn(notification: Notification, fact: Fact) -> None:
    logger.warning(
        "the outcome statistics cannot count the event at position %s (stream %s, version %s): %s",
        notification.id,
        notification.originator_id,
        notification.originator_version,
        fact.value,
    )


class _Placed:
    """Where an event was stored, for an uncounted fact made from a decoded event."""

    def __init__(self, event: Any, position: int) -> None:
        self.originator_id = event.originator_id
        self.originator_version = event.originator_version
        self.id = position


def tracking_notification(event: Any, position: int) -> _Placed:
    return _Placed(event, position)
