"""Where the outcomes projection keeps its facts: eventsourcing tracking recorders with a table.

Each view subclasses the store's own tracking recorder and adds a facts table in the same database
as the events. A page of facts and its tracking record (the position in the event log) are written
in one transaction, so that every event counts exactly once, and a crashed catch-up resumes where
the last page committed.

The tracking record is kept under the key ``"Participation:outcomes:v5"``, not the application's
name, so that other projections of the same application can share eventsourcing's tracking
table (on SQLite that table is always called ``tracking``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, OperationalError, Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from participatie.projections.facts import Fact, FactKind, new_fact

__all__ = [
    "FACTS_TABLE",
    "TRACKING_KEY",
    "FactsView",
    "POPOFactsView",
    "SQLiteFactsView",
]

#: Version 5 of the facts table. Facts are keyed by their event's position in the log, so a page
#: of them is appended in order (version 1 keyed them by stream and version, and they went in at
#: random places); version 3 writes ids as 32 hex digits and, on SQLite, the recorded time as
#: microseconds since 1970 UTC, which a rebuild writes in a fraction of the time of the ISO text
#: of version 2; version 5 adds each fact's ``detail`` (the breakdowns' referral and coach).
#: Earlier tables are dropped (their tracking keys are left behind, unused) and the view is
#: rebuilt from the events on first use.
FACTS_TABLE = "participatie_outcome_facts_v5"
TRACKING_KEY = "Participation:outcomes:v5"
_EARLIER_FACTS_TABLES = (
    "participatie_outcome_facts",
    "participatie_outcome_facts_v2",
    # v3 kept municipalities as each event stored them; v4 in one canonical form.
    "participatie_outcome_facts_v3",
    # v4 had no detail column (referral, the actor of an intake or conversation).
    "participatie_outcome_facts_v4",
)
_COLUMNS = (
    "stream_id, version, kind, municipality, resident_id, occurred_on, recorded_at, value, "
    "amount, position, detail"
)


class FactsView(Protocol):
    """What the outcomes projection needs of a view."""

    #: Whether writing a page waits on a database server, so that the next page is better read
    #: while it is written (see :mod:`participatie.projections.runner`).
    writes_behind: bool

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        """Write a page's facts and its tracking record, in one transaction, if the view is
        still at position ``after``; otherwise raise IntegrityError and write nothing."""
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

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        """Up to ``limit`` facts after ``position``, in log order (for reading them in pages)."""
        ...

    def municipalities(self) -> dict[str, str]: ...

    def reset(self) -> None:
        """Empty the view and its position for a rebuild, and drop its index on municipality:
        loading the facts and then building the index is faster than keeping the index up to
        date row by row. :meth:`create_indexes` builds it again (and so does opening the
        store, should a rebuild be killed halfway)."""
        ...

    def create_indexes(self) -> None:
        """Build the view's index on municipality, unless it is there."""
        ...


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _row(fact: Fact) -> tuple[Any, ...]:
    """A fact as SQLite stores it: the recorded time as microseconds since 1970 UTC."""
    (
        stream_id,
        version,
        kind,
        municipality,
        resident_id,
        occurred_on,
        recorded_at,
        value,
        amount,
        position,
        detail,
    ) = fact
    return (
        stream_id,
        version,
        kind,
        municipality,
        resident_id,
        occurred_on.isoformat(),
        (recorded_at - _EPOCH) // _MICROSECOND,
        value,
        str(amount),
        position,
        detail,
    )


def _sqlite_facts(rows: Iterable[tuple[Any, ...]]) -> list[Fact]:
    """Facts from SQLite rows of the columns in :data:`_COLUMNS` (the fact's own order).

    Days and amounts repeat from row to row, so each distinct text is parsed once, and so do
    details (a handful of referral channels and coaches): each is kept once.
    """
    days: dict[str, date] = {}
    amounts: dict[str, Decimal] = {}
    details: dict[str, str] = {}
    facts = []
    for (
        stream_id,
        version,
        kind,
        municipality,
        resident,
        day,
        recorded,
        value,
        amount,
        position,
        detail,
    ) in rows:
        occurred_on = days.get(day)
        if occurred_on is None:
            occurred_on = days[day] = date.fromisoformat(day)
        number = amounts.get(amount)
        if number is None:
            number = amounts[amount] = Decimal(amount)
        facts.append(
            new_fact(
                Fact,
                (
                    stream_id,
                    version,
                    kind,
                    municipality,
                    resident,
                    occurred_on,
                    _EPOCH + timedelta(microseconds=recorded),
                    value,
                    number,
                    position,
                    details.setdefault(detail, detail),
                ),
            )
        )
    return facts


def _conditions(
    placeholder: str, municipality: str | None, through: object, known_at: object
) -> tuple[str, list[object]]:
    """The WHERE clause and parameters of :meth:`FactsView.select_facts` (``through`` and
    ``known_at`` already in the store's form; None leaves a condition out)."""
    conditions: list[str] = []
    params: list[object] = []
    if municipality is not None:
        # Events no report could count belong to no municipality: every report shows them.
        conditions.append(f"(municipality = {placeholder} OR kind = '{FactKind.UNCOUNTED}')")
        params.append(municipality)
    for column, operator, value in (
        ("occurred_on", "<=", through),
        ("recorded_at", "<=", known_at),
    ):
        if value is not None:
            conditions.append(f"{column} {operator} {placeholder}")
            params.append(value)
    return (" WHERE " + " AND ".join(conditions) if conditions else ""), params


