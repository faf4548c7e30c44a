"""The SQLite recorder's import sources: which records of an earlier system were imported, into
which resident and stream."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from participatie.persistence.sqlite_tables import SQLiteTables
from participatie.persistence.tables import IMPORTS_TABLE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.sqlite import SQLiteCursor

__all__ = ["SQLiteImports"]


class SQLiteImports(SQLiteTables):
    """Import sources, written in the same transaction as the imported events."""

    @staticmethod
    def _record_imports(
        c: SQLiteCursor, import_sources: Sequence[tuple[str, str, UUID, UUID]]
    ) -> None:
        if import_sources:
            c.executemany(
                f"INSERT INTO {IMPORTS_TABLE} "  # noqa: S608
                "(source_id, resident_key, resident_id, stream_id) VALUES (?, ?, ?, ?)",
                [(source, key, rid.hex, stream.hex) for source, key, rid, stream in import_sources],
            )

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

    def imported_residents(self, resident_keys: Sequence[str]) -> dict[str, UUID]:
        """The residents these source resident keys were imported into, one statement for up
        to 500 keys (every row of a key names the same resident: one row a key is read)."""
        keys = list(dict.fromkeys(resident_keys))
        found: dict[str, UUID] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                c.execute(
                    f"SELECT resident_key, min(resident_id) AS resident_id "  # noqa: S608
                    f"FROM {IMPORTS_TABLE} WHERE resident_key IN ({', '.join('?' * len(chunk))}) "
                    "GROUP BY resident_key",
                    chunk,
                )
                found.update(
                    (row["resident_key"], UUID(row["resident_id"])) for row in c.fetchall()
                )
        return found
