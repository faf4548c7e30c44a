"""The PostgreSQL recorder's tamper evidence: the ledger (a running hash over the whole log, one
row per event, appended in the same transaction under eventsourcing's table lock) and the chain
heads (each stream's last version and chain hash); and the plain rows ``verify()`` reads."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from participatie.audit.ledger import LedgerRow, ledger_rows
from participatie.persistence.postgres_tables import PostgresTables
from participatie.persistence.tables import (
    backfilled_ledger_rows,
    ledger_row_from_row,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent
    from psycopg import Cursor
    from psycopg.rows import DictRow

    from participatie.audit.verifier import LogRow, PlainLedgerRow

__all__ = ["PostgresLedger"]


class PostgresLedger(PostgresTables):
    """Ledger rows and chain heads, and reading them back."""

    #: Per thread: the cursor of the ledger tail queued under the table lock.
    _tails: threading.local

    def _ask_tail(self, curs: Cursor[DictRow]) -> None:
        """Ask for the ledger's tail right after the table lock, on a cursor of its own, so
        that it travels in the same pipeline as the events' insert and is read once that
        insert is synced: no round trip of its own. No other writer can append under the lock."""
        tail = curs.connection.cursor()
        tail.execute(self._sql.ledger_tail)
        self._tails.cursor = tail

    def _write_ledger(
        self,
        curs: Cursor[DictRow],
        notification_ids: Sequence[int] | None,
        stored_events: Sequence[StoredEvent],
        records: Mapping[UUID, bytes] | None = None,
    ) -> None:
        """The ledger rows of events just inserted (under the table lock: the ledger's order is
        the log's order), with the processing records of their saves (``records``: each stream's,
        encoded), and the new heads of their streams (after the events, under the lock,
        so that writers of several streams cannot deadlock on the head rows)."""
        if notification_ids or records:
            self._append_ledger(
                curs,
                ledger_rows(
                    self._queued_tail(curs) if notification_ids else None,
                    notification_ids or [],
                    stored_events,
                    records=records,
                ),
            )

    def _queued_tail(self, curs: Cursor[DictRow]) -> bytes | None:
        """The ledger's tail asked for under the lock by :meth:`_lock_table` (or, should that
        not have run, asked for now)."""
        tail: Cursor[DictRow] | None = getattr(self._tails, "cursor", None)
        self._tails.cursor = None
        if tail is None:
            return self._tail(curs)
        with tail:
            found = tail.fetchone()
        return None if found is None else bytes(found["running_hash"])

    def _tail(self, curs: Cursor[DictRow]) -> bytes | None:
        """The running hash of the ledger's last row, or None while it is empty."""
        curs.execute(self._sql.ledger_tail)
        tail = curs.fetchone()
        return None if tail is None else bytes(tail["running_hash"])

    def _append_ledger(self, curs: Cursor[DictRow], rows: Sequence[LedgerRow]) -> None:
        curs.execute(
            self._sql.ledger_insert,
            (
                [row.position for row in rows],
                [row.stream_id for row in rows],
                [row.version for row in rows],
                [row.event_hash for row in rows],
                [row.running_hash for row in rows],
                [row.backfilled for row in rows],
                [row.records for row in rows],
            ),
        )

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.ledger_select, (after, limit))
            return [ledger_row_from_row(row) for row in curs.fetchall()]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        return self._plain(self._sql.log_rows, (start, limit))

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        return self._plain(self._sql.ledger_plain, (after, limit))

    def ledger_records(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        return self._plain(self._sql.ledger_records, (after, limit))

    def running_before(self, positions: Sequence[int]) -> dict[int, bytes | None]:
        return dict(self._plain(self._sql.running_before, (sorted(set(positions)),)))

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.ledger_of, (list(stream_ids),))
            return [ledger_row_from_row(row) for row in curs.fetchall()]

    def ledger_backfill(self, limit: int) -> int:
        # Without the table lock first: a store whose ledger is written with its events (every
        # store after its first opening by this release) has nothing to make up.
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.ledger_state)
            found = curs.fetchone()
            if found is None or found["written"]:
                return 0
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql.ledger_lock)
            curs.execute(self._sql.ledger_state)
            found = curs.fetchone()
            if found is None or found["written"]:
                return 0  # the ledger is written with the events: nothing to make up
            curs.execute(self._sql.ledger_events, (found["last"] or 0, limit))
            rows = curs.fetchall()
            if rows:
                made = backfilled_ledger_rows(
                    self._tail(curs),
                    [row["notification_id"] for row in rows],
                    rows,
                    lambda originator_id: originator_id,
                )
                self._append_ledger(curs, made)
            return len(rows)
