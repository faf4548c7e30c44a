"""The PostgreSQL application recorder: eventsourcing's, with participatie's tables (see
:mod:`participatie.persistence.tables`) in the same schema, written in the same transaction as the
events; and the snapshot recorder (needs the ``postgres`` extra: imports psycopg)."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg.errors
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from eventsourcing.utils import retry
from psycopg.errors import DuplicateObject
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from participatie.audit.ledger import LedgerRow, ledger_rows
from participatie.persistence.base import DoneCommand, ParticipationRecorder
from participatie.persistence.postgres_schema import PostgresStatements
from participatie.persistence.rights_postgres import PostgresRights
from participatie.persistence.tables import (
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

    from psycopg import Cursor
    from psycopg.rows import DictRow
    from psycopg.sql import Composed

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
        self._sql = PostgresStatements(
            self.datastore.schema, self.events_table_name, self.datastore.originator_id_type
        )
        self._rights_statements(VAULT_TABLE)
        self.sql_create_statements.extend(self._sql.create)
        #: Per thread: the cursor of the ledger tail queued under the table lock.
        self._tails = threading.local()

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
        self._record_commands(curs, kwargs.get("commands_done", ()))
        if import_sources:
            curs.execute(
                self._sql.imports_insert,
                (
                    [source[0] for source in import_sources],
                    [source[1] for source in import_sources],
                    [source[2] for source in import_sources],
                    [source[3] for source in import_sources],
                ),
            )
        for resident_id in vault_erasures:
            curs.execute(self._sql.vault_erase, (resident_id, resident_id))
        self._write_rights(curs, kwargs, vault_erasures, self._note_key_id)
        # Each key id once (an import's batch seals every resident under the same key): its
        # check reads a row, a round trip each.
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
        super()._insert_events(curs, stored_events, **kwargs)

    def _record_commands(
        self, curs: Cursor[DictRow], commands_done: Sequence[tuple[UUID, UUID | None, str]]
    ) -> None:
        """The ids of the commands these events carry out, written before the events: a second
        save of one waits for the first to commit, then the primary key refuses it."""
        if commands_done:
            curs.execute(
                self._sql.commands_insert,
                (
                    [command_id for command_id, _, _ in commands_done],
                    [result for _, result, _ in commands_done],
                    [command for _, _, command in commands_done],
                ),
            )

    def command_done(self, command_id: UUID) -> DoneCommand | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.commands_select, (command_id,))
            row = curs.fetchone()
        return None if row is None else DoneCommand(command_id, row["result"], row["command"])

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
            self._append_ledger(
                curs, ledger_rows(self._queued_tail(curs), notification_ids, stored_events)
            )
        heads = stream_heads(stored_events)
        curs.execute(
            self._sql.heads_upsert,
            (
                list(heads),
                [version for version, _ in heads.values()],
                [head for _, head in heads.values()],
            ),
        )
        return notification_ids

    # Retried on a lost connection as eventsourcing's select_events is (a read: safe to repeat).
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events_after(
        self, streams: Sequence[tuple[UUID, int]]
    ) -> dict[UUID, list[StoredEvent]]:
        """One statement, one round trip, for all the streams (see ParticipationRecorder)."""
        if not streams:
            return {}
        where = SQL(" OR ").join(
            [SQL("(originator_id = %s AND originator_version > %s)")] * len(streams)
        )
        statement = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE {where} ORDER BY originator_id, originator_version"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            where=where,
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [value for stream in streams for value in stream], prepare=True)
            rows = curs.fetchall()
        found: dict[UUID, list[StoredEvent]] = {}
        for row in rows:
            found.setdefault(row["originator_id"], []).append(
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
            )
        return found

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        # The ledger's tail is asked for right after the table lock, on a cursor of its own, so
        # that it travels in the same pipeline as the events' insert and is read once that
        # insert is synced: no round trip of its own. No other writer can append under the lock.
        super()._lock_table(curs)
        tail = curs.connection.cursor()
        tail.execute(self._sql.ledger_tail)
        self._tails.cursor = tail

    def _queued_tail(self, curs: Cursor[DictRow]) -> bytes | None:
        """The ledger's tail asked for under the lock by :meth:`_lock_table` (or, should that
        not have run, asked for now)."""
        tail: Cursor[DictRow] | None = getattr(self._tails, "cursor", None)
        self._tails.cursor = None
        if tail is None:
            return self._tail(curs)
        with tail:
            found = tail.fetchone()
        return None if found is None else bytes(found["running_hash"])

    def _tail(self, curs: Cursor[DictRow]) -> bytes | None:
        """The running hash of the ledger's last row, or None while it is empty."""
        curs.execute(self._sql.ledger_tail)
        tail = curs.fetchone()
        return None if tail is None else bytes(tail["running_hash"])

    def _append_ledger(self, curs: Cursor[DictRow], rows: Sequence[LedgerRow]) -> None:
        curs.execute(
            self._sql.ledger_insert,
            (
                [row.position for row in rows],
                [row.stream_id for row in rows],
                [row.version for row in rows],
                [row.event_hash for row in rows],
                [row.running_hash for row in rows],
                [row.backfilled for row in rows],
            ),
        )

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.ledger_select, (after, limit))
            return [ledger_row_from_row(row) for row in curs.fetchall()]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        return self._plain(self._sql.log_rows, (start, limit))

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        return self._plain(self._sql.ledger_plain, (after, limit))

    def _plain(self, statement: Composed, parameters: tuple[int, int]) -> list[Any]:
        """Rows as plain tuples of the values as stored (no dict rows)."""
        with self.datastore.transaction(commit=False) as curs:
            plain = curs.connection.cursor(row_factory=tuple_row)
            plain.execute(statement, parameters)
            return plain.fetchall()

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.ledger_of, (list(stream_ids),))
            return [ledger_row_from_row(row) for row in curs.fetchall()]

    def ledger_backfill(self, limit: int) -> int:
        # Without the table lock first: a store whose ledger is written with its events (every
        # store after its first opening by this release) has nothing to make up.
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.ledger_state)
            found = curs.fetchone()
            if found is None or found["written"]:
                return 0
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql.ledger_lock)
            curs.execute(self._sql.ledger_state)
            found = curs.fetchone()
            if found is None or found["written"]:
                return 0  # the ledger is written with the events: nothing to make up
            curs.execute(self._sql.ledger_events, (found["last"] or 0, limit))
            rows = curs.fetchall()
            if rows:
                made = backfilled_ledger_rows(
                    self._tail(curs),
                    [row["notification_id"] for row in rows],
                    rows,
                    lambda originator_id: originator_id,
                )
                self._append_ledger(curs, made)
            return len(rows)

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.vault_rows, (after or UUID(int=0), limit))
            rows = curs.fetchall()
        return [record_from_row(row) for row in rows]

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
            conn.execute(self._sql.vacuum_vault)

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

    def vault_erasures(self) -> list[ErasureRecord]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.erasures_select)
            return [erasure_from_row(row) for row in curs.fetchall()]

    def chain_heads(self) -> dict[str, tuple[int, bytes]]:
        """Every stream's head: last version and its chain hash, keyed by the stream id text."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.heads_select)
            rows = curs.fetchall()
        return {str(row["originator_id"]): (row["version"], bytes(row["head"])) for row in rows}

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.vault_select, (resident_id,))
            row = curs.fetchone()
        return None if row is None else record_from_row(row)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        return self._resident_id(self._sql.vault_find, (bsn_hash,))

    def _resident_id(self, statement: Composed, params: Sequence[object]) -> UUID | None:
        """The ``resident_id`` of the first row the statement selects, or None."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, params)
            row = curs.fetchone()
        return None if row is None else uuid_of(row["resident_id"])

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

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.imports_select, (list(source_ids),))
            rows = curs.fetchall()
        return {row["source_id"]: (row["resident_id"], row["stream_id"]) for row in rows}

    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident that records with this source resident key were imported into."""
        return self._resident_id(self._sql.imports_resident, (resident_key,))
