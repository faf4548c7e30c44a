"""What the PostgreSQL recorder's table groups share (:mod:`.postgres_vault`,
:mod:`.postgres_keys`, :mod:`.postgres_ledger`, :mod:`.postgres_imports`,
:mod:`.postgres_commands`): the datastore, the prepared statements, and reading one resident id
or plain rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.rows import tuple_row

from participatie.persistence.tables import uuid_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from eventsourcing.postgres import PostgresDatastore
    from psycopg.sql import Composed

    from participatie.persistence.postgres_schema import PostgresStatements

__all__ = ["PostgresTables"]


class PostgresTables:
    """Base of the PostgreSQL recorder's mixins, one a table group."""

    datastore: PostgresDatastore
    _sql: PostgresStatements

    def _resident_id(self, statement: Composed, params: Sequence[object]) -> UUID | None:
        """The ``resident_id`` of the first row the statement selects, or None."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, params)
            row = curs.fetchone()
        return None if row is None else uuid_of(row["resident_id"])

    def _plain(self, statement: Composed, parameters: tuple[object, ...]) -> list[Any]:
        """Rows as plain tuples of the values as stored (no dict rows)."""
        with self.datastore.transaction(commit=False) as curs:
            plain = curs.connection.cursor(row_factory=tuple_row)
            plain.execute(statement, parameters)
            return plain.fetchall()
