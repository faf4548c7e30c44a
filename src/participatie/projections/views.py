"""Where the outcomes projection keeps its facts: what every store's view is and shares.

Each view subclasses the store's own tracking recorder and adds a facts table in the same database
as the events. A page of facts and its tracking record (the position in the event log) are written
in one transaction, so that every event counts exactly once, and a crashed catch-up resumes where
the last page committed.

Beside the facts each view keeps monthly counters of the happiness scores and coaching hours
(:mod:`~participatie.projections.monthly`), written with the page's facts in the same
transaction, so that a report reads the few other facts of each stream and one row per stream
and month (:meth:`FactsView.summary_rows`) instead of every fact. A report ``known_at`` a moment
reads the facts themselves (:meth:`FactsView.fact_rows`): counters cannot tell when what they
count was recorded. Both come ordered by stream, one row at a time, so a report's memory does not
grow with the store.

The tracking record is kept under the key ``"Participation:outcomes:v6"``, not the application's
name, so that other projections of the same application can share eventsourcing's tracking
table (on SQLite that table is always called ``tracking``).

This module names the tables and the tracking key, says what a view does (:class:`FactsView`) and
holds what the views of every store share; the views themselves are in
:mod:`~participatie.projections.views_memory`, :mod:`~participatie.projections.views_sqlite` and
:mod:`~participatie.projections.views_postgres`, and the SQL the last two share in
:mod:`~participatie.projections.views_sql`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, OperationalError, Tracking

from participatie.projections.facts import Fact, FactKind
from participatie.projections.fold import Row
from participatie.projections.monthly import CounterCheck, ReadPlan

__all__ = [
    "FACTS_TABLE",
    "MONTHS_TABLE",
    "TRACKING_KEY",
    "FactsView",
    "counter_problems",
]

#: Version 6 of the facts table. Facts are keyed by their event's position in the log, so a page
#: of them is appended in order (version 1 keyed them by stream and version, and they went in at
#: random places); version 3 writes ids as 32 hex digits and, on SQLite, the recorded time as
#: microseconds since 1970 UTC, which a rebuild writes in a fraction of the time of the ISO text
#: of version 2; version 5 adds each fact's ``detail`` (the breakdowns' referral and coach);
#: version 6 has the same facts and adds the monthly counters (:data:`MONTHS_TABLE`), kept under
#: the same tracking record. Earlier tables are dropped (their tracking keys are left behind,
#: unused) and the view is rebuilt from the events on first use.
FACTS_TABLE = "participatie_outcome_facts_v6"
#: The monthly counters of happiness scores and coaching hours (see
#: :mod:`~participatie.projections.monthly`), one row per stream, month, kind and value.
MONTHS_TABLE = "participatie_outcome_months_v6"
TRACKING_KEY = "Participation:outcomes:v6"
EARLIER_FACTS_TABLES = (
    "participatie_outcome_facts",
    "participatie_outcome_facts_v2",
    # v3 kept municipalities as each event stored them; v4 in one canonical form.
    "participatie_outcome_facts_v3",
    # v4 had no detail column (referral, the actor of an intake or conversation).
    "participatie_outcome_facts_v4",
    # v5 had no monthly counters.
    "participatie_outcome_facts_v5",
    "participatie_outcome_months_v5",
)
#: The columns of a fact, in the order of its fields.
COLUMNS = (
    "stream_id, version, kind, municipality, resident_id, occurred_on, recorded_at, value, "
    "amount, position, detail"
)


class FactsView(Protocol):
    """What the outcomes projection needs of a view."""

    #: Whether writing a page waits on a database server, so that the next page is better read
    #: while it is written (see :mod:`participatie.projections.runner`).
    writes_behind: bool

    def record(
        self,
        facts: Sequence[Fact],
        tracking: Tracking,
        *,
        after: int,
        also: Callable[[Any], None] | None = None,
    ) -> None:
        """Write a page's facts and its tracking record, in one transaction, if the view is
        still at position ``after``; otherwise raise IntegrityError and write nothing.

        ``also`` is called last in the same transaction, with its cursor (None in memory), to
        write more of the page into the same store (a rebuild's rows of the worklist)."""
        ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        """The facts in log order: of one municipality (or all), of what happened by the
        business date ``through`` and was recorded by ``known_at`` (both inclusive, if given)."""
        ...

    def stored_facts_after(self, position: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` facts after ``position``, in log order, as the store holds them (in
        :class:`Fact`'s order of fields; for comparing many facts with :meth:`as_stored`
        without making a Fact of each)."""
        ...

    def as_stored(self, fact: Fact) -> tuple[Any, ...]:
        """``fact`` as :meth:`stored_facts_after` would give it back."""
        ...

    def from_stored(self, row: tuple[Any, ...]) -> Fact:
        """A row of :meth:`stored_facts_after` as a Fact (raises if it no longer reads)."""
        ...

    def summary_rows(self, municipality: str | None, plan: ReadPlan) -> Iterator[Row]:
        """What a report of ``plan``'s period reads, as :data:`~participatie.projections.fold.Row`
        ordered by stream: the facts through its end but scores and hours, the monthly counters
        of the months the plan names, and the scores and hours of the days it names. Close the
        iterator (or read it to its end) to end the read."""
        ...

    def fact_rows(
        self, municipality: str | None, *, through: date, known_at: datetime | None
    ) -> Iterator[Row]:
        """Every fact but the uncounted ones that :meth:`select_facts` gives, as rows ordered by
        stream (a report known at a moment)."""
        ...

    def uncounted_positions(self, *, through: date, known_at: datetime | None) -> tuple[int, ...]:
        """The positions of the uncounted facts :meth:`select_facts` gives, in log order."""
        ...

    def counter_rows(self) -> list[tuple[Any, ...]]:
        """Every stored monthly counter, in :data:`~participatie.projections.monthly.
        MONTHS_COLUMNS`' order."""
        ...

    def municipalities(self) -> dict[str, str]: ...

    def reset(self) -> None:
        """Empty the view, its counters and its position for a rebuild, and drop the indexes of
        its facts: loading the facts and then building the indexes is faster than keeping them
        up to date row by row. :meth:`create_indexes` builds them again (and so does opening
        the store, should a rebuild be killed halfway)."""
        ...

    def create_indexes(self) -> None:
        """Build the view's indexes, unless they are there."""
        ...


def check_position(position: int | None, after: int) -> None:
    """Refuse a page read after ``after`` when the view has moved elsewhere meanwhile (another
    process recorded that page, or a rebuild emptied the view)."""
    if (position or 0) != after:
        msg = f"the outcomes view is at {position or 0}, not at {after}"
        raise IntegrityError(msg)


def lookup(rows: Iterable[Sequence[str]]) -> dict[str, str]:
    """Resident ids to municipalities, and coaching ids to their residents, from the (kind,
    stream id, municipality, resident id) of registrations and starts of job coaching."""
    known: dict[str, str] = {}
    for kind, stream_id, municipality, resident_id in rows:
        if kind == FactKind.REGISTERED:
            known[stream_id] = municipality
        elif kind == FactKind.COACHING_STARTED:
            known[f"resident-of:{stream_id}"] = resident_id
    return known


def create_tables_once(create: Callable[[], None]) -> None:
    """Create a view's tables; when processes race to create them, the losers try again.

    eventsourcing's tracking table creation is not safe against a concurrent creation (a second
    process fails on the table, its type or its migration row); a retry finds them made.
    """
    for attempt in range(3):
        try:
            create()
        except (IntegrityError, OperationalError):
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))
        else:
            return


def counter_problems(view: FactsView, *, page: int = 5000) -> list[str]:
    """What is wrong with ``view``'s monthly counters: its facts, read a page at a time, added
    up (:class:`~participatie.projections.monthly.CounterCheck`) against its stored counters.
    ``verify()`` adds the facts up as it compares them instead, in the same read."""
    check = CounterCheck()
    after = 0
    while rows := view.stored_facts_after(after, page):
        check.add_all(rows)
        after = rows[-1][9]
    return check.problems(view.counter_rows())
