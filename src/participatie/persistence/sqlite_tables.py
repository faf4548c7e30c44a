"""What the SQLite recorder's table groups share (:mod:`.sqlite_vault`, :mod:`.sqlite_keys`,
:mod:`.sqlite_ledger`, :mod:`.sqlite_imports`, :mod:`.sqlite_commands`): the datastore, reading
rows by a list of values, and the text of ids and times as stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from participatie.persistence.tables import uuid_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore

__all__ = ["SQLiteTables", "id_text", "now_text"]


def id_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


def now_text() -> str:
    return datetime.now(UTC).isoformat()


class SQLiteTables:
    """Base of the SQLite recorder's mixins, one a table group."""

    datastore: SQLiteDatastore

    @staticmethod
    def _select_in(c: SQLiteCursor, table: str, column: str, values: Sequence[str]) -> list[Any]:
        """The rows of ``table`` whose ``column`` is one of ``values``, 500 values a statement."""
        rows: list[Any] = []
        for start in range(0, len(values), 500):
            chunk = list(values[start : start + 500])
            c.execute(
                f"SELECT * FROM {table} "  # noqa: S608 (constant names)
                f"WHERE {column} IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            rows += c.fetchall()
        return rows

    def _resident_id(self, statement: str, params: Sequence[object]) -> UUID | None:
        """The ``resident_id`` of the first row the statement selects, or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            row = c.fetchone()
        return None if row is None else uuid_of(row["resident_id"])

    def wipe_log(self) -> bool:
        """Checkpoint the write-ahead log into the file and truncate it to nothing; False when
        another process's open read kept part of it (the next wipe takes the rest)."""
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
        return not busy
