"""Where the worklist keeps its rows: a table beside the events, with its own tracking position.

The design follows the outcomes view (:mod:`participatie.projections.views`): each view subclasses
the store's tracking recorder and adds the table :data:`WORKLIST_TABLE` in the same database as the
events. A page of rows and its tracking record (under :data:`WORKLIST_TRACKING_KEY`, in
eventsourcing's tracking table beside the outcomes view's key) are written in one transaction, so
every event makes its row exactly once and a catch-up that stops resumes after the last page it
committed. :func:`catch_up_worklist` brings the view to the end of the log before every read, and
``rebuild()`` empties and refills it.

One row per event the working day needs (:class:`~participatie.projections.worklist_rows.WorkRow`),
keyed by the event's position, with two indexes: registrations by municipality and resident id (a
caseload page is a range of resident ids), and every row by resident id (a page's residents are
then folded from their own rows). There is deliberately no table of current states: the caseload
as of any date is folded from the same rows, and a page folds only the residents it shows. A
municipality's signals read its rows once (one indexed range) and fold every resident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from participatie.projections.views import create_tables_once
from participatie.projections.worklist_rows import WorkKind, WorkRow, rows_of_page

__all__ = [
    "WORKLIST_TABLE",
    "WORKLIST_TRACKING_KEY",
    "POPOWorklistView",
    "SQLiteWorklistView",
    "WorklistView",
    "catch_up_worklist",
    "rows_writer",
]

#: Version 2 added the ``assignee`` column (the job coach of a coaching's start); the table of
#: version 1 is dropped (its tracking key is left behind, unused) and version 2 is built from the
#: events on first use.
WORKLIST_TABLE = "participatie_worklist_v2"
WORKLIST_TRACKING_KEY = "Participation:worklist:v2"
EARLIER_WORKLIST_TABLES = ("participatie_worklist_v1",)
COLUMNS = (
    "position, municipality, resident_id, stream_id, kind, occurred_on, actor_id, value, amount, "
    "assignee"
)
#: Ids in one IN (...) list at most.
CHUNK = 500
REGISTERED = WorkKind.REGISTERED.value


class WorklistView(Protocol):
    """What the worklist needs of a view."""

    def record(self, rows: Sequence[WorkRow], tracking: Tracking, *, after: int) -> None:
        """Write a page's rows and its tracking record in one transaction, if the view is still
        at position ``after``; otherwise raise IntegrityError and write nothing."""
        ...

    def record_in(
        self, cursor: Any, rows: Sequence[WorkRow], tracking: Tracking, *, after: int
    ) -> bool:
        """Write a page's rows and its tracking record in the transaction of ``cursor`` (that
        of the outcomes view's page in the same store: None in memory) if the view is at
        position ``after``; return whether it was (if not, nothing is written)."""
        ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def registered(self, municipality: str | None, after: str, limit: int) -> list[str]:
        """Up to ``limit`` resident ids (of a municipality, or all) after ``after``, in order."""
        ...

    def rows_of(self, resident_ids: Sequence[str]) -> list[WorkRow]:
        """The rows of these residents and their job coachings, in log order."""
        ...

    def rows(self, municipality: str | None) -> list[WorkRow]:
        """Every row of a municipality (or all), in log order."""
        ...

    def municipalities(self) -> dict[str, str]:
        """Resident ids to municipalities, coaching ids (``resident-of:``) to residents."""
        ...

    def reset(self) -> None:
        """Empty the view and its position, for a rebuild, and drop its indexes (loading the
        rows and then indexing them is faster than keeping the indexes up to date row by row);
        :meth:`create_indexes` builds them again, and so does opening the store."""
        ...

    def create_indexes(self) -> None:
        """Build the view's indexes, unless they are there."""
        ...


def check_position(position: int | None, after: int) -> None:
    if (position or 0) != after:
        msg = f"the worklist view is at {position or 0}, not at {after}"
        raise IntegrityError(msg)


def lookup(rows: Iterable[Sequence[str]]) -> dict[str, str]:
    """The lookup from (kind, stream id, municipality, resident id) of start rows."""
    known: dict[str, str] = {}
    for kind, stream_id, municipality, resident_id in rows:
        if kind == REGISTERED:
            known[stream_id] = municipality
        else:
            known[f"resident-of:{stream_id}"] = resident_id
    return known


LOOKUP = (
    "SELECT kind, stream_id, municipality, resident_id FROM " + WORKLIST_TABLE + " "  # noqa: S608
    f"WHERE kind IN ('{REGISTERED}', '{WorkKind.COACHING_STARTED.value}')"
)


