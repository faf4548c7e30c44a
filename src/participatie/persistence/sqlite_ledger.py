"""The SQLite recorder's tamper evidence: the ledger (a running hash over the whole log, one row
per event, appended in the same transaction under the write lock) and the chain heads (each
stream's last version and chain hash); and the plain rows ``verify()`` reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from participatie.audit.ledger import LEDGER_TABLE, LedgerRow, ledger_rows, records_digest
from participatie.persistence.sqlite_tables import SQLiteTables
from participatie.persistence.tables import (
    backfilled_ledger_rows,
    ledger_row_from_row,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from eventsourcing.persistence import StoredEvent
    from eventsourcing.sqlite import SQLiteCursor

    from participatie.audit.verifier import LogRow, PlainLedgerRow

__all__ = ["SQLiteLedger"]


class SQLiteLedger(SQLiteTables):
    """Ledger rows and chain heads, and reading them back."""

    events_table_name: str

    if TYPE_CHECKING:  # eventsourcing's recorder's own

        def convert_originator_id(self, originator_id: Any) -> UUID: ...

    #: The ledger's last row as this recorder last wrote it and saw it committed: (position,
    #: running hash), or None. It stands for the ledger's tail only while the log's last event
    #: is still at that position (see :meth:`_tail_before`).
    _written_tail: tuple[int, bytes] | None = None

    def _write_ledger(
        self,
        c: SQLiteCursor,
        notification_ids: Sequence[int] | None,
        stored_events: Sequence[StoredEvent],
        records: Mapping[UUID, bytes] | None = None,
    ) -> tuple[int, bytes] | None:
        """The ledger rows of events just inserted (under the write lock: the ledger's order is
        the log's order), with the processing records of their saves (``records``: each stream's,
        encoded), and the new heads of their streams; the new tail (position, running
        hash), for :meth:`_committed_tail` once the transaction commits."""
        tail = None
        if notification_ids or records:
            rows = ledger_rows(
                self._tail_before(c, notification_ids[0]) if notification_ids else None,
                notification_ids or [],
                stored_events,
                records=records,
            )
            self._append_ledger(c, rows)
            if rows:
                tail = (rows[-1].position, rows[-1].running_hash)
        return tail

    def _committed_tail(self, tail: tuple[int, bytes] | None) -> None:
        """Remember the tail a committed transaction wrote (never one that was rolled back)."""
        if tail is not None:
            self._written_tail = tail

    def _tail_before(self, c: SQLiteCursor, first: int) -> bytes | None:
        """The ledger's running hash before the event at position ``first``, just inserted.

        Read from the table, unless this recorder wrote the ledger's row at ``first - 1`` itself
        and saw it committed: a log position is the event's rowid, which SQLite gives as one more
        than the largest, so an event at ``first`` means that the last event before it is still
        the one at ``first - 1``: no other writer (another connection, another process) has
        committed an event since, and that event's ledger row, written in its transaction, is the
        one remembered. Checked under the write lock, after this transaction's insert.
        """
        written = self._written_tail
        if written is not None and written[0] == first - 1:
            return written[1]
        return self._ledger_tail(c)

    @staticmethod
    def _ledger_tail(c: SQLiteCursor) -> bytes | None:
        c.execute(
            f"SELECT running_hash FROM {LEDGER_TABLE} ORDER BY position DESC LIMIT 1"  # noqa: S608
        )
        row = c.fetchone()
        return None if row is None else bytes(row["running_hash"])

    @staticmethod
    def _append_ledger(c: SQLiteCursor, rows: Sequence[LedgerRow]) -> None:
        c.executemany(
            f"INSERT INTO {LEDGER_TABLE} "  # noqa: S608
            "(position, originator_id, version, event_hash, running_hash, backfilled, "
            "records) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    row.position,
                    row.stream_id.hex,
                    row.version,
                    row.event_hash,
                    row.running_hash,
                    int(row.backfilled),
                    row.records,
                )
                for row in rows
            ],
        )

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {LEDGER_TABLE} WHERE position > ? "  # noqa: S608
                "ORDER BY position LIMIT ?",
                (after, limit),
            )
            return [ledger_row_from_row(row) for row in c.fetchall()]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        return self._plain(
            "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {self.events_table_name} WHERE rowid >= ? ORDER BY rowid LIMIT ?",
            (start, limit),
        )

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        """The rows with the digest of the records they hold in place of the records (a value
        of another type, which only a row changed by hand holds, is left for the check)."""
        return [
            row
            if type(row[6]) is not bytes
            else (row[0], row[1], row[2], row[3], row[4], row[5], records_digest(row[6]))
            for row in self._ledger_plain(after, limit)
        ]

    def _ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        return self._plain(
            "SELECT position, originator_id, version, event_hash, running_hash, "  # noqa: S608
            f"backfilled, records FROM {LEDGER_TABLE} WHERE position > ? "
            "ORDER BY position LIMIT ?",
            (after, limit),
        )

    def ledger_records(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        return self._plain(
            f"SELECT position, originator_id, records FROM {LEDGER_TABLE} "  # noqa: S608
            "WHERE position > ? AND records IS NOT NULL ORDER BY position LIMIT ?",
            (after, limit),
        )

    def running_before(self, positions: Sequence[int]) -> dict[int, bytes | None]:
        found: dict[int, bytes | None] = {}
        wanted = sorted(set(positions))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                self._plain(
                    f"SELECT l.position, (SELECT p.running_hash FROM {LEDGER_TABLE} p "  # noqa: S608
                    "WHERE p.position < l.position ORDER BY p.position DESC LIMIT 1) "
                    f"FROM {LEDGER_TABLE} l WHERE l.position IN ({', '.join('?' * len(chunk))})",
                    tuple(chunk),
                )
            )
        return found

    def _plain(self, statement: str, parameters: tuple[object, ...]) -> list[Any]:
        """Rows as plain tuples of the values as stored (no sqlite3.Row, no conversion)."""
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None
            cursor.execute(statement, parameters)
            rows: list[Any] = cursor.fetchall()
            return rows

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as c:
            found = self._select_in(c, LEDGER_TABLE, "originator_id", [s.hex for s in stream_ids])
        rows = [ledger_row_from_row(row) for row in found]
        return sorted(rows, key=lambda row: row.position)

    def ledger_backfill(self, limit: int) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"SELECT (SELECT max(position) FROM {LEDGER_TABLE}) AS last, "  # noqa: S608
                f"EXISTS (SELECT 1 FROM {LEDGER_TABLE} WHERE backfilled = 0) AS written"
            )
            found = c.fetchone()
            if found["written"]:
                return 0  # the ledger is written with the events: nothing to make up
            c.execute(
                f"SELECT rowid, * FROM {self.events_table_name} "  # noqa: S608
                "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (found["last"] or 0, limit),
            )
            rows = c.fetchall()
            if rows:
                made = backfilled_ledger_rows(
                    self._ledger_tail(c),
                    [row["rowid"] for row in rows],
                    rows,
                    self.convert_originator_id,
                )
                self._append_ledger(c, made)
            return len(rows)
