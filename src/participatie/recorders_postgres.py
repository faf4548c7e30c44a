"""The PostgreSQL application recorder with the personal-data vault (needs the ``postgres`` extra).

Kept apart from :mod:`participatie.recorders` so that psycopg is imported only when PostgreSQL is
used.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg.errors
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from psycopg.errors import DuplicateObject
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from participatie.audit.ledger import LEDGER_TABLE, LedgerRow, ledger_rows
from participatie.persistence.base import ParticipationRecorder
from participatie.persistence.rights_postgres import PostgresRights
from participatie.privacy.vault import LEGACY_EPOCH, ErasureRecord, VaultKeys, epoch_of
from participatie.recorders import (
    CHAIN_HEADS_TABLE,
    ERASURES_TABLE,
    IMPORTS_TABLE,
    KEY_EPOCHS_TABLE,
    KEY_IDS_TABLE,
    VAULT_TABLE,
    _record_from_row,
    epoch_destroyed,
    epoch_from_row,
    erasure_from_row,
    stream_heads,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from psycopg import Cursor
    from psycopg.rows import DictRow

    from participatie.audit.verifier import LogRow, PlainLedgerRow
    from participatie.privacy.vault import SealedRecord

__all__ = ["PostgresParticipationRecorder", "PostgresSnapshotRecorder"]


class _CreatesTablesOneAtATime(PostgresAggregateRecorder):
    def create_table(self) -> None:
        """Create the tables, types and functions, one process at a time.

        Several application processes that start together would otherwise race on
        ``CREATE ... IF NOT EXISTS`` and fail with "tuple concurrently updated". Everything runs on
        one pooled connection, which holds the advisory lock, so a pool of one suffices.
        """
        lock_key = f"participatie:create:{self.datastore.schema}.{self.events_table_name}"
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key,))
            try:
                for statement in self.sql_create_statements:
                    if "CREATE TYPE" in statement.as_string():
                        with contextlib.suppress(DuplicateObject), conn.transaction():
                            conn.execute(statement, prepare=False)
                with conn.transaction(), conn.cursor() as curs:
                    self._create_table(curs)
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (lock_key,))
        self.datastore.register_type_adapters()


class PostgresSnapshotRecorder(_CreatesTablesOneAtATime):
    """eventsourcing's aggregate recorder for snapshots, safe when processes start together."""