def catch_up_worklist(application: Any, view: WorklistView, *, page_size: int = 1000) -> int:
    """Write the rows of every event after the view's position, a page per transaction; return
    how many events were read. When another process wrote a page first, carry on from there."""
    decode = getattr(application.mapper, "decode_only", application.mapper.to_domain_event)
    municipality_of: dict[str, str] | None = None
    position = view.max_tracking_id(WORKLIST_TRACKING_KEY) or 0
    read = 0
    while True:
        page = application.recorder.select_notifications(position + 1, page_size)
        if not page:
            return read
        if municipality_of is None:
            municipality_of = view.municipalities()
        rows = rows_of_page(page, decode, municipality_of)
        try:
            view.record(rows, Tracking(WORKLIST_TRACKING_KEY, page[-1].id), after=position)
        except IntegrityError:
            municipality_of = None
            position = view.max_tracking_id(WORKLIST_TRACKING_KEY) or 0
            continue
        read += len(page)
        position = page[-1].id
        if len(page) < page_size:
            return read


#: The rest of a page's writes, given the cursor of the transaction that writes its facts.
PageWrite = Callable[[Any], None]
PageReader = Callable[[Sequence[Any], Callable[[Any], Any], int], PageWrite | None]


def rows_writer(view: WorklistView) -> PageReader:
    """A writer of the view's rows for the pages another catch-up reads (a rebuild reads and
    decodes each page once for both views): given a page, it makes its rows and returns what
    writes them in the transaction of the page's facts (see
    :func:`participatie.projections.runner.catch_up`) if the view is at the position the page
    follows. It stops at the first page it cannot write; :func:`catch_up_worklist` then goes on
    from the view's position, so every event still makes its row exactly once."""
    position = view.max_tracking_id(WORKLIST_TRACKING_KEY) or 0
    municipality_of = view.municipalities()
    stopped = False

    def write(page: Sequence[Any], decode: Callable[[Any], Any], after: int) -> PageWrite | None:
        nonlocal position, stopped
        if stopped or after != position:
            stopped = True
            return None
        rows = rows_of_page(page, decode, municipality_of)
        tracking = Tracking(WORKLIST_TRACKING_KEY, page[-1].id)
        position = page[-1].id

        def into(cursor: Any) -> None:
            nonlocal stopped
            # In the thread that writes the facts; once a page is not written, none after it is.
            if stopped or not view.record_in(cursor, rows, tracking, after=after):
                stopped = True

        return into

    return write


