"""The PostgreSQL application recorder: eventsourcing's, with participatie's tables (see
:mod:`participatie.persistence.tables`) in the same schema, written in the same transaction as the
events; and the snapshot recorder (needs the ``postgres`` extra: imports psycopg).

Each table group is a mixin of its own: :mod:`.postgres_vault` (the vault, on
:mod:`.postgres_keys`), :mod:`.postgres_ledger` (ledger and chain heads), :mod:`.postgres_imports`,
:mod:`.postgres_commands` and :mod:`.rights_postgres` (notes and corrections); this module puts
them together and writes them with the events.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from psycopg.errors import DuplicateObject

from participatie.persistence.base import ParticipationRecorder
from participatie.persistence.postgres_commands import PostgresCommands
from participatie.persistence.postgres_imports import PostgresImports
from participatie.persistence.postgres_ledger import PostgresLedger
from participatie.persistence.postgres_schema import PostgresStatements
from participatie.persistence.postgres_vault import PostgresVault
from participatie.persistence.rights_postgres import PostgresRights
from participatie.persistence.tables import VAULT_TABLE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from psycopg import Cursor
    from psycopg.rows import DictRow

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
    PostgresRights,
    PostgresVault,
    PostgresLedger,
    PostgresImports,
    PostgresCommands,
    _CreatesTablesOneAtATime,
    PostgresApplicationRecorder,
    ParticipationRecorder,
):
    """PostgreSQL recorder whose vault rows commit in the same transaction as the events.

    The rows are written before eventsourcing takes its table lock, inside the same transaction.
    ``POSTGRES_ENABLE_DB_FUNCTIONS`` must stay off: it bypasses this hook and would drop rows.
    """

    reads_over_network = True

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
        self._record_imports(curs, import_sources)
        for resident_id in vault_erasures:
            curs.execute(self._sql.vault_erase, (resident_id, resident_id))
        self._write_rights(curs, kwargs, vault_erasures, self._note_key_id)
        self._write_vault(curs, vault_records)
        super()._insert_events(curs, stored_events, **kwargs)

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        super()._lock_table(curs)
        self._ask_tail(curs)

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        self._write_ledger(curs, notification_ids, stored_events, kwargs.get("processing_records"))
        return notification_ids

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        if kwargs.get("vault_erasures"):
            self.vacuum_vault()
            self.vacuum_notes()
        return notification_ids
