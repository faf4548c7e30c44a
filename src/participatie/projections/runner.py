"""Keeping the outcomes view current: read pages of events, record their facts, page by page.

Each page of events (1,000 by default) becomes one transaction that writes the page's facts and
the position of its last event, so a rebuild runs at read speed rather than at one commit per
event, every event counts exactly once, and a catch-up that stops halfway resumes after the last
page it committed. When two processes catch up at once, the one whose page was recorded first
wins and the other re-reads the position and goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from participatie.projections.facts import Fact, fact_of, has_facts
from participatie.projections.views import TRACKING_KEY, FactsView

__all__ = ["PAGE_SIZE", "catch_up", "follow"]

PAGE_SIZE = 1000


def catch_up(
    application: Any,
    view: FactsView,
    *,
    page_size: int = PAGE_SIZE,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Record the facts of every event after the view's position; return how many events."""
    municipality_of = view.municipalities()
    # A projection never saves, so it need not remember chain hashes while decoding.
    decode = getattr(application.mapper, "decode_only", application.mapper.to_domain_event)
    processed = 0
    position = view.max_tracking_id(TRACKING_KEY) or 0
    while True:
        page = application.recorder.select_notifications(position + 1, page_size)
        if not page:
            return processed
        facts: list[Fact] = []
        for notification in page:
            if has_facts(notification.topic):
                fact = fact_of(decode(notification), municipality_of, notification.id)
                if fact is not None:
                    facts.append(fact)
        try:
            view.record(facts, Tracking(TRACKING_KEY, page[-1].id), after=position)
        except IntegrityError:
            # Another process recorded this page first, or a rebuild started: carry on from the
            # view's position.
            municipality_of = view.municipalities()
            position = view.max_tracking_id(TRACKING_KEY) or 0
            continue
        position = page[-1].id
        processed += len(page)
        if progress is not None:
            progress(len(page))
        if len(page) < page_size:
            return processed


def follow(
    application: Any,
    view: FactsView,
    *,
    stop: threading.Event,
    wait_for_events: Callable[[float], object],
    poll_seconds: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Catch up, then wait for new events and catch up again, until ``stop`` is set.

    ``wait_for_events(seconds)`` returns when new events may have been recorded (a PostgreSQL
    notification) or after ``seconds`` at most; it must already be listening when this starts,
    so that nothing recorded during a catch-up goes unnoticed. Returns how many events it
    processed.
    """
    processed = 0
    while not stop.is_set():
        processed += catch_up(application, view, progress=progress)
        wait_for_events(poll_seconds)
    return processed
