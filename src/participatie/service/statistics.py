"""Outcome statistics: reports over the outcomes view, and keeping that view up to date."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import InterfaceError, OperationalError

from participatie.audit.checkpoints import Checkpoint, load_signing_key
from participatie.audit.history import check_moments
from participatie.domain.inputs import business_date
from participatie.errors import InvalidInput
from participatie.projections.figures import OutcomeReport
from participatie.projections.fold import fold
from participatie.projections.lag import FactsLag
from participatie.projections.monthly import ReadPlan
from participatie.projections.runner import catch_up
from participatie.projections.runner import follow as follow_view
from participatie.projections.views import TRACKING_KEY
from participatie.projections.worklist_views import catch_up_worklist, rows_writer
from participatie.service.core import Core, Room
from participatie.service.idempotency import store_errors
from participatie.service.tamper import take_checkpoint

__all__ = ["Statistics"]


class Statistics(Room):
    """Outcome reports, following the log, and rebuilding the view."""

    def outcomes(
        self,
        *,
        period: tuple[date | None, date | None] | None = None,
        municipality: str | None = None,
        target: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> OutcomeReport:
        """The outcome statistics of a period (both days inclusive) for a municipality or all.

        The outcomes view first catches up with the end of the event log, so the effect of every
        command is visible; when the application was opened with ``reports_url``, the facts are
        read from that standby as they are, without catching up (see :meth:`facts_lag`).
        ``as_of`` counts only what had happened by that business date,
        ``known_at`` only what had been recorded by then. ``target`` is the reach the
        municipality aimed for. Job coaching's cap use is counted against the caps of this
        application's policy.

        ``municipality`` is matched without regard to case and surrounding spaces; one the store
        does not serve is :class:`InvalidInput` (see ``Participation.open(municipalities=)``).

        The period ends on its last day, or on the reporting date (``as_of``, or else today)
        when that comes first or no last day is given; it starts on its first day, or else on
        1 January of the year it ends in. ``report.period`` is the period counted.
        """
        with store_errors(self._core):
            return self._outcomes(period, municipality, target, as_of, known_at)

    def _outcomes(
        self,
        period: tuple[date | None, date | None] | None,
        municipality: str | None,
        target: int | None,
        as_of: date | None,
        known_at: datetime | None,
    ) -> OutcomeReport:
        check_moments(as_of, known_at)
        start, end = reporting_period(period, as_of=as_of, today=self._core.today())
        if target is not None and (
            isinstance(target, bool) or not isinstance(target, int) or target < 1
        ):
            raise InvalidInput(f"target must be a whole number above 0, or None, not {target!r}")
        if municipality is not None:
            municipality = self._core.municipality(municipality)
        # This store's view caught up with the log, or a standby's as it is.
        view = self._core.reports_view()
        # Nothing that happened after the period's end (so after as_of) counts, nor what was
        # recorded after known_at: the view leaves those facts out. Without known_at the view
        # reads monthly counters for the whole months of the period; a report known at a moment
        # reads the facts. Either way one stream at a time (see projections.fold).
        if known_at is None:
            rows = view.summary_rows(municipality, ReadPlan.of(start, end))
        else:
            rows = view.fact_rows(municipality, through=end, known_at=known_at)
        try:
            report, streams = fold(
                rows,
                period=(start, end),
                municipality=municipality,
                target=target,
                policy=self._core.policy,
                uncounted=view.uncounted_positions(through=end, known_at=known_at),
            )
        finally:
            close = getattr(rows, "close", None)  # a generator holding a read transaction
            if close is not None:
                close()
        if (
            not streams
            and not report.uncounted
            and municipality is not None
            and self._core.municipalities is None
            # Rows hold what counts for the period: whether there are facts at all, ask them.
            and not view.select_facts(municipality, through=end, known_at=known_at)
        ):
            # Without a register, a name no resident was ever registered under is a typo, not
            # a municipality with no residents: never a report of zeros.
            known = self._core.known_municipalities()
            if municipality not in known:
                raise InvalidInput(
                    f"no resident of municipality {municipality!r} is recorded in this store "
                    f"(known: {', '.join(sorted(known)) or 'none'}); open the store with "
                    "municipalities={...} to report on a municipality without residents"
                )
        return report

    def facts_lag(self) -> FactsLag:
        """How far the facts :meth:`outcomes` reads are behind the end of the event log.

        Without ``reports_url`` this is the projection worker's lag (the facts are caught up
        before each report anyway); with it, the lag of the standby's facts, which is the
        worker's lag plus the replication delay. Nothing is caught up or written.
        """
        with store_errors(self._core):
            log_end = self._core.store.recorder.max_notification_id() or 0
            reports = self._core.reports
            if reports is None:
                view = self._core.store.facts_view()
                position = view.max_tracking_id(TRACKING_KEY) or 0
                return FactsLag(position, log_end, None, self._core.store_url)
            return FactsLag(
                reports.position(), log_end, reports.replay_delay(), reports.display_url
            )

    def project(
        self,
        *,
        follow: bool = False,
        stop: threading.Event | None = None,
        poll_seconds: float = 1.0,
        progress: Callable[[int], None] | None = None,
        checkpoints: Callable[[Checkpoint], object] | None = None,
        checkpoint_seconds: float = 60.0,
        signing_key: str | Path | None = None,
    ) -> int:
        """Bring the outcomes view up to the end of the event log; return how many events that took.

        While following, ``checkpoints`` (if given) receives a signed checkpoint of the ledger
        (see :meth:`checkpoint`) at most every ``checkpoint_seconds``, when the log has grown,
        signed with the key in ``signing_key`` (default: ``PARTICIPATIE_SIGNING_KEY``); keep
        them outside the store.

        With ``follow=True`` keep it there until ``stop`` is set: on PostgreSQL the view catches
        up as soon as a notification says events were recorded (LISTEN/NOTIFY), and at least every
        ``poll_seconds``; on SQLite, which has no notifications, every ``poll_seconds``. Several
        followers and applications may share one view: each event is counted once.
        """
        view = self._core.store.facts_view()
        if not follow:
            return catch_up(self._core.store, view, progress=progress)
        if stop is None:
            raise InvalidInput("follow=True needs a stop event (threading.Event) to end it")
        after_catch_up = None
        if checkpoints is not None:
            after_catch_up = _Checkpointing(
                self._core, load_signing_key(signing_key), checkpoints, checkpoint_seconds
            )
        counted = [0]

        def follow_once() -> None:
            def counting(events: int) -> None:
                counted[0] += events
                if progress is not None:
                    progress(events)

            with self._core.store.new_events_signal(stop) as wait_for_events:
                follow_view(
                    self._core.store,
                    view,
                    stop=stop,
                    wait_for_events=wait_for_events,
                    poll_seconds=poll_seconds,
                    progress=counting,
                    after_catch_up=after_catch_up,
                )

        _through_lost_connections(self._core, follow_once, stop, poll_seconds)
        return counted[0]

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the outcomes view and the worklist's view from all events, reading and
        decoding each event once for both; return how many events were read (``progress``
        follows them)."""
        view = self._core.store.facts_view()
        worklist = self._core.store.worklist_view()
        view.reset()
        worklist.reset()
        try:
            read = catch_up(self._core.store, view, progress=progress, also=rows_writer(worklist))
            # Whatever the shared reading could not write (another process wrote first).
            catch_up_worklist(self._core.store, worklist)
        finally:
            view.create_indexes()
            worklist.create_indexes()
        return read


