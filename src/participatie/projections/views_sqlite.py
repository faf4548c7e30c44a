"""The outcomes view in the SQLite file of the events: see :mod:`participatie.projections.views`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from participatie.projections.facts import Fact, new_fact
from participatie.projections.fold import Row
from participatie.projections.monthly import MONTHS_COLUMNS, ReadPlan, month_rows
from participatie.projections.views import (
    COLUMNS,
    EARLIER_FACTS_TABLES,
    FACTS_TABLE,
    MONTHS_TABLE,
    TRACKING_KEY,
    check_position,
    create_tables_once,
    lookup,
)
from participatie.projections.views_sql import (
    INDEXES,
    LOOKUP_COLUMNS,
    LOOKUP_KINDS,
    conditions,
    fact_rows_statement,
    summary_parameters,
    summary_statement,
    uncounted_statement,
    upsert_months_statement,
)

__all__ = ["SQLiteFactsView"]

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
    """Facts from SQLite rows of the columns in :data:`~participatie.projections.views.COLUMNS`
    (the fact's own order).

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


_SQLITE_CREATE_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {name} ON {FACTS_TABLE} ({columns}){condition}"
    for name, columns, condition in INDEXES
]
_SQLITE_UPSERT_MONTHS = upsert_months_statement(MONTHS_TABLE, ",".join("?" * 12), "MIN")


def _sqlite_placeholder(name: str) -> str:
    return f":{name}"


def _sqlite_day(day: date) -> str:
    return day.isoformat()  # ISO dates compare as text


def _sqlite_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    """Rows of :data:`~participatie.projections.fold.Row` from SQLite's: a fact's day and amount
    are text there (each distinct text parsed once)."""
    days: dict[str, date] = {}
    amounts: dict[str, Decimal] = {}
    for row in rows:
        if row[7] is not None:  # a counter: integers as they are
            yield row
            continue
        stream_id, kind, value, day, version, amount, position = row[:7]
        occurred_on = days.get(day)
        if occurred_on is None:
            occurred_on = days[day] = date.fromisoformat(day)
        number = amounts.get(amount)
        if number is None:
            number = amounts[amount] = Decimal(amount)
        yield (stream_id, kind, value, occurred_on, version, number, position, *row[7:])


