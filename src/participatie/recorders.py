"""eventsourcing application recorders that also keep the personal-data vault and chain heads.

Each recorder subclasses the store's own application recorder and adds two tables in the same
database:

- ``participatie_vault``: vault rows passed to ``insert_events`` as ``vault_records=[...]`` are
  written in the same transaction as the events, so a registration is all or nothing, and the
  unique keyed BSN hash refuses a second registration of one BSN even when two processes race;
- ``participatie_imports``: the source record ids of bulk-imported records (see
  :mod:`participatie.importing`), passed as ``import_sources=[(source_id, resident_key,
  resident_id, stream_id), ...]`` (the stream is the trajectory the record went into) and
  written in the same transaction, so that importing a file twice adds nothing;
- ``participatie_chain_heads``: each stream's last version and the first 32 bytes of its stored
  state (the chain hash, see :mod:`participatie.audit.chain`), updated in the same transaction, so
  that verification sees a stream that lost its newest events.

eventsourcing's own recorder test cases run against these subclasses (tests/integration).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from participatie.audit.ledger import LEDGER_TABLE, LedgerRow, ledger_rows
from participatie.errors import ConcurrentUpdate
from participatie.persistence.base import ParticipationRecorder
from participatie.persistence.rights import SQLITE_RIGHTS_TABLES, MemoryRights, SQLiteRights
from participatie.privacy.vault import (
    LEGACY_EPOCH,
    ErasureRecord,
    KeyEpoch,
    SealedRecord,
    VaultKeys,
    epoch_of,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from participatie.audit.verifier import LogRow, PlainLedgerRow


__all__ = [
    "CHAIN_HEADS_TABLE",
    "ERASURES_TABLE",
    "IMPORTS_TABLE",
    "KEY_EPOCHS_TABLE",
    "KEY_IDS_TABLE",
    "VAULT_TABLE",
    "POPOParticipationRecorder",
    "SQLiteParticipationRecorder",
    "stream_heads",
]

VAULT_TABLE = "participatie_vault"
KEY_EPOCHS_TABLE = "participatie_key_epochs"
KEY_IDS_TABLE = "participatie_key_ids"
ERASURES_TABLE = "participatie_erasures"
IMPORTS_TABLE = "participatie_imports"
CHAIN_HEADS_TABLE = "participatie_chain_heads"
HEAD_BYTES = 32


def stream_heads(stored_events: Sequence[StoredEvent]) -> dict[UUID | str, tuple[int, bytes]]:
    """Each stream's last version in ``stored_events`` and the head bytes of its state."""
    heads: dict[UUID | str, tuple[int, bytes]] = {}
    for stored in stored_events:
        known = heads.get(stored.originator_id)
        if known is None or stored.originator_version > known[0]:
            heads[stored.originator_id] = (
                stored.originator_version,
                bytes(stored.state[:HEAD_BYTES]),
            )
    return heads


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


def epoch_destroyed(epoch: int) -> ConcurrentUpdate:
    """The error of a vault row sealed in an epoch that a key rotation destroyed meanwhile."""
    return ConcurrentUpdate(
        f"key epoch {epoch} of the personal-data vault was destroyed by a key rotation while "
        "this command ran; nothing was saved: issue the command again"
    )


def legacy_key_ids(text: str | None) -> frozenset[str]:
    return frozenset(filter(None, (text or "").split(",")))


