"""The PostgreSQL recorder's keys: the key epochs (their salts, destroyed when no row uses them)
and the key ids vault rows are sealed under."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import psycopg.errors
from eventsourcing.persistence import IntegrityError

from participatie.persistence.postgres_tables import PostgresTables
from participatie.persistence.tables import (
    destroy_unused_epochs,
    epoch_destroyed,
    epoch_from_row,
    vault_keys_from_rows,
)
from participatie.privacy.vault import LEGACY_EPOCH, KeyEpoch, VaultKeys, epoch_of

if TYPE_CHECKING:
    from psycopg import Cursor
    from psycopg.rows import DictRow

__all__ = ["PostgresKeys"]


class PostgresKeys(PostgresTables):
    """Key epochs and key ids; a vault row is written only under a live epoch."""

    def _note_key_id(self, curs: Cursor[DictRow], key_id: str) -> None:
        """Add a key id to those in use; the epoch's row stays locked (FOR SHARE) until this
        transaction ends, so no rotation can destroy the epoch under a row being written."""
        epoch = epoch_of(key_id)
        if epoch != LEGACY_EPOCH:
            curs.execute(self._sql.epoch_share, (epoch,))
            if curs.fetchone() is None:
                raise epoch_destroyed(epoch)
        curs.execute(self._sql.key_id_insert, (key_id, epoch))

    def vault_keys(self) -> VaultKeys:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.epochs_select)
            epoch_rows = curs.fetchall()
            curs.execute(self._sql.key_ids_select)
            return vault_keys_from_rows(epoch_rows, curs.fetchall())

    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        # Two processes starting the first epoch together: one insert wins, the other conflicts.
        with (
            contextlib.suppress(IntegrityError, psycopg.errors.UniqueViolation),
            self.datastore.transaction(commit=True) as curs,
        ):
            curs.execute(self._sql.epoch_insert, (salt, only_if_none))

    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        with self.datastore.transaction(commit=True) as curs:

            def in_use(known: KeyEpoch) -> bool:
                if known.epoch == LEGACY_EPOCH:
                    curs.execute(self._sql.legacy_in_use)
                else:
                    curs.execute(self._sql.epoch_in_use, (f"%.{known.epoch}",))
                return curs.fetchone() is not None

            def destroy(epoch: int) -> None:
                curs.execute(self._sql.epoch_destroy, (epoch,))

            # The lock waits for writers holding an epoch (FOR SHARE) to commit; the checks
            # below are new statements, which see their rows.
            curs.execute(self._sql.epochs_to_destroy, (before,))
            candidates = [epoch_from_row(row) for row in curs.fetchall()]
            destroyed = destroy_unused_epochs(
                candidates, secret_key_id, in_use=in_use, destroy=destroy
            )
            curs.execute(self._sql.key_ids_prune)
        with self.datastore.get_connection() as conn:
            # Rewrite the small epochs table: a plain VACUUM leaves a dead salt's bytes in the
            # page's free space.
            conn.execute(self._sql.vacuum_epochs)
            conn.execute(self._sql.vacuum_vault)
        return destroyed
