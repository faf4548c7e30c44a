"""The SQLite tables participatie keeps beside eventsourcing's (see
:mod:`participatie.persistence.tables`): their CREATE statements, and the key epoch a store of
release 0.1 is given when it is first opened."""

from __future__ import annotations

from participatie.audit.ledger import LEDGER_TABLE
from participatie.persistence.tables import (
    CHAIN_HEADS_TABLE,
    COMMANDS_TABLE,
    ERASURES_TABLE,
    IMPORTS_TABLE,
    KEY_EPOCHS_TABLE,
    KEY_IDS_TABLE,
    VAULT_TABLE,
)

__all__ = [
    "SQLITE_CREATE_STATEMENTS",
    "SQLITE_LEDGER_HAS_RECORDS",
    "SQLITE_LEDGER_RECORDS",
    "SQLITE_LEGACY_DONE",
    "SQLITE_LEGACY_EPOCH",
]

#: The vault, import sources, chain heads and ledger tables with their indexes.
_SQLITE_TABLES = (
    (
        f"CREATE TABLE IF NOT EXISTS {VAULT_TABLE} ("
        "resident_id TEXT PRIMARY KEY, "
        "bsn_hash BLOB UNIQUE, "
        "key_id TEXT NOT NULL, "
        "wrapped_key BLOB NOT NULL, "
        "ciphertext BLOB NOT NULL)"
    ),
    (
        f"CREATE TABLE IF NOT EXISTS {IMPORTS_TABLE} ("
        "source_id TEXT PRIMARY KEY, "
        "resident_key TEXT NOT NULL, "
        "resident_id TEXT NOT NULL, "
        "stream_id TEXT NOT NULL)"
    ),
    (f"CREATE INDEX IF NOT EXISTS {IMPORTS_TABLE}_resident_key ON {IMPORTS_TABLE} (resident_key)"),
    (
        f"CREATE TABLE IF NOT EXISTS {CHAIN_HEADS_TABLE} ("
        "originator_id TEXT PRIMARY KEY, "
        "version INTEGER NOT NULL, "
        "head BLOB NOT NULL)"
    ),
    (
        f"CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} ("
        "position INTEGER PRIMARY KEY, "
        "originator_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, "
        "event_hash BLOB NOT NULL, "
        "running_hash BLOB NOT NULL, "
        "backfilled INTEGER NOT NULL DEFAULT 0, "
        "records BLOB)"
    ),
    (f"CREATE INDEX IF NOT EXISTS {LEDGER_TABLE}_stream ON {LEDGER_TABLE} (originator_id)"),
    (
        f"CREATE TABLE IF NOT EXISTS {COMMANDS_TABLE} ("
        "command_id TEXT PRIMARY KEY, "
        "result TEXT, "
        "command TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    ),
)

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
SQLITE_LEGACY_EPOCH = (
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


#: Whether the legacy epoch is done (or not needed): read without taking the write lock.
SQLITE_LEGACY_DONE = (
    f"SELECT EXISTS (SELECT 1 FROM {KEY_EPOCHS_TABLE}) "  # noqa: S608
    f"OR NOT EXISTS (SELECT 1 FROM {VAULT_TABLE} WHERE instr(key_id, '.') = 0) "
    "AS done"
)

#: Whether the ledger has its column for processing records (a store written before they were
#: kept in the ledger has not: :data:`SQLITE_LEDGER_RECORDS` adds it).
SQLITE_LEDGER_HAS_RECORDS = (
    f"SELECT EXISTS (SELECT 1 FROM pragma_table_info('{LEDGER_TABLE}') "  # noqa: S608
    "WHERE name = 'records') AS done"
)
SQLITE_LEDGER_RECORDS = f"ALTER TABLE {LEDGER_TABLE} ADD COLUMN records BLOB"

#: Every CREATE statement, in the order they run after eventsourcing's own.
SQLITE_CREATE_STATEMENTS = _SQLITE_TABLES + _SQLITE_VAULT_KEY_TABLES
