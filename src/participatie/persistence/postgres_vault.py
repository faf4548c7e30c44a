"""The PostgreSQL recorder's vault: the sealed personal data of each resident, the erasures, and
the re-wrapping of data keys after a key rotation (VACUUM removes the dead tuples of erased or
re-wrapped rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from participatie.persistence.postgres_keys import PostgresKeys
from participatie.persistence.tables import erasure_from_row, record_from_row

if TYPE_CHECKING:
    from collections.abc import Sequence

    from psycopg import Cursor
    from psycopg.rows import DictRow

    from participatie.privacy.vault import ErasureRecord, SealedRecord

__all__ = ["PostgresVault"]


class PostgresVault(PostgresKeys):
    """Vault rows, written in the same transaction as the events, and erased for good."""

    def _write_vault(self, curs: Cursor[DictRow], vault_records: Sequence[SealedRecord]) -> None:
        """Insert sealed records, noting each key id first and once (an import's batch seals
        every resident under the same key): its check reads a row, a round trip each."""
        for key_id in sorted({record.key_id for record in vault_records}):
            self._note_key_id(curs, key_id)
        for record in vault_records:
            curs.execute(
                self._sql.vault_insert,
                (
                    record.resident_id,
                    record.bsn_hash,
                    record.key_id,
                    record.wrapped_key,
                    record.ciphertext,
                ),
            )

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.vault_rows, (after or UUID(int=0), limit))
            rows = curs.fetchall()
        return [record_from_row(row) for row in rows]

    def vacuum_vault(self) -> None:
        """Remove the dead tuples of erased or re-wrapped rows from the vault table and its
        indexes (VACUUM, which cannot run in a transaction: pooled connections autocommit)."""
        with self.datastore.get_connection() as conn:
            conn.execute(self._sql.vacuum_vault)

    def vault_erasures(self) -> list[ErasureRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.erasures_select)
            return [erasure_from_row(row) for row in curs.fetchall()]

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.vault_select, (resident_id,))
            row = curs.fetchone()
        return None if row is None else record_from_row(row)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        return self._resident_id(self._sql.vault_find, (bsn_hash,))

    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.vault_stale, (key_id, after or UUID(int=0), limit))
            rows = curs.fetchall()
        return [record_from_row(row) for row in rows]

    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        with self.datastore.transaction(commit=True) as curs:
            for key_id in sorted({new.key_id for _, new in pairs}):
                self._note_key_id(curs, key_id)
            replaced = 0
            for old, new in pairs:
                curs.execute(
                    self._sql.vault_rewrap,
                    (
                        new.bsn_hash,
                        new.key_id,
                        new.wrapped_key,
                        old.resident_id,
                        old.key_id,
                        old.wrapped_key,
                    ),
                )
                replaced += curs.rowcount
        return replaced