def _when(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def epoch_from_row(row: Any) -> KeyEpoch:
    salt = row["salt"]
    return KeyEpoch(
        epoch=row["epoch"],
        salt=None if salt is None else bytes(salt),
        created_at=_when(row["created_at"]),
        destroyed_at=_when(row["destroyed_at"]),
        legacy_key_ids=legacy_key_ids(row["legacy_key_ids"]),
    )


def erasure_from_row(row: Any) -> ErasureRecord:
    resident_id = row["resident_id"]
    erased_at = _when(row["erased_at"])
    assert erased_at is not None  # noqa: S101 (NOT NULL column)
    return ErasureRecord(
        resident_id=resident_id if isinstance(resident_id, UUID) else UUID(resident_id),
        key_id=row["key_id"],
        epoch=row["epoch"],
        erased_at=erased_at,
    )


def _id_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


class POPOParticipationRecorder(MemoryRights, POPOApplicationRecorder, ParticipationRecorder):
    """The in-process recorder (``memory://``) with a vault kept in dictionaries."""

    def __init__(self) -> None:
        super().__init__()
        self._vault: dict[UUID, SealedRecord] = {}
        self._vault_by_hash: dict[bytes, UUID] = {}
        self._epochs: dict[int, KeyEpoch] = {}
        self._key_ids: dict[str, int] = {}
        self._erasures: dict[UUID, ErasureRecord] = {}
        self._heads: dict[str, tuple[int, bytes]] = {}
        self._imports: dict[str, tuple[str, UUID, UUID]] = {}
        self._imported_residents: dict[str, UUID] = {}
        self._ledger: list[LedgerRow] = []

    def _insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        vault_erasures: Sequence[UUID] = (),
        import_sources: Sequence[tuple[str, str, UUID, UUID]] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        with self._database_lock:
            new_sources = [source[0] for source in import_sources]
            if len(set(new_sources)) < len(new_sources) or not self._imports.keys().isdisjoint(
                new_sources
            ):
                msg = "import source id exists"
                raise IntegrityError(msg)
            for record in vault_records:
                if record.resident_id in self._vault:
                    msg = f"vault record for {record.resident_id} exists"
                    raise IntegrityError(msg)
                if record.bsn_hash is not None and record.bsn_hash in self._vault_by_hash:
                    msg = "vault BSN hash exists"
                    raise IntegrityError(msg)
                epoch = epoch_of(record.key_id)
                if epoch != LEGACY_EPOCH and not self._epoch_is_live(epoch):
                    raise epoch_destroyed(epoch)
            write_rights = self._check_rights(kwargs)  # notes and corrections
            notification_ids = super()._insert_events(stored_events, **kwargs)
            if notification_ids:
                tail = self._ledger[-1].running_hash if self._ledger else None
                self._ledger += ledger_rows(tail, notification_ids, stored_events)
            for record in vault_records:
                self._vault[record.resident_id] = record
                self._key_ids.setdefault(record.key_id, epoch_of(record.key_id))
                if record.bsn_hash is not None:
                    self._vault_by_hash[record.bsn_hash] = record.resident_id
            for resident_id in vault_erasures:
                erased = self._vault.pop(resident_id, None)
                if erased is not None and erased.bsn_hash is not None:
                    self._vault_by_hash.pop(erased.bsn_hash, None)
                self._erasures[resident_id] = ErasureRecord(
                    resident_id=resident_id,
                    key_id=None if erased is None else erased.key_id,
                    epoch=max(
                        (e.epoch for e in self._epochs.values() if e.live), default=LEGACY_EPOCH
                    ),
                    erased_at=datetime.now(tz=UTC),
                )
            write_rights(vault_erasures)
            for originator_id, head in stream_heads(stored_events).items():
                self._heads[str(originator_id)] = head
            for source_id, resident_key, resident_id, stream_id in import_sources:
                self._imports[source_id] = (resident_key, resident_id, stream_id)
                self._imported_residents.setdefault(resident_key, resident_id)
            return notification_ids

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        with self._database_lock:
            return {s: self._imports[s][1:] for s in source_ids if s in self._imports}

    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident that records with this source resident key were imported into."""
        with self._database_lock:
            return self._imported_residents.get(resident_key)

    def chain_heads(self) -> dict[str, tuple[int, bytes]]:
        """Every stream's head: last version and its chain hash, keyed by the stream id text."""
        with self._database_lock:
            return dict(self._heads)

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self._database_lock:
            return self._vault.get(resident_id)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        with self._database_lock:
            return self._vault_by_hash.get(bsn_hash)

    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self._database_lock:
            stale = sorted(
                (r for r in self._vault.values() if r.key_id != key_id),
                key=lambda r: r.resident_id,
            )
        return [r for r in stale if after is None or r.resident_id > after][:limit]

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self._database_lock:
            rows = sorted(self._vault.values(), key=lambda r: r.resident_id)
        return [r for r in rows if after is None or r.resident_id > after][:limit]

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self._database_lock:
            return [row for row in self._ledger if row.position > after][:limit]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        return [
            (n.id, UUID(str(n.originator_id)).hex, n.originator_version, n.topic, n.state)
            for n in self.select_notifications(start, limit)
        ]

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        return [
            (r.position, r.stream_id.hex, r.version, r.event_hash, r.running_hash, r.backfilled)
            for r in self.ledger_select(after, limit)
        ]

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        wanted = set(stream_ids)
        with self._database_lock:
            return [row for row in self._ledger if row.stream_id in wanted]

    def ledger_backfill(self, limit: int) -> int:
        with self._database_lock:
            if any(not row.backfilled for row in self._ledger):
                return 0
            done = len(self._ledger)
            events = self._stored_events[done : done + limit]
            tail = self._ledger[-1].running_hash if self._ledger else None
            positions = range(done + 1, done + len(events) + 1)
            self._ledger += ledger_rows(tail, positions, events, backfilled=True)
            return len(events)

    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        with self._database_lock:
            changed = [(old, new) for old, new in pairs if self._vault.get(old.resident_id) == old]
            hashes = dict(self._vault_by_hash)
            for old, _ in changed:
                if old.bsn_hash is not None:
                    del hashes[old.bsn_hash]
            for _, new in changed:
                if new.bsn_hash is not None:
                    if new.bsn_hash in hashes:
                        msg = "vault BSN hash exists"
                        raise IntegrityError(msg)
                    hashes[new.bsn_hash] = new.resident_id
            for _, new in changed:
                self._vault[new.resident_id] = new
                self._key_ids.setdefault(new.key_id, epoch_of(new.key_id))
            self._vault_by_hash = hashes
            return len(changed)

    def _epoch_is_live(self, epoch: int) -> bool:
        known = self._epochs.get(epoch)
        return known is not None and known.live

    def vault_keys(self) -> VaultKeys:
        with self._database_lock:
            return VaultKeys(
                epochs=tuple(self._epochs[e] for e in sorted(self._epochs)),
                key_ids=dict(self._key_ids),
            )

    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        with self._database_lock:
            if only_if_none and any(
                e.live and e.epoch != LEGACY_EPOCH for e in self._epochs.values()
            ):
                return
            epoch = max(self._epochs, default=LEGACY_EPOCH) + 1
            self._epochs[epoch] = KeyEpoch(epoch=epoch, salt=salt, created_at=datetime.now(UTC))

    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        with self._database_lock:
            destroyed = []
            for known in list(self._epochs.values()):
                if not known.live or known.epoch >= before:
                    continue
                if any(epoch_of(r.key_id) == known.epoch for r in self._vault.values()):
                    continue
                if known.epoch == LEGACY_EPOCH and secret_key_id in known.legacy_key_ids:
                    continue
                self._epochs[known.epoch] = attrs.evolve(
                    known, salt=None, destroyed_at=datetime.now(UTC)
                )
                destroyed.append(known.epoch)
            in_use = {r.key_id for r in self._vault.values()}
            self._key_ids = {k: e for k, e in self._key_ids.items() if k in in_use}
            return destroyed

    def vault_erasures(self) -> list[ErasureRecord]:
        with self._database_lock:
            return sorted(self._erasures.values(), key=lambda r: r.erased_at)


_SQLITE_VAULT_KEY_TABLES = (
    (
        f"CREATE TABLE IF NOT EXISTS {KEY_EPOCHS_TABLE} ("
        "epoch INTEGER PRIMARY KEY, "
        "salt BLOB, "
        "created_at TEXT, "
        "destroyed_at TEXT, "
        "legacy_key_ids TEXT)"
    ),
    f"CREATE TABLE IF NOT EXISTS {KEY_IDS_TABLE} (key_id TEXT PRIMARY KEY, epoch INTEGER NOT NULL)",
    (
        f"CREATE TABLE IF NOT EXISTS {ERASURES_TABLE} ("
        "resident_id TEXT PRIMARY KEY, "
        "key_id TEXT, "
        "epoch INTEGER NOT NULL, "
        "erased_at TEXT NOT NULL)"
    ),
)

#: A store of release 0.1 opened for the first time: its records are epoch 0.
_SQLITE_LEGACY_EPOCH = (
    (
        f"INSERT OR IGNORE INTO {KEY_IDS_TABLE} (key_id, epoch) "  # noqa: S608 (constant names)
        f"SELECT DISTINCT key_id, 0 FROM {VAULT_TABLE} WHERE instr(key_id, '.') = 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {KEY_EPOCHS_TABLE})"
    ),
    (
        f"INSERT OR IGNORE INTO {KEY_EPOCHS_TABLE} (epoch, legacy_key_ids) "  # noqa: S608
        "SELECT 0, ids FROM (SELECT group_concat(key_id, ',') AS ids FROM "
        f"(SELECT DISTINCT key_id FROM {VAULT_TABLE} WHERE instr(key_id, '.') = 0)) "
        f"WHERE ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {KEY_EPOCHS_TABLE})"
    ),
)


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
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {VAULT_TABLE} ("
            "resident_id TEXT PRIMARY KEY, "
            "bsn_hash BLOB UNIQUE, "
            "key_id TEXT NOT NULL, "
            "wrapped_key BLOB NOT NULL, "
            "ciphertext BLOB NOT NULL)"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {IMPORTS_TABLE} ("
            "source_id TEXT PRIMARY KEY, "
            "resident_key TEXT NOT NULL, "
            "resident_id TEXT NOT NULL, "
            "stream_id TEXT NOT NULL)"
        )
        statements.append(
            f"CREATE INDEX IF NOT EXISTS {IMPORTS_TABLE}_resident_key "
            f"ON {IMPORTS_TABLE} (resident_key)"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {CHAIN_HEADS_TABLE} ("
            "originator_id TEXT PRIMARY KEY, "
            "version INTEGER NOT NULL, "
            "head BLOB NOT NULL)"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} ("
            "position INTEGER PRIMARY KEY, "
            "originator_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, "
            "event_hash BLOB NOT NULL, "
            "running_hash BLOB NOT NULL, "
            "backfilled INTEGER NOT NULL DEFAULT 0)"
        )
        statements.append(
            f"CREATE INDEX IF NOT EXISTS {LEDGER_TABLE}_stream ON {LEDGER_TABLE} (originator_id)"
        )
        statements.extend(_SQLITE_VAULT_KEY_TABLES)
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
            self._note_key_id(c, record.key_id)
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

    @staticmethod
    def _ledger_row(row: Any) -> LedgerRow:
        return LedgerRow(
            position=row["position"],
            stream_id=UUID(row["originator_id"]),
            version=row["version"],
            event_hash=bytes(row["event_hash"]),
            running_hash=bytes(row["running_hash"]),
            backfilled=bool(row["backfilled"]),
        )

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {LEDGER_TABLE} WHERE position > ? "  # noqa: S608
                "ORDER BY position LIMIT ?",
                (after, limit),
            )
            return [self._ledger_row(row) for row in c.fetchall()]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples
            cursor.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
                f"FROM {self.events_table_name} WHERE rowid >= ? ORDER BY rowid LIMIT ?",
                (start, limit),
            )
            rows: list[LogRow] = cursor.fetchall()
            return rows

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples
            cursor.execute(
                "SELECT position, originator_id, version, event_hash, running_hash, "  # noqa: S608
                f"backfilled FROM {LEDGER_TABLE} WHERE position > ? ORDER BY position LIMIT ?",
                (after, limit),
            )
            rows: list[PlainLedgerRow] = cursor.fetchall()
            return rows

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        rows: list[LedgerRow] = []
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(stream_ids), 500):
                chunk = [stream_id.hex for stream_id in stream_ids[start : start + 500]]
                c.execute(
                    f"SELECT * FROM {LEDGER_TABLE} "  # noqa: S608
                    f"WHERE originator_id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                rows += [self._ledger_row(row) for row in c.fetchall()]
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
                stored = [
                    StoredEvent(
                        originator_id=self.convert_originator_id(row["originator_id"]),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                    for row in rows
                ]
                positions = [row["rowid"] for row in rows]
                made = ledger_rows(self._ledger_tail(c), positions, stored, backfilled=True)
                self._append_ledger(c, made)
            return len(rows)

    def create_table(self) -> None:
        super().create_table()
        # Only a store of release 0.1 needs a write here: an open must not take the write lock
        # (processes opening together would find the database locked).
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT EXISTS (SELECT 1 FROM {KEY_EPOCHS_TABLE}) "  # noqa: S608
                f"OR NOT EXISTS (SELECT 1 FROM {VAULT_TABLE} WHERE instr(key_id, '.') = 0) "
                "AS done"
            )
            done = c.fetchone()["done"]
        if not done:
            with self.datastore.transaction(commit=True) as c:
                for statement in _SQLITE_LEGACY_EPOCH:
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
            epochs = tuple(epoch_from_row(row) for row in c.fetchall())
            c.execute(f"SELECT key_id, epoch FROM {KEY_IDS_TABLE}")  # noqa: S608
            key_ids = {row["key_id"]: row["epoch"] for row in c.fetchall()}
        return VaultKeys(epochs=epochs, key_ids=key_ids)

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
        destroyed = []
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(
                f"SELECT * FROM {KEY_EPOCHS_TABLE} "  # noqa: S608
                "WHERE destroyed_at IS NULL AND epoch < ? ORDER BY epoch",
                (before,),
            )
            for known in [epoch_from_row(row) for row in c.fetchall()]:
                if known.epoch == LEGACY_EPOCH:
                    if secret_key_id in known.legacy_key_ids:
                        continue
                    c.execute(
                        f"SELECT 1 FROM {VAULT_TABLE} "  # noqa: S608
                        "WHERE instr(key_id, '.') = 0 LIMIT 1"
                    )
                else:
                    c.execute(
                        f"SELECT 1 FROM {VAULT_TABLE} WHERE key_id LIKE ? LIMIT 1",  # noqa: S608
                        (f"%.{known.epoch}",),
                    )
                if c.fetchone() is not None:
                    continue
                c.execute(
                    f"UPDATE {KEY_EPOCHS_TABLE} "  # noqa: S608
                    "SET salt = NULL, destroyed_at = ? WHERE epoch = ?",
                    (_now_text(), known.epoch),
                )
                destroyed.append(known.epoch)
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
        return None if row is None else _record_from_row(row)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        return self._resident_id(
            f"SELECT resident_id FROM {VAULT_TABLE} WHERE bsn_hash = ?",  # noqa: S608
            (bsn_hash,),
        )

    def _resident_id(self, statement: str, params: Sequence[object]) -> UUID | None:
        """The ``resident_id`` of the first row the statement selects, or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            row = c.fetchone()
        return None if row is None else UUID(row["resident_id"])

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        found: dict[str, tuple[UUID, UUID]] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(source_ids), 500):
                chunk = list(source_ids[start : start + 500])
                c.execute(
                    f"SELECT * FROM {IMPORTS_TABLE} "  # noqa: S608
                    f"WHERE source_id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                found.update(
                    {
                        row["source_id"]: (UUID(row["resident_id"]), UUID(row["stream_id"]))
                        for row in c.fetchall()
                    }
                )
        return found

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
        return [_record_from_row(row) for row in rows]

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {VAULT_TABLE} "  # noqa: S608
                "WHERE resident_id > ? ORDER BY resident_id LIMIT ?",
                ("" if after is None else after.hex, limit),
            )
            rows = c.fetchall()
        return [_record_from_row(row) for row in rows]

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
