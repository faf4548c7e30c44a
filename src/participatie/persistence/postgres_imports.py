"""The PostgreSQL recorder's import sources: which records of an earlier system were imported,
into which resident and stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from participatie.persistence.postgres_tables import PostgresTables

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from psycopg import Cursor
    from psycopg.rows import DictRow

__all__ = ["PostgresImports"]


class PostgresImports(PostgresTables):
    """Import sources, written in the same transaction as the imported events."""

    def _record_imports(
        self, curs: Cursor[DictRow], import_sources: Sequence[tuple[str, str, UUID, UUID]]
    ) -> None:
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

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.imports_select, (list(source_ids),))
            rows = curs.fetchall()
        return {row["source_id"]: (row["resident_id"], row["stream_id"]) for row in rows}

    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident that records with this source resident key were imported into."""
        return self._resident_id(self._sql.imports_resident, (resident_key,))

    def imported_residents(self, resident_keys: Sequence[str]) -> dict[str, UUID]:
        """The residents these source resident keys were imported into, in one statement."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql.imports_residents, (list(resident_keys),))
            rows = curs.fetchall()
        return {row["resident_key"]: row["resident_id"] for row in rows}
