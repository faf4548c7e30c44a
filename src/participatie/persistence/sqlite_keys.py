"""The SQLite recorder's keys: the key epochs (their salts, destroyed when no row uses them) and
the key ids vault rows are sealed under."""

from __future__ import annotations

from typing import TYPE_CHECKING

from participatie.persistence.sqlite_tables import SQLiteTables, now_text
from participatie.persistence.tables import (
    KEY_EPOCHS_TABLE,
    KEY_IDS_TABLE,
    VAULT_TABLE,
    destroy_unused_epochs,
    epoch_destroyed,
    epoch_from_row,
    vault_keys_from_rows,
)
from participatie.privacy.vault import LEGACY_EPOCH, KeyEpoch, VaultKeys, epoch_of

if TYPE_CHECKING:
    from eventsourcing.sqlite import SQLiteCursor

__all__ = ["SQLiteKeys"]


class SQLiteKeys(SQLiteTables):
    """Key epochs and key ids; a vault row is written only under a live epoch."""

    @staticmethod
    def _note_key_id(c: SQLiteCursor, key_id: str) -> None:
        """Add a key id to those in use; refuse a row of an epoch destroyed meanwhile (writers
        are serialised, so no rotation can destroy it before this transaction commits)."""
        epoch = epoch_of(key_id)
        if epoch != LEGACY_EPOCH:
            c.execute(
                f"SELECT 1 FROM {KEY_EPOCHS_TABLE} "  # noqa: S608
                "WHERE epoch = ? AND destroyed_at IS NULL",
                (epoch,),
            )
            if c.fetchone() is None:
                raise epoch_destroyed(epoch)
        c.execute(
            f"INSERT OR IGNORE INTO {KEY_IDS_TABLE} (key_id, epoch) VALUES (?, ?)",  # noqa: S608
            (key_id, epoch),
        )

    def vault_keys(self) -> VaultKeys:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {KEY_EPOCHS_TABLE} ORDER BY epoch")  # noqa: S608
            epoch_rows = c.fetchall()
            c.execute(f"SELECT key_id, epoch FROM {KEY_IDS_TABLE}")  # noqa: S608
            return vault_keys_from_rows(epoch_rows, c.fetchall())

    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {KEY_EPOCHS_TABLE} (epoch, salt, created_at) "  # noqa: S608
                f"SELECT COALESCE((SELECT MAX(epoch) FROM {KEY_EPOCHS_TABLE}), 0) + 1, ?, ? "
                f"WHERE NOT ? OR NOT EXISTS (SELECT 1 FROM {KEY_EPOCHS_TABLE} "
                "WHERE epoch > 0 AND destroyed_at IS NULL)",
                (salt, now_text(), only_if_none),
            )

    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        with self.datastore.transaction(commit=True) as c:

            def in_use(known: KeyEpoch) -> bool:
                if known.epoch == LEGACY_EPOCH:
                    c.execute(
                        f"SELECT 1 FROM {VAULT_TABLE} "  # noqa: S608
                        "WHERE instr(key_id, '.') = 0 LIMIT 1"
                    )
                else:
                    c.execute(
                        f"SELECT 1 FROM {VAULT_TABLE} WHERE key_id LIKE ? LIMIT 1",  # noqa: S608
                        (f"%.{known.epoch}",),
                    )
                return c.fetchone() is not None

            def destroy(epoch: int) -> None:
                c.execute(
                    f"UPDATE {KEY_EPOCHS_TABLE} "  # noqa: S608
                    "SET salt = NULL, destroyed_at = ? WHERE epoch = ?",
                    (now_text(), epoch),
                )

            c.execute("PRAGMA secure_delete = ON")
            c.execute(
                f"SELECT * FROM {KEY_EPOCHS_TABLE} "  # noqa: S608
                "WHERE destroyed_at IS NULL AND epoch < ? ORDER BY epoch",
                (before,),
            )
            candidates = [epoch_from_row(row) for row in c.fetchall()]
            destroyed = destroy_unused_epochs(
                candidates, secret_key_id, in_use=in_use, destroy=destroy
            )
            c.execute(
                f"DELETE FROM {KEY_IDS_TABLE} WHERE NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {VAULT_TABLE} WHERE {VAULT_TABLE}.key_id = {KEY_IDS_TABLE}.key_id)"
            )
        self.wipe_log()
        return destroyed
