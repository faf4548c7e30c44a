"""The SQLite recorder's vault: the sealed personal data of each resident, the erasures, and the
re-wrapping of data keys after a key rotation.

Vault rows are deleted and rewritten with ``PRAGMA secure_delete`` (their bytes are overwritten
with zeros), and the write-ahead log is checkpointed and truncated after each erasure and key
rotation, so that the file and its log keep no copy of an erased row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from participatie.persistence.sqlite_keys import SQLiteKeys
from participatie.persistence.sqlite_tables import now_text
from participatie.persistence.tables import (
    ERASURES_TABLE,
    KEY_EPOCHS_TABLE,
    VAULT_TABLE,
    erasure_from_row,
    record_from_row,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.sqlite import SQLiteCursor

    from participatie.privacy.vault import ErasureRecord, SealedRecord

__all__ = ["SQLiteVault"]


class SQLiteVault(SQLiteKeys):
    """Vault rows, written in the same transaction as the events, and erased for good."""

    def _write_vault(
        self,
        c: SQLiteCursor,
        vault_records: Sequence[SealedRecord],
    ) -> None:
        """Insert sealed records, noting each key id once (an import's batch seals every
        resident under the same key)."""
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
        for key_id in sorted({record.key_id for record in vault_records}):
            self._note_key_id(c, key_id)

    @staticmethod
    def _erase_vault_row(c: SQLiteCursor, resident_id: UUID) -> None:
        """Delete the row (secure_delete is on) and record the erasure with the newest live
        key epoch: it is final once every epoch up to that one has been destroyed."""
        c.execute(
            f"DELETE FROM {VAULT_TABLE} WHERE resident_id = ? RETURNING key_id",  # noqa: S608
            (resident_id.hex,),
        )
        row = c.fetchone()
        c.execute(
            f"INSERT OR REPLACE INTO {ERASURES_TABLE} "  # noqa: S608 (constant names)
            "(resident_id, key_id, epoch, erased_at) VALUES (?, ?, "
            f"(SELECT COALESCE(MAX(epoch), 0) FROM {KEY_EPOCHS_TABLE} "
            "WHERE destroyed_at IS NULL), ?)",
            (resident_id.hex, None if row is None else row["key_id"], now_text()),
        )

    def vault_erasures(self) -> list[ErasureRecord]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {ERASURES_TABLE} ORDER BY erased_at")  # noqa: S608
            return [erasure_from_row(row) for row in c.fetchall()]

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {VAULT_TABLE} WHERE resident_id = ?",  # noqa: S608
                (resident_id.hex,),
            )
            row = c.fetchone()
        return None if row is None else record_from_row(row)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        return self._resident_id(
            f"SELECT resident_id FROM {VAULT_TABLE} WHERE bsn_hash = ?",  # noqa: S608
            (bsn_hash,),
        )

    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {VAULT_TABLE} "  # noqa: S608
                "WHERE key_id <> ? AND resident_id > ? ORDER BY resident_id LIMIT ?",
                (key_id, "" if after is None else after.hex, limit),
            )
            rows = c.fetchall()
        return [record_from_row(row) for row in rows]

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {VAULT_TABLE} "  # noqa: S608
                "WHERE resident_id > ? ORDER BY resident_id LIMIT ?",
                ("" if after is None else after.hex, limit),
            )
            rows = c.fetchall()
        return [record_from_row(row) for row in rows]

    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            replaced = 0
            for old, new in pairs:
                c.execute(
                    f"UPDATE {VAULT_TABLE} "  # noqa: S608
                    "SET bsn_hash = ?, key_id = ?, wrapped_key = ? "
                    "WHERE resident_id = ? AND key_id = ? AND wrapped_key = ?",
                    (
                        new.bsn_hash,
                        new.key_id,
                        new.wrapped_key,
                        old.resident_id.hex,
                        old.key_id,
                        old.wrapped_key,
                    ),
                )
                replaced += c.sqlite_cursor.rowcount
            for key_id in {new.key_id for _, new in pairs}:
                self._note_key_id(c, key_id)
        return replaced
