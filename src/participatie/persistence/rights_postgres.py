"""The vault's notes and corrections on PostgreSQL (see :mod:`participatie.persistence.rights`;
kept apart so that psycopg is imported only when PostgreSQL is used)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from psycopg.sql import SQL, Composed, Identifier

from participatie.persistence.rights import NOTES_TABLE, rights_kwargs
from participatie.privacy.records import SealedNote

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore
    from psycopg import Cursor
    from psycopg.rows import DictRow

__all__ = ["PostgresRights"]


class PostgresRights:
    """Notes and corrections of the PostgreSQL recorder, in the same schema."""

    datastore: PostgresDatastore
    sql_create_statements: list[Composed]

    def _rights_statements(self, vault_table: str) -> None:
        """Add the notes table to those created, and prepare the statements."""
        names = {
            "schema": Identifier(self.datastore.schema),
            "vault": Identifier(vault_table),
            "notes": Identifier(NOTES_TABLE),
            "index": Identifier(f"{NOTES_TABLE}_resident"),
        }
        self.sql_create_statements.extend(
            SQL(statement).format(**names)
            for statement in (
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{notes} (note_id uuid PRIMARY KEY, "
                    "resident_id uuid NOT NULL, ciphertext bytea NOT NULL)"
                ),
                "CREATE INDEX IF NOT EXISTS {index} ON {schema}.{notes} (resident_id)",
            )
        )
        self._correct_vault = SQL(
            "UPDATE {schema}.{vault} SET bsn_hash = %s, key_id = %s, wrapped_key = %s, "
            "ciphertext = %s WHERE resident_id = %s AND key_id = %s AND wrapped_key = %s "
            "RETURNING resident_id"
        ).format(**names)
        self._notes_insert = SQL(
            "INSERT INTO {schema}.{notes} (note_id, resident_id, ciphertext) "
            "SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::bytea[])"
        ).format(**names)
        self._notes_erase = SQL("DELETE FROM {schema}.{notes} WHERE resident_id = ANY(%s)").format(
            **names
        )
        self._notes_of = SQL("SELECT * FROM {schema}.{notes} WHERE resident_id = %s").format(
            **names
        )
        self._notes_after = SQL(
            "SELECT * FROM {schema}.{notes} WHERE note_id > %s ORDER BY note_id LIMIT %s"
        ).format(**names)
        self._vacuum_notes = SQL("VACUUM {schema}.{notes}").format(**names)

    def _write_rights(
        self,
        curs: Cursor[DictRow],
        kwargs: dict[str, Any],
        erased: Sequence[UUID],
        note_key_id: Callable[[Cursor[DictRow], str], None],
    ) -> None:
        """Write the corrections and notes, and delete the erased residents' notes, in the
        transaction of the events."""
        corrections, notes = rights_kwargs(kwargs)
        for old, new in corrections:
            note_key_id(curs, new.key_id)
            curs.execute(
                self._correct_vault,
                (
                    new.bsn_hash,
                    new.key_id,
                    new.wrapped_key,
                    new.ciphertext,
                    old.resident_id,
                    old.key_id,
                    old.wrapped_key,
                ),
            )
            if curs.fetchone() is None:  # (rowcount is not known in eventsourcing's pipeline)
                msg = "vault record changed meanwhile"
                raise IntegrityError(msg)
        if notes:
            curs.execute(
                self._notes_insert,
                (
                    [n.note_id for n in notes],
                    [n.resident_id for n in notes],
                    [n.ciphertext for n in notes],
                ),
            )
        if erased:
            curs.execute(self._notes_erase, (list(erased),))

    def vacuum_notes(self) -> None:
        """Remove the dead tuples of erased notes (VACUUM runs outside a transaction)."""
        with self.datastore.get_connection() as conn:
            conn.execute(self._vacuum_notes)

    @staticmethod
    def _note(row: DictRow) -> SealedNote:
        return SealedNote(
            note_id=row["note_id"],
            resident_id=row["resident_id"],
            ciphertext=bytes(row["ciphertext"]),
        )

    def vault_notes(self, resident_id: UUID) -> list[SealedNote]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._notes_of, (resident_id,))
            return [self._note(row) for row in curs.fetchall()]

    def vault_note_rows(self, after: UUID | None, limit: int) -> list[SealedNote]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._notes_after, (after or UUID(int=0), limit))
            return [self._note(row) for row in curs.fetchall()]