class PostgresParticipationRecorder(
    PostgresRights, _CreatesTablesOneAtATime, PostgresApplicationRecorder, ParticipationRecorder
):
    """PostgreSQL recorder whose vault rows commit in the same transaction as the events.

    The rows are written before eventsourcing takes its table lock, inside the same transaction.
    ``POSTGRES_ENABLE_DB_FUNCTIONS`` must stay off: it bypasses this hook and would drop rows.
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        if datastore.enable_db_functions:
            msg = (
                "POSTGRES_ENABLE_DB_FUNCTIONS must be off for participatie: it bypasses the "
                "transaction that keeps personal data and events together"
            )
            raise ValueError(msg)
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        table = Identifier(VAULT_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "resident_id uuid PRIMARY KEY, "
                "bsn_hash bytea UNIQUE, "
                "key_id text NOT NULL, "
                "wrapped_key bytea NOT NULL, "
                "ciphertext bytea NOT NULL)"
            ).format(schema=schema, table=table)
        )
        imports = Identifier(IMPORTS_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{imports} ("
                "source_id text PRIMARY KEY, "
                "resident_key text NOT NULL, "
                "resident_id uuid NOT NULL, "
                "stream_id uuid NOT NULL)"
            ).format(schema=schema, imports=imports)
        )
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{imports} (resident_key)").format(
                schema=schema, imports=imports, index=Identifier(f"{IMPORTS_TABLE}_resident_key")
            )
        )
        self._imports_insert = SQL(
            "INSERT INTO {schema}.{imports} (source_id, resident_key, resident_id, stream_id) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::uuid[], %s::uuid[])"
        ).format(schema=schema, imports=imports)
        self._imports_select = SQL(
            "SELECT * FROM {schema}.{imports} WHERE source_id = ANY(%s)"
        ).format(schema=schema, imports=imports)
        self._imports_resident = SQL(
            "SELECT resident_id FROM {schema}.{imports} WHERE resident_key = %s LIMIT 1"
        ).format(schema=schema, imports=imports)
        heads = Identifier(CHAIN_HEADS_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{heads} ("
                "originator_id {id_type} PRIMARY KEY, "
                "version bigint NOT NULL, "
                "head bytea NOT NULL)"
            ).format(
                schema=schema, heads=heads, id_type=Identifier(self.datastore.originator_id_type)
            )
        )
        self._heads_upsert = SQL(
            "INSERT INTO {schema}.{heads} (originator_id, version, head) "
            "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::bytea[]) "
            "ON CONFLICT (originator_id) DO UPDATE "
            "SET version = excluded.version, head = excluded.head"
        ).format(schema=schema, heads=heads, id_type=SQL(self.datastore.originator_id_type))
        self._heads_select = SQL("SELECT * FROM {schema}.{heads}").format(
            schema=schema, heads=heads
        )
        ledger = Identifier(LEDGER_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{ledger} ("
                "position bigint PRIMARY KEY, "
                "originator_id uuid NOT NULL, "
                "version bigint NOT NULL, "
                "event_hash bytea NOT NULL, "
                "running_hash bytea NOT NULL, "
                "backfilled boolean NOT NULL DEFAULT false)"
            ).format(schema=schema, ledger=ledger)
        )
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{ledger} (originator_id)").format(
                schema=schema, ledger=ledger, index=Identifier(f"{LEDGER_TABLE}_stream")
            )
        )
        self._ledger_tail = SQL(
            "SELECT running_hash FROM {schema}.{ledger} ORDER BY position DESC LIMIT 1"
        ).format(schema=schema, ledger=ledger)
        self._ledger_insert = SQL(
            "INSERT INTO {schema}.{ledger} "
            "(position, originator_id, version, event_hash, running_hash, backfilled) "
            "SELECT * FROM unnest(%s::bigint[], %s::uuid[], %s::bigint[], %s::bytea[], "
            "%s::bytea[], %s::boolean[])"
        ).format(schema=schema, ledger=ledger)
        self._ledger_select = SQL(
            "SELECT * FROM {schema}.{ledger} WHERE position > %s ORDER BY position LIMIT %s"
        ).format(schema=schema, ledger=ledger)
        # The stream ids as 32 hex digits (text), as SQLite stores them: the verifier compares
        # and hashes text and makes a UUID once per stream, not once per row.
        self._log_rows = SQL(
            "SELECT notification_id, replace(originator_id::text, '-', ''), "
            "originator_version, topic, state FROM {schema}.{events} "
            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, events=Identifier(self.events_table_name))
        self._ledger_plain = SQL(
            "SELECT position, replace(originator_id::text, '-', ''), version, event_hash, "
            "running_hash, backfilled FROM {schema}.{ledger} WHERE position > %s "
            "ORDER BY position LIMIT %s"
        ).format(schema=schema, ledger=ledger)
        self._ledger_of = SQL(
            "SELECT * FROM {schema}.{ledger} WHERE originator_id = ANY(%s) ORDER BY position"
        ).format(schema=schema, ledger=ledger)
        self._ledger_state = SQL(
            "SELECT (SELECT max(position) FROM {schema}.{ledger}) AS last, "
            "EXISTS (SELECT 1 FROM {schema}.{ledger} WHERE NOT backfilled) AS written"
        ).format(schema=schema, ledger=ledger)
        self._ledger_lock = SQL("LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE").format(
            schema=schema, events=Identifier(self.events_table_name)
        )
        self._ledger_events = SQL(
            "SELECT * FROM {schema}.{events} WHERE notification_id > %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, events=Identifier(self.events_table_name))
        self._vault_rows = SQL(
            "SELECT * FROM {schema}.{table} WHERE resident_id > %s ORDER BY resident_id LIMIT %s"
        ).format(schema=schema, table=table)
        self._vault_insert = SQL(
            "INSERT INTO {schema}.{table} "
            "(resident_id, bsn_hash, key_id, wrapped_key, ciphertext) VALUES (%s, %s, %s, %s, %s)"
        ).format(schema=schema, table=table)
        self._vault_select = SQL("SELECT * FROM {schema}.{table} WHERE resident_id = %s").format(
            schema=schema, table=table
        )
        self._vault_stale = SQL(
            "SELECT * FROM {schema}.{table} WHERE key_id <> %s AND resident_id > %s "
            "ORDER BY resident_id LIMIT %s"
        ).format(schema=schema, table=table)
        self._vault_rewrap = SQL(
            "UPDATE {schema}.{table} SET bsn_hash = %s, key_id = %s, wrapped_key = %s "
            "WHERE resident_id = %s AND key_id = %s AND wrapped_key = %s"
        ).format(schema=schema, table=table)
        self._vault_find = SQL(
            "SELECT resident_id FROM {schema}.{table} WHERE bsn_hash = %s"
        ).format(schema=schema, table=table)
        self._vault_key_statements(schema, table)
        self._rights_statements(VAULT_TABLE)

    def _vault_key_statements(self, schema: Identifier, table: Identifier) -> None:
        """The tables of key epochs, key ids in use and erasures, and their statements."""
        names = {
            "schema": schema,
            "table": table,
            "epochs": Identifier(KEY_EPOCHS_TABLE),
            "key_ids": Identifier(KEY_IDS_TABLE),
            "erasures": Identifier(ERASURES_TABLE),
        }
        self.sql_create_statements.extend(
            SQL(statement).format(**names)
            for statement in (
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{epochs} (epoch integer PRIMARY KEY, "
                    "salt bytea, created_at timestamptz, destroyed_at timestamptz, "
                    "legacy_key_ids text)"
                ),
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{key_ids} (key_id text PRIMARY KEY, "
                    "epoch integer NOT NULL)"
                ),
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{erasures} (resident_id uuid PRIMARY KEY, "
                    "key_id text, epoch integer NOT NULL, erased_at timestamptz NOT NULL)"
                ),
                # A store of release 0.1 opened for the first time: its records are epoch 0.
                (
                    "INSERT INTO {schema}.{key_ids} (key_id, epoch) "
                    "SELECT DISTINCT key_id, 0 FROM {schema}.{table} "
                    "WHERE position('.' in key_id) = 0 "
                    "AND NOT EXISTS (SELECT 1 FROM {schema}.{epochs}) ON CONFLICT DO NOTHING"
                ),
                (
                    "INSERT INTO {schema}.{epochs} (epoch, legacy_key_ids) "
                    "SELECT 0, ids FROM (SELECT string_agg(DISTINCT key_id, ',') AS ids "
                    "FROM {schema}.{table} WHERE position('.' in key_id) = 0) legacy "
                    "WHERE ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {schema}.{epochs}) "
                    "ON CONFLICT DO NOTHING"
                ),
            )
        )
        self._vault_erase = SQL(
            "WITH erased AS (DELETE FROM {schema}.{table} WHERE resident_id = %s "
            "RETURNING key_id) "
            "INSERT INTO {schema}.{erasures} (resident_id, key_id, epoch, erased_at) "
            "SELECT %s, (SELECT key_id FROM erased), "
            "(SELECT COALESCE(MAX(epoch), 0) FROM {schema}.{epochs} WHERE destroyed_at IS NULL), "
            "now() ON CONFLICT (resident_id) DO UPDATE SET key_id = excluded.key_id, "
            "epoch = excluded.epoch, erased_at = excluded.erased_at"
        ).format(**names)
        self._epoch_share = SQL(
            "SELECT 1 FROM {schema}.{epochs} WHERE epoch = %s AND destroyed_at IS NULL FOR SHARE"
        ).format(**names)
        self._key_id_insert = SQL(
            "INSERT INTO {schema}.{key_ids} (key_id, epoch) VALUES (%s, %s) ON CONFLICT DO NOTHING"
        ).format(**names)
        self._epochs_select = SQL("SELECT * FROM {schema}.{epochs} ORDER BY epoch").format(**names)
        self._key_ids_select = SQL("SELECT key_id, epoch FROM {schema}.{key_ids}").format(**names)
        self._epoch_insert = SQL(
            "INSERT INTO {schema}.{epochs} (epoch, salt, created_at) "
            "SELECT COALESCE((SELECT MAX(epoch) FROM {schema}.{epochs}), 0) + 1, %s, now() "
            "WHERE NOT %s OR NOT EXISTS (SELECT 1 FROM {schema}.{epochs} "
            "WHERE epoch > 0 AND destroyed_at IS NULL)"
        ).format(**names)
        self._epochs_to_destroy = SQL(
            "SELECT * FROM {schema}.{epochs} WHERE destroyed_at IS NULL AND epoch < %s "
            "ORDER BY epoch FOR UPDATE"
        ).format(**names)
        self._legacy_in_use = SQL(
            "SELECT 1 FROM {schema}.{table} WHERE position('.' in key_id) = 0 LIMIT 1"
        ).format(**names)
        self._epoch_in_use = SQL(
            "SELECT 1 FROM {schema}.{table} WHERE key_id LIKE %s LIMIT 1"
        ).format(**names)
        self._epoch_destroy = SQL(
            "UPDATE {schema}.{epochs} SET salt = NULL, destroyed_at = now() WHERE epoch = %s"
        ).format(**names)
        self._key_ids_prune = SQL(
            "DELETE FROM {schema}.{key_ids} k WHERE NOT EXISTS "
            "(SELECT 1 FROM {schema}.{table} v WHERE v.key_id = k.key_id)"
        ).format(**names)
        self._erasures_select = SQL("SELECT * FROM {schema}.{erasures} ORDER BY erased_at").format(
            **names
        )
        self._vacuum_vault = SQL("VACUUM {schema}.{table}").format(**names)
        self._vacuum_epochs = SQL("VACUUM FULL {schema}.{epochs}").format(**names)

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        vault_erasures: Sequence[UUID] = (),
        import_sources: Sequence[tuple[str, str, UUID, UUID]] = (),
        **kwargs: Any,
    ) -> None:
        if import_sources:
            curs.execute(
                self._imports_insert,
                (
                    [source[0] for source in import_sources],
                    [source[1] for source in import_sources],
                    [source[2] for source in import_sources],
                    [source[3] for source in import_sources],
                ),
            )
        for resident_id in vault_erasures:
            curs.execute(self._vault_erase, (resident_id, resident_id))
        self._write_rights(curs, kwargs, vault_erasures, self._note_key_id)
        for record in vault_records:
            self._note_key_id(curs, record.key_id)
            curs.execute(
                self._vault_insert,
                (
                    record.resident_id,
                    record.bsn_hash,
                    record.key_id,
                    record.wrapped_key,
                    record.ciphertext,
                ),
            )
        super()._insert_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        # Heads are written after the events, under eventsourcing's table lock, so that writers
        # of several streams cannot deadlock on the head rows.
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if notification_ids:
            # Under the table lock: the ledger's order is the log's order.
            curs.execute(self._ledger_tail)
            tail = curs.fetchone()
            self._append_ledger(
                curs,
                ledger_rows(
                    None if tail is None else bytes(tail["running_hash"]),
                    notification_ids,
                    stored_events,
                ),
            )
        heads = stream_heads(stored_events)
        curs.execute(
            self._heads_upsert,
            (
                list(heads),
                [version for version, _ in heads.values()],
                [head for _, head in heads.values()],
            ),
        )
        return notification_ids

    def _append_ledger(self, curs: Cursor[DictRow], rows: Sequence[LedgerRow]) -> None:
        curs.execute(
            self._ledger_insert,
            (
                [row.position for row in rows],
                [row.stream_id for row in rows],
                [row.version for row in rows],
                [row.event_hash for row in rows],
                [row.running_hash for row in rows],
                [row.backfilled for row in rows],
            ),
        )

    @staticmethod
    def _ledger_row(row: DictRow) -> LedgerRow:
        return LedgerRow(
            position=row["position"],
            stream_id=row["originator_id"],
            version=row["version"],
            event_hash=bytes(row["event_hash"]),
            running_hash=bytes(row["running_hash"]),
            backfilled=row["backfilled"],
        )

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._ledger_select, (after, limit))
            return [self._ledger_row(row) for row in curs.fetchall()]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        with self.datastore.transaction(commit=False) as curs:
            plain = curs.connection.cursor(row_factory=tuple_row)
            plain.execute(self._log_rows, (start, limit))
            return plain.fetchall()

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            plain = curs.connection.cursor(row_factory=tuple_row)
            plain.execute(self._ledger_plain, (after, limit))
            return plain.fetchall()

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._ledger_of, (list(stream_ids),))
            return [self._ledger_row(row) for row in curs.fetchall()]

    def ledger_backfill(self, limit: int) -> int:
        # Without the table lock first: a store whose ledger is written with its events (every
        # store after its first opening by this release) has nothing to make up.
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._ledger_state)
            found = curs.fetchone()
            if found is None or found["written"]:
                return 0
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._ledger_lock)
            curs.execute(self._ledger_state)
            found = curs.fetchone()
            if found is None or found["written"]:
                return 0  # the ledger is written with the events: nothing to make up
            curs.execute(self._ledger_events, (found["last"] or 0, limit))
            rows = curs.fetchall()
            if rows:
                stored = [
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                    for row in rows
                ]
                curs.execute(self._ledger_tail)
                tail = curs.fetchone()
                made = ledger_rows(
                    None if tail is None else bytes(tail["running_hash"]),
                    [row["notification_id"] for row in rows],
                    stored,
                    backfilled=True,
                )
                self._append_ledger(curs, made)
            return len(rows)

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._vault_rows, (after or UUID(int=0), limit))
            rows = curs.fetchall()
        return [_record_from_row(row) for row in rows]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        if kwargs.get("vault_erasures"):
            self.vacuum_vault()
            self.vacuum_notes()
        return notification_ids

    def vacuum_vault(self) -> None:
        """Remove the dead tuples of erased or re-wrapped rows from the vault table and its
        indexes (VACUUM, which cannot run in a transaction: pooled connections autocommit)."""
        with self.datastore.get_connection() as conn:
            conn.execute(self._vacuum_vault)

    def _note_key_id(self, curs: Cursor[DictRow], key_id: str) -> None:
        """Add a key id to those in use; the epoch's row stays locked (FOR SHARE) until this
        transaction ends, so no rotation can destroy the epoch under a row being written."""
        epoch = epoch_of(key_id)
        if epoch != LEGACY_EPOCH:
            curs.execute(self._epoch_share, (epoch,))
            if curs.fetchone() is None:
                raise epoch_destroyed(epoch)
        curs.execute(self._key_id_insert, (key_id, epoch))

    def vault_keys(self) -> VaultKeys:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._epochs_select)
            epochs = tuple(epoch_from_row(row) for row in curs.fetchall())
            curs.execute(self._key_ids_select)
            key_ids = {row["key_id"]: row["epoch"] for row in curs.fetchall()}
        return VaultKeys(epochs=epochs, key_ids=key_ids)

    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        # Two processes starting the first epoch together: one insert wins, the other conflicts.
        with (
            contextlib.suppress(IntegrityError, psycopg.errors.UniqueViolation),
            self.datastore.transaction(commit=True) as curs,
        ):
            curs.execute(self._epoch_insert, (salt, only_if_none))

    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        destroyed = []
        with self.datastore.transaction(commit=True) as curs:
            # The lock waits for writers holding an epoch (FOR SHARE) to commit; the checks
            # below are new statements, which see their rows.
            curs.execute(self._epochs_to_destroy, (before,))
            for known in [epoch_from_row(row) for row in curs.fetchall()]:
                if known.epoch == LEGACY_EPOCH:
                    if secret_key_id in known.legacy_key_ids:
                        continue
                    curs.execute(self._legacy_in_use)
                else:
                    curs.execute(self._epoch_in_use, (f"%.{known.epoch}",))
                if curs.fetchone() is not None:
                    continue
                curs.execute(self._epoch_destroy, (known.epoch,))
                destroyed.append(known.epoch)
            curs.execute(self._key_ids_prune)
        with self.datastore.get_connection() as conn:
            # Rewrite the small epochs table: a plain VACUUM leaves a dead salt's bytes in the
            # page's free space.
            conn.execute(self._vacuum_epochs)
            conn.execute(self._vacuum_vault)
        return destroyed

    def vault_erasures(self) -> list[ErasureRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._erasures_select)
            return [erasure_from_row(row) for row in curs.fetchall()]

    def chain_heads(self) -> dict[str, tuple[int, bytes]]:
        """Every stream's head: last version and its chain hash, keyed by the stream id text."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._heads_select)
            rows = curs.fetchall()
        return {str(row["originator_id"]): (row["version"], bytes(row["head"])) for row in rows}

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._vault_select, (resident_id,))
            row = curs.fetchone()
        return None if row is None else _record_from_row(row)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        return self._resident_id(self._vault_find, (bsn_hash,))

    def _resident_id(self, statement: Composed, params: Sequence[object]) -> UUID | None:
        """The ``resident_id`` of the first row the statement selects, or None."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, params)
            row = curs.fetchone()
        if row is None:
            return None
        resident_id = row["resident_id"]
        return resident_id if isinstance(resident_id, UUID) else UUID(str(resident_id))

    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._vault_stale, (key_id, after or UUID(int=0), limit))
            rows = curs.fetchall()
        return [_record_from_row(row) for row in rows]

    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        with self.datastore.transaction(commit=True) as curs:
            for key_id in sorted({new.key_id for _, new in pairs}):
                self._note_key_id(curs, key_id)
            replaced = 0
            for old, new in pairs:
                curs.execute(
                    self._vault_rewrap,
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

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._imports_select, (list(source_ids),))
            rows = curs.fetchall()
        return {row["source_id"]: (row["resident_id"], row["stream_id"]) for row in rows}

    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident that records with this source resident key were imported into."""
        return self._resident_id(self._imports_resident, (resident_key,))
