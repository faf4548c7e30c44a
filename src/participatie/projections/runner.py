"""Keeping the outcomes view current: read pages of events, record their facts, page by page.

The facts of a page come from :class:`~participatie.projections.outcomes.OutcomesProjection`.

Each page of events (1,000 by default) becomes one transaction that writes the page's facts and
the position of its last event, so a rebuild runs at read speed rather than at one commit per
event, every event counts exactly once, and a catch-up that stops halfway resumes after the last
page it committed. When two processes catch up at once, the one whose page was recorded first
wins and the other re-reads the position and goes on.

On PostgreSQL a page is written *behind* the reading: a thread of its own writes page ``n`` while
the next page is read and decoded, so that the time the database server spends storing a page
(and the round trips to it) overlaps with work in this process. Pages are still written one at a
time and in order, each from the position its predecessor left; when one is refused, the pages
queued behind it are dropped and the catch-up carries on from the view's position. On SQLite and
in memory the writing is itself work in this process (holding Python's interpreter lock), so a
second thread only slows it down, and pages are written in turn.

A rebuild keeps a second view from the same reading (``also``: the worklist's rows): what it
makes of a page is written in the transaction of the page's facts, so the two views' pages take
one commit, and on PostgreSQL both are written behind the reading.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from participatie.projections.facts import Fact
from participatie.projections.outcomes import OutcomesProjection
from participatie.projections.views import TRACKING_KEY, FactsView

__all__ = ["PAGE_SIZE", "catch_up", "follow"]

PAGE_SIZE = 1000


#: The rest of a page's writes, given the cursor of the transaction that writes its facts (None
#: in memory).
PageWrite = Callable[[Any], None]
#: Given a page of stored events, a decoder and the position the page follows: what else to
#: write of the page, in the transaction of its facts (None: nothing).
PageReader = Callable[[Sequence[Any], Callable[[Any], Any], int], PageWrite | None]


def _decode_once(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``decode``, remembering each event of the page it decoded, for a second reader."""
    decoded: dict[int, Any] = {}

    def once(notification: Any) -> Any:
        event = decoded.get(notification.id)
        if event is None:
            event = decoded[notification.id] = decode(notification)
        return event

    return once


def _record(
    view: FactsView,
    facts: Sequence[Fact],
    tracking: Tracking,
    after: int,
    also: PageWrite | None,
) -> None:
    if also is None:  # as a plain catch-up records (and tests that stand in for a view expect)
        view.record(facts, tracking, after=after)
    else:
        view.record(facts, tracking, after=after, also=also)


class _Pages:
    """Writes pages of facts to the view in turn, counting the events of the pages written."""

    def __init__(self, view: FactsView) -> None:
        self.view = view
        self.written = 0

    def write(
        self,
        facts: Sequence[Fact],
        tracking: Tracking,
        *,
        after: int,
        events: int,
        last: bool,  # noqa: ARG002 (whether more pages follow: for writers that queue)
        also: PageWrite | None = None,
    ) -> None:
        """Write a page (``events`` events up to ``tracking``, and ``also`` in the same
        transaction), or queue it to be written; raise the error of an earlier page that
        failed."""
        _record(self.view, facts, tracking, after, also)
        self.written += events

    def flush(self) -> None:
        """Return when every page given is written; raise the error of one that failed."""

    def recover(self) -> None:
        """After an error: drop the pages queued behind the one that failed, and forget it."""

    def close(self) -> None:
        """Write what is queued and stop."""


