"""A coach's working day: the caseload, a resident's job coachings, and the signals.

Every read is answered from the worklist view (:mod:`participatie.projections.worklist_views`),
brought up to the end of the log first, never by loading trajectories. Each read takes ``by=``,
is authorised (``READ_CASELOAD``, ``READ_SIGNALS``, and ``READ_TRAJECTORY`` for one resident's
job coachings) and scoped to ``by``'s municipality.

What is access-logged: :meth:`Worklist.coachings_of` reads one resident's file, and is logged
in that resident's access log as a trajectory read, as :meth:`resident` is. A caseload page and
the signals are lists over many residents, not one resident's file: they log nothing (they show
ids, dates and kinds, no personal data; opening a resident from the list is the logged read). A
refused read raises before anything is appended.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

from participatie.audit.access import AccessKind
from participatie.audit.history import check_moments
from participatie.domain.values import Actor, Goal, Role, TrajectoryStatus, parse_enum
from participatie.errors import InvalidInput, NotFound
from participatie.privacy.authorisation import Action
from participatie.projections.caseload import (
    CaseloadEntry,
    CaseloadPage,
    CoachingState,
    CoachingSummary,
    fold_coaching,
    fold_resident,
)
from participatie.projections.signals import Signal, coaching_signals, resident_signals
from participatie.projections.worklist_rows import WorkRow
from participatie.projections.worklist_views import WorklistView, catch_up_worklist
from participatie.service.core import NOT_STATED, Room, as_uuid

__all__ = ["MAX_PAGE", "Worklist"]

#: The longest caseload page.
MAX_PAGE = 1000


class Worklist(Room):
    """The caseload, a resident's job coachings and the signals of a working day."""

    def _view(self) -> WorklistView:
        view = self._core.store.worklist_view()
        catch_up_worklist(self._core.store, view)
        return view

    def _scope(self, by: Actor, action: Action, municipality: str | None) -> str | None:
        """The municipality read (canonical), or None for all; refuses one ``by`` does not
        serve."""
        self._core.authorise(by, action)
        if municipality is not None:
            municipality = self._core.municipality(municipality)
            self._core.authorise(by, action, municipality=municipality)
            return municipality
        if by.municipality is not None:
            return self._core.municipality(by.municipality)
        return None

    def _day(self, day: date | None, name: str) -> date:
        check_moments(day, None)
        today = self._core.today()
        if day is None:
            return today
        if day > today:
            raise InvalidInput(f"{name} ({day}) is after today ({today}): nothing is known yet")
        return day

    def caseload(
        self,
        *,
        by: Actor,
        municipality: str | None = None,
        coach: str | None = None,
        status: TrajectoryStatus | str | None = TrajectoryStatus.OPEN,
        goal: Goal | str | None = None,
        as_of: date | None = None,
        limit: int = 50,
        after: UUID | str | None = None,
    ) -> CaseloadPage:
        """A page of residents (``by``'s municipality, or the one named), by resident id.

        ``coach`` keeps the residents whose coach (the actor of the last conversation, or else
        of the intake) has that id; ``status`` (None: any) and ``goal`` filter as named. As of
        ``as_of`` (a business date, default now) the caseload is as it stood on that day: the
        events dated on or before it, in the order they were recorded. ``after`` is the
        ``next_after`` of the page before; a page is a range of resident ids, so residents
        registered meanwhile never shift the pages. Logs nothing: see the module.
        """
        scope = self._scope(by, Action.READ_CASELOAD, municipality)
        wanted_status = (
            None if status is None else parse_enum(TrajectoryStatus, status, field="status")
        )
        wanted_goal = None if goal is None else parse_enum(Goal, goal, field="goal")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit is a whole number from 1 to {MAX_PAGE}, not {limit!r}")
        if as_of is not None:
            as_of = self._day(as_of, "as_of")
        start = "" if after is None else as_uuid(after).hex
        view = self._view()
        entries: list[CaseloadEntry] = []
        batch = limit + 1
        while len(entries) <= limit:
            ids = view.registered(scope, start, batch)
            if not ids:
                break
            streams: dict[str, list[WorkRow]] = defaultdict(list)
            for row in view.rows_of(ids):
                if row.stream_id == row.resident_id:
                    streams[row.resident_id].append(row)
            for rid in ids:
                state = fold_resident(streams[rid], as_of)
                if (
                    state is None
                    or (wanted_status is not None and state.status is not wanted_status)
                    or (wanted_goal is not None and state.goal is not wanted_goal)
                    or (coach is not None and state.coach_id != coach)
                ):
                    continue
                entries.append(state.entry())
                if len(entries) > limit:
                    break
            start = ids[-1]
            if len(ids) < batch:
                break
        more = len(entries) > limit
        entries = entries[:limit]
        return CaseloadPage(tuple(entries), entries[-1].resident_id if more else None)

    def coachings_of(
        self, resident_id: UUID | str, *, by: Actor, purpose: str = NOT_STATED
    ) -> list[CoachingSummary]:
        """The job coachings of a resident, in order of their start, with their state now.

        One resident's file: authorised as reading the trajectory and recorded in the resident's
        access log, with its ``purpose``."""
        rid = as_uuid(resident_id)
        self._core.authorise(by, Action.READ_TRAJECTORY)
        rows = self._view().rows_of([rid.hex])
        state = fold_resident(r for r in rows if r.stream_id == r.resident_id)
        if state is None:
            raise NotFound(f"no resident with id {rid}")
        self._core.authorise(by, Action.READ_TRAJECTORY, municipality=state.municipality)
        streams: dict[str, list[WorkRow]] = defaultdict(list)
        for row in rows:
            if row.stream_id != row.resident_id:
                streams[row.stream_id].append(row)
        summaries = []
        for stream in streams.values():
            coaching = fold_coaching(stream)
            if coaching is not None:
                summaries.append(
                    CoachingSummary(
                        UUID(coaching.coaching_id),
                        coaching.state,
                        coaching.started_on,
                        coaching.planned_end,
                    )
                )
        self._core.log_access(rid, by, AccessKind.TRAJECTORY, purpose)
        return summaries

    def signals(
        self, *, by: Actor, municipality: str | None = None, on: date | None = None
    ) -> list[Signal]:
        """The worklist on ``on`` (default today, by this application's clock) of ``by``'s
        municipality or the one named, ordered by ``since`` (see
        :mod:`participatie.projections.signals` for each kind's rule; thresholds from this
        application's policy). A job coach's signals are those of the job coachings assigned to
        them. Logs nothing: see the module."""
        scope = self._scope(by, Action.READ_SIGNALS, municipality)
        day = self._day(on, "on")
        residents: dict[str, list[WorkRow]] = defaultdict(list)
        coachings: dict[str, list[WorkRow]] = defaultdict(list)
        for row in self._view().rows(scope):
            if row.stream_id == row.resident_id:
                residents[row.resident_id].append(row)
            else:
                coachings[row.stream_id].append(row)
        policy = self._core.policy
        found: list[Signal] = []
        coached: dict[str, list[CoachingState]] = defaultdict(list)
        # A job coach acts on, and reads, only the coachings assigned to them (as
        # job_coaching() does): their worklist is those coachings' signals, and no resident's.
        own_only = by.id if by.role is Role.JOB_COACH else None
        for rows in coachings.values():
            coaching = fold_coaching(rows, day)
            if coaching is not None:
                coached[coaching.resident_id].append(coaching)
                if own_only is None or coaching.job_coach_id == own_only:
                    found.extend(coaching_signals(coaching, on=day, policy=policy))
        if own_only is not None:
            residents.clear()
        for rows in residents.values():
            state = fold_resident(rows, day)
            if state is not None:
                own = coached.get(state.resident_id, [])
                ended = [c.completed_on for c in own if c.completed_on is not None]
                found.extend(
                    resident_signals(
                        state,
                        on=day,
                        policy=policy,
                        has_job_coaching=bool(own),
                        coaching_ended_on=max(ended, default=None),
                        coaching_running=any(not c.completed for c in own),
                    )
                )
        found.sort(key=lambda s: (s.since, s.kind.value, str(s.resident_id or s.coaching_id)))
        return found
