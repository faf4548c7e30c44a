"""The SQLite application recorder: eventsourcing's, with participatie's tables (see
:mod:`participatie.persistence.tables`) in the same database file, written in the same
transaction as the events.

Each table group is a mixin of its own: :mod:`.sqlite_vault` (the vault, on
:mod:`.sqlite_keys`), :mod:`.sqlite_ledger` (ledger and chain heads), :mod:`.sqlite_imports`,
:mod:`.sqlite_commands` and :mod:`.rights` (notes and corrections); this module puts them
together and writes them with the events.
"""

from __future__ import annotations

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
    SQLITE_LEGACY_DONE,
    SQLITE_LEGACY_EPOCH,
)
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

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.extend(SQLITE_CREATE_STATEMENTS)
        statements.extend(SQLITE_RIGHTS_TABLES)
        return statements

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.transaction(commit=True) as c:
            notification_ids, tail = self._insert_all(c, stored_events, **kwargs)
        self._committed_tail(tail)  # committed: the ledger's tail for the next save
        if kwargs.get("vault_erasures"):
            self.wipe_log()
        return notification_ids

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
        return notification_ids, self._write_ledger(c, notification_ids, stored_events)

    def select_events_after(
        self, streams: Sequence[tuple[UUID, int]]
    ) -> dict[UUID, list[StoredEvent]]:
        """One statement for all the streams (see ParticipationRecorder)."""
        if not streams:
            return {}
        where = " OR ".join(["(originator_id = ? AND originator_version > ?)"] * len(streams))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_id, originator_version, topic, state "  # noqa: S608
                f"FROM {self.events_table_name} WHERE {where} "
                "ORDER BY originator_id, originator_version",
                [value for stream_id, version in streams for value in (stream_id.hex, version)],
            )
            rows = c.fetchall()
        found: dict[UUID, list[StoredEvent]] = {}
        for row in rows:
            stream_id = UUID(row["originator_id"])
            found.setdefault(stream_id, []).append(
                StoredEvent(
                    originator_id=stream_id,
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
            )
        return found

    def create_table(self) -> None:
        super().create_table()
        # Only a store of release 0.1 needs a write here: an open must not take the write lock
        # (processes opening together would find the database locked).
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQLITE_LEGACY_DONE)
            done = c.fetchone()["done"]
        if not done:
            with self.datastore.transaction(commit=True) as c:
                for statement in SQLITE_LEGACY_EPOCH:
                    c.execute(statement)
