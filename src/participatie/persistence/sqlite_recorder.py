"""The SQLite application recorder: eventsourcing's, with participatie's tables (see
:mod:`participatie.persistence.tables`) in the same database file, written in the same
transaction as the events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from participatie.audit.ledger import LEDGER_TABLE, LedgerRow, ledger_rows
from participatie.persistence.base import DoneCommand, ParticipationRecorder
from participatie.persistence.rights import SQLITE_RIGHTS_TABLES, SQLiteRights
from participatie.persistence.sqlite_schema import (
    SQLITE_CREATE_STATEMENTS,
    SQLITE_LEGACY_DONE,
    SQLITE_LEGACY_EPOCH,
)
from participatie.persistence.tables import (
    CHAIN_HEADS_TABLE,
    COMMANDS_TABLE,
    ERASURES_TABLE,
    IMPORTS_TABLE,
    KEY_EPOCHS_TABLE,
    KEY_IDS_TABLE,
    VAULT_TABLE,
    backfilled_ledger_rows,
    destroy_unused_epochs,
    epoch_destroyed,
    epoch_from_row,
    erasure_from_row,
    ledger_row_from_row,
    record_from_row,
    stream_heads,
    uuid_of,
    vault_keys_from_rows,
)
from participatie.privacy.vault import LEGACY_EPOCH, ErasureRecord, KeyEpoch, VaultKeys, epoch_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from participatie.audit.verifier import LogRow, PlainLedgerRow
    from participatie.privacy.vault import SealedRecord

__all__ = ["SQLiteParticipationRecorder"]


def _id_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


def _now_text() -> str:
    return datetime.now(UTC).isoformat()


class SQLiteParticipationRecorder(SQLiteRights, SQLiteApplicationRecorder, ParticipationRecorder):
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

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        vault_erasures: Sequence[UUID] = (),
        import_sources: Sequence[tuple[str, str, UUID, UUID]] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        self._record_commands(c, kwargs.get("commands_done", ()))
        if import_sources:
            c.executemany(
                f"INSERT INTO {IMPORTS_TABLE} "  # noqa: S608
                "(source_id, resident_key, resident_id, stream_id) VALUES (?, ?, ?, ?)",
                [(source, key, rid.hex, stream.hex) for source, key, rid, stream in import_sources],
            )
        if vault_erasures:
            c.execute("PRAGMA secure_delete = ON")
        for resident_id in vault_erasures:
            self._erase_vault_row(c, resident_id)
        self._write_rights(c, kwargs, vault_erasures, self._note_key_id)
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
        # Each key id once (an import's batch seals every resident under the same key).
        for key_id in sorted({record.key_id for record in vault_records}):
            self._note_key_id(c, key_id)
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if notification_ids:
            self._append_ledger(
                c, ledger_rows(self._ledger_tail(c), notification_ids, stored_events)
            )
        c.executemany(
            f"INSERT INTO {CHAIN_HEADS_TABLE} (originator_id, version, head) "  # noqa: S608
            "VALUES (?, ?, ?) ON CONFLICT (originator_id) DO UPDATE "
            "SET version = excluded.version, head = excluded.head",
            [
                (_id_text(originator_id), version, head)
                for originator_id, (version, head) in stream_heads(stored_events).items()
            ],
        )
        return notification_ids

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
            "(position, originator_id, version, event_hash, running_hash, backfilled) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    row.position,
                    row.stream_id.hex,
                    row.version,
                    row.event_hash,
                    row.running_hash,
                    int(row.backfilled),
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
        return self._plain(
            "SELECT position, originator_id, version, event_hash, running_hash, "  # noqa: S608
            f"backfilled FROM {LEDGER_TABLE} WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )

    def _plain(self, statement: str, parameters: tuple[int, int]) -> list[Any]:
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

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super().insert_events(stored_events, **kwargs)
        if kwargs.get("vault_erasures"):
            self.wipe_log()
        return notification_ids

    def wipe_log(self) -> bool:
        """Checkpoint the write-ahead log into the file and truncate it to nothing; False when
        another process's open read kept part of it (the next wipe takes the rest)."""
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
        return not busy

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
            (resident_id.hex, None if row is None else row["key_id"], _now_text()),
        )

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
                (salt, _now_text(), only_if_none),
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
                    (_now_text(), epoch),
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

    def vault_erasures(self) -> list[ErasureRecord]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {ERASURES_TABLE} ORDER BY erased_at")  # noqa: S608
            return [erasure_from_row(row) for row in c.fetchall()]

    def chain_heads(self) -> dict[str, tuple[int, bytes]]:
        """Every stream's head: last version and its chain hash, keyed by the stream id text."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {CHAIN_HEADS_TABLE}")  # noqa: S608
            rows = c.fetchall()
        return {
            str(self.convert_originator_id(row["originator_id"])): (
                row["version"],
                bytes(row["head"]),
            )
            for row in rows
        }

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

    @staticmethod
    def _record_commands(
        c: SQLiteCursor, commands_done: Sequence[tuple[UUID, UUID | None, str]]
    ) -> None:
        """The ids of the commands these events carry out (a second save of one is refused by
        the primary key)."""
        if commands_done:
            c.executemany(
                f"INSERT INTO {COMMANDS_TABLE} (command_id, result, command) "  # noqa: S608
                "VALUES (?, ?, ?)",
                [
                    (command_id.hex, None if result is None else result.hex, command)
                    for command_id, result, command in commands_done
                ],
            )

    def command_done(self, command_id: UUID) -> DoneCommand | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT result, command FROM {COMMANDS_TABLE} WHERE command_id = ?",  # noqa: S608
                (command_id.hex,),
            )
            row = c.fetchone()
        if row is None:
            return None
        result = None if row["result"] is None else UUID(row["result"])
        return DoneCommand(command_id, result, row["command"])

    def _resident_id(self, statement: str, params: Sequence[object]) -> UUID | None:
        """The ``resident_id`` of the first row the statement selects, or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            row = c.fetchone()
        return None if row is None else uuid_of(row["resident_id"])

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        with self.datastore.transaction(commit=False) as c:
            rows = self._select_in(c, IMPORTS_TABLE, "source_id", source_ids)
        return {
            row["source_id"]: (UUID(row["resident_id"]), UUID(row["stream_id"])) for row in rows
        }

    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident that records with this source resident key were imported into."""
        return self._resident_id(
            f"SELECT resident_id FROM {IMPORTS_TABLE} WHERE resident_key = ? LIMIT 1",  # noqa: S608
            (resident_key,),
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