class SQLiteFactsView(SQLiteTrackingRecorder):
    """The view in the SQLite file of the events."""

    writes_behind = False

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.extend(f"DROP TABLE IF EXISTS {table}" for table in EARLIER_FACTS_TABLES)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {FACTS_TABLE} ("
            "position INTEGER PRIMARY KEY, "
            "stream_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, "
            "municipality TEXT NOT NULL, resident_id TEXT NOT NULL, occurred_on TEXT NOT NULL, "
            "recorded_at INTEGER NOT NULL, value TEXT NOT NULL, amount TEXT NOT NULL, "
            "detail TEXT NOT NULL)"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {MONTHS_TABLE} ("
            "municipality TEXT NOT NULL, stream_id TEXT NOT NULL, month INTEGER NOT NULL, "
            "kind TEXT NOT NULL, value TEXT NOT NULL, facts INTEGER NOT NULL, "
            "conversations INTEGER NOT NULL, total INTEGER NOT NULL, "
            "first_key INTEGER NOT NULL, first_amount INTEGER NOT NULL, "
            "last_key INTEGER NOT NULL, last_amount INTEGER NOT NULL, "
            "PRIMARY KEY (municipality, stream_id, month, kind, value)) WITHOUT ROWID"
        )
        statements.extend(_SQLITE_CREATE_INDEXES)
        return statements

    def record(
        self,
        facts: Sequence[Fact],
        tracking: Tracking,
        *,
        after: int,
        also: Callable[[Any], None] | None = None,
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Writing first takes the file's write lock, so the position read next is current.
            c.executemany(
                f"INSERT INTO {FACTS_TABLE} ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                [_row(fact) for fact in facts],
            )
            check_position(self._max_tracking_id(TRACKING_KEY, c), after)
            if not after:  # built from the start: no counters of an earlier build count
                c.execute(f"DELETE FROM {MONTHS_TABLE}")  # noqa: S608
            c.executemany(_SQLITE_UPSERT_MONTHS, month_rows(facts))
            self._insert_tracking(c, tracking)
            if also is not None:  # one commit for both
                also(c)

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        where, params = conditions(
            "?",
            municipality,
            through and through.isoformat(),  # ISO dates compare as text
            known_at and (known_at - _EPOCH) // _MICROSECOND,
        )
        statement = f"SELECT {COLUMNS} FROM {FACTS_TABLE}{where} ORDER BY position"  # noqa: S608
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: made faster than sqlite3.Row
            c.execute(statement, params)
            return _sqlite_facts(c.fetchall())

    def stored_facts_after(self, position: int, limit: int) -> list[tuple[Any, ...]]:
        statement = (
            f"SELECT {COLUMNS} FROM {FACTS_TABLE} "  # noqa: S608
            "WHERE position > ? ORDER BY position LIMIT ?"
        )
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, (position, limit))
            rows: list[tuple[Any, ...]] = c.fetchall()
            return rows

    def as_stored(self, fact: Fact) -> tuple[Any, ...]:
        return _row(fact)

    def from_stored(self, row: tuple[Any, ...]) -> Fact:
        return _sqlite_facts([row])[0]

    def _read(self, statement: str, parameters: dict[str, object]) -> Iterator[Row]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples: made faster than sqlite3.Row
            cursor.execute(statement, parameters)
            yield from _sqlite_rows(cursor)  # one row at a time, not the whole result

    def summary_rows(self, municipality: str | None, plan: ReadPlan) -> Iterator[Row]:
        statement = summary_statement(
            FACTS_TABLE, MONTHS_TABLE, _sqlite_placeholder, municipality=municipality is not None
        )
        return self._read(statement, summary_parameters(plan, municipality, _sqlite_day))

    def fact_rows(
        self, municipality: str | None, *, through: date, known_at: datetime | None
    ) -> Iterator[Row]:
        statement = fact_rows_statement(
            FACTS_TABLE,
            _sqlite_placeholder,
            municipality=municipality is not None,
            known_at=known_at is not None,
        )
        parameters: dict[str, object] = {"end": through.isoformat(), "municipality": municipality}
        if known_at is not None:
            parameters["known_at"] = (known_at - _EPOCH) // _MICROSECOND
        return self._read(statement, parameters)

    def uncounted_positions(self, *, through: date, known_at: datetime | None) -> tuple[int, ...]:
        statement = uncounted_statement(
            FACTS_TABLE, _sqlite_placeholder, known_at=known_at is not None
        )
        parameters: dict[str, object] = {"end": through.isoformat()}
        if known_at is not None:
            parameters["known_at"] = (known_at - _EPOCH) // _MICROSECOND
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, parameters)
            return tuple(position for (position,) in c.fetchall())

    def counter_rows(self) -> list[tuple[Any, ...]]:
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(f"SELECT {MONTHS_COLUMNS} FROM {MONTHS_TABLE}")  # noqa: S608
            rows: list[tuple[Any, ...]] = c.fetchall()
            return rows

    def municipalities(self) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {LOOKUP_COLUMNS} FROM {FACTS_TABLE} WHERE {LOOKUP_KINDS}")  # noqa: S608
            return lookup(c.fetchall())

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for name, _, _ in INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {name}")
            c.execute(f"DELETE FROM {FACTS_TABLE}")  # noqa: S608
            c.execute(f"DELETE FROM {MONTHS_TABLE}")  # noqa: S608
            c.execute("DELETE FROM tracking WHERE application_name = ?", (TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for statement in _SQLITE_CREATE_INDEXES:
                c.execute(statement)
