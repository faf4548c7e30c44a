"""The SQLite recorder's command ids: which commands were carried out, and with what result."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from participatie.persistence.base import DoneCommand
from participatie.persistence.sqlite_tables import SQLiteTables
from participatie.persistence.tables import COMMANDS_TABLE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.sqlite import SQLiteCursor

__all__ = ["SQLiteCommands"]


class SQLiteCommands(SQLiteTables):
    """Command ids, written in the same transaction as the command's events."""

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
