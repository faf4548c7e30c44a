"""What the SQLite recorder's table groups share (:mod:`.sqlite_vault`, :mod:`.sqlite_keys`,
:mod:`.sqlite_ledger`, :mod:`.sqlite_imports`, :mod:`.sqlite_commands`): the datastore, reading
rows by a list of values, and the text of ids and times as stored."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
)
from eventsourcing.sqlite import SQLiteConnection, SQLiteCursor

from participatie.persistence.tables import uuid_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.sqlite import SQLiteDatastore

__all__ = ["SQLiteTables", "id_text", "now_text", "persistence_error"]


def id_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


def now_text() -> str:
    return datetime.now(UTC).isoformat()


#: sqlite3's errors as eventsourcing's transactions raise them (most specific first).
_ERRORS: tuple[tuple[type[sqlite3.Error], type[PersistenceError]], ...] = (
    (sqlite3.InterfaceError, InterfaceError),
    (sqlite3.DataError, DataError),
    (sqlite3.OperationalError, OperationalError),
    (sqlite3.IntegrityError, IntegrityError),
    (sqlite3.InternalError, InternalError),
    (sqlite3.ProgrammingError, ProgrammingError),
    (sqlite3.NotSupportedError, NotSupportedError),
    (sqlite3.DatabaseError, DatabaseError),
)


def persistence_error(error: sqlite3.Error) -> PersistenceError:
    """The eventsourcing error eventsourcing's SQLite transactions raise for ``error``."""
    for found, raised in _ERRORS:
        if isinstance(error, found):
            return raised(error)
    return PersistenceError(error)


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

    def _read(self, statement: str, params: Sequence[object]) -> list[Any]:
        """The rows of one SELECT, read in the statement's own transaction (SQLite's autocommit:
        one consistent snapshot for the statement) on a pooled connection.

        The same rows as eventsourcing's read transaction (``BEGIN``, the statement,
        ``ROLLBACK``, through its cursor and transaction wrappers) gives, for about a third of
        its cost: a command's load reads this way.
        """
        with self.datastore.get_connection(commit=False) as conn:
            cursor = conn.cursor().sqlite_cursor
            try:
                return cursor.execute(statement, params).fetchall()
            except sqlite3.Error as error:
                raise persistence_error(error) from error
            finally:
                cursor.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[tuple[SQLiteConnection, SQLiteCursor]]:
        """A write transaction, as eventsourcing's ``transaction(commit=True)`` makes it (the
        pool's writer, ``BEGIN``, commit, or rollback on any error, sqlite3's errors raised as
        eventsourcing's), with fewer wrappers around it: a command's save writes this way."""
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            try:
                cursor.execute("BEGIN")
                yield conn, cursor
                conn.commit()
            except BaseException as error:
                try:
                    conn.rollback()
                except sqlite3.Error as failed:
                    raise persistence_error(failed) from failed
                if isinstance(error, sqlite3.Error):
                    raise persistence_error(error) from error
                raise
            finally:
                cursor.sqlite_cursor.close()

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
