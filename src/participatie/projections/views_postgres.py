"""The outcomes view on PostgreSQL (needs the ``postgres`` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from participatie.projections.facts import Fact, new_fact
from participatie.projections.views import (
    _COLUMNS,
    _EARLIER_FACTS_TABLES,
    _INDEX,
    _LOOKUP_COLUMNS,
    _LOOKUP_KINDS,
    FACTS_TABLE,
    TRACKING_KEY,
    _check_position,
    _conditions,
    _lookup,
    create_tables_once,
)

__all__ = ["PostgresFactsView"]

_TYPES = [
    "text",
    "int8",
    "text",
    "text",
    "text",
    "date",
    "timestamptz",
    "text",
    "numeric",
    "int8",
    "text",
]


class PostgresFactsView(PostgresTrackingRecorder):
    """The view in the PostgreSQL database (and schema) of the events."""

    writes_behind = True

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema, facts = Identifier(self.datastore.schema), Identifier(FACTS_TABLE)
        self.sql_create_statements.extend(
            SQL("DROP TABLE IF EXISTS {schema}.{earlier}").format(
                schema=schema, earlier=Identifier(table)
            )
            for table in _EARLIER_FACTS_TABLES
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{facts} ("
                "position bigint PRIMARY KEY, "
                "stream_id text NOT NULL, version bigint NOT NULL, kind text NOT NULL, "
                "municipality text NOT NULL, resident_id text NOT NULL, occurred_on date NOT NULL, "
                "recorded_at timestamptz NOT NULL, value text NOT NULL, amount numeric NOT NULL, "
                "detail text NOT NULL)"
            ).format(schema=schema, facts=facts)
        )
        index = Identifier(_INDEX)
        self._create_index = SQL(
            "CREATE INDEX IF NOT EXISTS {index} ON {schema}.{facts} (municipality)"
        ).format(index=index, schema=schema, facts=facts)
        self._drop_index = SQL("DROP INDEX IF EXISTS {schema}.{index}").format(
            schema=schema, index=index
        )
        self.sql_create_statements.append(self._create_index)
        self._copy = SQL(
            "COPY {schema}.{facts} (" + _COLUMNS + ") FROM STDIN (FORMAT BINARY)"
        ).format(schema=schema, facts=facts)
        self._lock = SQL("SELECT pg_advisory_xact_lock(hashtext(%s))")
        self._lock_for_page = SQL(
            "SELECT set_config('synchronous_commit', 'off', true), "
            "pg_advisory_xact_lock(hashtext(%s))"
        )
        self._lock_key = f"participatie:outcomes:{self.datastore.schema}"
        self._select = SQL("SELECT " + _COLUMNS + " FROM {schema}.{facts}").format(  # noqa: S608
            schema=schema, facts=facts
        )
        self._select_lookup = SQL(
            "SELECT " + _LOOKUP_COLUMNS + " FROM {schema}.{facts} WHERE " + _LOOKUP_KINDS  # noqa: S608
        ).format(schema=schema, facts=facts)
        # TRUNCATE rather than DELETE: a rebuild then writes into an empty table, not beside
        # dead rows whose keys every insert would have to check against.
        self._truncate = SQL("TRUNCATE {schema}.{facts}").format(schema=schema, facts=facts)
        self._delete_tracking = SQL(
            "DELETE FROM {schema}.{tracking} WHERE application_name = %s"
        ).format(schema=schema, tracking=Identifier(self.tracking_table_name))

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # One writer of the view at a time, and only from the position it read. The commit
            # does not wait for the disk: the view is derived from the events, and its facts and
            # position commit together, so pages a server crash loses are recorded again.
            curs.execute(self._lock_for_page, (self._lock_key,))
            _check_position(self._max_tracking_id(TRACKING_KEY, curs), after)
            # COPY in binary is the fastest way in for a page of rows (several times an INSERT).
            if facts:
                with curs.copy(self._copy) as copy:
                    copy.set_types(_TYPES)
                    for fact in facts:
                        copy.write_row(fact)  # a Fact is a tuple in the columns' order
            self._insert_tracking(curs, tracking)

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        where, params = _conditions("%s", municipality, through, known_at)
        statement = self._select + SQL(where + " ORDER BY position")
        with self.datastore.transaction(commit=False) as curs:
            # The columns come in the fact's order and as its types (numeric as Decimal).
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(statement, params)
            return [new_fact(Fact, row) for row in curs.fetchall()]

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        statement = self._select + SQL(" WHERE position > %s ORDER BY position LIMIT %s")
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(statement, (position, limit))
            return [new_fact(Fact, row) for row in curs.fetchall()]

    def municipalities(self) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(self._select_lookup)
            rows: list[Any] = curs.fetchall()  # tuples now, whatever the cursor's type says
            return _lookup(rows)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._lock, (self._lock_key,))
            curs.execute(self._drop_index)
            curs.execute(self._truncate)
            curs.execute(self._delete_tracking, (TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # Under the view's lock, so that two processes do not race to create it.
            curs.execute(self._lock, (self._lock_key,))
            curs.execute(self._create_index)