def _through_lost_connections(
    core: Core, run: Callable[[], None], stop: threading.Event, poll_seconds: float
) -> None:
    """Run ``run`` until ``stop`` is set, starting it again after a lost connection (a
    failover, a restarted server): the view's tracking position says where to go on, so no
    event is counted twice or left out."""
    while not stop.is_set():
        try:
            run()
        except (OperationalError, InterfaceError):
            core.store.store_factory.reconnect()
            stop.wait(min(poll_seconds, 1.0))


class _Checkpointing:
    """Signs a checkpoint after a catch-up when ``seconds`` have passed and the log grew."""

    def __init__(
        self,
        core: Core,
        key: Ed25519PrivateKey,
        receive: Callable[[Checkpoint], object],
        seconds: float,
    ) -> None:
        if seconds <= 0:
            raise InvalidInput(f"checkpoint_seconds must be more than 0, not {seconds}")
        self.core, self.key, self.receive, self.seconds = core, key, receive, seconds
        self.last_time = -math.inf
        self.last_position = -1

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last_time < self.seconds:
            return
        position = self.core.store.recorder.max_notification_id() or 0
        if position == self.last_position:
            return
        checkpoint = take_checkpoint(self.core, self.key)
        self.receive(checkpoint)
        self.last_time, self.last_position = now, checkpoint.position


#: No period of a report starts earlier (nothing recorded here happened before it).
EARLIEST_PERIOD_START = date(1900, 1, 1)


def reporting_period(period: object, *, as_of: date | None, today: date) -> tuple[date, date]:
    """The period a report counts: see :meth:`Statistics.outcomes`."""
    if period is None:
        period = (None, None)
    if not isinstance(period, tuple | list) or len(period) != 2:
        raise InvalidInput(
            f"period is a pair (first day, last day), either of them None, not {period!r}"
        )
    first, last = (None if day is None else business_date(day, field="period") for day in period)
    if as_of is not None and as_of > today:
        raise InvalidInput(f"as_of ({as_of}) is after today ({today}): nothing is known yet")
    reference = as_of or today
    end = reference if last is None else min(last, reference)
    start = date(end.year, 1, 1) if first is None else first
    if start < EARLIEST_PERIOD_START:
        # Counting looks at the days before the period; near date.min there are none.
        raise InvalidInput(
            f"the period starts on {start}, before {EARLIEST_PERIOD_START}: a typing error?"
        )
    if start > end:
        raise InvalidInput(
            f"the period starts ({start}) after it ends ({end}"
            + (")" if last is not None and end == last else ", the reporting date)")
        )
    return start, end