def _check_position(position: int | None, after: int) -> None:
    """Refuse a page read after ``after`` when the view has moved elsewhere meanwhile (another
    process recorded that page, or a rebuild emptied the view)."""
    if (position or 0) != after:
        msg = f"the outcomes view is at {position or 0}, not at {after}"
        raise IntegrityError(msg)


#: The columns :func:`_lookup` reads, of registrations and starts of job coaching only.
_LOOKUP_COLUMNS = "kind, stream_id, municipality, resident_id"
_LOOKUP_KINDS = f"kind IN ('{FactKind.REGISTERED}', '{FactKind.COACHING_STARTED}')"


def _lookup(rows: Iterable[Sequence[str]]) -> dict[str, str]:
    """Resident ids to municipalities, and coaching ids to their residents, from the (kind,
    stream id, municipality, resident id) of registrations and starts of job coaching."""
    known: dict[str, str] = {}
    for kind, stream_id, municipality, resident_id in rows:
        if kind == FactKind.REGISTERED:
            known[stream_id] = municipality
        elif kind == FactKind.COACHING_STARTED:
            known[f"resident-of:{stream_id}"] = resident_id
    return known


class POPOFactsView(POPOTrackingRecorder):
    """The in-process view (``memory://``)."""

    writes_behind = False

    def __init__(self) -> None:
        super().__init__()
        self._facts: list[Fact] = []

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        with self._database_lock:
            _check_position(self._max_tracking_ids.get(TRACKING_KEY), after)
            self._assert_tracking_uniqueness(tracking)
            self._facts.extend(facts)
            self._insert_tracking(tracking)

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        with self._database_lock:
            return [
                f
                for f in self._facts
                if (municipality in (None, f.municipality) or f.kind == FactKind.UNCOUNTED)
                and (through is None or f.occurred_on <= through)
                and (known_at is None or f.recorded_at <= known_at)
            ]

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        with self._database_lock:
            return [f for f in self._facts if f.position > position][:limit]

    def municipalities(self) -> dict[str, str]:
        with self._database_lock:
            return _lookup(
                (f.kind, f.stream_id, f.municipality, f.resident_id) for f in self._facts
            )

    def reset(self) -> None:
        with self._database_lock:
            self._facts.clear()
            self._max_tracking_ids.pop(TRACKING_KEY, None)

    def create_indexes(self) -> None:
        """A list in memory has no index."""


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


_INDEX = f"{FACTS_TABLE}_municipality"
_SQLITE_CREATE_INDEX = f"CREATE INDEX IF NOT EXISTS {_INDEX} ON {FACTS_TABLE} (municipality)"


class SQLiteFactsView(SQLiteTrackingRecorder):
    """The view in the SQLite file of the events."""

    writes_behind = False

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.extend(f"DROP TABLE IF EXISTS {table}" for table in _EARLIER_FACTS_TABLES)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {FACTS_TABLE} ("
            "position INTEGER PRIMARY KEY, "
            "stream_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, "
            "municipality TEXT NOT NULL, resident_id TEXT NOT NULL, occurred_on TEXT NOT NULL, "
            "recorded_at INTEGER NOT NULL, value TEXT NOT NULL, amount TEXT NOT NULL, "
            "detail TEXT NOT NULL)"
        )
        statements.append(_SQLITE_CREATE_INDEX)
        return statements

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Writing first takes the file's write lock, so the position read next is current.
            c.executemany(
                f"INSERT INTO {FACTS_TABLE} ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                [_row(fact) for fact in facts],
            )
            _check_position(self._max_tracking_id(TRACKING_KEY, c), after)
            self._insert_tracking(c, tracking)

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        where, params = _conditions(
            "?",
            municipality,
            through and through.isoformat(),  # ISO dates compare as text
            known_at and (known_at - _EPOCH) // _MICROSECOND,
        )
        statement = f"SELECT {_COLUMNS} FROM {FACTS_TABLE}{where} ORDER BY position"  # noqa: S608
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: made faster than sqlite3.Row
            c.execute(statement, params)
            return _sqlite_facts(c.fetchall())

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        statement = (
            f"SELECT {_COLUMNS} FROM {FACTS_TABLE} "  # noqa: S608
            "WHERE position > ? ORDER BY position LIMIT ?"
        )
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, (position, limit))
            return _sqlite_facts(c.fetchall())

    def municipalities(self) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {_LOOKUP_COLUMNS} FROM {FACTS_TABLE} WHERE {_LOOKUP_KINDS}")  # noqa: S608
            return _lookup(c.fetchall())

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DROP INDEX IF EXISTS {_INDEX}")
            c.execute(f"DELETE FROM {FACTS_TABLE}")  # noqa: S608
            c.execute("DELETE FROM tracking WHERE application_name = ?", (TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(_SQLITE_CREATE_INDEX)