class POPOWorklistView(POPOTrackingRecorder):
    """The in-process view (``memory://``)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[WorkRow] = []

    def record(self, rows: Sequence[WorkRow], tracking: Tracking, *, after: int) -> None:
        with self._database_lock:
            check_position(self._max_tracking_ids.get(WORKLIST_TRACKING_KEY), after)
            self._assert_tracking_uniqueness(tracking)
            self._rows.extend(rows)
            self._insert_tracking(tracking)

    def record_in(
        self, cursor: Any, rows: Sequence[WorkRow], tracking: Tracking, *, after: int
    ) -> bool:
        del cursor  # memory has no transactions: under the view's lock
        with self._database_lock:
            if (self._max_tracking_ids.get(WORKLIST_TRACKING_KEY) or 0) != after:
                return False
            self._assert_tracking_uniqueness(tracking)
            self._rows.extend(rows)
            self._insert_tracking(tracking)
        return True

    def registered(self, municipality: str | None, after: str, limit: int) -> list[str]:
        with self._database_lock:
            ids = sorted(
                r.resident_id
                for r in self._rows
                if r.kind == REGISTERED
                and r.resident_id > after
                and municipality in (None, r.municipality)
            )
        return ids[:limit]

    def rows_of(self, resident_ids: Sequence[str]) -> list[WorkRow]:
        wanted = set(resident_ids)
        with self._database_lock:
            return [r for r in self._rows if r.resident_id in wanted]

    def rows(self, municipality: str | None) -> list[WorkRow]:
        with self._database_lock:
            return [r for r in self._rows if municipality in (None, r.municipality)]

    def municipalities(self) -> dict[str, str]:
        with self._database_lock:
            return lookup(
                (r.kind, r.stream_id, r.municipality, r.resident_id)
                for r in self._rows
                if r.kind in (REGISTERED, WorkKind.COACHING_STARTED.value)
            )

    def reset(self) -> None:
        with self._database_lock:
            self._rows.clear()
            self._max_tracking_ids.pop(WORKLIST_TRACKING_KEY, None)

    def create_indexes(self) -> None:
        """A list in memory has no index."""


def sqlite_rows(rows: Iterable[Sequence[Any]]) -> list[WorkRow]:
    days: dict[str, date] = {}
    return [
        WorkRow(
            position,
            municipality,
            resident_id,
            stream_id,
            kind,
            days.get(day) or days.setdefault(day, date.fromisoformat(day)),
            actor_id,
            value,
            Decimal(amount),
            assignee,
        )
        for (
            position,
            municipality,
            resident_id,
            stream_id,
            kind,
            day,
            actor_id,
            value,
            amount,
            assignee,
        ) in rows
    ]


def in_chunks(
    ids: Sequence[str], select: Callable[[Sequence[str]], list[WorkRow]]
) -> list[WorkRow]:
    """The rows of ``ids`` read a chunk of ids at a time, in log order."""
    found: list[WorkRow] = []
    for start in range(0, len(ids), CHUNK):
        found.extend(select(ids[start : start + CHUNK]))
    if len(ids) > CHUNK:
        found.sort(key=lambda r: r.position)
    return found


_INDEX_NAMES = ("registered", "resident", "municipality")
_SQLITE_INDEXES = (
    (
        f"CREATE INDEX IF NOT EXISTS {WORKLIST_TABLE}_registered "
        f"ON {WORKLIST_TABLE} (kind, municipality, resident_id)"
    ),
    f"CREATE INDEX IF NOT EXISTS {WORKLIST_TABLE}_resident ON {WORKLIST_TABLE} (resident_id)",
    (
        f"CREATE INDEX IF NOT EXISTS {WORKLIST_TABLE}_municipality "
        f"ON {WORKLIST_TABLE} (municipality)"
    ),
)


class SQLiteWorklistView(SQLiteTrackingRecorder):
    """The view in the SQLite file of the events."""

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.extend(f"DROP TABLE IF EXISTS {table}" for table in EARLIER_WORKLIST_TABLES)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {WORKLIST_TABLE} ("
            "position INTEGER PRIMARY KEY, municipality TEXT NOT NULL, "
            "resident_id TEXT NOT NULL, stream_id TEXT NOT NULL, kind TEXT NOT NULL, "
            "occurred_on TEXT NOT NULL, actor_id TEXT NOT NULL, value TEXT NOT NULL, "
            "amount TEXT NOT NULL, assignee TEXT NOT NULL)"
        )
        statements.extend(_SQLITE_INDEXES)
        return statements

    def record(self, rows: Sequence[WorkRow], tracking: Tracking, *, after: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Writing first takes the file's write lock, so the position read next is current.
            self._insert_rows(c, rows)
            check_position(self._max_tracking_id(WORKLIST_TRACKING_KEY, c), after)
            self._insert_tracking(c, tracking)

    def record_in(
        self, cursor: Any, rows: Sequence[WorkRow], tracking: Tracking, *, after: int
    ) -> bool:
        # The facts' transaction holds the file's write lock already.
        if (self._max_tracking_id(WORKLIST_TRACKING_KEY, cursor) or 0) != after:
            return False
        self._insert_rows(cursor, rows)
        self._insert_tracking(cursor, tracking)
        return True

    @staticmethod
    def _insert_rows(c: Any, rows: Sequence[WorkRow]) -> None:
        c.executemany(
            f"INSERT INTO {WORKLIST_TABLE} ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
            [
                (*r[:5], r.occurred_on.isoformat(), r.actor_id, r.value, str(r.amount), r.assignee)
                for r in rows
            ],
        )

    def _select(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, params)
            return list(c.fetchall())

    def registered(self, municipality: str | None, after: str, limit: int) -> list[str]:
        where = "kind = ? AND resident_id > ?"
        if municipality is not None:
            where += " AND municipality = ?"
        params: list[object] = [REGISTERED, after]
        if municipality is not None:
            params.append(municipality)
        statement = (
            f"SELECT resident_id FROM {WORKLIST_TABLE} WHERE {where} "  # noqa: S608
            "ORDER BY resident_id LIMIT ?"
        )
        return [r[0] for r in self._select(statement, [*params, limit])]

    def rows_of(self, resident_ids: Sequence[str]) -> list[WorkRow]:
        def select(ids: Sequence[str]) -> list[WorkRow]:
            marks = ",".join("?" * len(ids))
            statement = (
                f"SELECT {COLUMNS} FROM {WORKLIST_TABLE} "  # noqa: S608
                f"WHERE resident_id IN ({marks}) ORDER BY position"
            )
            return sqlite_rows(self._select(statement, ids))

        return in_chunks(resident_ids, select)

    def rows(self, municipality: str | None) -> list[WorkRow]:
        where = "" if municipality is None else " WHERE municipality = ?"
        statement = f"SELECT {COLUMNS} FROM {WORKLIST_TABLE}{where} ORDER BY position"  # noqa: S608
        return sqlite_rows(self._select(statement, [] if municipality is None else [municipality]))

    def municipalities(self) -> dict[str, str]:
        return lookup(self._select(LOOKUP, []))

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for name in _INDEX_NAMES:
                c.execute(f"DROP INDEX IF EXISTS {WORKLIST_TABLE}_{name}")
            c.execute(f"DELETE FROM {WORKLIST_TABLE}")  # noqa: S608
            c.execute("DELETE FROM tracking WHERE application_name = ?", (WORKLIST_TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for statement in _SQLITE_INDEXES:
                c.execute(statement)
