"""The worklist view on PostgreSQL (needs the ``postgres`` extra); see
:mod:`participatie.projections.worklist_views`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from participatie.projections.views import create_tables_once
from participatie.projections.worklist_rows import WorkKind, WorkRow
from participatie.projections.worklist_views import (
    COLUMNS,
    EARLIER_WORKLIST_TABLES,
    REGISTERED,
    WORKLIST_TABLE,
    WORKLIST_TRACKING_KEY,
    check_position,
    in_chunks,
    lookup,
)

__all__ = ["PostgresWorklistView"]

_TYPES = ["int8", "text", "text", "text", "text", "date", "text", "text", "numeric", "text"]


class PostgresWorklistView(PostgresTrackingRecorder):
    """The view in the PostgreSQL database (and schema) of the events."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema, table = Identifier(self.datastore.schema), Identifier(WORKLIST_TABLE)
        self._table = SQL("{schema}.{table}").format(schema=schema, table=table)
        self.sql_create_statements.extend(
            SQL("DROP TABLE IF EXISTS {schema}.{earlier}").format(
                schema=schema, earlier=Identifier(earlier)
            )
            for earlier in EARLIER_WORKLIST_TABLES
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {table} ("
                "position bigint PRIMARY KEY, municipality text NOT NULL, "
                "resident_id text NOT NULL, stream_id text NOT NULL, kind text NOT NULL, "
                "occurred_on date NOT NULL, actor_id text NOT NULL, value text NOT NULL, "
                "amount numeric NOT NULL, assignee text NOT NULL)"
            ).format(table=self._table)
        )
        self._create_indexes = []
        self._drop_indexes = []
        for suffix, columns in (
            ("registered", "kind, municipality, resident_id"),
            ("resident", "resident_id"),
            ("municipality", "municipality"),
        ):
            index = Identifier(f"{WORKLIST_TABLE}_{suffix}")
            self._create_indexes.append(
                SQL("CREATE INDEX IF NOT EXISTS {index} ON {table} (" + columns + ")").format(
                    index=index, table=self._table
                )
            )
            self._drop_indexes.append(
                SQL("DROP INDEX IF EXISTS {schema}.{index}").format(schema=schema, index=index)
            )
        self.sql_create_statements.extend(self._create_indexes)
        self._copy = SQL("COPY {table} (" + COLUMNS + ") FROM STDIN (FORMAT BINARY)").format(
            table=self._table
        )
        self._lock = SQL("SELECT pg_advisory_xact_lock(hashtext(%s))")
        self._lock_key = f"participatie:worklist:{self.datastore.schema}"
        self._select = SQL("SELECT " + COLUMNS + " FROM {table}").format(table=self._table)  # noqa: S608
        self._delete_tracking = SQL(
            "DELETE FROM {schema}.{tracking} WHERE application_name = %s"
        ).format(schema=schema, tracking=Identifier(self.tracking_table_name))

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def record(self, rows: Sequence[WorkRow], tracking: Tracking, *, after: int) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._lock, (self._lock_key,))
            check_position(self._max_tracking_id(WORKLIST_TRACKING_KEY, curs), after)
            self._insert_rows(curs, rows)
            self._insert_tracking(curs, tracking)

    def record_in(
        self, cursor: Any, rows: Sequence[WorkRow], tracking: Tracking, *, after: int
    ) -> bool:
        # The facts' transaction holds the outcomes view's lock; this view's lock is taken too
        # (always after the other), as its own catch-up takes it.
        cursor.execute(self._lock, (self._lock_key,))
        if (self._max_tracking_id(WORKLIST_TRACKING_KEY, cursor) or 0) != after:
            return False
        self._insert_rows(cursor, rows)
        self._insert_tracking(cursor, tracking)
        return True

    def _insert_rows(self, curs: Any, rows: Sequence[WorkRow]) -> None:
        if rows:
            with curs.copy(self._copy) as copy:
                copy.set_types(_TYPES)
                for row in rows:
                    copy.write_row(row)

    def _fetch(self, statement: Composed, params: Sequence[object]) -> list[Any]:
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(statement, params)
            return list(curs.fetchall())

    def registered(self, municipality: str | None, after: str, limit: int) -> list[str]:
        where = "kind = %s AND resident_id > %s" + (
            "" if municipality is None else " AND municipality = %s"
        )
        params: list[object] = [REGISTERED, after]
        if municipality is not None:
            params.append(municipality)
        statement = SQL("SELECT resident_id FROM {table} WHERE " + where).format(  # noqa: S608
            table=self._table
        ) + SQL(" ORDER BY resident_id LIMIT %s")
        return [r[0] for r in self._fetch(statement, [*params, limit])]

    def rows_of(self, resident_ids: Sequence[str]) -> list[WorkRow]:
        def select(ids: Sequence[str]) -> list[WorkRow]:
            statement = self._select + SQL(" WHERE resident_id = ANY(%s) ORDER BY position")
            return [WorkRow(*row) for row in self._fetch(statement, [list(ids)])]

        return in_chunks(resident_ids, select)

    def rows(self, municipality: str | None) -> list[WorkRow]:
        if municipality is None:
            statement = self._select + SQL(" ORDER BY position")
            return [WorkRow(*row) for row in self._fetch(statement, [])]
        statement = self._select + SQL(" WHERE municipality = %s ORDER BY position")
        return [WorkRow(*row) for row in self._fetch(statement, [municipality])]

    def municipalities(self) -> dict[str, str]:
        statement = SQL(
            "SELECT kind, stream_id, municipality, resident_id FROM {table} WHERE kind IN (%s, %s)"
        ).format(table=self._table)
        return lookup(self._fetch(statement, [REGISTERED, WorkKind.COACHING_STARTED.value]))

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._lock, (self._lock_key,))
            for drop in self._drop_indexes:
                curs.execute(drop)
            curs.execute(SQL("TRUNCATE {table}").format(table=self._table))
            curs.execute(self._delete_tracking, (WORKLIST_TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._lock, (self._lock_key,))
            for create in self._create_indexes:
                curs.execute(create)
