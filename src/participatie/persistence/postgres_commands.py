"""The PostgreSQL recorder's command ids: which commands were carried out, and with what
result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from participatie.persistence.base import DoneCommand
from participatie.persistence.postgres_tables import PostgresTables

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from psycopg import Cursor
    from psycopg.rows import DictRow

__all__ = ["PostgresCommands"]


class PostgresCommands(PostgresTables):
    """Command ids, written in the same transaction as the command's events."""

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