class _PagesBehind(_Pages):
    """Writes pages in a thread of its own, one page behind the reading.

    At most one page waits while another is written, so memory stays at a few pages. The
    thread starts with the first page that has a page after it: a catch-up of one short page
    (the usual case when a report catches up) writes it at once.
    """

    def __init__(self, view: FactsView) -> None:
        super().__init__(view)
        self._queue: queue.Queue[tuple[Sequence[Fact], Tracking, int, int, PageWrite | None] | None]
        self._queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def write(
        self,
        facts: Sequence[Fact],
        tracking: Tracking,
        *,
        after: int,
        events: int,
        last: bool,
        also: PageWrite | None = None,
    ) -> None:
        if self._error is not None:
            raise self._error
        if self._thread is None:
            if last:
                super().write(facts, tracking, after=after, events=events, last=last, also=also)
                return
            self._thread = threading.Thread(
                target=self._run, name="participatie-outcomes-writer", daemon=True
            )
            self._thread.start()
        self._queue.put((facts, tracking, after, events, also))

    def _run(self) -> None:
        while True:
            page = self._queue.get()
            try:
                if page is None:
                    return
                if self._error is None:  # else the page follows one that failed: drop it
                    facts, tracking, after, events, also = page
                    try:
                        _record(self.view, facts, tracking, after, also)
                    except BaseException as error:  # handed to the reading thread
                        self._error = error
                    else:
                        self.written += events
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        self._queue.join()
        if self._error is not None:
            raise self._error

    def recover(self) -> None:
        self._queue.join()
        self._error = None

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


def catch_up(
    application: Any,
    view: FactsView,
    *,
    page_size: int = PAGE_SIZE,
    progress: Callable[[int], None] | None = None,
    write_behind: bool | None = None,
    also: PageReader | None = None,
) -> int:
    """Record the facts of every event after the view's position; return how many events.

    ``write_behind`` writes each page in a thread while the next is read (by default where the
    view says its writes wait on a database server: PostgreSQL). ``also`` is given each page
    read, with a decoder that decodes each event once for both, and returns what else to write
    of the page: that is written in the transaction of the page's facts, one commit for both
    and, with ``write_behind``, in the same thread (a rebuild keeps the worklist's view with the
    same reading: see :func:`participatie.projections.worklist_views.rows_writer`).
    """
    if write_behind is None:
        write_behind = view.writes_behind
    pages = _PagesBehind(view) if write_behind else _Pages(view)
    try:
        return _catch_up(application, view, pages, page_size, progress, also=also)
    finally:
        pages.close()


def _catch_up(
    application: Any,
    view: FactsView,
    pages: _Pages,
    page_size: int,
    progress: Callable[[int], None] | None,
    *,
    also: PageReader | None = None,
) -> int:
    projection = OutcomesProjection(view)
    # A projection never saves, so it need not remember chain hashes while decoding.
    decode = getattr(application.mapper, "decode_only", application.mapper.to_domain_event)
    position = projection.position
    reported = 0
    while True:
        page = application.recorder.select_notifications(position + 1, page_size)
        last = len(page) < page_size
        try:
            if page:
                more = None
                if also is None:
                    facts = projection.facts_of_page(page, decode)
                else:
                    once = _decode_once(decode)
                    facts = projection.facts_of_page(page, once)
                    more = also(page, once, position)
                tracking = Tracking(TRACKING_KEY, page[-1].id)
                pages.write(facts, tracking, after=position, events=len(page), last=last, also=more)
            if last:
                pages.flush()
        except IntegrityError:
            # Another process recorded a page first, or a rebuild started: carry on from the
            # view's position.
            pages.recover()
            position = projection.resume()
            continue
        if progress is not None and pages.written > reported:
            progress(pages.written - reported)
            reported = pages.written
        if last:
            return pages.written
        position = page[-1].id


def follow(
    application: Any,
    view: FactsView,
    *,
    stop: threading.Event,
    wait_for_events: Callable[[float], object],
    poll_seconds: float = 1.0,
    progress: Callable[[int], None] | None = None,
    after_catch_up: Callable[[], object] | None = None,
) -> int:
    """Catch up, then wait for new events and catch up again, until ``stop`` is set.

    ``after_catch_up`` is called after each catch-up (the worker's checkpoints).

    ``wait_for_events(seconds)`` returns when new events may have been recorded (a PostgreSQL
    notification) or after ``seconds`` at most; it must already be listening when this starts,
    so that nothing recorded during a catch-up goes unnoticed. Returns how many events it
    processed.
    """
    processed = 0
    while not stop.is_set():
        processed += catch_up(application, view, progress=progress)
        if after_catch_up is not None:
            after_catch_up()
        wait_for_events(poll_seconds)
    return processed
