"""The vault's notes and corrections on the in-process and SQLite stores (PostgreSQL:
:mod:`participatie.persistence.rights_postgres`).

A resident's rights (:mod:`participatie.service.rights`) add to what the recorders write in the
same transaction as the events:

- ``vault_corrections=[(old, new), ...]``: a corrected vault record replaces the resident's
  record where it is still ``old`` (else the save fails as a concurrent change, and is retried);
  the unique BSN lookup hash refuses a corrected BSN that another resident has;
- ``vault_notes=[SealedNote, ...]``: notes, in the table ``participatie_vault_notes`` (note id,
  resident id, ciphertext), encrypted with the data key of the resident's vault record;
- the notes of residents in ``vault_erasures=[...]`` are deleted with their vault record.

The recorders mix in :class:`MemoryRights` or :class:`SQLiteRights` and call them from their
``_insert_events``; the table is created ``IF NOT EXISTS``, so stores of earlier releases open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from participatie.privacy.records import LEGACY_EPOCH, SealedNote, SealedRecord, epoch_of

if TYPE_CHECKING:
    from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore

__all__ = ["NOTES_TABLE", "MemoryRights", "SQLiteRights", "rights_kwargs"]

NOTES_TABLE = "participatie_vault_notes"

Corrections = Sequence[tuple[SealedRecord, SealedRecord]]


def rights_kwargs(kwargs: dict[str, Any]) -> tuple[Corrections, Sequence[SealedNote]]:
    """Take the corrections and notes out of a recorder's keyword arguments."""
    return kwargs.pop("vault_corrections", ()), kwargs.pop("vault_notes", ())


def _changed() -> IntegrityError:
    msg = "vault record changed meanwhile"
    return IntegrityError(msg)


class MemoryRights:
    """Notes and corrections of the in-process recorder, in dictionaries."""

    _database_lock: threading.RLock
    _vault: dict[UUID, SealedRecord]
    _vault_by_hash: dict[bytes, UUID]
    _key_ids: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        self._notes: dict[UUID, SealedNote] = {}

    if TYPE_CHECKING:  # the recorder's own

        def _epoch_is_live(self, epoch: int) -> bool: ...

    def _check_rights(self, kwargs: dict[str, Any]) -> Callable[[Sequence[UUID]], None]:
        """Refuse what cannot be written (under the lock, before the events); return what
        writes it once the events are in."""
        corrections, notes = rights_kwargs(kwargs)
        for old, new in corrections:
            if self._vault.get(old.resident_id) != old:
                raise _changed()
            owner = None if new.bsn_hash is None else self._vault_by_hash.get(new.bsn_hash)
            if owner is not None and owner != new.resident_id:
                msg = "vault BSN hash exists"
                raise IntegrityError(msg)
            epoch = epoch_of(new.key_id)
            if epoch != LEGACY_EPOCH and not self._epoch_is_live(epoch):
                raise _changed()
        if any(note.note_id in self._notes for note in notes):
            msg = "note id exists"
            raise IntegrityError(msg)

        def write(erased: Sequence[UUID]) -> None:
            for old, new in corrections:
                if old.bsn_hash is not None:
                    self._vault_by_hash.pop(old.bsn_hash, None)
                self._vault[new.resident_id] = new
                self._key_ids.setdefault(new.key_id, epoch_of(new.key_id))
                if new.bsn_hash is not None:
                    self._vault_by_hash[new.bsn_hash] = new.resident_id
            for note in notes:
                self._notes[note.note_id] = note
            gone = set(erased)
            self._notes = {k: n for k, n in self._notes.items() if n.resident_id not in gone}

        return write

    def vault_notes(self, resident_id: UUID) -> list[SealedNote]:
        with self._database_lock:
            return [n for n in self._notes.values() if n.resident_id == resident_id]

    def vault_note_rows(self, after: UUID | None, limit: int) -> list[SealedNote]:
        with self._database_lock:
            rows = sorted(self._notes.values(), key=lambda n: n.note_id)
        return [n for n in rows if after is None or n.note_id > after][:limit]


#: Created with the recorder's other tables (``IF NOT EXISTS``: stores of 0.1 and 0.2 open).
SQLITE_RIGHTS_TABLES = (
    (
        f"CREATE TABLE IF NOT EXISTS {NOTES_TABLE} ("
        "note_id TEXT PRIMARY KEY, "
        "resident_id TEXT NOT NULL, "
        "ciphertext BLOB NOT NULL)"
    ),
    f"CREATE INDEX IF NOT EXISTS {NOTES_TABLE}_resident ON {NOTES_TABLE} (resident_id)",
)


def _note(row: Any) -> SealedNote:
    return SealedNote(
        note_id=UUID(row["note_id"]),
        resident_id=UUID(row["resident_id"]),
        ciphertext=bytes(row["ciphertext"]),
    )


class SQLiteRights:
    """Notes and corrections of the SQLite recorder, in the same database file."""

    datastore: SQLiteDatastore
    vault_table: str

    def _write_rights(
        self,
        c: SQLiteCursor,
        kwargs: dict[str, Any],
        erased: Sequence[UUID],
        note_key_id: Callable[[SQLiteCursor, str], None],
    ) -> None:
        """Write the corrections and notes, and delete the erased residents' notes, in the
        transaction of the events (``secure_delete`` overwrites what is replaced or deleted)."""
        corrections, notes = rights_kwargs(kwargs)
        if corrections or erased:
            c.execute("PRAGMA secure_delete = ON")
        for old, new in corrections:
            c.execute(
                f"UPDATE {self.vault_table} "  # noqa: S608 (constant table name)
                "SET bsn_hash = ?, key_id = ?, wrapped_key = ?, ciphertext = ? "
                "WHERE resident_id = ? AND key_id = ? AND wrapped_key = ?",
                (
                    new.bsn_hash,
                    new.key_id,
                    new.wrapped_key,
                    new.ciphertext,
                    old.resident_id.hex,
                    old.key_id,
                    old.wrapped_key,
                ),
            )
            if c.sqlite_cursor.rowcount != 1:
                raise _changed()
            note_key_id(c, new.key_id)
        if notes:
            c.executemany(
                f"INSERT INTO {NOTES_TABLE} (note_id, resident_id, ciphertext) "  # noqa: S608
                "VALUES (?, ?, ?)",
                [(n.note_id.hex, n.resident_id.hex, n.ciphertext) for n in notes],
            )
        if erased:
            c.executemany(
                f"DELETE FROM {NOTES_TABLE} WHERE resident_id = ?",  # noqa: S608
                [(rid.hex,) for rid in erased],
            )

    def vault_notes(self, resident_id: UUID) -> list[SealedNote]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {NOTES_TABLE} WHERE resident_id = ?",  # noqa: S608
                (resident_id.hex,),
            )
            return [_note(row) for row in c.fetchall()]

    def vault_note_rows(self, after: UUID | None, limit: int) -> list[SealedNote]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {NOTES_TABLE} WHERE note_id > ? "  # noqa: S608
                "ORDER BY note_id LIMIT ?",
                ("" if after is None else after.hex, limit),
            )
            return [_note(row) for row in c.fetchall()]
