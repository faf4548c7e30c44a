"""eventsourcing application recorders that also keep the personal-data vault.

Each recorder subclasses the store's own application recorder and adds one table,
``participatie_vault``, in the same database. Vault rows passed to ``insert_events`` as
``vault_records=[...]`` are written in the same transaction as the events, so a registration is
all or nothing, and the unique keyed BSN hash refuses a second registration of one BSN even when
two processes race.

eventsourcing's own recorder test cases run against these subclasses (tests/integration).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from participatie.privacy.vault import SealedRecord

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import StoredEvent

__all__ = ["VAULT_TABLE", "POPOParticipationRecorder", "SQLiteParticipationRecorder"]

VAULT_TABLE = "participatie_vault"


def _record_from_row(row: Any) -> SealedRecord:
    resident_id = row["resident_id"]
    bsn_hash = row["bsn_hash"]
    return SealedRecord(
        resident_id=resident_id if isinstance(resident_id, UUID) else UUID(resident_id),
        bsn_hash=None if bsn_hash is None else bytes(bsn_hash),
        key_id=row["key_id"],
        wrapped_key=bytes(row["wrapped_key"]),
        ciphertext=bytes(row["ciphertext"]),
    )


class POPOParticipationRecorder(POPOApplicationRecorder):
    """The in-process recorder (``memory://``) with a vault kept in dictionaries."""

    def __init__(self) -> None:
        super().__init__()
        self._vault: dict[UUID, SealedRecord] = {}
        self._vault_by_hash: dict[bytes, UUID] = {}

    def _insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        with self._database_lock:
            for record in vault_records:
                if record.resident_id in self._vault:
                    msg = f"vault record for {record.resident_id} exists"
                    raise IntegrityError(msg)
                if record.bsn_hash is not None and record.bsn_hash in self._vault_by_hash:
                    msg = "vault BSN hash exists"
                    raise IntegrityError(msg)
            notification_ids = super()._insert_events(stored_events, **kwargs)
            for record in vault_records:
                self._vault[record.resident_id] = record
                if record.bsn_hash is not None:
                    self._vault_by_hash[record.bsn_hash] = record.resident_id
            return notification_ids

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self._database_lock:
            return self._vault.get(resident_id)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        with self._database_lock:
            return self._vault_by_hash.get(bsn_hash)


class SQLiteParticipationRecorder(SQLiteApplicationRecorder):
    """The SQLite recorder with the vault table in the same database file."""

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {VAULT_TABLE} ("
            "resident_id TEXT PRIMARY KEY, "
            "bsn_hash BLOB UNIQUE, "
            "key_id TEXT NOT NULL, "
            "wrapped_key BLOB NOT NULL, "
            "ciphertext BLOB NOT NULL)"
        )
        return statements

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        for record in vault_records:
            c.execute(
                f"INSERT INTO {VAULT_TABLE} "  # noqa: S608 (constant table name)
                "(resident_id, bsn_hash, key_id, wrapped_key, ciphertext) VALUES (?,?,?,?,?)",
                (
                    record.resident_id.hex,
                    record.bsn_hash,
                    record.key_id,
                    record.wrapped_key,
                    record.ciphertext,
                ),
            )
        return super()._insert_events(c, stored_events, **kwargs)

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {VAULT_TABLE} WHERE resident_id = ?",  # noqa: S608
                (resident_id.hex,),
            )
            row = c.fetchone()
        return None if row is None else _record_from_row(row)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT resident_id FROM {VAULT_TABLE} WHERE bsn_hash = ?",  # noqa: S608
                (bsn_hash,),
            )
            row = c.fetchone()
        return None if row is None else UUID(row["resident_id"])
