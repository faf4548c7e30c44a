"""The SQLite application recorder: eventsourcing's, with participatie's tables (see
:mod:`participatie.persistence.tables`) in the same database file, written in the same
transaction as the events.

Each table group is a mixin of its own: :mod:`.sqlite_vault` (the vault, on
:mod:`.sqlite_keys`), :mod:`.sqlite_ledger` (ledger and chain heads), :mod:`.sqlite_imports`,
:mod:`.sqlite_commands` and :mod:`.rights` (notes and corrections); this module puts them
together and writes them with the events.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from participatie.persistence.base import ParticipationRecorder
from participatie.persistence.rights import SQLITE_RIGHTS_TABLES, SQLiteRights
from participatie.persistence.sqlite_commands import SQLiteCommands
from participatie.persistence.sqlite_imports import SQLiteImports
from participatie.persistence.sqlite_ledger import SQLiteLedger
from participatie.persistence.sqlite_schema import (
    SQLITE_CREATE_STATEMENTS,
    SQLITE_LEDGER_HAS_RECORDS,
    SQLITE_LEDGER_RECORDS,
    SQLITE_LEGACY_DONE,
    SQLITE_LEGACY_EPOCH,
)
from participatie.persistence.sqlite_tables import persistence_error
from participatie.persistence.sqlite_vault import SQLiteVault
from participatie.persistence.tables import VAULT_TABLE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from participatie.privacy.vault import SealedRecord

__all__ = ["SQLiteParticipationRecorder"]


class SQLiteParticipationRecorder(
    SQLiteRights,
    SQLiteVault,
    SQLiteLedger,
    SQLiteImports,
    SQLiteCommands,
    SQLiteApplicationRecorder,
    ParticipationRecorder,
):
    """The SQLite recorder with the vault table in the same database file.

    Vault rows are deleted and rewritten with ``PRAGMA secure_delete`` (their bytes are
    overwritten with zeros), and the write-ahead log is checkpointed and truncated after each
    erasure and key rotation, so that the file and its log keep no copy of an erased row.
    """

    vault_table = VAULT_TABLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Per thread: the stamp of its last committed save (see write_stamp).
        self._stamps = threading.local()

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.extend(SQLITE_CREATE_STATEMENTS)
        statements.extend(SQLITE_RIGHTS_TABLES)
        return statements

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        self._stamps.written = None
        with self._writing() as (conn, c):
            notification_ids, tail = self._insert_all(c, stored_events, **kwargs)
            # Under the write lock, after this transaction's writes: the connection's count of
            # other connections' commits, which its own commit leaves as it is.
            c.execute("PRAGMA data_version")
            stamp = (conn, c.fetchone()[0])
        self._committed_tail(tail)  # committed: the ledger's tail for the next save
        self._stamps.written = stamp
        if kwargs.get("vault_erasures"):
            self.wipe_log()
        return notification_ids

    def write_stamp(self) -> object | None:
        """(the connection, its ``PRAGMA data_version``) of this thread's last committed save
        (see :meth:`unchanged_since`)."""
        stamp: object | None = getattr(self._stamps, "written", None)
        return stamp

    def unchanged_since(self, stamps: Sequence[object]) -> bool:
        """True when the pool hands out the connection every stamp was made on and its
        ``PRAGMA data_version`` is still each stamp's: SQLite changes that number on a
        connection whenever another connection (of this process or another) commits, and
        never for the connection's own commits, which are the stamped saves. About a quarter
        of the cost of reading the events after a commit (SQLite reads its pages anew then)."""
        with self.datastore.get_connection(commit=False) as conn:
            if not stamps or any(
                not isinstance(stamp, tuple) or stamp[0] is not conn for stamp in stamps
            ):
                return False
            cursor = conn.cursor().sqlite_cursor
            try:
                version = cursor.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as error:
                raise persistence_error(error) from error
            finally:
                cursor.close()
        return all(isinstance(stamp, tuple) and stamp[1] == version for stamp in stamps)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self._insert_all(c, stored_events, **kwargs)[0]

    def _insert_all(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        vault_erasures: Sequence[UUID] = (),
        import_sources: Sequence[tuple[str, str, UUID, UUID]] = (),
        **kwargs: Any,
    ) -> tuple[Sequence[int] | None, tuple[int, bytes] | None]:
        """Everything a save writes, in one transaction: the notification ids, and the ledger's
        new tail (to remember once the transaction has committed)."""
        self._record_commands(c, kwargs.get("commands_done", ()))
        self._record_imports(c, import_sources)
        if vault_erasures:
            c.execute("PRAGMA secure_delete = ON")
        for resident_id in vault_erasures:
            self._erase_vault_row(c, resident_id)
        self._write_rights(c, kwargs, vault_erasures, self._note_key_id)
        self._write_vault(c, vault_records)
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        return notification_ids, self._write_ledger(
            c, notification_ids, stored_events, kwargs.get("processing_records")
        )

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """eventsourcing's ``select_events``, the same statement read with :meth:`_read`."""
        statement = self.select_events_statement
        params: list[Any] = [
            originator_id.hex if isinstance(originator_id, UUID) else originator_id
        ]
        if gt is not None:
            statement += "AND originator_version>? "
            params.append(gt)
        if lte is not None:
            statement += "AND originator_version<=? "
            params.append(lte)
        statement += "ORDER BY originator_version " + ("DESC " if desc else "ASC ")
        if limit is not None:
            statement += "LIMIT ? "
            params.append(limit)
        return [
            StoredEvent(
                originator_id=self.convert_originator_id(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
            for row in self._read(statement, params)
        ]

    def create_table(self) -> None:
        super().create_table()
        # Only a store written by an earlier release needs a write here, once: an open must not
        # take the write lock (processes opening together would find the database locked).
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQLITE_LEDGER_HAS_RECORDS)
            has_records = c.fetchone()["done"]
        if not has_records:  # written before processing records were rows: once per store
            with self.datastore.transaction(commit=True) as c:
                c.execute(SQLITE_LEDGER_HAS_RECORDS)
                if not c.fetchone()["done"]:
                    c.execute(SQLITE_LEDGER_RECORDS)
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQLITE_LEGACY_DONE)
            done = c.fetchone()["done"]
        if not done:
            with self.datastore.transaction(commit=True) as c:
                for statement in SQLITE_LEGACY_EPOCH:
                    c.execute(statement)
